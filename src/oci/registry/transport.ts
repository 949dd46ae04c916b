import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

// The one place where registry requests are retried: timeouts, backoff with jitter, Retry-After.
// Callers see either a Response (possibly a final 5xx/429) or a ConnectionError; never a secret.

/**
 * One attempt's request. A factory returns a fresh one per attempt, so a streamed body can be re-opened
 * (and, for uploads, a fresh upload session started). An error thrown by the factory ends the request.
 */
export interface RequestSpec extends RequestInit {
  url: string
}

export interface TransportOptions {
  /** Attempts per request, including the first. */
  attempts?: number
  /** Abort one attempt after this long (headers and body). */
  timeoutMs?: number
  /** Bound on everything sent through this transport, counted from its creation: no retry, and no attempt, outlives it. */
  deadlineMs?: number
  /** First backoff delay; doubled per attempt, with full jitter. */
  baseDelayMs?: number
  /** Upper bound for any single wait, including one asked for by Retry-After. */
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

export interface AttemptOptions {
  /** Overrides the transport's per-attempt timeout (large uploads need longer). */
  timeoutMs?: number
}

/** A request that never got an HTTP answer. `code` is e.g. ECONNREFUSED, ECONNRESET, TIMEOUT. */
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

const defaults = {
  attempts: 5,
  timeoutMs: 120_000,
  deadlineMs: 15 * 60_000,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
}

// Refused / unknown host means the address is wrong: retrying only delays the clear error.
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

/** Exponential backoff with full jitter: attempt 1 waits up to base, attempt 2 up to 2×base, ... capped. */
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
    if (name === 'TimeoutError' || name === 'AbortError') return 'TIMEOUT'
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

export class Transport {
  private readonly options: Required<Omit<TransportOptions, 'onRetry'>> & Pick<TransportOptions, 'onRetry'>
  private readonly startedAt = Date.now()

  constructor(options: TransportOptions = {}) {
    this.options = {
      attempts: options.attempts ?? defaults.attempts,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs,
      deadlineMs: options.deadlineMs ?? defaults.deadlineMs,
      baseDelayMs: options.baseDelayMs ?? defaults.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? defaults.maxDelayMs,
      random: options.random ?? Math.random,
      onRetry: options.onRetry,
    }
  }

  /** The per-attempt timeout callers start from (an upload adds time for its size). */
  get timeoutMs(): number {
    return this.options.timeoutMs
  }

  /** Sends the request built by `build`, calling it again for every retry. */
  async request(build: () => RequestSpec | Promise<RequestSpec>, attemptOptions: AttemptOptions = {}): Promise<Response> {
    const { baseDelayMs, maxDelayMs, random } = this.options
    const timeoutMs = attemptOptions.timeoutMs ?? this.options.timeoutMs
    for (let attempt = 1; ; attempt++) {
      const { url, ...init } = await build()
      const method = init.method ?? 'GET'
      // The deadline bounds the whole push, not only the waits: no attempt may outlive it.
      const leftMs = this.options.deadlineMs - (Date.now() - this.startedAt)
      if (leftMs <= 0) throw new ConnectionError('DEADLINE', method, url)
      let reason: string
      let delayMs: number
      try {
        const signal = AbortSignal.timeout(Math.min(timeoutMs, leftMs))
        const response = isStreamBody(init.body) ? await streamedRequest(url, init, signal) : await fetch(url, { ...init, signal })
        if (!isRetryableStatus(response.status)) return response
        const asked = parseRetryAfter(response.headers.get('retry-after'), Date.now())
        delayMs = asked !== undefined ? Math.min(asked, maxDelayMs) : backoffDelay(attempt, baseDelayMs, maxDelayMs, random)
        if (!this.mayRetry(attempt, delayMs)) return response
        await response.body?.cancel().catch(() => undefined)
        reason = `HTTP ${response.status}`
      } catch (error) {
        const found = errorCode(error)
        const code = found === 'TIMEOUT' && leftMs < timeoutMs ? 'DEADLINE' : found
        delayMs = backoffDelay(attempt, baseDelayMs, maxDelayMs, random)
        if (!isRetryableErrorCode(code) || !this.mayRetry(attempt, delayMs)) throw new ConnectionError(code, method, url)
        reason = code
      }
      this.options.onRetry?.({ method, url: redactUrl(url), attempt, reason, delayMs })
      await new Promise((resolve) => setTimeout(resolve, delayMs))
    }
  }

  /** Another attempt is allowed, and the wait before it ends before the deadline. */
  private mayRetry(attempt: number, delayMs: number): boolean {
    if (attempt >= this.options.attempts) return false
    return Date.now() + delayMs - this.startedAt < this.options.deadlineMs
  }
}

/** A body that is produced as it is sent (an upload), rather than bytes already in memory. */
function isStreamBody(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body
}

/**
 * Sends a streamed body with node:http(s) and answers with a fetch `Response`. fetch (undici 6) keeps every chunk of
 * a streamed request body in memory until the request ends (nodejs/undici#4058): a 1 GiB blob cost 1.1 GB of RSS.
 * Here the body is piped with back-pressure, so memory stays flat whatever the blob's size.
 */
async function streamedRequest(url: string, init: RequestInit, signal: AbortSignal): Promise<Response> {
  const target = new URL(url)
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => (headers[name] = value))
  const request = (target.protocol === 'https:' ? https : http).request(target, { method: init.method ?? 'PUT', headers, signal })
  const answered = new Promise<http.IncomingMessage>((resolve, reject) => {
    request.once('response', resolve)
    request.once('error', reject)
  })
  // One chunk in flight per upload: Readable.from would otherwise read 16 chunks (16 MiB) ahead.
  const sent = pipeline(Readable.from(exactLength(init.body as AsyncIterable<Uint8Array>, headers['content-length']), { highWaterMark: 1 }), request)
  // The registry may answer (e.g. 401, 413) before the body is through; then the answer is what matters.
  const answer = await Promise.race([answered, sent.then(() => answered)])
  sent.catch(() => undefined)
  const status = answer.statusCode ?? 502
  const responseHeaders = new Headers()
  for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) responseHeaders.append(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!)
  const nullBody = status === 204 || status === 205 || status === 304 || init.method === 'HEAD'
  if (nullBody) answer.resume()
  const body = nullBody ? null : (Readable.toWeb(answer) as unknown as ReadableStream<Uint8Array>)
  return new Response(body, { status, statusText: answer.statusMessage ?? '', headers: responseHeaders })
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
