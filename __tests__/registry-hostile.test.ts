// The registry client against registries that misbehave on purpose: a registry on 127.0.0.1 that sends uploads,
// downloads and manifest PUTs to a second host (127.0.0.2, loopback too) which must never see the credentials;
// endless bodies; a restart; retries that must share one budget; typed errors.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { IntegrityError } from '../src/errors.js'
import { RegistryClient, RegistryError, TagMismatchError, type RegistryClientOptions } from '../src/oci/registry/client.js'
import { pushImage } from '../src/oci/registry/push.js'
import { MediaType } from '../src/oci/types.js'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { sha256Digest as sha256 } from './support/digest.js'
import { smallImage } from './support/small-image.js'

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
  handle: Handler
  stop(): Promise<void>
}

/** A loopback HTTP server on `address` that records every request (with its Authorization) and runs `handle`. */
async function startServer(address: string, handle: Handler): Promise<Server> {
  const state: Server = { host: '', port: 0, seen: [], handle, stop: () => Promise.resolve() }
  const server = http.createServer((request, response) => {
    state.seen.push({ method: request.method!, path: request.url!, authorization: request.headers.authorization })
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => state.handle(request, Buffer.concat(chunks), response))
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
