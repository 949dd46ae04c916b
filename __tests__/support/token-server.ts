// A ghcr.io look-alike on 127.0.0.1: a token endpoint plus a streaming reverse proxy that demands Bearer tokens
// in front of a real (anonymous) registry, so the Bearer flow is proven against real registry behaviour.
import { randomBytes } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TokenServerOptions {
  /** `127.0.0.1:PORT` of the registry behind the proxy. */
  upstream: string
  user: string
  pass: string
  service?: string
  /** Which JSON field carries the token: ghcr.io sends `token`, others `access_token`. */
  tokenField?: 'token' | 'access_token'
}

export interface TokenRequest {
  service: string | null
  scopes: string[]
  /** The username that asked, or undefined for an anonymous request. */
  user: string | undefined
}

export interface RunningTokenServer {
  host: string
  url: string
  /** Every request made to /token, in order. */
  tokenRequests: TokenRequest[]
  /** Tokens seen on proxied requests, to prove they were used. */
  tokensUsed: Set<string>
  /** Forget every token issued so far, as if they had expired. */
  expireTokens(): void
  stop(): Promise<void>
}

export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const service = options.service ?? 'test-registry'
  const issued = new Set<string>()
  const tokenRequests: TokenRequest[] = []
  const tokensUsed = new Set<string>()
  let port = 0

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname === '/token') {
      const basic = decodeBasic(request.headers.authorization)
      tokenRequests.push({ service: url.searchParams.get('service'), scopes: url.searchParams.getAll('scope'), user: basic?.user })
      if (basic === undefined || basic.user !== options.user || basic.pass !== options.pass) {
        response.writeHead(401, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }))
        return
      }
      const token = randomBytes(24).toString('hex')
      issued.add(token)
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ [options.tokenField ?? 'token']: token, expires_in: 300 }))
      return
    }

    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1]
    if (bearer === undefined || !issued.has(bearer)) {
      const name = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(url.pathname)?.[1]
      const scope = name === undefined ? '' : `,scope="repository:${name}:pull,push"`
      request.resume()
      response.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="${service}"${scope}`,
      })
      response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
      return
    }
    tokensUsed.add(bearer)

    const headers = { ...request.headers }
    delete headers.authorization
    const upstream = http.request(
      { host: '127.0.0.1', port: Number(options.upstream.split(':')[1]), method: request.method, path: request.url, headers },
      (answer) => {
        const answerHeaders = { ...answer.headers }
        // distribution builds Location from the Host header, which we pass through; rewrite in case it did not.
        if (typeof answerHeaders.location === 'string') {
          answerHeaders.location = answerHeaders.location.replace(`http://${options.upstream}`, `http://127.0.0.1:${port}`)
        }
        response.writeHead(answer.statusCode ?? 502, answerHeaders)
        answer.pipe(response)
      },
    )
    upstream.on('error', () => response.destroy())
    request.pipe(upstream)
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    tokenRequests,
    tokensUsed,
    expireTokens: () => issued.clear(),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function decodeBasic(header: string | undefined): { user: string; pass: string } | undefined {
  const encoded = /^Basic (.+)$/.exec(header ?? '')?.[1]
  if (encoded === undefined) return undefined
  const text = Buffer.from(encoded, 'base64').toString('utf8')
  const colon = text.indexOf(':')
  return colon < 0 ? undefined : { user: text.slice(0, colon), pass: text.slice(colon + 1) }
}
