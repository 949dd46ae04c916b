import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { InputError } from '../src/errors.js'
import { RegistryClient, RegistryError, type RegistryClientOptions, type UploadProgress } from '../src/oci/registry/client.js'
import { pushImage } from '../src/oci/registry/push.js'
import { MediaType, type Blob, type ImageToWrite } from '../src/oci/types.js'
import { freePort, startRegistry, type RunningRegistry } from './support/registry-server.js'
import { startTokenServer, type RunningTokenServer } from './support/token-server.js'
import { sha256Digest as sha256 } from './support/digest.js'

const user = 'ci'
const pass = 'correct-horse-battery'
const noDockerConfig = (dir: string): RegistryClientOptions => ({ env: { DOCKER_CONFIG: dir }, transport: { baseDelayMs: 10 } })

let work: string
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-client-'))
})
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

interface TestImage extends ImageToWrite {
  layerPath: string
  layerBytes: Buffer
  configBytes: Buffer
}

/** A one-layer image: a tar of a real file written here, a config with empty history, an OCI manifest. */
function buildImage(name: string, content: string): TestImage {
  const dir = path.join(work, name)
  fs.mkdirSync(path.join(dir, 'payload', 'kernel'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'payload', 'kernel', 'image'), content)
  const layerPath = path.join(dir, 'layer.tar')
  execFileSync('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-cf',
    layerPath,
    '-C',
    path.join(dir, 'payload'),
    'kernel',
  ])
  const layerBytes = fs.readFileSync(layerPath)
  const layerDigest = sha256(layerBytes)
  const configBytes = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, history: [] }),
  )
  const layer: Blob = {
    descriptor: { mediaType: MediaType.layerTar, digest: layerDigest, size: layerBytes.length },
    open: () => fs.createReadStream(layerPath),
  }
  const config: Blob = {
    descriptor: { mediaType: MediaType.config, digest: sha256(configBytes), size: configBytes.length },
    open: () => Readable.from([configBytes]),
  }
  const manifestBytes = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.manifest, config: config.descriptor, layers: [layer.descriptor] }),
  )
  return {
    manifest: { descriptor: { mediaType: MediaType.manifest, digest: sha256(manifestBytes), size: manifestBytes.length }, bytes: manifestBytes },
    blobs: [config, layer],
    layerPath,
    layerBytes,
    configBytes,
  }
}

function skopeo(args: string[]): Buffer {
  return execFileSync('skopeo', args, { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] })
}

function blobInLayout(layout: string, digest: string): Buffer {
  return fs.readFileSync(path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)))
}

/** Tags in a repository, asked with curl (an independent client); [] when the repository has none. */
function tagsWithCurl(host: string, repository: string, credentials?: string): string[] {
  const auth = credentials === undefined ? [] : ['-u', credentials]
  const text = execFileSync('curl', ['-s', ...auth, `http://${host}/v2/${repository}/tags/list`], { encoding: 'utf8' })
  const body = JSON.parse(text) as { tags?: string[] | null; errors?: { code: string }[] }
  if (body.errors?.[0]?.code === 'NAME_UNKNOWN') return []
  return body.tags ?? []
}

describe('push to a plain registry', () => {
  let registry: RunningRegistry
  let image: TestImage
  beforeAll(async () => {
    registry = await startRegistry()
    image = buildImage('plain', 'plain kernel image bytes\n'.repeat(40_000))
  })
  afterAll(() => registry.stop())

  it('uploads each blob, puts manifest and tags, and skopeo reads back the same bytes', async () => {
    const lines: string[] = []
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/zone' }, { ...noDockerConfig(work), log: (l) => lines.push(l) })
    const result = await pushImage(client, image, ['v1', 'latest'])
    expect(result).toEqual({
      digest: image.manifest.descriptor.digest,
      bytesUploaded: image.layerBytes.length + image.configBytes.length,
      blobsSkipped: 0,
      blobsMounted: 0,
      blobsUploaded: 2,
    })
    for (const tag of ['v1', 'latest']) {
      const raw = skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/kernels/zone:${tag}`])
      expect(raw.equals(image.manifest.bytes)).toBe(true)
    }
    const layout = path.join(work, 'pulled-plain')
    skopeo(['copy', '--src-tls-verify=false', '--preserve-digests', `docker://${registry.host}/kernels/zone:v1`, `oci:${layout}:v1`])
    expect(blobInLayout(layout, image.blobs[1]!.descriptor.digest).equals(image.layerBytes)).toBe(true)
    expect(blobInLayout(layout, image.blobs[0]!.descriptor.digest).equals(image.configBytes)).toBe(true)
    expect(lines).toContain(`${registry.host}/kernels/zone:v1 → ${image.manifest.descriptor.digest}`)
  })

  it('uploads nothing the second time: every blob is found by HEAD', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/zone' }, noDockerConfig(work))
    const result = await pushImage(client, image, ['v1'])
    expect(result).toEqual({ digest: image.manifest.descriptor.digest, bytesUploaded: 0, blobsSkipped: 2, blobsMounted: 0, blobsUploaded: 0 })
  })

  it('mounts blobs that another repository holds instead of uploading them', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/copy' }, noDockerConfig(work))
    const result = await pushImage(client, image, ['v1'], { mountFrom: 'kernels/zone' })
    expect(result).toEqual({ digest: image.manifest.descriptor.digest, bytesUploaded: 0, blobsSkipped: 0, blobsMounted: 2, blobsUploaded: 0 })
    const raw = skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/kernels/copy:v1`])
    expect(raw.equals(image.manifest.bytes)).toBe(true)
  })

  it('reads a manifest back by tag and by digest, and resolves tags', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/zone' }, noDockerConfig(work))
    const byTag = await client.getManifest('v1')
    expect(byTag).toEqual({ mediaType: MediaType.manifest, bytes: image.manifest.bytes, digest: image.manifest.descriptor.digest })
    expect((await client.getManifest(image.manifest.descriptor.digest)).bytes.equals(image.manifest.bytes)).toBe(true)
    expect(await client.resolve('latest')).toBe(image.manifest.descriptor.digest)
    expect(await client.resolve('never-pushed')).toBeUndefined()
  })

  it('reports upload progress up to the blob size', async () => {
    const other = buildImage('progress', 'progress bytes\n'.repeat(100_000))
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/progress' }, noDockerConfig(work))
    const seen: UploadProgress[] = []
    const outcome = await client.uploadBlob(other.blobs[1]!, { onProgress: (p) => seen.push(p) })
    expect(outcome).toEqual({ mounted: false, bytes: other.layerBytes.length })
    expect(seen.at(-1)!.bytes).toBe(other.layerBytes.length)
    expect(seen.at(-1)!.total).toBe(other.layerBytes.length)
    expect(seen.every((p, i) => i === 0 || p.bytes > seen[i - 1]!.bytes)).toBe(true)
    expect(await client.blobExists(other.blobs[1]!.descriptor.digest)).toBe(true)
  })

  it('fails with one line naming the manifest when a blob is missing, and writes no tag', async () => {
    const other = buildImage('missing-layer', 'this layer is never uploaded\n')
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/broken' }, noDockerConfig(work))
    const error = await pushImage(client, { manifest: other.manifest, blobs: [other.blobs[0]!] }, ['v1']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as Error).message).toBe(
      `registry ${registry.host}: PUT manifest ${other.manifest.descriptor.digest} → 400 MANIFEST_BLOB_UNKNOWN: blob unknown to registry`,
    )
    expect(tagsWithCurl(registry.host, 'kernels/broken')).toEqual([])
  })

  it('refuses a blob whose stream is shorter than its descriptor says', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/short' }, noDockerConfig(work))
    const bytes = Buffer.from('twelve bytes')
    const blob: Blob = {
      descriptor: { mediaType: MediaType.layerTar, digest: sha256(bytes), size: 20 },
      open: () => Readable.from([bytes]),
    }
    await expect(client.uploadBlob(blob)).rejects.toThrow(`blob ${sha256(bytes)}: its stream gave 12 bytes, its descriptor says 20`)
    expect(await client.blobExists(sha256(bytes))).toBe(false)
  })

  it('reports a blob whose file cannot be read as that error, not as a network failure', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/unreadable' }, noDockerConfig(work))
    const missing = path.join(work, 'no-such-layer.tar')
    const blob: Blob = {
      descriptor: { mediaType: MediaType.layerTar, digest: 'sha256:' + '1'.repeat(64), size: 10 },
      open: () => fs.createReadStream(missing),
    }
    await expect(client.uploadBlob(blob)).rejects.toThrow(`ENOENT: no such file or directory, open '${missing}'`)
  })

  it('rejects an invalid tag before sending anything', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/badtag' }, noDockerConfig(work))
    await expect(pushImage(client, image, ['v1', '-bad'])).rejects.toThrow(
      new InputError('tags: "-bad" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})'),
    )
    expect(await client.blobExists(image.blobs[0]!.descriptor.digest)).toBe(false)
  })
})

describe('push through a connection that drops the first blob upload', () => {
  let registry: RunningRegistry
  let proxy: http.Server
  let proxyHost: string
  const uploadPaths: string[] = []
  beforeAll(async () => {
    registry = await startRegistry()
    const upstreamPort = Number(registry.host.split(':')[1])
    let dropped = false
    // Forwards to the real registry, but cuts the first blob PUT after part of its body has arrived.
    proxy = http.createServer((request, response) => {
      const isBlobPut = request.method === 'PUT' && request.url!.includes('/blobs/uploads/')
      if (isBlobPut) uploadPaths.push(request.url!.split('?')[0]!)
      if (isBlobPut && !dropped) {
        dropped = true
        request.once('data', () => request.socket.destroy())
        return
      }
      const upstream = http.request(
        { host: '127.0.0.1', port: upstreamPort, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          response.writeHead(answer.statusCode!, answer.headers)
          answer.pipe(response)
        },
      )
      request.pipe(upstream)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    proxy.closeAllConnections()
    await new Promise((resolve) => proxy.close(resolve))
    await registry.stop()
  })

  it('retries the upload in a new session with a re-opened stream, and the blob arrives whole', async () => {
    const image = buildImage('flaky', 'flaky network kernel\n'.repeat(50_000))
    const layer = image.blobs[1]!
    const lines: string[] = []
    const client = new RegistryClient({ registry: proxyHost, repository: 'kernels/flaky' }, { ...noDockerConfig(work), log: (l) => lines.push(l) })
    const outcome = await client.uploadBlob(layer)
    expect(outcome).toEqual({ mounted: false, bytes: image.layerBytes.length })
    expect(uploadPaths.length).toBe(2)
    expect(uploadPaths[0]).not.toBe(uploadPaths[1])
    expect(lines.filter((l) => l.includes('retry'))).toHaveLength(1)
    const pulled = execFileSync('curl', ['-s', `http://${registry.host}/v2/kernels/flaky/blobs/${layer.descriptor.digest}`], { maxBuffer: 64 << 20 })
    expect(pulled.equals(image.layerBytes)).toBe(true)
  })
})

describe('push to a registry with htpasswd (Basic) auth', () => {
  let registry: RunningRegistry
  let image: TestImage
  beforeAll(async () => {
    registry = await startRegistry({ auth: { user, pass } })
    image = buildImage('basic', 'basic auth kernel\n'.repeat(10_000))
  })
  afterAll(() => registry.stop())

  it('pushes with the right password and hands the password to onSecret', async () => {
    const secrets: string[] = []
    const client = new RegistryClient(
      { registry: registry.host, repository: 'kernels/zone' },
      { ...noDockerConfig(work), credentials: { username: user, password: pass }, onSecret: (s) => secrets.push(s) },
    )
    const result = await pushImage(client, image, ['v1'])
    expect(result.blobsUploaded).toBe(2)
    const raw = skopeo(['inspect', '--tls-verify=false', '--creds', `${user}:${pass}`, '--raw', `docker://${registry.host}/kernels/zone:v1`])
    expect(raw.equals(image.manifest.bytes)).toBe(true)
    expect(secrets).toEqual([pass, Buffer.from(`${user}:${pass}`).toString('base64')])
  })

  it('fails with a clear line for a wrong password, without the password, and writes no tag', async () => {
    const wrong = 'wrong-password-123'
    const client = new RegistryClient(
      { registry: registry.host, repository: 'kernels/denied' },
      { ...noDockerConfig(work), credentials: { username: user, password: wrong } },
    )
    const error = await pushImage(client, image, ['v1']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toBe(`registry ${registry.host}: authentication failed for user "${user}" (401)`)
    expect((error as Error).message).not.toContain(wrong)
    expect(tagsWithCurl(registry.host, 'kernels/denied', `${user}:${pass}`)).toEqual([])
  })

  it('says no credentials were given when the registry asks for them', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/anon' }, noDockerConfig(work))
    await expect(client.resolve('v1')).rejects.toThrow(
      `registry ${registry.host}: authentication required (401); no credentials given for ${registry.host}`,
    )
  })

  it('uses credentials that docker login left in $DOCKER_CONFIG/config.json', async () => {
    const dockerConfig = path.join(work, 'docker-config')
    fs.mkdirSync(dockerConfig, { recursive: true })
    const auth = Buffer.from(`${user}:${pass}`).toString('base64')
    fs.writeFileSync(path.join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth } } }))
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/zone' }, noDockerConfig(dockerConfig))
    expect(await client.resolve('v1')).toBe(image.manifest.descriptor.digest)
  })
})

describe('push through a Bearer token server in front of a real registry', () => {
  let registry: RunningRegistry
  let proxy: RunningTokenServer
  let image: TestImage
  beforeAll(async () => {
    registry = await startRegistry()
    proxy = await startTokenServer({ upstream: registry.host, user, pass, service: 'ghcr-like' })
    image = buildImage('bearer', 'bearer kernel\n'.repeat(20_000))
  })
  afterAll(async () => {
    await proxy.stop()
    await registry.stop()
  })

  it('gets a token for the repository scope with Basic credentials, pushes, and the registry holds the bytes', async () => {
    const secrets: string[] = []
    const client = new RegistryClient(
      { registry: proxy.host, repository: 'org/zone-kernel' },
      { ...noDockerConfig(work), credentials: { username: user, password: pass }, onSecret: (s) => secrets.push(s) },
    )
    const result = await pushImage(client, image, ['v1'])
    expect(result.blobsUploaded).toBe(2)
    expect(result.bytesUploaded).toBe(image.layerBytes.length + image.configBytes.length)
    // The first request (HEAD blob) needs pull; the challenge names pull,push: the token asks for both.
    expect(proxy.tokenRequests[0]).toEqual({
      service: 'ghcr-like',
      scopes: ['repository:org/zone-kernel:pull', 'repository:org/zone-kernel:pull,push'],
      user,
    })
    expect(proxy.tokenRequests.map((r) => r.scopes)).toContainEqual(['repository:org/zone-kernel:pull,push'])
    // Every token obtained was handed to onSecret, and the proxy saw them used.
    expect(secrets.slice(2).sort()).toEqual([...proxy.tokensUsed].sort())
    const raw = skopeo(['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/org/zone-kernel:v1`])
    expect(raw.equals(image.manifest.bytes)).toBe(true)
    const layout = path.join(work, 'pulled-bearer')
    skopeo(['copy', '--src-tls-verify=false', '--preserve-digests', `docker://${registry.host}/org/zone-kernel:v1`, `oci:${layout}:v1`])
    expect(blobInLayout(layout, image.blobs[1]!.descriptor.digest).equals(image.layerBytes)).toBe(true)
  })

  it('fetches a new token when the cached one has expired', async () => {
    const client = new RegistryClient(
      { registry: proxy.host, repository: 'org/zone-kernel' },
      { ...noDockerConfig(work), credentials: { username: user, password: pass } },
    )
    expect(await client.resolve('v1')).toBe(image.manifest.descriptor.digest)
    const before = proxy.tokenRequests.length
    proxy.expireTokens()
    expect(await client.resolve('v1')).toBe(image.manifest.descriptor.digest)
    expect(proxy.tokenRequests.length).toBe(before + 1)
  })

  it('fails with a clear line when the token server refuses the password', async () => {
    const client = new RegistryClient(
      { registry: proxy.host, repository: 'org/denied' },
      { ...noDockerConfig(work), credentials: { username: user, password: 'not-the-password' } },
    )
    const error = await pushImage(client, image, ['v1']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InputError)
    expect((error as Error).message).toBe(`registry ${proxy.host}: authentication failed for user "${user}" (401)`)
    expect(tagsWithCurl(registry.host, 'org/denied')).toEqual([])
  })

  it('reads the token from access_token when the server sends that field', async () => {
    const other = await startTokenServer({ upstream: registry.host, user, pass, tokenField: 'access_token' })
    try {
      const client = new RegistryClient(
        { registry: other.host, repository: 'org/zone-kernel' },
        { ...noDockerConfig(work), credentials: { username: user, password: pass } },
      )
      expect(await client.resolve('v1')).toBe(image.manifest.descriptor.digest)
      expect(other.tokensUsed.size).toBe(1)
    } finally {
      await other.stop()
    }
  })
})

describe('a registry that is not there', () => {
  it('fails at once with a cannot connect line', async () => {
    const port = await freePort()
    const client = new RegistryClient({ registry: `127.0.0.1:${port}`, repository: 'kernels/zone' }, noDockerConfig(work))
    await expect(client.blobExists('sha256:' + '0'.repeat(64))).rejects.toThrow(
      new RegistryError(`registry 127.0.0.1:${port}: cannot connect (ECONNREFUSED)`),
    )
  })
})
