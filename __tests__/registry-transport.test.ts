import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { InternalError } from '../src/errors.js'
import {
  ConnectionError,
  Transport,
  backoffDelay,
  errorCode,
  isRetryableErrorCode,
  isRetryableStatus,
  isDowngrade,
  mayCarryCredentials,
  parseRetryAfter,
  redactUrl,
  type RetryNotice,
} from '../src/oci/registry/transport.js'

/** A loopback server whose next answers are scripted per path; it records what each request carried. */
type Script = (request: http.IncomingMessage, body: Buffer, response: http.ServerResponse) => void
const scripts = new Map<string, Script[]>()
const seen = new Map<string, { method: string; body: string }[]>()
let server: http.Server
let base: string

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const body = Buffer.concat(chunks)
      const key = request.url ?? '/'
      seen.set(key, [...(seen.get(key) ?? []), { method: request.method ?? '', body: body.toString() }])
      const script = scripts.get(key)?.shift()
      if (script === undefined) {
        response.writeHead(200, { 'content-type': 'text/plain' })
        response.end(`ok ${body.length}`)
      } else script(request, body, response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
})

const status =
  (code: number, headers: Record<string, string> = {}): Script =>
  (_req, _body, res) => {
    res.writeHead(code, headers)
    res.end()
  }
const reset: Script = (req) => req.socket.destroy()

function quickTransport(notices: RetryNotice[], extra: ConstructorParameters<typeof Transport>[0] = {}): Transport {
  return new Transport({ baseDelayMs: 1, maxDelayMs: 5_000, random: () => 0, onRetry: (n) => notices.push(n), ...extra })
}

describe('retry decisions', () => {
  it('retries 429 and 5xx, not other statuses', () => {
    expect([200, 201, 202, 400, 401, 404, 429, 500, 502, 503].map(isRetryableStatus)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ])
  })

  it('retries resets and timeouts, not refused connections or unknown hosts', () => {
    expect(['ECONNRESET', 'UND_ERR_SOCKET', 'TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND'].map(isRetryableErrorCode)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ])
  })

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('Wed, 25 Nov 2026 10:00:00 GMT')
    expect(parseRetryAfter('7', now)).toBe(7000)
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:03 GMT', now)).toBe(3000)
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })

  it('doubles the backoff ceiling per attempt, with jitter in its upper half, capped', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelay(attempt, 100, 10_000, () => 0))).toEqual([50, 100, 200, 400])
    expect(backoffDelay(3, 100, 10_000, () => 0.999999)).toBe(400)
    expect(backoffDelay(20, 100, 1_000, () => 0)).toBe(500)
  })

  it('finds the network code undici hides in the cause chain', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) })
    const aggregate = new TypeError('fetch failed', {
      cause: new AggregateError([Object.assign(new Error('x'), { code: 'ECONNRESET' })]),
    })
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError')
    expect([errorCode(refused), errorCode(aggregate), errorCode(timeout), errorCode('?')]).toEqual([
      'ECONNREFUSED',
      'ECONNRESET',
      'TIMEOUT',
      'UNKNOWN',
    ])
  })

  it('keeps query strings (upload state, tokens) out of URLs it reports', () => {
    expect(redactUrl('http://h/v2/r/blobs/uploads/u?_state=secret&digest=x')).toBe('http://h/v2/r/blobs/uploads/u?…')
  })
})

describe('Transport against a loopback server', () => {
  it('retries 503 twice, then returns the 200', async () => {
    scripts.set('/flaky', [status(503), status(503)])
    const notices: RetryNotice[] = []
    const response = await quickTransport(notices).request(() => ({ url: `${base}/flaky` }))
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok 0')
    expect(seen.get('/flaky')!.length).toBe(3)
    expect(notices.map((n) => [n.attempt, n.reason])).toEqual([
      [1, 'HTTP 503'],
      [2, 'HTTP 503'],
    ])
  })

  it('waits as long as a 429 Retry-After asks, capped by maxDelayMs', async () => {
    scripts.set('/limited', [status(429, { 'retry-after': '1' })])
    scripts.set('/limited-long', [status(429, { 'retry-after': '3600' })])
    const notices: RetryNotice[] = []
    const transport = quickTransport(notices, { maxDelayMs: 20 })
    expect((await transport.request(() => ({ url: `${base}/limited` }))).status).toBe(200)
    expect((await transport.request(() => ({ url: `${base}/limited-long` }))).status).toBe(200)
    expect(notices.map((n) => [n.reason, n.delayMs])).toEqual([
      ['HTTP 429', 20],
      ['HTTP 429', 20],
    ])
  })

  it('honours Retry-After: 1 as one second when under the cap', async () => {
    scripts.set('/limited-1s', [status(429, { 'retry-after': '1' })])
    const notices: RetryNotice[] = []
    const response = await quickTransport(notices).request(() => ({ url: `${base}/limited-1s` }))
    expect(response.status).toBe(200)
    expect(seen.get('/limited-1s')!.length).toBe(2)
    expect(notices.map((n) => n.delayMs)).toEqual([1000])
  })

  it('returns the last 5xx after the bounded number of attempts', async () => {
    scripts.set(
      '/down',
      Array.from({ length: 10 }, () => status(500)),
    )
    const response = await quickTransport([], { attempts: 4 }).request(() => ({ url: `${base}/down` }))
    expect(response.status).toBe(500)
    expect(seen.get('/down')!.length).toBe(4)
  })

  it('does not retry a 4xx', async () => {
    scripts.set('/bad', [status(400)])
    const response = await quickTransport([]).request(() => ({ url: `${base}/bad` }))
    expect(response.status).toBe(400)
    expect(seen.get('/bad')!.length).toBe(1)
  })

  it('retries a reset connection, re-opening a streamed body for each attempt', async () => {
    scripts.set('/upload', [reset, status(502)])
    let opened = 0
    const response = await quickTransport([]).request(() => {
      opened++
      return {
        url: `${base}/upload`,
        method: 'PUT',
        body: Readable.from([Buffer.from('kernel '), Buffer.from('bytes')]),
        duplex: 'half',
      }
    })
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('ok 12')
    expect(opened).toBe(3)
    expect(seen.get('/upload')!.map((r) => r.body)).toEqual(['kernel bytes', 'kernel bytes', 'kernel bytes'])
  })

  it('stops retrying when the overall deadline would pass during the wait', async () => {
    scripts.set('/slow-down', [status(503, { 'retry-after': '60' }), status(503)])
    const response = await quickTransport([], { operationTimeoutMs: 5_000, maxDelayMs: 60_000 }).request(() => ({ url: `${base}/slow-down` }))
    expect(response.status).toBe(503)
    expect(seen.get('/slow-down')!.length).toBe(1)
  })

  it('aborts an attempt whose headers do not come in time and reports TIMEOUT after the last attempt', async () => {
    const hang: Script = () => undefined // never answers
    scripts.set('/hang', [hang, hang])
    const error = await quickTransport([], { attempts: 2, headersTimeoutMs: 100 })
      .request(() => ({ url: `${base}/hang` }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe('TIMEOUT')
    expect(seen.get('/hang')!.length).toBe(2)
  })

  it('fails at once with ECONNREFUSED when nothing listens', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const notices: RetryNotice[] = []
    const error = await quickTransport(notices)
      .request(() => ({ url: `http://127.0.0.1:${port}/v2/` }))
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as Error).message).toBe(`GET http://127.0.0.1:${port}/v2/: cannot connect (ECONNREFUSED)`)
    expect(notices).toEqual([])
  })
})

describe('where credentials may go', () => {
  it('only to the same scheme, host and port as the registry', () => {
    expect(mayCarryCredentials('https://ghcr.io/v2/o/k', 'https://ghcr.io/v2/o/k/blobs/uploads/1?_state=x')).toBe(true)
    expect(mayCarryCredentials('https://ghcr.io/v2/o/k', 'https://ghcr.io:443/x')).toBe(true)
    expect(mayCarryCredentials('https://ghcr.io/v2/o/k', 'https://pkg-containers.githubusercontent.com/x')).toBe(false)
    expect(mayCarryCredentials('https://ghcr.io/v2/o/k', 'http://ghcr.io/x')).toBe(false)
    expect(mayCarryCredentials('http://127.0.0.1:5000/v2/k', 'http://127.0.0.1:5001/x')).toBe(false)
    expect(mayCarryCredentials('http://127.0.0.1:5000/v2/k', 'http://127.0.0.2:5000/x')).toBe(false)
  })

  it('a switch from https to http is a downgrade; the other way is not', () => {
    expect(isDowngrade('https://r.example/v2/', 'http://r.example/upload')).toBe(true)
    expect(isDowngrade('https://r.example/v2/', 'https://s.example/upload')).toBe(false)
    expect(isDowngrade('http://127.0.0.1:5000/v2/', 'https://127.0.0.1:5000/x')).toBe(false)
  })
})

describe('time bounds and restarts', () => {
  it('gives up at the operation deadline, after several shorter header timeouts', async () => {
    const hang: Script = () => undefined
    scripts.set(
      '/never',
      Array.from({ length: 50 }, () => hang),
    )
    const transport = quickTransport([], { attempts: 50, headersTimeoutMs: 100, operationTimeoutMs: 700 })
    const error = await transport.request(() => ({ url: `${base}/never` })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe('DEADLINE')
    expect(seen.get('/never')!.length).toBeGreaterThan(1)
  })

  it('retries a refused connection right after a reset: the registry is restarting', async () => {
    let restarted: http.Server | undefined
    const flaky = http.createServer((request) => {
      request.socket.destroy()
      flaky.close()
    })
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve))
    const port = (flaky.address() as AddressInfo).port
    const notices: RetryNotice[] = []
    const transport = new Transport({
      baseDelayMs: 200,
      random: () => 0,
      onRetry: (notice) => {
        notices.push(notice)
        if (notice.reason === 'ECONNREFUSED' && restarted === undefined) {
          restarted = http.createServer((_request, response) => response.end('back'))
          restarted.listen(port, '127.0.0.1')
        }
      },
    })
    try {
      const response = await transport.request(() => ({ url: `http://127.0.0.1:${port}/v2/` }))
      expect(await response.text()).toBe('back')
      expect(notices.map((n) => n.reason)).toEqual(['UND_ERR_SOCKET', 'ECONNREFUSED'])
    } finally {
      restarted?.closeAllConnections()
      await new Promise((resolve) => restarted?.close(resolve))
    }
  })

  it('gives up once the silence budget is spent by lost requests, and reports SILENT, not the deadline', async () => {
    const hang: Script = () => undefined
    scripts.set(
      '/silent',
      Array.from({ length: 10 }, () => hang),
    )
    const started = Date.now()
    const error = await quickTransport([], { attempts: 10, headersTimeoutMs: 100, silenceMs: 250, operationTimeoutMs: 10_000 })
      .request(() => ({ url: `${base}/silent` }))
      .catch((e: unknown) => e)
    expect([(error as ConnectionError).code, (error as Error).message]).toEqual(['SILENT', `GET ${base}/silent: cannot connect (SILENT)`])
    expect(seen.get('/silent')!.length).toBe(3) // 100 + 100 + the 50 left
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('any answer refills the silence budget: a registry losing every other answer is still ridden out', async () => {
    const hang: Script = () => undefined
    scripts.set('/lossy', [hang, status(503), hang, status(503), hang, status(503), hang])
    const response = await quickTransport([], { attempts: 10, headersTimeoutMs: 100, silenceMs: 150, operationTimeoutMs: 10_000 }).request(() => ({
      url: `${base}/lossy`,
    }))
    expect(response.status).toBe(200) // 400 ms without an answer in all, but never 150 in a row
    expect(seen.get('/lossy')!.length).toBe(8)
  })

  it('a request that cannot be built is an internal error that does not show the header', async () => {
    const error = await quickTransport([])
      .request(() => ({ url: `${base}/never-sent`, headers: { authorization: 'Bearer half\r\nother-half' } }))
      .catch((e: unknown) => e)
    expect(error).toEqual(new InternalError(`GET ${base}/never-sent could not be sent (TypeError)`))
    expect(seen.get('/never-sent')).toBeUndefined()
  })

  it('takes its backoff from KERNEL_ACTION_RETRY_BASE_MS and KERNEL_ACTION_RETRY_MAX_MS when set', () => {
    const transport = new Transport({}, { KERNEL_ACTION_RETRY_BASE_MS: '7', KERNEL_ACTION_RETRY_MAX_MS: '70' })
    expect([transport.options.baseDelayMs, transport.options.maxDelayMs]).toEqual([7, 70])
    expect([new Transport({}, {}).options.baseDelayMs, new Transport({}, { KERNEL_ACTION_RETRY_BASE_MS: 'soon' }).options.baseDelayMs]).toEqual([
      500, 500,
    ])
  })
})
