// The registry client against registries that misbehave on purpose: a registry on 127.0.0.1 that sends uploads,
// downloads and manifest PUTs to a second host (127.0.0.2, loopback too) which must never see the credentials;
// endless bodies; a restart; retries that must share one budget; typed errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as http from 'node:http'
import * as net from 'node:net'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError, IntegrityError } from '../src/errors.js'
import { RegistryAuth, type Credentials } from '../src/oci/registry/auth.js'
import { RegistryClient, RegistryError, TagMismatchError, type RegistryClientOptions } from '../src/oci/registry/client.js'
import { Transport } from '../src/oci/registry/transport.js'
import { pushImage } from '../src/oci/registry/push.js'
import { MediaType } from '../src/oci/types.js'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { sha256Digest as sha256 } from './support/digest.js'
import { smallImage } from './support/small-image.js'
import { runCliBundle } from './support/cli.js'

const user = 'ci'
const pass = 'hostile-registry-password'
const basic = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`

let work: string
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-hostile-'))
})
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const options = (extra: RegistryClientOptions = {}): RegistryClientOptions => ({
  env: { DOCKER_CONFIG: work },
  transport: { baseDelayMs: 5, maxDelayMs: 20 },
  ...extra,
})

interface Seen {
  method: string
  path: string
  authorization: string | undefined
}

type Handler = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void

interface Server {
  host: string
  port: number
  seen: Seen[]
  /** Every request body received, as text. */
  bodies: string[]
  handle: Handler
  stop(): Promise<void>
}

/** A loopback HTTP server on `address` that records every request (with its Authorization) and runs `handle`. */
async function startServer(address: string, handle: Handler): Promise<Server> {
  const state: Server = { host: '', port: 0, seen: [], bodies: [], handle, stop: () => Promise.resolve() }
  const server = http.createServer((request, response) => {
    state.seen.push({ method: request.method!, path: request.url!, authorization: request.headers.authorization })
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      state.bodies.push(Buffer.concat(chunks).toString('utf8'))
      state.handle(request, Buffer.concat(chunks), response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, address, resolve))
  state.port = (server.address() as AddressInfo).port
  state.host = `${address}:${state.port}`
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return state
}

/** Answers like a registry with htpasswd auth: 401 Basic without the right credentials. */
function needsBasic(request: http.IncomingMessage, response: http.ServerResponse): boolean {
  if (request.headers.authorization === basic) return false
  response.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"', 'content-type': 'application/json' })
  response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
  return true
}

describe('credentials go to the registry host only', () => {
  let registry: Server
  let storage: Server
  const blobs = new Map<string, Buffer>()
  const manifests = new Map<string, Buffer>()

  beforeAll(async () => {
    // The other host keeps blobs and manifests for the registry, and answers whatever is redirected to it.
    storage = await startServer('127.0.0.2', (request, body, response) => {
      const url = new URL(request.url!, 'http://storage')
      if (request.method === 'PUT' && url.pathname.startsWith('/upload/')) {
        const digest = url.searchParams.get('digest')!
        blobs.set(digest, body)
        response.writeHead(201, { 'docker-content-digest': digest })
        response.end()
        return
      }
      if (request.method === 'PUT' && url.pathname.startsWith('/manifests/')) {
        const digest = sha256(body)
        manifests.set(url.pathname.slice('/manifests/'.length), body)
        manifests.set(digest, body)
        response.writeHead(201, { 'docker-content-digest': digest })
        response.end()
        return
      }
      const blob = blobs.get(url.pathname.slice('/blobs/'.length))
      response.writeHead(blob === undefined ? 404 : 200, { 'content-length': String(blob?.length ?? 0) })
      response.end(request.method === 'HEAD' ? undefined : blob)
    })
    registry = await startServer('127.0.0.1', () => undefined)
  })
  afterAll(async () => {
    await registry.stop()
    await storage.stop()
  })
  afterEach(() => {
    registry.seen.length = 0
    storage.seen.length = 0
  })

  const onStorage = (where: string): string => `http://${storage.host}${where}`

  it('an upload Location on another host gets the blob but no Authorization', async () => {
    registry.handle = (request, _body, response) => {
      if (needsBasic(request, response)) return
      const url = new URL(request.url!, 'http://registry')
      if (request.method === 'HEAD' && url.pathname.includes('/blobs/')) {
        response.writeHead(blobs.has(url.pathname.split('/').pop()!) ? 200 : 404)
        response.end()
        return
      }
      if (request.method === 'POST') {
        response.writeHead(202, { location: onStorage(`/upload/${registry.seen.length}?_state=opaque`) })
        response.end()
        return
      }
      const reference = url.pathname.split('/manifests/')[1]!
      if (request.method === 'PUT') {
        const digest = sha256(_body)
        manifests.set(reference, _body)
        response.writeHead(201, { 'docker-content-digest': digest })
        response.end()
        return
      }
      response.writeHead(200, { 'docker-content-digest': sha256(manifests.get(reference)!) })
      response.end()
    }
    const image = smallImage('upload elsewhere ')
    const client = new RegistryClient({ registry: registry.host, repository: 'k' }, options({ credentials: { username: user, password: pass } }))
    const result = await pushImage(client, image, ['v1'])

    expect(result.blobsUploaded).toBe(2)
    expect(blobs.get(image.blobs[1]!.descriptor.digest)!.equals(image.layer)).toBe(true)
    expect(storage.seen.map((r) => [r.method, r.authorization])).toEqual([
      ['PUT', undefined],
      ['PUT', undefined],
    ])
    // The registry itself did get the credentials, on every request after its challenge.
    expect(registry.seen.filter((r) => r.authorization === basic).length).toBeGreaterThanOrEqual(6)
  })

  it('a GET or HEAD of a blob redirected to a storage host follows without Authorization', async () => {
    const bytes = Buffer.from('a blob kept on the storage host')
    const digest = sha256(bytes)
    blobs.set(digest, bytes)
    registry.handle = (request, _body, response) => {
      if (needsBasic(request, response)) return
      response.writeHead(307, { location: onStorage(`/blobs/${digest}`) })
      response.end()
    }
    const client = new RegistryClient({ registry: registry.host, repository: 'k' }, options({ credentials: { username: user, password: pass } }))

    expect(await client.blobExists(digest)).toBe(true)
    expect((await client.getBlob(digest)).equals(bytes)).toBe(true)
    const chunks: Buffer[] = []
    for await (const chunk of await client.getBlobStream(digest)) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
    expect(storage.seen.map((r) => [r.method, r.authorization])).toEqual([
      ['HEAD', undefined],
      ['GET', undefined],
      ['GET', undefined],
    ])
  })

  it('a manifest PUT redirected to another host goes there without Authorization', async () => {
    registry.handle = (request, _body, response) => {
      if (needsBasic(request, response)) return
      response.writeHead(307, { location: onStorage('/manifests/v1') })
      response.end()
    }
    const image = smallImage('manifest elsewhere ')
    const client = new RegistryClient({ registry: registry.host, repository: 'k' }, options({ credentials: { username: user, password: pass } }))
    expect(await client.putManifest(image.manifest, 'v1')).toBe(image.manifest.descriptor.digest)
    expect(manifests.get('v1')!.equals(image.manifest.bytes)).toBe(true)
    expect(storage.seen).toEqual([{ method: 'PUT', path: '/manifests/v1', authorization: undefined }])
  })
})

describe('bodies are read with a bound', () => {
  let server: Server
  beforeAll(async () => {
    server = await startServer('127.0.0.1', () => undefined)
  })
  afterAll(() => server.stop())
  afterEach(() => {
    server.seen.length = 0
  })

  /** Writes 64 KiB chunks for as long as the client reads (no Content-Length). */
  const endless = (response: http.ServerResponse, status = 200, headers: http.OutgoingHttpHeaders = {}): void => {
    response.writeHead(status, { 'content-type': MediaType.manifest, ...headers })
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const more = (): void => {
      while (!response.destroyed && response.write(chunk));
    }
    response.on('drain', more)
    response.on('close', () => response.off('drain', more))
    more()
  }

  it('an endless manifest is broken off at 4 MiB with one line, and not asked for again', async () => {
    server.handle = (_request, _body, response) => endless(response)
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    await expect(client.getManifest('v1')).rejects.toThrow(
      new RegistryError(`registry ${server.host}: GET manifest v1 is larger than 4194304 bytes; not read further`),
    )
    expect(server.seen.length).toBe(1)
  })

  it('an endless token answer is broken off, once', async () => {
    server.handle = (request, _body, response) => {
      if (request.url!.startsWith('/token')) {
        endless(response, 200, { 'content-type': 'application/json' })
        return
      }
      response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${server.host}/token",service="s"` })
      response.end()
    }
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    await expect(client.resolve('v1')).rejects.toThrow(
      new RegistryError(`registry ${server.host}: token answer from http://${server.host}/token is larger than 262144 bytes; not read further`),
    )
    expect(server.seen.map((r) => r.path.split('?')[0])).toEqual(['/v2/k/manifests/v1', '/token'])
  })

  it('an endless error body gives one short line', async () => {
    server.handle = (_request, _body, response) => endless(response, 400, { 'content-type': 'text/plain' })
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    const error = (await client.getBlob(sha256(Buffer.from('x'))).catch((e: unknown) => e)) as Error
    expect(error.message).toBe(`registry ${server.host}: GET blob ${sha256(Buffer.from('x'))} → 400 ${'x'.repeat(200)}`)
  })

  it('a config larger than asked for is refused by its Content-Length, before reading', async () => {
    server.handle = (_request, _body, response) => {
      response.writeHead(200, { 'content-length': String(10 * 1024 * 1024) })
      response.write(Buffer.alloc(1024))
    }
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    await expect(client.getBlob(sha256(Buffer.from('y')), 1024 * 1024)).rejects.toThrow(
      `registry ${server.host}: GET blob ${sha256(Buffer.from('y'))} is larger than 1048576 bytes; not read further`,
    )
  })
})

describe('one retry loop, one upload session per attempt, typed errors', () => {
  let server: Server
  beforeAll(async () => {
    server = await startServer('127.0.0.1', () => undefined)
  })
  afterAll(() => server.stop())
  afterEach(() => {
    server.seen.length = 0
  })

  it('a blob whose session start and PUT keep failing costs at most the attempts, not attempts squared', async () => {
    let posts = 0
    server.handle = (request, _body, response) => {
      if (request.method === 'POST') {
        posts++
        response.writeHead(posts % 2 === 1 ? 503 : 202, { location: `/v2/k/blobs/uploads/${posts}` })
        response.end()
        return
      }
      response.writeHead(503)
      response.end()
    }
    const lines: string[] = []
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options({ log: (line) => lines.push(line) }))
    const image = smallImage('retry budget ')
    const error = (await client.uploadBlob(image.blobs[1]!).catch((e: unknown) => e)) as RegistryError
    expect(error.message).toBe(`registry ${server.host}: POST upload for blob ${image.blobs[1]!.descriptor.digest} → 503 Service Unavailable`)
    expect(lines.filter((line) => line.includes(' retry '))).toHaveLength(4)
    expect(server.seen.map((r) => r.method)).toEqual(['POST', 'POST', 'PUT', 'POST', 'POST', 'PUT', 'POST'])
  })

  it('403 is a RegistryError with the status and the registry code', async () => {
    server.handle = (_request, _body, response) => {
      response.writeHead(403, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }))
    }
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    const error = (await client.putManifest(smallImage('denied ').manifest, 'v1').catch((e: unknown) => e)) as RegistryError
    expect(error).toBeInstanceOf(RegistryError)
    expect([error.status, error.code, error.message]).toEqual([
      403,
      'DENIED',
      `registry ${server.host}: PUT manifest v1 → 403 DENIED: requested access to the resource is denied`,
    ])
  })

  it('a tag that reads back as another digest is a TagMismatchError, an integrity error', async () => {
    const other = 'sha256:' + 'f'.repeat(64)
    server.handle = (request, body, response) => {
      response.writeHead(request.method === 'PUT' ? 201 : 200, { 'docker-content-digest': request.method === 'PUT' ? sha256(body) : other })
      response.end()
    }
    const image = smallImage('raced ')
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    const error = (await pushImage(client, { manifest: image.manifest, blobs: [] }, ['v1']).catch((e: unknown) => e)) as TagMismatchError
    expect(error).toBeInstanceOf(TagMismatchError)
    expect(error).toBeInstanceOf(IntegrityError)
    expect(error.message).toBe(`registry ${server.host}: tag v1 resolves to ${other} after push, expected ${image.manifest.descriptor.digest}`)
    expect([error.tag, error.expected, error.found]).toEqual(['v1', image.manifest.descriptor.digest, other])
  })

  it('bytes that do not match their digest are an IntegrityError wherever the client finds them', async () => {
    const wrong = Buffer.from('not what the digest names')
    server.handle = (request, _body, response) => {
      response.writeHead(request.method === 'PUT' ? 201 : 200, { 'docker-content-digest': sha256(wrong), 'content-type': MediaType.manifest })
      response.end(request.method === 'PUT' ? undefined : wrong)
    }
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    const image = smallImage('integrity ')
    const blob = image.blobs[0]!.descriptor.digest
    const manifest = image.manifest.descriptor.digest
    const caught = async (pending: Promise<unknown>): Promise<[string, string]> => {
      const error = (await pending.catch((e: unknown) => e)) as Error
      return [error instanceof IntegrityError ? 'IntegrityError' : error.name, error.message]
    }
    expect(await caught(client.getBlob(blob))).toEqual([
      'IntegrityError',
      `registry ${server.host}: GET blob ${blob} returned bytes with digest ${sha256(wrong)}`,
    ])
    expect(await caught(client.getManifest(manifest))).toEqual([
      'IntegrityError',
      `registry ${server.host}: GET manifest ${manifest} returned bytes with digest ${sha256(wrong)}`,
    ])
    expect(await caught(client.putManifest(image.manifest, 'v1'))).toEqual([
      'IntegrityError',
      `registry ${server.host}: PUT manifest v1 stored digest ${sha256(wrong)}, expected ${manifest}`,
    ])
  })

  it('each operation has its own deadline, counted from its start, not from the client creation', async () => {
    server.handle = (_request, _body, response) => {
      response.writeHead(404)
      response.end()
    }
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options({ transport: { operationTimeoutMs: 300 } }))
    expect(await client.blobExists(sha256(Buffer.from('a')))).toBe(false)
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(await client.blobExists(sha256(Buffer.from('b')))).toBe(false)
  })

  it('a caller can abort an operation with its own signal', async () => {
    server.handle = () => undefined // never answers
    const client = new RegistryClient({ registry: server.host, repository: 'k' }, options())
    const controller = new AbortController()
    const pending = client.getManifest('v1', controller.signal)
    controller.abort()
    await expect(pending).rejects.toThrow(new RegistryError(`registry ${server.host}: GET manifest v1: aborted`))
  })
})

describe('cross-repo mount in the upload start, against the real registry', () => {
  let registry: RunningRegistry
  let proxy: FaultProxy
  beforeAll(async () => {
    registry = await startRegistry()
    proxy = await startFaultProxy(registry.host)
  })
  afterAll(async () => {
    await proxy.stop()
    await registry.stop()
  })

  it('one POST per blob: 202 (source lacks it) continues in that session, 201 (source has it) is the mount', async () => {
    const image = smallImage('mount folded ')
    const client = (repository: string): RegistryClient => new RegistryClient({ registry: proxy.host, repository }, options())
    const first = await pushImage(client('kernels/a'), image, ['v1'], { mountFrom: 'kernels/nowhere' })
    expect([first.blobsUploaded, first.blobsMounted]).toEqual([2, 0])
    const posts = proxy.log.filter((entry) => entry.method === 'POST')
    expect(posts.map((entry) => entry.path.split('?')[1]?.split('&')[1])).toEqual(['from=kernels%2Fnowhere', 'from=kernels%2Fnowhere'])
    expect(proxy.log.filter((entry) => entry.method === 'PUT' && entry.path.includes('/blobs/uploads/'))).toHaveLength(2)

    proxy.log.length = 0
    const second = await pushImage(client('kernels/b'), image, ['v1'], { mountFrom: 'kernels/a' })
    expect([second.blobsUploaded, second.blobsMounted]).toEqual([0, 2])
    expect(proxy.log.filter((entry) => entry.method === 'POST')).toHaveLength(2)
    expect(proxy.log.filter((entry) => entry.method === 'PUT' && entry.path.includes('/blobs/'))).toHaveLength(0)
  })

  it('streams a blob back with getBlobStream, and a missing one is a 404 RegistryError', async () => {
    const image = smallImage('stream back ')
    const client = new RegistryClient({ registry: proxy.host, repository: 'kernels/a' }, options())
    await pushImage(client, image, ['stream'])
    const chunks: Buffer[] = []
    for await (const chunk of await client.getBlobStream(image.blobs[1]!.descriptor.digest)) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).equals(image.layer)).toBe(true)
    const missing = (await client.getBlobStream(sha256(Buffer.from('nope'))).catch((e: unknown) => e)) as RegistryError
    expect([missing.status, missing.code]).toEqual([404, 'BLOB_UNKNOWN'])
  })
})

describe('credentials follow the origin, never the redirect', () => {
  // The hostile host answers every request with a 401 naming its own token realm, and hands out a token there:
  // it records whatever Authorization and body it gets, and must get neither credentials nor a token request.
  const identityToken = 'identity-token-of-the-user'
  const registryToken = 'token-the-registry-issued'
  let registry: Server
  let hostile: Server
  let hostileScheme: 'Bearer' | 'Basic' = 'Bearer'

  beforeAll(async () => {
    hostile = await startServer('127.0.0.2', (request, _body, response) => {
      if (request.url!.startsWith('/token')) {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ token: 'hostile-token' }))
        return
      }
      const challenge = hostileScheme === 'Bearer' ? `Bearer realm="http://${hostile.host}/token",service="hostile"` : 'Basic realm="hostile"'
      response.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' })
      response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'credentials, please' }] }))
    })
    registry = await startServer('127.0.0.1', () => undefined)
  })
  afterAll(async () => {
    await registry.stop()
    await hostile.stop()
  })
  afterEach(() => {
    for (const server of [registry, hostile]) {
      server.seen.length = 0
      server.bodies.length = 0
    }
    hostileScheme = 'Bearer'
  })

  const toHostile = (where: string): string => `http://${hostile.host}${where}`

  /** A registry that wants the user's credentials (Basic, or a token for the identity token), then sends every request elsewhere. */
  function guardedRegistry(redirect: (request: http.IncomingMessage) => { status: number; location: string }): void {
    registry.handle = (request, _body, response) => {
      const url = new URL(request.url!, 'http://registry')
      if (url.pathname === '/token') {
        const form = new URLSearchParams(_body.toString())
        const ok = form.get('refresh_token') === identityToken || request.headers.authorization === basic
        response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
        response.end(ok ? JSON.stringify({ token: registryToken }) : '{}')
        return
      }
      const auth = request.headers.authorization
      if (auth !== basic && auth !== `Bearer ${registryToken}`) {
        const challenge =
          auth === undefined && !request.url!.includes('bearer')
            ? 'Basic realm="registry"'
            : `Bearer realm="http://${registry.host}/token",service="registry"`
        response.writeHead(401, { 'www-authenticate': challenge })
        response.end()
        return
      }
      const { status, location } = redirect(request)
      response.writeHead(status, { location })
      response.end()
    }
  }

  /** Nothing secret reached the hostile host: no Authorization, no token request, no credential in any body. */
  function expectHostileGotNothing(): void {
    expect(hostile.seen.map((r) => r.authorization)).toEqual(hostile.seen.map(() => undefined))
    expect(hostile.seen.filter((r) => r.path.startsWith('/token'))).toEqual([])
    for (const body of hostile.bodies) {
      for (const secret of [pass, identityToken, registryToken, 'hostile-token', Buffer.from(`${user}:${pass}`).toString('base64')]) {
        expect(body).not.toContain(secret)
      }
    }
  }

  const credentialKinds: [string, Credentials, string][] = [
    ['Basic credentials', { username: user, password: pass }, '/v2/k/thing'],
    ['an identity token', { username: '<token>', password: identityToken }, '/v2/k/thing-bearer'],
  ]
  const methods = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH'] as const

  for (const [kind, credentials, where] of credentialKinds) {
    for (const method of methods) {
      it(`${method} with ${kind}, redirected to another host that asks for credentials: one line, nothing sent there`, async () => {
        guardedRegistry(() => ({ status: 307, location: toHostile('/elsewhere') }))
        const transport = new Transport({ name: `registry ${registry.host}`, baseDelayMs: 5 }, {})
        const auth = new RegistryAuth({ registry: registry.host, origin: `http://${registry.host}`, credentials, transport })
        const body = method === 'GET' || method === 'HEAD' ? undefined : 'some request body'
        const error = await transport
          .request(() => ({ url: `http://${registry.host}${where}`, method, body }), undefined, { auth, scopes: ['repository:k:pull'] })
          .catch((e: unknown) => e)

        expect(error).toEqual(
          new RegistryError(
            `registry ${registry.host}: ${method} http://${registry.host}${where}: the redirect target http://${hostile.host} asked for credentials; none are sent to a host other than the registry`,
          ),
        )
        expect([(error as RegistryError).status, (error as RegistryError).code]).toEqual([401, 'FOREIGN_CHALLENGE'])
        expect(hostile.seen.map((r) => [r.method, r.path])).toEqual([[method, '/elsewhere']]) // asked once, never answered
        expectHostileGotNothing()
        // The registry itself did get the credentials: the rule is about where they go, not whether.
        expect(registry.seen.some((r) => r.authorization === basic || r.authorization === `Bearer ${registryToken}`)).toBe(true)
      })
    }
  }

  it('the client says which request met a foreign challenge: blob GET, HEAD and stream, with a Basic challenge too', async () => {
    const digest = sha256(Buffer.from('a blob the hostile host claims'))
    guardedRegistry((request) => ({ status: 307, location: toHostile(request.url!) }))
    const client = new RegistryClient({ registry: registry.host, repository: 'k' }, options({ credentials: { username: user, password: pass } }))
    const line = (method: string): string =>
      `registry ${registry.host}: ${method} http://${registry.host}/v2/k/blobs/${digest}: the redirect target http://${hostile.host} asked for credentials; none are sent to a host other than the registry`

    for (const scheme of ['Bearer', 'Basic'] as const) {
      hostileScheme = scheme
      await expect(client.getBlob(digest)).rejects.toThrow(new RegistryError(line('GET')))
      await expect(client.blobExists(digest)).rejects.toThrow(new RegistryError(line('HEAD')))
      await expect(client.getBlobStream(digest)).rejects.toThrow(new RegistryError(line('GET')))
    }
    expect(hostile.seen).toHaveLength(6)
    expectHostileGotNothing()
  })

  it('an upload Location on another host that asks for credentials gets the blob but not the credentials', async () => {
    registry.handle = (request, _body, response) => {
      if (needsBasic(request, response)) return
      response.writeHead(202, { location: toHostile('/upload/1?_state=opaque') })
      response.end()
    }
    const client = new RegistryClient({ registry: registry.host, repository: 'k' }, options({ credentials: { username: user, password: pass } }))
    const image = smallImage('upload to a hostile host ')
    const error = (await client.uploadBlob(image.blobs[1]!).catch((e: unknown) => e)) as RegistryError

    expect(error.message).toBe(
      `registry ${registry.host}: PUT http://${hostile.host}/upload/1?…: http://${hostile.host} (not the registry) asked for credentials; none are sent to a host other than the registry`,
    )
    expect(hostile.seen.map((r) => [r.method, r.path.split('?')[0]])).toEqual([['PUT', '/upload/1']])
    expectHostileGotNothing()
  })

  for (const [kind, credentials, method] of [
    ['an identity token (POST with refresh_token)', { username: '<token>', password: identityToken }, 'POST'],
    ['Basic credentials (GET with Authorization)', { username: user, password: pass }, 'GET'],
  ] as const) {
    it(`a token realm redirecting to another host is refused, for ${kind}`, async () => {
      registry.handle = (request, _body, response) => {
        if (request.url!.startsWith('/token')) {
          response.writeHead(307, { location: toHostile('/token') })
          response.end()
          return
        }
        response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${registry.host}/token",service="registry"` })
        response.end()
      }
      const client = new RegistryClient({ registry: registry.host, repository: 'k' }, options({ credentials }))
      const error = (await client.getManifest('v1').catch((e: unknown) => e)) as RegistryError

      expect(error).toBeInstanceOf(RegistryError)
      expect([error.code, error.message]).toEqual([
        'FOREIGN_REDIRECT',
        `registry ${registry.host}: ${method} http://${registry.host}/token${method === 'GET' ? '?…' : ''}: the token realm redirected to http://${hostile.host}; a token request is never sent to another host`,
      ])
      expect(hostile.seen).toEqual([])
      expect(registry.seen.map((r) => r.path.split('?')[0])).toEqual(['/v2/k/manifests/v1', '/token']) // once: not retried
    })
  }
})

describe('credentials and tokens are one line', () => {
  it('a password, username or identity token with a line break is an input error naming it, not showing it', () => {
    const attempt = (credentials: Credentials): unknown => {
      try {
        return new RegistryClient({ registry: '127.0.0.1:5999', repository: 'k' }, options({ credentials }))
      } catch (error) {
        return error
      }
    }
    const line = (what: string): InputError =>
      new InputError(
        `registry 127.0.0.1:5999: the ${what} contains a line break or NUL character; a credential is one line (check how it was pasted or read)`,
      )
    expect(attempt({ username: 'ci', password: 'pass-word\r\n' })).toEqual(line('password'))
    expect(attempt({ username: 'ci', password: 'pass\nword' })).toEqual(line('password'))
    expect(attempt({ username: 'c\ri', password: 'pass-word' })).toEqual(line('username'))
    expect(attempt({ username: '<token>', password: 'refresh\r\ntoken' })).toEqual(line('identity token'))
    expect(attempt({ username: 'ci', password: 'pass-word' })).toBeInstanceOf(RegistryClient)
  })

  it('a token realm answering a token with a CRLF is refused in one line that does not show it', async () => {
    const server = await startServer('127.0.0.1', (request, _body, response) => {
      if (request.url!.startsWith('/token')) {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ token: 'first-half\r\nsecond-half' }))
        return
      }
      response.writeHead(401, { 'www-authenticate': `Bearer realm="http://${server.host}/token",service="s"` })
      response.end()
    })
    try {
      for (const credentials of [undefined, { username: '<token>', password: 'identity' }]) {
        const client = new RegistryClient({ registry: server.host, repository: 'k' }, options({ credentials }))
        const error = (await client.resolve('v1').catch((e: unknown) => e)) as Error
        expect(error).toEqual(
          new RegistryError(
            `registry ${server.host}: token response from http://${server.host}/token holds a token with spaces, line breaks or other characters a header cannot carry`,
          ),
        )
        expect(error.message).not.toMatch(/half/)
      }
    } finally {
      await server.stop()
    }
  })
})

describe('bounded time: a silent registry, a trickling body', () => {
  /** A TCP server that accepts connections and never says a word; counts the requests it was sent. */
  async function startSilent(): Promise<{ host: string; requests: () => number; stop: () => Promise<void> }> {
    const sockets = new Set<net.Socket>()
    let count = 0
    const server = net.createServer((socket) => {
      sockets.add(socket)
      socket.on('data', (data: Buffer) => (count += data.toString('latin1').match(/^[A-Z]+ \/\S* HTTP\/1\.1\r$/gm)?.length ?? 0))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
      requests: () => count,
      stop: () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy()
          server.close(() => resolve())
        }),
    }
  }

  it('a silent registry fails once its silence budget is spent, after retrying a lost request', async () => {
    const silent = await startSilent()
    try {
      const client = new RegistryClient(
        { registry: silent.host, repository: 'k' },
        options({ transport: { headersTimeoutMs: 120, silenceMs: 300, baseDelayMs: 5, maxDelayMs: 20 } }),
      )
      const started = Date.now()
      const error = (await client.getManifest('v1').catch((e: unknown) => e)) as RegistryError
      const elapsed = Date.now() - started

      expect(error).toEqual(new RegistryError(`registry ${silent.host}: GET manifest v1: no answer in 0.3 s of waiting; gave up (TIMEOUT)`))
      expect(error.code).toBe('TIMEOUT')
      expect(silent.requests()).toBe(3) // 120 + 120 + the 60 ms left: a lost request is tried again, a dead registry is not waited on
      expect(elapsed).toBeGreaterThanOrEqual(300)
      expect(elapsed).toBeLessThan(2000)
    } finally {
      await silent.stop()
    }
  })

  it('the defaults give a silent registry at most 30 s: the silence budget with the backoff between its tries', () => {
    const { options: bounds } = new Transport({}, {})
    const tries = Math.ceil(bounds.silenceMs / bounds.headersTimeoutMs)
    const backoff = Array.from({ length: tries - 1 }, (_, i) => Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** i)).reduce((a, b) => a + b, 0)
    expect(bounds.silenceMs + backoff).toBeLessThanOrEqual(30_000)
    expect(tries).toBeGreaterThan(1) // a single lost request is still retried
    expect(new Transport({}, { KERNEL_ACTION_SILENCE_MS: '400', KERNEL_ACTION_BODY_WINDOW_MS: '300' }).options).toMatchObject({
      silenceMs: 400,
      bodyWindowMs: 300,
    })
  })

  it('a request lost once is answered on the next try: transient silence is still ridden out', async () => {
    let requests = 0
    const server = await startServer('127.0.0.1', (_request, _body, response) => {
      if (++requests === 1) return // the first request is lost
      response.writeHead(404)
      response.end()
    })
    try {
      const client = new RegistryClient(
        { registry: server.host, repository: 'k' },
        options({ transport: { headersTimeoutMs: 150, silenceMs: 1000, baseDelayMs: 5 } }),
      )
      expect(await client.blobExists(sha256(Buffer.from('lost once')))).toBe(false)
      expect(requests).toBe(2)
    } finally {
      await server.stop()
    }
  })

  /** Serves `content` under its Content-Length, 64 bytes every `everyMs`. */
  function trickle(everyMs: number, content: Buffer = Buffer.alloc(1024 * 1024, 't')): Handler {
    return (_request, _body, response) => {
      response.writeHead(200, { 'content-length': String(content.length) })
      let sent = 0
      const timer = setInterval(() => {
        if (response.destroyed) return clearInterval(timer)
        response.write(content.subarray(sent, sent + 64))
        sent += 64
      }, everyMs)
      response.on('close', () => clearInterval(timer))
    }
  }

  it('a blob body trickling 64 bytes at a time is broken off after one window under the minimum rate', async () => {
    const server = await startServer('127.0.0.1', trickle(25))
    try {
      const client = new RegistryClient({ registry: server.host, repository: 'k' }, options({ transport: { bodyWindowMs: 300 } }))
      const digest = sha256(Buffer.from('trickled'))
      const started = Date.now()
      const stream = await client.getBlobStream(digest)
      let received = 0
      const error = (await (async () => {
        for await (const chunk of stream) received += (chunk as Buffer).length
      })().catch((e: unknown) => e)) as RegistryError
      const elapsed = Date.now() - started

      expect(error).toBeInstanceOf(RegistryError)
      expect(error.code).toBe('SLOW_BODY')
      expect(error.message).toMatch(
        new RegExp(`^registry ${server.host}: GET blob ${digest}: the body brought [0-9]+ bytes in 0\\.3 s, under the minimum of 10486; broken off$`),
      )
      expect(received).toBeLessThan(10486)
      expect(elapsed).toBeLessThan(3000)
    } finally {
      await server.stop()
    }
  })

  it('a reader that stops to work does not make the registry slow', async () => {
    const bytes = Buffer.alloc(2 * 1024 * 1024, 'b')
    const server = await startServer('127.0.0.1', (_request, _body, response) => {
      response.writeHead(200, { 'content-length': String(bytes.length) })
      response.end(bytes)
    })
    try {
      const client = new RegistryClient({ registry: server.host, repository: 'k' }, options({ transport: { bodyWindowMs: 100 } }))
      const stream = await client.getBlobStream(sha256(bytes))
      const chunks: Buffer[] = []
      for await (const chunk of stream) {
        chunks.push(chunk as Buffer)
        if (chunks.length === 1) await new Promise((resolve) => setTimeout(resolve, 600)) // six windows busy elsewhere
      }
      expect(Buffer.concat(chunks).equals(bytes)).toBe(true)
    } finally {
      await server.stop()
    }
  })

  describe('as a user runs it: kernel-action verify through dist/', () => {
    const run = async (reference: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string; ms: number }> => {
      const started = Date.now()
      const r = await runCliBundle(['verify', reference], { env: { PATH: process.env.PATH, HOME: work, DOCKER_CONFIG: work, ...env } })
      return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started }
    }

    it('a silent registry: exit 2, one line, no stack, within the (shortened) silence budget', async () => {
      const silent = await startSilent()
      try {
        const result = await run(`${silent.host}/k:v1`, { KERNEL_ACTION_SILENCE_MS: '500', KERNEL_ACTION_RETRY_BASE_MS: '10' })
        expect(result.code).toBe(2)
        expect(result.stderr.split('\n').filter((line) => line.startsWith('kernel-action:'))).toEqual([
          `kernel-action: registry ${silent.host}: GET manifest v1: no answer in 0.5 s of waiting; gave up (TIMEOUT)`,
        ])
        expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
        expect(result.ms).toBeLessThan(10_000)
      } finally {
        await silent.stop()
      }
    })

    it('a layer trickling 64 bytes at a time: the verify fails in one window, naming the blob', async () => {
      const layer = tarOfOneFile('kernel/image', Buffer.alloc(1024 * 1024, 'l'))
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256(layer)] } }))
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MediaType.manifest,
          config: { mediaType: MediaType.config, digest: sha256(config), size: config.length },
          layers: [{ mediaType: MediaType.layerTar, digest: sha256(layer), size: layer.length }],
        }),
      )
      const slowly = trickle(50, layer)
      const server = await startServer('127.0.0.1', (request, body, response) => {
        if (request.url!.includes('/manifests/')) {
          response.writeHead(200, { 'content-type': MediaType.manifest, 'docker-content-digest': sha256(manifest) })
          response.end(request.method === 'HEAD' ? undefined : manifest)
        } else if (request.url!.endsWith(sha256(config))) {
          response.writeHead(200)
          response.end(config)
        } else slowly(request, body, response)
      })
      try {
        const result = await run(`${server.host}/k:v1`, { KERNEL_ACTION_BODY_WINDOW_MS: '500' })
        expect(result.code).not.toBe(0)
        expect(result.stdout + result.stderr).toContain(`registry ${server.host}: GET blob ${sha256(layer)}: the body brought `)
        expect(result.stdout + result.stderr).not.toMatch(/\n\s+at /)
        expect(result.ms).toBeLessThan(10_000)
      } finally {
        await server.stop()
      }
    })
  })
})

/** A tar (ustar) holding one regular file: a valid first header, so a reader gets as far as the file's bytes. */
function tarOfOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512)
  const field = (offset: number, text: string): void => void header.write(text, offset, 'latin1')
  field(0, name)
  field(100, '0000644\0')
  field(108, '0000000\0')
  field(116, '0000000\0')
  field(124, `${content.length.toString(8).padStart(11, '0')}\0`)
  field(136, '00000000000\0')
  field(148, '        ')
  field(156, '0')
  field(257, 'ustar\0')
  field(263, '00')
  let sum = 0
  for (const byte of header) sum += byte
  field(148, `${sum.toString(8).padStart(6, '0')}\0 `)
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512)
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)])
}
