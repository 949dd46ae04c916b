// An OCI distribution client for one repository: blobs, manifests, tags. Streams uploads; no logging of its own.
import { InputError } from '../../errors.js'
import { sha256Digest } from '../digest.js'
import { MediaType, type Blob, type ImageToWrite, type SerializedManifest } from '../types.js'
import { registryBaseUrl, type RepositoryRef } from '../reference.js'
import { RegistryAuth, readDockerConfigCredentials, type Credentials } from './auth.js'
import { ConnectionError, Transport, type AttemptOptions, type RequestSpec, type TransportOptions } from './transport.js'
import { pushImage, type PushOptions, type PushResult } from './push.js'

export interface RegistryClientOptions {
  /** Explicit credentials; without them, `~/.docker/config.json` (or `$DOCKER_CONFIG`) is read. */
  credentials?: Credentials
  /** Environment and home used to find the Docker config (tests point these at temp dirs). */
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

export interface UploadProgress {
  digest: string
  bytes: number
  total: number
  bytesPerSecond: number
}

/** A registry said no (or could not be reached). The message is one line and holds no secret. */
export class RegistryError extends Error {
  override name = 'RegistryError'
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message)
  }
}

// distribution 2.8 answers 404 to manifest reads whose Accept lacks the OCI types, so always send all four.
const manifestAccept = [MediaType.manifest, MediaType.index, MediaType.dockerManifest, MediaType.dockerManifestList].join(', ')

export class RegistryClient {
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
    this.base = `${registryBaseUrl(ref.registry, options.insecure)}/v2/${ref.repository}`
    this.transport = new Transport({
      ...options.transport,
      onRetry: (retry) => {
        this.log(`registry ${this.registry}: ${retry.method} retry ${retry.attempt} after ${retry.reason}, waiting ${retry.delayMs} ms`)
        options.transport?.onRetry?.(retry)
      },
    })
    const credentials = options.credentials ?? readDockerConfigCredentials(ref.registry, options.env, options.home)
    this.auth = new RegistryAuth({
      registry: ref.registry,
      credentials,
      onSecret: options.onSecret,
      insecure: options.insecure,
      transport: this.transport,
    })
  }

  async blobExists(digest: string): Promise<boolean> {
    const what = `HEAD blob ${digest}`
    const response = await this.send(this.pullScope(), () => ({ url: `${this.base}/blobs/${digest}`, method: 'HEAD' }))
    if (response.status === 200) return true
    if (response.status === 404) return false
    throw await this.failure(what, response)
  }

  /** Asks the registry to link a blob from another repository; false means it is not there (upload instead). */
  async mountBlob(digest: string, fromRepository: string): Promise<boolean> {
    const what = `mount blob ${digest} from ${fromRepository}`
    const query = `mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`
    const scopes = [...this.pushScope(), `repository:${fromRepository}:pull`]
    const response = await this.send(scopes, () => ({ url: `${this.base}/blobs/uploads/?${query}`, method: 'POST' }))
    if (response.status !== 201 && response.status !== 202) throw await this.failure(what, response)
    await discard(response)
    return response.status === 201 // 202: an upload session was opened instead; it is left to expire
  }

  /**
   * Uploads a blob as one streamed PUT into a fresh upload session (monolithic POST-with-body is dropped by
   * distribution 2.8). Each retry opens a new session and re-opens the stream. Returns the bytes sent.
   */
  async uploadBlob(blob: Blob, onProgress?: (progress: UploadProgress) => void): Promise<number> {
    const { digest, size } = blob.descriptor
    const what = `PUT blob ${digest}`
    let sourceError: unknown
    let sent = 0
    const timeoutMs = this.transport.timeoutMs + Math.ceil(size / 1024) // allows down to ~1 MB/s
    const build = async (): Promise<RequestSpec> => {
      const location = await this.startUpload(digest)
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
            onProgress?.({ digest, bytes: sent, total: size, bytesPerSecond: sent / seconds })
            yield bytes
          }
        } catch (error) {
          sourceError = error
          throw error
        }
      }
      const url = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`
      const headers = { 'content-type': 'application/octet-stream', 'content-length': String(size) }
      return { url, method: 'PUT', headers, body: counted(), duplex: 'half' } as RequestSpec
    }
    let response: Response
    try {
      response = await this.send(this.pushScope(), build, { timeoutMs })
    } catch (error) {
      if (sourceError !== undefined) throw sourceError // the blob's own stream failed, not the network
      if (error instanceof RegistryError && (error.code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || error.code === 'ERR_HTTP_CONTENT_LENGTH_MISMATCH')) {
        throw new RegistryError(`blob ${digest}: its stream gave ${sent} bytes, its descriptor says ${size}`)
      }
      throw error
    }
    if (response.status !== 201) throw await this.failure(what, response)
    await discard(response)
    this.checkDigestHeader(what, response, digest)
    return sent
  }

  /** Puts a manifest under a digest or a tag; returns the digest the registry stored it under. */
  async putManifest(manifest: SerializedManifest, reference: string): Promise<string> {
    const { digest, mediaType } = manifest.descriptor
    const what = `PUT manifest ${reference}`
    const response = await this.send(this.pushScope(), () => ({
      url: `${this.base}/manifests/${reference}`,
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: manifest.bytes,
    }))
    if (response.status !== 201) throw await this.failure(what, response)
    await discard(response)
    this.checkDigestHeader(what, response, digest)
    return digest
  }

  async getManifest(reference: string): Promise<FetchedManifest> {
    const what = `GET manifest ${reference}`
    const response = await this.send(this.pullScope(), () => ({
      url: `${this.base}/manifests/${reference}`,
      method: 'GET',
      headers: { accept: manifestAccept },
    }))
    if (response.status !== 200) throw await this.failure(what, response)
    const bytes = Buffer.from(await response.arrayBuffer())
    const digest = sha256Digest(bytes)
    if (reference.includes(':') && reference !== digest) {
      throw new RegistryError(`registry ${this.registry}: ${what} returned bytes with digest ${digest}`)
    }
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim()
    return { mediaType, bytes, digest }
  }

  /**
   * The bytes of a small blob (an image config), checked against its digest. Not for layers: the body is held in
   * memory, so anything larger than `maxBytes` is refused. A missing blob is a RegistryError with status 404.
   */
  async getBlob(digest: string, maxBytes = 4 * 1024 * 1024): Promise<Buffer> {
    const what = `GET blob ${digest}`
    const response = await this.send(this.pullScope(), () => ({ url: `${this.base}/blobs/${digest}`, method: 'GET' }))
    if (response.status !== 200) throw await this.failure(what, response)
    const declared = Number(response.headers.get('content-length') ?? '0')
    if (declared > maxBytes) {
      await discard(response)
      throw new RegistryError(`registry ${this.registry}: ${what} is ${declared} bytes, more than the ${maxBytes} read into memory`)
    }
    const bytes = Buffer.from(await response.arrayBuffer())
    if (bytes.length > maxBytes) {
      throw new RegistryError(`registry ${this.registry}: ${what} is ${bytes.length} bytes, more than the ${maxBytes} read into memory`)
    }
    const got = sha256Digest(bytes)
    if (got !== digest) throw new RegistryError(`registry ${this.registry}: ${what} returned bytes with digest ${got}`)
    return bytes
  }

  /** The digest a tag points at, or undefined if the tag does not exist. */
  async resolve(tag: string): Promise<string | undefined> {
    const what = `HEAD manifest ${tag}`
    const response = await this.send(this.pullScope(), () => ({
      url: `${this.base}/manifests/${tag}`,
      method: 'HEAD',
      headers: { accept: manifestAccept },
    }))
    if (response.status === 404) return undefined
    if (response.status !== 200) throw await this.failure(what, response)
    const digest = response.headers.get('docker-content-digest')
    if (digest !== null && digest !== '') return digest
    return (await this.getManifest(tag)).digest // not every registry sends the header on HEAD
  }

  /** Blobs (skipping those present), then the manifest by digest, then tags, then reads every tag back. */
  pushImage(image: ImageToWrite, tags: string[], options: PushOptions = {}): Promise<PushResult> {
    return pushImage(this, image, tags, options)
  }

  private pullScope(): string[] {
    return [`repository:${this.repository}:pull`]
  }

  private pushScope(): string[] {
    return [`repository:${this.repository}:pull,push`]
  }

  /** Opens an upload session and returns its absolute Location URL. */
  private async startUpload(digest: string): Promise<string> {
    const what = `POST upload for blob ${digest}`
    const response = await this.send(this.pushScope(), () => ({ url: `${this.base}/blobs/uploads/`, method: 'POST' }))
    if (response.status !== 202) throw await this.failure(what, response)
    await discard(response)
    const location = response.headers.get('location')
    if (location === null || location === '') {
      throw new RegistryError(`registry ${this.registry}: ${what} → 202 without a Location header`)
    }
    return new URL(location, this.base).toString() // may be relative to the registry
  }

  /** One request with authentication: on 401, answer the challenge once and send again. */
  private async send(
    scopes: string[],
    build: () => RequestSpec | Promise<RequestSpec>,
    attemptOptions?: AttemptOptions,
  ): Promise<Response> {
    for (let answered = false; ; answered = true) {
      let authorization: string | undefined
      let response: Response
      try {
        response = await this.transport.request(async () => {
          const spec = await build()
          // Read after build(): building an upload opens a session, which may itself have obtained a token.
          authorization = this.auth.authorization(scopes)
          const headers = new Headers(spec.headers)
          if (authorization !== undefined) headers.set('authorization', authorization)
          return { ...spec, headers }
        }, attemptOptions)
      } catch (error) {
        if (error instanceof ConnectionError) {
          const what = error.code === 'DEADLINE' ? 'gave up: the push ran past its time limit' : error.code === 'TIMEOUT' ? 'no answer in time' : 'cannot connect'
          throw new RegistryError(`registry ${this.registry}: ${what} (${error.code})`, undefined, error.code)
        }
        throw error
      }
      if (response.status !== 401) return response
      await discard(response)
      if (answered || !(await this.auth.answer(response, scopes, authorization))) throw this.auth.refused(401)
    }
  }

  private checkDigestHeader(what: string, response: Response, digest: string): void {
    const answered = response.headers.get('docker-content-digest')
    if (answered !== null && answered !== '' && answered !== digest) {
      throw new RegistryError(`registry ${this.registry}: ${what} stored digest ${answered}, expected ${digest}`)
    }
  }

  /** `registry X: PUT manifest v1 → 400 MANIFEST_BLOB_UNKNOWN: blob unknown to registry`. */
  private async failure(what: string, response: Response): Promise<Error> {
    const text = response.bodyUsed ? '' : await response.text().catch(() => '')
    let detail = ''
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
    const message = `registry ${this.registry}: ${what} → ${response.status}${detail === '' ? '' : ` ${detail}`}`
    if (response.status === 403) return new InputError(message)
    return new RegistryError(message, response.status, code)
  }
}


/** Frees the connection of a response whose body is not needed (HEAD/201/202 bodies are empty or useless). */
async function discard(response: Response): Promise<void> {
  if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined)
}
