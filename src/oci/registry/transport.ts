import http from 'node:http'
import https from 'node:https'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { InputError, IntegrityError, InternalError, RegistryError, ToolError } from '../../errors.js'

// The one place where registry requests are sent and retried: time bounds, redirects, where credentials may go (the
// registry's own origin, never along a redirect), which 401 may be answered, backoff with jitter, Retry-After,
// bounded body reads. Callers see a Response or one of src/errors.ts's kinds (a ConnectionError is a RegistryError);
// never a secret.

/** One attempt's request. */
export interface RequestSpec extends RequestInit {
  url: string
  /** A GET whose 200 body is wanted as a Node stream (a layer): sent with node:http, body taken with nodeBody(). */
  nodeStream?: boolean
}

export interface TransportOptions {
  /** Attempts per operation, including the first. */
  attempts?: number
  /**
   * Response headers must arrive within this of a request being sent (twice this after an upload's body, which the
   * registry may still be storing); a request that gets none is tried again while the silence budget lasts.
   */
  headersTimeoutMs?: number
  /**
   * How long one operation's requests may wait, one after another, for answers that never come before it gives up (a
   * silent registry); any answer starts it afresh. Default: $KERNEL_ACTION_SILENCE_MS (tests) or 25 s.
   */
  silenceMs?: number
  /** Default bound on one operation: every attempt, wait and small body read in it. */
  operationTimeoutMs?: number
  /** The window of a blob body's minimum rate (see bodyMinBytes). Default: $KERNEL_ACTION_BODY_WINDOW_MS (tests) or 30 s. */
  bodyWindowMs?: number
  /** First backoff delay; doubled per attempt, with jitter. Default: $KERNEL_ACTION_RETRY_BASE_MS or 500. */
  baseDelayMs?: number
  /** Upper bound for any single wait, including one asked for by Retry-After. Default: $KERNEL_ACTION_RETRY_MAX_MS or 30 s. */
  maxDelayMs?: number
  /** Told about each retry, e.g. to log it. Gets no headers. */
  onRetry?: (retry: RetryNotice) => void
  /** Source of jitter in [0, 1). */
  random?: () => number
  /** Starts every message the transport words itself, e.g. `registry ghcr.io`. */
  name?: string
}

export interface RetryNotice {
  method: string
  url: string
  attempt: number
  reason: string
  delayMs: number
}

/**
 * A request that never got an HTTP answer. `code` is e.g. ECONNREFUSED, ECONNRESET, TIMEOUT (one request got no
 * headers in time), SILENT (the operation's silence budget is spent), DEADLINE, ABORTED.
 */
export class ConnectionError extends RegistryError {
  override name = 'ConnectionError'
  constructor(
    override readonly code: string,
    readonly method: string,
    readonly url: string,
  ) {
    super(`${method} ${redactUrl(url)}: cannot connect (${code})`, undefined, code)
  }
}

/** The documented time bounds (README, "Registry time limits"). */
export const timeBounds = {
  headersTimeoutMs: 10_000,
  silenceMs: 25_000,
  operationTimeoutMs: 120_000,
  /** An upload may take this long per MiB on top of the operation bound (≥ 64 KiB/s). */
  msPerMiB: 16_000,
  /** A blob body must bring at least bodyMinBytes(window) in every window of this length its reader spends waiting. */
  bodyWindowMs: 30_000,
}

/** The least a blob body must bring per window of waiting: 1 MiB per 30 s (about 35 kB/s), the same rate in a test's shorter window. */
export function bodyMinBytes(windowMs: number): number {
  return Math.ceil((1024 * 1024 * windowMs) / 30_000)
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

/** The errors of the action's vocabulary: they end an operation as they are, never retried or reworded. */
function isVocabulary(error: unknown): boolean {
  return (
    error instanceof RegistryError ||
    error instanceof InputError ||
    error instanceof IntegrityError ||
    error instanceof ToolError ||
    error instanceof InternalError
  )
}

/**
 * The authentication layer as the transport sees it (RegistryAuth): the one origin credentials may go to, the
 * header to send there, and how to answer that origin's 401.
 */
export interface Authenticator {
  /** The registry's origin (scheme, host, port): only requests to it carry Authorization; only its 401 is answered. */
  readonly origin: string
  /** The header to send for a request needing `scopes`, if one is known yet. */
  authorization(scopes: string[]): string | undefined
  /** Learns from the registry's 401 (credentials, a new token); true when there is something new to send. */
  answer(response: Response, scopes: string[], sent: string | undefined, op: Operation): Promise<boolean>
  /** The one-line error for a 401 that cannot be answered (any more). */
  refusal(response: Response, scopes: string[], sent: string | undefined): Error
}

/** What a request needs from the registry: the authenticator and the scopes to ask a token for. */
export interface Access {
  auth: Authenticator
  scopes: string[]
}

export interface SendOptions {
  /** A token request: a redirect to another origin is refused, so its credentials (header or body) never go there. */
  tokenRequest?: boolean
}

/**
 * The time bound of one client operation (a HEAD, an upload, a manifest read): its signal aborts every attempt and
 * wait in it when the deadline passes, or when the caller's signal aborts. It also keeps the operation's silence
 * budget: what is left of the time its requests may wait for answers that never come. `end()` stops the clock (for
 * a streamed download whose body is then bounded by its minimum rate instead).
 */
export class Operation {
  readonly signal: AbortSignal
  readonly deadline: number
  /** Milliseconds this operation may still wait for answers that never come (until the next answer). */
  silenceLeftMs: number
  private readonly controller = new AbortController()
  private readonly timer: NodeJS.Timeout
  private readonly detach: () => void = () => undefined

  constructor(
    readonly timeoutMs: number,
    readonly silenceMs: number,
    parent?: AbortSignal,
  ) {
    this.deadline = Date.now() + timeoutMs
    this.silenceLeftMs = silenceMs
    this.signal = this.controller.signal
    this.timer = setTimeout(() => this.controller.abort(new RegistryError(`no answer within ${timeoutMs} ms`, undefined, 'DEADLINE')), timeoutMs)
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
    const reason: unknown = this.signal.reason
    return reason instanceof RegistryError && reason.code === 'DEADLINE' ? 'DEADLINE' : 'ABORTED'
  }

  /** How long the next request may wait for its answer: `wanted`, within the silence budget. */
  answerWindow(wanted: number): number {
    return Math.max(1, Math.min(wanted, this.silenceLeftMs))
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

export class Transport {
  readonly options: Required<Omit<TransportOptions, 'onRetry'>> & Pick<TransportOptions, 'onRetry'>
  /** When a connection was last reset (any operation): a refusal soon after is a restart, worth retrying. */
  private lastResetAt = -Infinity
  private readonly prefix: string
  /** The URL that gave each answer (after redirects): whose 401 it is. */
  private readonly answeredBy = new WeakMap<Response, string>()

  constructor(options: TransportOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.options = {
      attempts: options.attempts ?? defaults.attempts,
      headersTimeoutMs: options.headersTimeoutMs ?? timeBounds.headersTimeoutMs,
      silenceMs: options.silenceMs ?? envMs(env, 'KERNEL_ACTION_SILENCE_MS') ?? timeBounds.silenceMs,
      operationTimeoutMs: options.operationTimeoutMs ?? timeBounds.operationTimeoutMs,
      bodyWindowMs: options.bodyWindowMs ?? envMs(env, 'KERNEL_ACTION_BODY_WINDOW_MS') ?? timeBounds.bodyWindowMs,
      baseDelayMs: options.baseDelayMs ?? envMs(env, 'KERNEL_ACTION_RETRY_BASE_MS') ?? defaults.baseDelayMs,
      maxDelayMs: options.maxDelayMs ?? envMs(env, 'KERNEL_ACTION_RETRY_MAX_MS') ?? defaults.maxDelayMs,
      random: options.random ?? Math.random,
      name: options.name ?? '',
      onRetry: options.onRetry,
    }
    this.prefix = this.options.name === '' ? '' : `${this.options.name}: `
  }

  /** Starts an operation bounded by `timeoutMs` (default: operationTimeoutMs), the silence budget and the caller's signal. */
  begin(signal?: AbortSignal, timeoutMs = this.options.operationTimeoutMs): Operation {
    return new Operation(timeoutMs, this.options.silenceMs, signal)
  }

  /**
   * The way a request is sent: retried within `operation` (or an operation of its own), each try one exchange()
   * (authenticated when `access` is given). `build` is called again for every send, so a streamed body is re-opened.
   */
  async request(build: () => RequestSpec, operation?: Operation, access?: Access): Promise<Response> {
    const op = operation ?? this.begin()
    let label = { method: 'GET', url: '' }
    const labelled = (): RequestSpec => {
      const spec = build()
      label = { method: spec.method ?? 'GET', url: spec.url }
      return spec
    }
    try {
      return await this.retry(
        op,
        () => label,
        () => this.exchange(labelled, op, access),
      )
    } finally {
      if (operation === undefined) op.close()
    }
  }

  /**
   * The one retry loop. `attempt` makes one try (it may send several requests, e.g. open an upload session and
   * PUT into it) and returns the answer that decides; `label` names the request that was last sent, for messages.
   * A 429/5xx answer or a transient network error is retried with backoff while attempts, time and the silence
   * budget are left. Errors of the action's vocabulary end the operation as they are.
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
        const { method, url } = label()
        let code: string
        if (op.abortCode !== undefined) code = op.abortCode
        else if (error instanceof ConnectionError) code = error.code
        else if (isVocabulary(error)) throw error
        else {
          code = errorCode(error)
          // fetch fails with a TypeError (of its own realm: go by name) caused by the network; one without a cause is
          // a request we could not build (a header value the credential checks should have refused): our bug.
          if (code === 'UNKNOWN') {
            const { name, cause } = (error ?? {}) as { name?: unknown; cause?: unknown }
            if (name !== 'TypeError') throw error
            if (cause === undefined) throw new InternalError(`${method} ${redactUrl(url)} could not be sent (${name})`)
          }
        }
        if (code === 'TIMEOUT' && op.silenceLeftMs <= 0) code = 'SILENT'
        if (resetCodes.has(code)) this.lastResetAt = Date.now()
        const restarting = code === 'ECONNREFUSED' && Date.now() - this.lastResetAt < restartWindowMs
        delayMs = backoffDelay(n, baseDelayMs, maxDelayMs, random)
        if (!(isRetryableErrorCode(code) || restarting) || n >= this.options.attempts) throw new ConnectionError(code, method, url)
        // Worth another try, but the wait would end past the deadline: giving up now is giving up at the deadline.
        if (!this.mayRetry(n, delayMs, op)) throw new ConnectionError('DEADLINE', method, url)
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
   * One exchange, no retry, under the one credentials rule for every method: the Authorization header goes only to
   * the registry's own origin (scheme, host, port) and is dropped on a redirect elsewhere; a 401 is answered (with
   * credentials or a new token, then sent again, at most 3 sends) only when the registry's origin gave it. A 401 from
   * anywhere else (a redirect target, an upload host) ends the operation with one line, and nothing is sent there.
   */
  async exchange(build: () => RequestSpec, op: Operation, access?: Access): Promise<Response> {
    for (let sends = 1; ; sends++) {
      const spec = build()
      const authorization =
        access !== undefined && mayCarryCredentials(access.auth.origin, spec.url) ? access.auth.authorization(access.scopes) : undefined
      const headers = new Headers(spec.headers)
      if (authorization !== undefined) headers.set('authorization', authorization)
      const response = await this.send({ ...spec, headers }, op)
      if (response.status !== 401 || access === undefined) return response
      await releaseBody(response)
      const from = this.answeredBy.get(response) ?? spec.url
      if (!mayCarryCredentials(access.auth.origin, from)) {
        const who = mayCarryCredentials(spec.url, from) ? `${new URL(from).origin} (not the registry)` : `the redirect target ${new URL(from).origin}`
        throw new RegistryError(
          `${this.prefix}${spec.method ?? 'GET'} ${redactUrl(spec.url)}: ${who} asked for credentials; none are sent to a host other than the registry`,
          401,
          'FOREIGN_CHALLENGE',
        )
      }
      if (sends >= 3 || !(await access.auth.answer(response, access.scopes, authorization, op))) {
        throw access.auth.refusal(response, access.scopes, authorization)
      }
    }
  }

  /**
   * One request, no retry, no authentication of its own. Response headers must come within the answer window
   * (headersTimeoutMs, twice that once a streamed upload's body is sent, never more than the silence budget left); a
   * window that passes is spent from the budget, an answer refills it. Redirects of GET/HEAD (and 307/308 with a body in memory) are followed;
   * Authorization goes along only to the same scheme, host and port, a token request not even that far, and a
   * redirect from https to http is refused. A streamed body is never redirected: the caller sees the 3xx.
   */
  async send(spec: RequestSpec, op: Operation, options: SendOptions = {}): Promise<Response> {
    const { url: first, nodeStream, ...init } = spec
    const method = init.method ?? 'GET'
    const headers = new Headers(init.headers)
    let url = first
    for (let hop = 0; ; hop++) {
      const streamed = isStreamBody(init.body)
      const windowMs = op.answerWindow(streamed ? 2 * this.options.headersTimeoutMs : this.options.headersTimeoutMs)
      const timedOut = (): ConnectionError => {
        op.silenceLeftMs -= windowMs
        return new ConnectionError('TIMEOUT', method, url)
      }
      const response =
        streamed || nodeStream === true
          ? await nodeRequest(url, { ...init, headers }, op.signal, windowMs, timedOut, nodeStream === true)
          : await fetchInTime(url, { ...init, headers }, op.signal, windowMs, timedOut)
      op.silenceLeftMs = op.silenceMs // an answer: the registry is alive, whatever it said
      this.answeredBy.set(response, url)
      const location = response.headers.get('location')
      const follows = method === 'GET' || method === 'HEAD' || response.status === 307 || response.status === 308
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null || !follows || streamed) return response
      await releaseBody(response)
      const where = `${this.prefix}${method} ${redactUrl(first)}`
      if (hop >= 5) throw new RegistryError(`${where}: more than 5 redirects`)
      const next = new URL(location, url)
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new RegistryError(`${where}: redirected to a ${next.protocol} URL; refusing`)
      if (isDowngrade(url, next)) throw new RegistryError(`${where}: redirected from https to http (${next.host}); refusing to continue in clear`)
      if (!mayCarryCredentials(first, next)) {
        if (options.tokenRequest === true) {
          throw new RegistryError(
            `${where}: the token realm redirected to ${next.origin}; a token request is never sent to another host`,
            response.status,
            'FOREIGN_REDIRECT',
          )
        }
        headers.delete('authorization')
      }
      url = next.toString()
    }
  }

  /** Another attempt is allowed, and the wait before it ends before the operation's deadline. */
  private mayRetry(attempt: number, delayMs: number, op: Operation): boolean {
    return attempt < this.options.attempts && Date.now() + delayMs < op.deadline
  }
}

/** fetch, without following redirects, aborted with `timedOut()` when its headers do not come within `windowMs`. */
async function fetchInTime(url: string, init: RequestInit, signal: AbortSignal, windowMs: number, timedOut: () => Error): Promise<Response> {
  const headersTimer = new AbortController()
  const timer = setTimeout(() => headersTimer.abort(timedOut()), windowMs)
  try {
    return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.any([signal, headersTimer.signal]) })
  } finally {
    clearTimeout(timer)
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
 * 1.1 GB of RSS. Here the body is piped with back-pressure, so memory stays flat whatever the blob's size; the answer
 * window (`windowMs`, then `timedOut()`) starts once it is sent, and sending is bounded by the operation. For a `nodeStream` GET, a 200 body stays a
 * Node stream (nodeBody()), which reads a large layer faster than a web stream.
 */
async function nodeRequest(
  url: string,
  init: RequestInit,
  signal: AbortSignal,
  windowMs: number,
  timedOut: () => Error,
  nodeStream: boolean,
): Promise<Response> {
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
          const error = timedOut()
          request.destroy(error)
          reject(error)
        }, windowMs)
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

/** The body, failing (an IntegrityError: the bytes are not what was declared) when it is not as long as its header says, not hanging. */
async function* exactLength(body: AsyncIterable<Uint8Array>, contentLength: string | undefined): AsyncGenerator<Uint8Array> {
  const expected = contentLength === undefined ? undefined : Number(contentLength)
  const mismatch = (): IntegrityError => new IntegrityError('request body does not match its content-length')
  let length = 0
  for await (const chunk of body) {
    length += chunk.length
    if (expected !== undefined && length > expected) throw mismatch()
    yield chunk
  }
  if (expected !== undefined && length !== expected) throw mismatch()
}
