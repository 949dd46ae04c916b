// A fault-injecting reverse proxy on 127.0.0.1 in front of a real registry. Requests and answers are streamed
// through untouched, except those the plan picks: they get an error status, a 429 with Retry-After, a connection
// cut mid-body, a slow answer, no answer at all, or a dropped connection. Plans are deterministic (request
// counters or a seeded PRNG), so a failing test fails the same way every time.
import * as http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Fault =
  /** Answer this status with a JSON error body; the registry never sees the request. */
  | { kind: 'status'; status: number }
  /** Answer 429 Too Many Requests with `Retry-After: seconds`. */
  | { kind: 'throttle'; retryAfterSeconds: number }
  /** Forward the first `afterBytes` of the body to the registry, then cut both connections (no answer). */
  | { kind: 'cut'; afterBytes: number }
  /** Forward normally, but hold the answer back for `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** Read the request, never answer (only the client's timeout ends it). */
  | { kind: 'hang' }
  /** Close the connection without answering, as a registry that went away does. */
  | { kind: 'drop' }
  /** Answer this status with an error whose message echoes the request's headers, as a careless proxy does. */
  | { kind: 'echo'; status: number }
  /** Forward the answer's headers and its first `afterBytes` body bytes, then send nothing more (a stalled download). */
  | { kind: 'stall'; afterBytes: number }

export interface ProxiedRequest {
  /** 1-based arrival order. */
  index: number
  method: string
  /** Path and query as sent. */
  path: string
}

export type FaultPlan = (request: ProxiedRequest) => Fault | undefined

export interface ProxyLogEntry extends ProxiedRequest {
  fault?: Fault['kind']
  /** The status the client was answered, when it got one. */
  status?: number
}

export interface FaultProxy {
  host: string
  url: string
  /** Every request, in arrival order. */
  log: ProxyLogEntry[]
  setPlan(plan: FaultPlan): void
  stop(): Promise<void>
}

/** No faults. */
export const noFaults: FaultPlan = () => undefined

/** Every `n`th request (n, 2n, ...) gets the next fault of `faults`, cycling. */
export function everyNth(n: number, faults: readonly Fault[]): FaultPlan {
  return ({ index }) => (index % n === 0 ? faults[(index / n - 1) % faults.length] : undefined)
}

/** Each request gets a fault with probability `rate`, drawn from a PRNG seeded with `seed` (mulberry32). */
export function seeded(seed: number, rate: number, faults: readonly Fault[]): FaultPlan {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return () => {
    const roll = next()
    const pick = next()
    return roll < rate ? faults[Math.floor(pick * faults.length)] : undefined
  }
}

/** The first request that `matches` gets `fault` (once); others go to `otherwise`. */
export function once(matches: (request: ProxiedRequest) => boolean, fault: Fault, otherwise: FaultPlan = noFaults): FaultPlan {
  let used = false
  return (request) => {
    if (!used && matches(request)) {
      used = true
      return fault
    }
    return otherwise(request)
  }
}

/** Every request that `matches` gets `fault`, forever; others go to `otherwise`. */
export function always(matches: (request: ProxiedRequest) => boolean, fault: Fault, otherwise: FaultPlan = noFaults): FaultPlan {
  return (request) => (matches(request) ? fault : otherwise(request))
}

export const isBlobUpload = (r: ProxiedRequest): boolean => r.method === 'PUT' && r.path.includes('/blobs/uploads/')
export const isManifestRequest = (r: ProxiedRequest): boolean => r.path.includes('/manifests/')
/** A PUT of a manifest under a tag (not `sha256:...`). */
export const isTagPut = (r: ProxiedRequest): boolean =>
  r.method === 'PUT' && /\/manifests\/[^/]+$/.test(r.path) && !/\/manifests\/sha256:/.test(r.path)

export async function startFaultProxy(upstream: string, plan: FaultPlan = noFaults): Promise<FaultProxy> {
  const upstreamPort = Number(upstream.split(':')[1])
  const log: ProxyLogEntry[] = []
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let current = plan
  let port = 0
  let count = 0

  const later = (ms: number, work: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer)
      work()
    }, ms)
    timers.add(timer)
  }

  const server = http.createServer((request, response) => {
    const entry: ProxyLogEntry = { index: ++count, method: request.method ?? 'GET', path: request.url ?? '/' }
    log.push(entry)
    const fault = current(entry)
    entry.fault = fault?.kind
    const answer = (status: number, headers: http.OutgoingHttpHeaders, body: string): void => {
      entry.status = status
      response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers })
      response.end(body)
    }
    const errorBody = (code: string, message: string): string => JSON.stringify({ errors: [{ code, message, detail: null }] })

    switch (fault?.kind) {
      case 'status':
        // Read the whole body first, so the client is not cut off while it still sends.
        request.resume()
        request.once('end', () => answer(fault.status, {}, errorBody('UNAVAILABLE', `injected ${fault.status}`)))
        return
      case 'throttle':
        request.resume()
        request.once('end', () => answer(429, { 'retry-after': String(fault.retryAfterSeconds) }, errorBody('TOOMANYREQUESTS', 'injected 429')))
        return
      case 'echo': {
        const echoed = Object.entries(request.headers)
          .map(([name, value]) => `${name}: ${String(value)}`)
          .join('; ')
        request.resume()
        request.once('end', () => answer(fault.status, {}, errorBody('DENIED', `request refused: ${echoed}`)))
        return
      }
      case 'hang':
        request.resume()
        return
      case 'drop':
        request.socket.destroy()
        return
      default:
        break
    }

    const headers = { ...request.headers }
    const forward = http.request({ host: '127.0.0.1', port: upstreamPort, method: request.method, path: request.url, headers }, (upstreamAnswer) => {
      const send = (): void => {
        const answerHeaders = { ...upstreamAnswer.headers }
        // distribution builds Location from the Host header (ours); rewrite in case it used its own address.
        if (typeof answerHeaders.location === 'string') {
          answerHeaders.location = answerHeaders.location.replace(`http://${upstream}`, `http://127.0.0.1:${port}`)
        }
        entry.status = upstreamAnswer.statusCode
        response.writeHead(upstreamAnswer.statusCode ?? 502, answerHeaders)
        if (fault?.kind === 'stall') {
          let sent = 0
          upstreamAnswer.on('data', (chunk: Buffer) => {
            if (sent < fault.afterBytes) response.write(chunk.subarray(0, fault.afterBytes - sent))
            sent += chunk.length
          })
          return
        }
        upstreamAnswer.pipe(response)
      }
      if (fault?.kind === 'slow') later(fault.delayMs, send)
      else send()
    })
    forward.on('error', () => request.socket.destroy())
    if (fault?.kind === 'cut') {
      let seen = 0
      request.on('data', (chunk: Buffer) => {
        if (seen >= fault.afterBytes) return
        const room = fault.afterBytes - seen
        seen += chunk.length
        forward.write(room >= chunk.length ? chunk : chunk.subarray(0, room))
        if (seen >= fault.afterBytes) {
          forward.destroy()
          request.socket.destroy()
        }
      })
      // A body shorter than the cut (or none): cut when it ends.
      request.on('end', () => {
        forward.destroy()
        request.socket.destroy()
      })
      return
    }
    request.pipe(forward)
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    log,
    setPlan: (next) => {
      current = next
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer)
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
