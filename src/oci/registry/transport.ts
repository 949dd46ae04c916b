import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { RegistryError } from './errors.js'

// The one place where registry requests are sent and retried: time bounds, redirects (and where credentials may
// follow them), backoff with jitter, Retry-After, bounded body reads. Callers see a Response, a ConnectionError or a
// RegistryError; never a secret.

/** One attempt's request. */
export interface RequestSpec extends RequestInit {
  url: string
  /** A GET whose 200 body is wanted as a Node stream (a layer): sent with node:http, body taken with nodeBody(). */
  nodeStream?: boolean
}

export interface TransportOptions {
  /** Attempts per operation, including the first. */
  attempts?: number
  /** Response headers must arrive within this (for an upload: after its body is sent). */
  headersTimeoutMs?: number
  /** Default bound on one operation: every attempt, wait and small body read in it. */
  operationTimeoutMs?: number
  /** First backoff delay; doubled per attempt, with jitter. Default: $KERNEL_ACTION_RETRY_BASE_MS or 500. */
  baseDelayMs?: number
  /** Upper bound for any single wait, including one asked for by Retry-After. Default: $KERNEL_ACTION_RETRY_MAX_MS or 30 s. */
  maxDelayMs?: number
  /** Told about each retry, e.g. to log it. Gets no headers. */
  onRetry?: (retry: RetryNotice) => void
  /** Source of jitter in [0, 1). */
  random?: () => number
}

export interface RetryNotice {
  method: string
  url: string
  attempt: number
  reason: string
  delayMs: number
}

/** A request that never got an HTTP answer. `code` is e.g. ECONNREFUSED, ECONNRESET, TIMEOUT, DEADLINE, ABORTED. */
export class ConnectionError extends Error {
  override name = 'ConnectionError'
  constructor(
    readonly code: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${redactUrl(url)}: cannot connect (${code})`)
  }
}

/** The documented time bounds (README, "Registry time limits"). */
export const timeBounds = {
  headersTimeoutMs: 30_000,
  operationTimeoutMs: 120_000,
  /** An upload or a streamed download may take this long per MiB on top of the operation bound (≥ 64 KiB/s). */
  msPerMiB: 16_000,
  /** A streamed body that sends nothing for this long is broken off. */
  bodyIdleMs: 60_000,
}

const defaults = { attempts: 5, baseDelayMs: 500, maxDelayMs: 30_000 }

// Refused / unknown host means the address is wrong: retrying only delays the clear error (but see lastResetAt).
const retryableCodes = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
])
const resetCodes = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'])
/** A refused connection this soon after a reset is a registry restarting, not a wrong address. */
const restartWindowMs = 60_000

export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500
}

export function isRetryableErrorCode(code: string): boolean {
  return retryableCodes.has(code)
}

/** Milliseconds asked for by a Retry-After header (delta-seconds or HTTP-date), or undefined if unusable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const text = value.trim()
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/** Exponential backoff with jitter in the upper half: attempt 1 waits up to base, attempt 2 up to 2×base, ... capped. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}

/** The network error code behind a failed fetch: undici wraps it in `cause` (sometimes an AggregateError). */
export function errorCode(error: unknown): string {
  let current: unknown = error
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    // An aborted fetch rejects with a DOMException (not always an Error of this realm), so go by name.
    const name = (current as { name?: unknown }).name
    if (name === 'TimeoutError' || name === 'AbortError' || name === 'HeadersTimeout') return 'TIMEOUT'
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && code !== '') return code
    const errors = (current as { errors?: unknown }).errors
    if (Array.isArray(errors) && errors.length > 0) {
      current = errors[0]
      continue
    }
    current = (current as { cause?: unknown }).cause
  }
  return 'UNKNOWN'
}

/** Query strings may hold upload state or tokens: keep them out of messages. */
export function redactUrl(url: string): string {
  const query = url.indexOf('?')
  return query < 0 ? url : `${url.slice(0, query)}?…`
}

/**
 * Whether a request to `target` may carry the credentials meant for `home` (the registry, or a token realm):
 * only the same scheme, host and port. Docker's rule; an upload Location or redirect elsewhere goes bare.
 */
export function mayCarryCredentials(home: string | URL, target: string | URL): boolean {
  const a = new URL(home)
  const b = new URL(target)
  return a.protocol === b.protocol && a.host === b.host
}

/** https → http: the request (and whatever it carries) would travel in clear. */
export function isDowngrade(from: string | URL, to: string | URL): boolean {
  return new URL(from).protocol === 'https:' && new URL(to).protocol !== 'https:'
}

/**
 * The time bound of one client operation (a HEAD, an upload, a manifest read): its signal aborts every attempt and
 * wait in it when the deadline passes, or when the caller's signal aborts. `end()` stops the clock (for a streamed
 * download whose body is then bounded by an idle timeout instead).
 */
export class Operation {
  readonly signal: AbortSignal
  readonly deadline: number
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private readonly detach: () => void = () => undefined

  constructor(
    readonly timeoutMs: number,
    parent?: AbortSignal,
  ) {
    this.deadline = Date.now() + timeoutMs
    this.signal = this.controller.signal
    this.timer = setTimeout(() => this.controller.abort(new DeadlineReached(timeoutMs)), timeoutMs)
    this.timer.unref()
    if (parent !== undefined) {
      const follow = (): void => this.controller.abort(parent.reason)
      if (parent.aborted) follow()
      parent.addEventListener('abort', follow, { once: true })
      this.detach = () => parent.removeEventListener('abort', follow)
    }
  }

  /** DEADLINE when this operation's time ran out, ABORTED when the caller aborted it, else undefined. */
  get abortCode(): string | undefined {
    if (!this.signal.aborted) return undefined
    return this.signal.reason instanceof DeadlineReached ? 'DEADLINE' : 'ABORTED'
  }

  /** Stops the clock. A streamed body still follows the caller's signal, so the listener stays until it is done. */
  end(): void {
    clearTimeout(this.timer)
  }

  /** The operation is over entirely: stop the clock and stop following the caller's signal. */
  close(): void {
    clearTimeout(this.timer)
    this.detach()
  }
}

class DeadlineReached extends Error {
  override name = 'DeadlineReached'
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
  }
}

class HeadersTimeout extends Error {
  override name = 'HeadersTimeout'
  readonly code = 'TIMEOUT'
}

export class Transport {
  readonly options: Required<Omit<TransportOptions, 'onRetry'>> & Pick<TransportOptions, 'onRetry'>
  /** When a connection was last reset (any operation): a refusal soon after is a restart, worth retrying. */
  private lastResetAt = -Infinity

  constructor(options: TransportOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.options = {
      attempts: options.attempts ?? defaults.attempts,
      headersTimeoutMs: options.headersTimeoutMs ?? timeBounds.headersTimeoutMs,
      operationTimeoutMs: options.operationTimeoutMs ?? timeBounds.operationTimeoutMs,
      baseDelayMs: options.baseDelayMs ?? envMs(env, 'KERNEL_ACTION_RETRY_BASE_MS') ?? defaults.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? envMs(env, 'KERNEL_ACTION_RETRY_MAX_MS') ?? defaults.maxDelayMs,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
    }
  }

  /** Starts an operation bounded by `timeoutMs` (default: operationTimeoutMs) and by the caller's signal. */
  begin(signal?: AbortSignal, timeoutMs = this.options.operationTimeoutMs): Operation {
    return new Operation(timeoutMs, signal)
  }

  /** Sends the request built by `build` in its own operation, calling `build` again for every retry. */
  async request(build: () => RequestSpec | Promise<RequestSpec>, operation?: Operation): Promise<Response> {
    const op = operation ?? this.begin()
    try {
      let label = { method: 'GET', url: '' }
      return await this.retry(
        op,
        () => label,
        async () => {
          const spec = await build()
          label = { method: spec.method ?? 'GET', url: spec.url }
          return this.send(spec, op)
        },
      )
    } finally {
      if (operation === undefined) op.close()
    }
  }

  /**
   * The one retry loop. `attempt` makes one try (it may send several requests, e.g. open an upload session and
   * PUT into it) and returns the answer that decides; `label` names the request that was last sent, for messages.
   * A 429/5xx answer or a transient network error is retried with backoff while attempts and time are left.
   */
  async retry(op: Operation, label: () => { method: string; url: string }, attempt: () => Promise<Response>): Promise<Response> {
    const { baseDelayMs, maxDelayMs, random } = this.options
    for (let n = 1; ; n++) {
      let reason: string
      let delayMs: number
      try {
        if (op.abortCode !== undefined) throw op.signal.reason
        const response = await attempt()
        if (!isRetryableStatus(response.status)) return response
        const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now())
        delayMs = asked !== undefined ? Math.min(asked, maxDelayMs) : backoffDelay(n, baseDelayMs, maxDelayMs, random)
        if (!this.mayRetry(n, delayMs, op)) return response
        await releaseBody(response)
        reason = `HTTP ${response.status}`
      } catch (error) {
        if (error instanceof RegistryError || (error instanceof Error && error.name === 'InputError')) throw error
        const code = op.abortCode ?? errorCode(error)
        const { method, url } = label()
        // fetch fails with a TypeError (of its own realm: go by name); anything else without a code is not the network.
        if (code === 'UNKNOWN' && (error as { name?: unknown } | null)?.name !== 'TypeError') throw error
        if (resetCodes.has(code)) this.lastResetAt = Date.now()
        const restarting = code === 'ECONNREFUSED' && Date.now() - this.lastResetAt < restartWindowMs
        delayMs = backoffDelay(n, baseDelayMs, maxDelayMs, random)
        if (!(isRetryableErrorCode(code) || restarting) || !this.mayRetry(n, delayMs, op)) throw new ConnectionError(code, method, url)
        reason = code
      }
      const { method, url } = label()
      this.options.onRetry?.({ method, url: redactUrl(url), attempt: n, reason, delayMs })
      await sleep(delayMs, op.signal).catch(() => {
        throw new ConnectionError(op.abortCode ?? 'ABORTED', method, url)
      })
    }
  }

  /**
   * One exchange, no retry. Response headers must come within headersTimeoutMs. Redirects of GET/HEAD (and 307/308
   * with a body in memory) are followed; credentials go along only to the same scheme, host and port, and a
   * redirect from https to http is refused. A streamed body is never redirected: the caller sees the 3xx.
   */
  async send(spec: RequestSpec, op: Operation): Promise<Response> {
    const { url: first, nodeStream, ...init } = spec
    const method = init.method ?? 'GET'
    const headers = new Headers(init.headers)
    let url = first
    for (let hop = 0; ; hop++) {
      const response =
        isStreamBody(init.body) || nodeStream === true
          ? await nodeRequest(url, { ...init, headers }, op.signal, this.options.headersTimeoutMs, nodeStream === true)
          : await this.fetchWithHeadersTimeout(url, { ...init, headers }, op.signal)
      const location = response.headers.get('location')
      const follows = method === 'GET' || method === 'HEAD' || response.status === 307 || response.status === 308
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null || !follows || isStreamBody(init.body)) return response
      await releaseBody(response)
      if (hop >= 5) throw new RegistryError(`${method} ${redactUrl(first)}: more than 5 redirects`)
      const next = new URL(location, url)
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new RegistryError(`${method} ${redactUrl(first)}: redirected to a ${next.protocol} URL; refusing`)
      if (isDowngrade(url, next)) {
        throw new RegistryError(`${method} ${redactUrl(first)}: redirected from https to http (${next.host}); refusing to continue in clear`)
      }
      if (!mayCarryCredentials(first, next)) headers.delete('authorization')
      url = next.toString()
    }
  }

  private async fetchWithHeadersTimeout(url: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
    const headersTimer = new AbortController()
    const timer = setTimeout(() => headersTimer.abort(new HeadersTimeout('no response headers in time')), this.options.headersTimeoutMs)
    try {
      return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any([signal, headersTimer.signal]) })
    } finally {
      clearTimeout(timer)
    }
  }

  /** Another attempt is allowed, and the wait before it ends before the operation's deadline. */
  private mayRetry(attempt: number, delayMs: number, op: Operation): boolean {
    return attempt < this.options.attempts && Date.now() + delayMs < op.deadline
  }
}

function envMs(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name]
  if (text === undefined || !/^[0-9]+$/.test(text.trim())) return undefined
  return Number(text)
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted() // a throw here rejects, with the abort's reason
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the abort's own reason, whatever the aborter gave, as throwIfAborted does
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/**
 * The body of `response`, at most `maxBytes` of it: a larger body (by Content-Length, or as it streams) is broken
 * off and reported as `what` being too large. Never retried: a registry sending that much is not having a bad moment.
 */
export async function readLimited(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const tooLarge = (): RegistryError => new RegistryError(`${what} is larger than ${maxBytes} bytes; not read further`, undefined, 'TOO_LARGE')
  const declared = Number(response.headers.get('content-length') ?? '')
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined)
    throw tooLarge()
  }
  const { bytes, complete } = await readPrefix(response, maxBytes)
  if (!complete) throw tooLarge()
  return bytes
}

/** Up to `maxBytes` of the body (for an error message); the rest is not read. */
export async function readPrefix(response: Response, maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  if (response.body === null) return { bytes: Buffer.alloc(0), complete: true }
  // A fetch body is bytes; the types leave its chunks `any`.
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader()
  const chunks: Buffer[] = []
  let length = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return { bytes: Buffer.concat(chunks, length), complete: true }
    if (length + value.length > maxBytes) {
      chunks.push(Buffer.from(value.subarray(0, maxBytes - length)))
      await reader.cancel().catch(() => undefined)
      return { bytes: Buffer.concat(chunks, maxBytes), complete: false }
    }
    chunks.push(Buffer.from(value))
    length += value.length
  }
}

/** A body that is produced as it is sent (an upload), rather than bytes already in memory. */
function isStreamBody(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body
}

/** Bodies of node:http answers handed out as Node streams (see RequestSpec.nodeStream). */
const nodeBodies = new WeakMap<Response, http.IncomingMessage>()

/** The Node stream holding a 200 answer's body to a `nodeStream` request, or undefined (then use `response.body`). */
export function nodeBody(response: Response): Readable | undefined {
  return nodeBodies.get(response)
}

/** Frees the connection of an answer whose body is not wanted. */
export async function releaseBody(response: Response): Promise<void> {
  const node = nodeBodies.get(response)
  if (node !== undefined) node.destroy()
  else if (!response.bodyUsed) await response.body?.cancel().catch(() => undefined)
}

/**
 * Sends a request with node:http(s) and answers with a fetch `Response`. For a streamed body: fetch (undici 6) keeps
 * every chunk of a streamed request body in memory until the request ends (nodejs/undici#4058): a 1 GiB blob cost
 * 1.1 GB of RSS. Here the body is piped with back-pressure, so memory stays flat whatever the blob's size; the headers
 * timeout starts once it is sent, and sending is bounded by the operation. For a `nodeStream` GET, a 200 body stays a
 * Node stream (nodeBody()), which reads a large layer faster than a web stream.
 */
async function nodeRequest(url: string, init: RequestInit, signal: AbortSignal, headersTimeoutMs: number, nodeStream: boolean): Promise<Response> {
  const target = new URL(url)
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => (headers[name] = value))
  const request = (target.protocol === 'https:' ? https : http).request(target, {
    method: init.method ?? (nodeStream ? 'GET' : 'PUT'),
    headers,
    signal,
  })
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve)
    request.once('error', reject)
  })
  // One chunk in flight per upload: Readable.from would otherwise read 16 chunks (16 MiB) ahead.
  const sent = isStreamBody(init.body)
    ? pipeline(Readable.from(exactLength(init.body, headers['content-length']), { highWaterMark: 1 }), request)
    : new Promise<void>((resolve) => request.end(resolve))
  let timer: NodeJS.Timeout | undefined
  const headersInTime = sent.then(
    () =>
      new Promise<http.IncomingMessage>((resolve, reject) => {
        timer = setTimeout(() => {
          const error = new HeadersTimeout('no response headers in time')
          request.destroy(error)
          reject(error)
        }, headersTimeoutMs)
        answered.then(resolve, reject)
      }),
  )
  // The registry may answer (e.g. 401, 413) before the body is through; then the answer is what matters.
  let answer: http.IncomingMessage
  try {
    answer = await Promise.race([answered, headersInTime])
  } finally {
    clearTimeout(timer)
  }
  sent.catch(() => undefined)
  headersInTime.catch(() => undefined)
  const status = answer.statusCode ?? 502
  const responseHeaders = new Headers()
  for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) responseHeaders.append(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!)
  const nullBody = status === 204 || status === 205 || status === 304 || init.method === 'HEAD'
  if (nullBody) answer.resume()
  const keepNode = nodeStream && status === 200
  const body = nullBody || keepNode ? null : (Readable.toWeb(answer) as unknown as ReadableStream<Uint8Array>)
  const response = new Response(body, { status, statusText: answer.statusMessage ?? '', headers: responseHeaders })
  if (keepNode) nodeBodies.set(response, answer)
  return response
}

/** The body, failing (code ERR_HTTP_CONTENT_LENGTH_MISMATCH) when it is not as long as its header says, not hanging. */
async function* exactLength(body: AsyncIterable<Uint8Array>, contentLength: string | undefined): AsyncGenerator<Uint8Array> {
  const expected = contentLength === undefined ? undefined : Number(contentLength)
  const mismatch = (): Error =>
    Object.assign(new Error('request body does not match its content-length'), { code: 'ERR_HTTP_CONTENT_LENGTH_MISMATCH' })
  let length = 0
  for await (const chunk of body) {
    length += chunk.length
    if (expected !== undefined && length > expected) throw mismatch()
    yield chunk
  }
  if (expected !== undefined && length !== expected) throw mismatch()
}
