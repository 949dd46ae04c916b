// An OCI distribution client for one repository: blobs, manifests, tags. Streams uploads and downloads; holds
// nothing unbounded in memory; sends credentials only to the registry itself; no logging of its own.
import { Readable } from 'node:stream'
import { IntegrityError } from '../../errors.js'
import { sha256Digest } from '../digest.js'
import { MediaType, type Blob, type SerializedManifest } from '../types.js'
import { registryBaseUrl, type RepositoryRef } from '../reference.js'
import { RegistryAuth } from './auth.js'
import { withMinimumRate } from './body-rate.js'
import { readDockerConfigCredentials, type Credentials } from './docker-config.js'
import { RegistryError } from './errors.js'
import {
  ConnectionError,
  Transport,
  bodyMinBytes,
  isDowngrade,
  nodeBody,
  readLimited,
  readPrefix,
  releaseBody,
  timeBounds,
  type Access,
  type Operation,
  type RequestSpec,
  type TransportOptions,
} from './transport.js'
import type { RegistryWriter, UploadOptions, UploadOutcome } from './writer.js'

export { RegistryError, TagMismatchError } from './errors.js'
export type { UploadProgress } from './writer.js'

export interface RegistryClientOptions {
  /** Explicit credentials; without them, `~/.docker/config.json` (or `$DOCKER_CONFIG`) and its helpers are used. */
  credentials?: Credentials
  /** Environment (DOCKER_CONFIG, PATH for credential helpers) and home used to find the Docker config. */
  env?: NodeJS.ProcessEnv
  home?: string
  /** Allow plain HTTP to a registry that is not on loopback. */
  insecure?: boolean
  /** Called with every password and token obtained, so the caller can mask it (core.setSecret). */
  onSecret?: (value: string) => void
  /** Where progress and decisions are reported, one line each. */
  log?: (line: string) => void
  transport?: TransportOptions
}

export interface FetchedManifest {
  mediaType: string
  bytes: Buffer
  digest: string
}

/** The distribution spec's bound on a manifest; an index of kernels is a few KiB. */
const manifestBodyLimit = 4 * 1024 * 1024
/** Enough of an error body for its first error; the rest is not read. */
const errorBodyLimit = 16 * 1024

// distribution 2.8 answers 404 to manifest reads whose Accept lacks the OCI types, so always send all four.
const manifestAccept = [MediaType.manifest, MediaType.index, MediaType.dockerManifest, MediaType.dockerManifestList].join(', ')

export class RegistryClient implements RegistryWriter {
  readonly registry: string
  readonly repository: string
  readonly log: (line: string) => void
  private readonly base: string
  private readonly transport: Transport
  private readonly auth: RegistryAuth

  constructor(ref: RepositoryRef, options: RegistryClientOptions = {}) {
    this.registry = ref.registry
    this.repository = ref.repository
    this.log = options.log ?? (() => undefined)
    const origin = registryBaseUrl(ref.registry, options.insecure)
    this.base = `${origin}/v2/${ref.repository}`
    this.transport = new Transport(
      {
        name: `registry ${ref.registry}`,
        ...options.transport,
        onRetry: (retry) => {
          this.log(`registry ${this.registry}: ${retry.method} retry ${retry.attempt} after ${retry.reason}, waiting ${retry.delayMs} ms`)
          options.transport?.onRetry?.(retry)
        },
      },
      options.env,
    )
    const credentials = options.credentials ?? readDockerConfigCredentials(ref.registry, options.env, options.home, options.onSecret)
    this.auth = new RegistryAuth({
      registry: ref.registry,
      origin,
      credentials,
      onSecret: options.onSecret,
      insecure: options.insecure,
      transport: this.transport,
    })
  }

  async blobExists(digest: string, signal?: AbortSignal): Promise<boolean> {
    const what = `HEAD blob ${digest}`
    return this.operation(what, signal, undefined, async (op) => {
      const response = await this.retried(this.pullScope(), op, () => ({ url: `${this.base}/blobs/${digest}`, method: 'HEAD' }))
      await discard(response)
      if (response.status === 200) return true
      if (response.status === 404) return false
      throw await this.failure(what, response)
    })
  }

  /**
   * Makes a blob present: one POST opens an upload session (asking to mount the blob from `mountFrom` if given:
   * 201 means mounted, 202 continues with that session), then one streamed PUT. A retry opens a new session and
   * re-opens the stream; there is one retry loop for the whole thing.
   */
  async uploadBlob(blob: Blob, options: UploadOptions = {}): Promise<UploadOutcome> {
    const { digest, size } = blob.descriptor
    const mountFrom = options.mountFrom !== undefined && options.mountFrom !== this.repository ? options.mountFrom : undefined
    const query = mountFrom === undefined ? '' : `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(mountFrom)}`
    const startUrl = `${this.base}/blobs/uploads/${query}`
    const scopes = mountFrom === undefined ? this.pushScope() : [...this.pushScope(), `repository:${mountFrom}:pull`]
    // Sending is bounded by the size too: the operation allows down to ~64 KiB/s on top of the usual bound.
    const timeoutMs = this.transport.options.operationTimeoutMs + Math.ceil((size / (1024 * 1024)) * timeBounds.msPerMiB)
    let phase: 'start' | 'put' = 'start'
    let label = { method: 'POST', url: startUrl }
    let sourceError: unknown
    let sent = 0

    const putSpec = (location: string): RequestSpec => {
      const startedAt = Date.now()
      sent = 0
      sourceError = undefined
      const source = blob.open()
      const counted = async function* (): AsyncGenerator<Uint8Array> {
        try {
          for await (const chunk of source as AsyncIterable<Buffer | string>) {
            const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
            sent += bytes.length
            const seconds = Math.max((Date.now() - startedAt) / 1000, 0.001)
            options.onProgress?.({ digest, bytes: sent, total: size, bytesPerSecond: sent / seconds })
            yield bytes
          }
        } catch (error) {
          sourceError = error
          throw error
        }
      }
      const url = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) }
      return { url, method: 'PUT', headers, body: counted(), duplex: 'half' }
    }

    const attempt = async (op: Operation): Promise<Response> => {
      phase = 'start'
      label = { method: 'POST', url: startUrl }
      const start = await this.transport.exchange(() => ({ url: startUrl, method: 'POST' }), op, this.access(scopes))
      if (start.status !== 202) return start // 201: mounted; anything else is decided by the retry loop, then below
      await discard(start)
      const location = this.uploadLocation(start, digest)
      phase = 'put'
      label = { method: 'PUT', url: location }
      return this.transport.exchange(() => putSpec(location), op, this.access(this.pushScope()))
    }

    return this.operation(`upload of blob ${digest}`, options.signal, timeoutMs, async (op) => {
      let response: Response
      try {
        response = await this.transport.retry(
          op,
          () => label,
          () => attempt(op),
        )
      } catch (error) {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what the blob's stream threw, as it was
        if (sourceError !== undefined) throw sourceError // the blob's own stream failed, not the network
        if (error instanceof IntegrityError && phase === 'put') {
          throw new IntegrityError(`blob ${digest}: its stream gave ${sent} bytes, its descriptor says ${size}`)
        }
        throw error
      }
      if (phase === 'start') {
        if (response.status === 201 && mountFrom !== undefined) {
          await discard(response)
          return { mounted: true, bytes: 0 }
        }
        throw await this.failure(`POST upload for blob ${digest}`, response)
      }
      if (response.status !== 201) throw await this.failure(`PUT blob ${digest}`, response)
      await discard(response)
      this.checkDigestHeader(`PUT blob ${digest}`, response, digest)
      return { mounted: false, bytes: sent }
    })
  }

  /** Puts a manifest under a digest or a tag; returns the digest the registry stored it under. */
  async putManifest(manifest: SerializedManifest, reference: string, signal?: AbortSignal): Promise<string> {
    const { digest, mediaType } = manifest.descriptor
    const what = `PUT manifest ${reference}`
    return this.operation(what, signal, undefined, async (op) => {
      const response = await this.retried(this.pushScope(), op, () => ({
        url: `${this.base}/manifests/${reference}`,
        method: 'PUT',
        headers: { 'content-type': mediaType },
        body: manifest.bytes,
      }))
      if (response.status !== 201) throw await this.failure(what, response)
      await discard(response)
      this.checkDigestHeader(what, response, digest)
      return digest
    })
  }

  /** A manifest or index by tag or digest, at most 4 MiB; by digest, its bytes are checked against it. */
  async getManifest(reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const what = `GET manifest ${reference}`
    return this.operation(what, signal, undefined, async (op) => {
      const response = await this.retried(this.pullScope(), op, () => ({
        url: `${this.base}/manifests/${reference}`,
        method: 'GET',
        headers: { accept: manifestAccept },
      }))
      if (response.status !== 200) throw await this.failure(what, response)
      const bytes = await readLimited(response, manifestBodyLimit, `registry ${this.registry}: ${what}`)
      const digest = sha256Digest(bytes)
      if (reference.includes(':') && reference !== digest) {
        throw new IntegrityError(`registry ${this.registry}: ${what} returned bytes with digest ${digest}`)
      }
      const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim()
      return { mediaType, bytes, digest }
    })
  }

  /**
   * The bytes of a small blob (an image config), checked against its digest. Not for layers: the body is held in
   * memory, so anything larger than `maxBytes` is refused. A missing blob is a RegistryError with status 404.
   */
  async getBlob(digest: string, maxBytes = 4 * 1024 * 1024, signal?: AbortSignal): Promise<Buffer> {
    const what = `GET blob ${digest}`
    return this.operation(what, signal, undefined, async (op) => {
      const response = await this.retried(this.pullScope(), op, () => ({ url: `${this.base}/blobs/${digest}`, method: 'GET' }))
      if (response.status !== 200) throw await this.failure(what, response)
      const bytes = await readLimited(response, maxBytes, `registry ${this.registry}: ${what}`)
      const got = sha256Digest(bytes)
      if (got !== digest) throw new IntegrityError(`registry ${this.registry}: ${what} returned bytes with digest ${got}`)
      return bytes
    })
  }

  /**
   * A blob's bytes as a stream, for layers of any size. Redirects (to a storage host) are followed without
   * credentials. Nothing is verified here: the caller hashes what it reads. The answer must start within the usual
   * bounds; after that the body may take as long as it needs at a minimum rate (1 MiB per 30 s of waiting for it).
   */
  async getBlobStream(digest: string, signal?: AbortSignal): Promise<Readable> {
    const what = `GET blob ${digest}`
    const op = this.transport.begin(signal)
    let response: Response
    try {
      const spec = (): RequestSpec => ({ url: `${this.base}/blobs/${digest}`, method: 'GET', nodeStream: true })
      response = await this.converted(what, op, () => this.retried(this.pullScope(), op, spec))
      if (response.status !== 200) throw await this.failure(what, response)
    } catch (error) {
      op.close()
      throw error
    }
    op.end() // from here the body is bounded by its minimum rate (and the caller's signal)
    const web = response.body as import('node:stream/web').ReadableStream<Uint8Array> | null
    const source = nodeBody(response) ?? (web === null ? Readable.from([]) : Readable.fromWeb(web))
    const windowMs = this.transport.options.bodyWindowMs
    const rule = { windowMs, minBytes: bodyMinBytes(windowMs) }
    const slow = (bytes: number): RegistryError =>
      new RegistryError(
        `registry ${this.registry}: ${what}: the body brought ${bytes} bytes in ${seconds(windowMs)} s, under the minimum of ${rule.minBytes}; broken off`,
        undefined,
        'SLOW_BODY',
      )
    return withMinimumRate(source, rule, slow, () => op.close())
  }

  /** The digest a tag points at, or undefined if the tag does not exist. */
  async resolve(tag: string, signal?: AbortSignal): Promise<string | undefined> {
    const what = `HEAD manifest ${tag}`
    const digest = await this.operation(what, signal, undefined, async (op) => {
      const response = await this.retried(this.pullScope(), op, () => ({
        url: `${this.base}/manifests/${tag}`,
        method: 'HEAD',
        headers: { accept: manifestAccept },
      }))
      await discard(response)
      if (response.status === 404) return null
      if (response.status !== 200) throw await this.failure(what, response)
      return response.headers.get('docker-content-digest') ?? ''
    })
    if (digest === null) return undefined
    if (digest !== '') return digest
    return (await this.getManifest(tag, signal)).digest // not every registry sends the header on HEAD
  }

  private pullScope(): string[] {
    return [`repository:${this.repository}:pull`]
  }

  private pushScope(): string[] {
    return [`repository:${this.repository}:pull,push`]
  }

  /** The absolute Location of an upload session; a switch from https to http is refused (the blob would go in clear). */
  private uploadLocation(response: Response, digest: string): string {
    const location = response.headers.get('location')
    if (location === null || location === '') {
      throw new RegistryError(`registry ${this.registry}: POST upload for blob ${digest} → 202 without a Location header`)
    }
    const url = new URL(location, this.base)
    if (isDowngrade(this.base, url)) {
      throw new RegistryError(`registry ${this.registry}: upload Location for blob ${digest} switches from https to http (${url.host}); refusing`)
    }
    return url.toString()
  }

  /** Runs `work` as one operation with its own deadline, turning network failures into one-line RegistryErrors. */
  private async operation<T>(
    what: string,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    work: (op: Operation) => Promise<T>,
  ): Promise<T> {
    const op = this.transport.begin(signal, timeoutMs)
    try {
      return await this.converted(what, op, () => work(op))
    } finally {
      op.close()
    }
  }

  private async converted<T>(what: string, op: Operation, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      if (!(error instanceof ConnectionError)) throw error
      const code = error.code
      if (code === 'DEADLINE') {
        throw new RegistryError(
          `registry ${this.registry}: ${what}: no answer within ${Math.round(op.timeoutMs / 1000)} s; gave up (DEADLINE)`,
          undefined,
          code,
        )
      }
      if (code === 'SILENT') {
        throw new RegistryError(
          `registry ${this.registry}: ${what}: no answer in ${seconds(op.silenceMs)} s of waiting; gave up (TIMEOUT)`,
          undefined,
          'TIMEOUT',
        )
      }
      if (code === 'TIMEOUT') throw new RegistryError(`registry ${this.registry}: ${what}: no answer in time (TIMEOUT)`, undefined, code)
      if (code === 'ABORTED') throw new RegistryError(`registry ${this.registry}: ${what}: aborted`, undefined, code)
      throw new RegistryError(`registry ${this.registry}: cannot connect (${code})`, undefined, code)
    }
  }

  /** One request with authentication, retried within the operation. */
  private retried(scopes: string[], op: Operation, build: () => RequestSpec): Promise<Response> {
    return this.transport.request(build, op, this.access(scopes))
  }

  private access(scopes: string[]): Access {
    return { auth: this.auth, scopes }
  }

  private checkDigestHeader(what: string, response: Response, digest: string): void {
    const answered = response.headers.get('docker-content-digest')
    if (answered !== null && answered !== '' && answered !== digest) {
      throw new IntegrityError(`registry ${this.registry}: ${what} stored digest ${answered}, expected ${digest}`)
    }
  }

  /** `registry X: PUT manifest v1 → 400 MANIFEST_BLOB_UNKNOWN: blob unknown to registry`. */
  private async failure(what: string, response: Response): Promise<RegistryError> {
    const text = response.bodyUsed
      ? ''
      : (await readPrefix(response, errorBodyLimit).catch(() => ({ bytes: Buffer.alloc(0) }))).bytes.toString('utf8')
    let detail: string
    let code: string | undefined
    try {
      const first = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors?.[0]
      code = first?.code
      detail = [first?.code, first?.message].filter((part) => part !== undefined && part !== '').join(': ')
    } catch {
      detail = text.replace(/\s+/g, ' ').trim().slice(0, 200)
    }
    if (detail === '') detail = response.statusText
    detail = this.auth.redact(detail) // a registry or proxy may echo the request, Authorization included
    return new RegistryError(`registry ${this.registry}: ${what} → ${response.status}${detail === '' ? '' : ` ${detail}`}`, response.status, code)
  }
}

/** Frees the connection of a response whose body is not needed (HEAD/201/202 bodies are empty or useless). */
async function discard(response: Response): Promise<void> {
  await releaseBody(response)
}

/** `ms` in seconds for a message: whole seconds when whole (a test's short windows keep their fraction). */
function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10)
}
