// Two token servers on 127.0.0.1. startTokenServer: a ghcr.io look-alike, a token endpoint plus a streaming reverse
// proxy that demands Bearer tokens in front of a real (anonymous) registry. startJwtTokenServer: a real token server
// signing RS256 JWTs for a registry in token mode, which verifies every token itself.
import { execFileSync } from 'node:child_process'
import { X509Certificate, createPrivateKey, randomBytes, sign as cryptoSign } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

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

// --- A real token server for a registry in token mode ------------------------------------------------------------

export interface JwtTokenServerOptions {
  service: string
  issuer: string
  /** Users and the actions each may do on any repository. */
  users: Record<string, { pass: string; actions: string[] }>
  /** Identity tokens (OAuth2 refresh tokens), each standing for a user. */
  refreshTokens?: Record<string, string>
  /** Repositories whose names start with this may be pulled anonymously. */
  publicPrefix?: string
}

export interface JwtTokenRequest {
  method: string
  grant: 'basic' | 'refresh_token' | 'anonymous'
  user: string | undefined
  scopes: string[]
}

export interface RunningJwtTokenServer {
  realm: string
  /** PEM of the self-signed certificate whose key signs every token (the registry's rootcertbundle). */
  certificatePath: string
  tokenRequests: JwtTokenRequest[]
  /** Every token issued, in order. */
  issued: string[]
  /** The next `count` tokens are issued already expired (10 minutes ago, beyond the registry's 60 s leeway). */
  expireNext(count: number): void
  stop(): Promise<void>
}

/**
 * Issues RS256 JWTs the way a Docker token server does: the registry's scopes are granted as far as the user may
 * (a reader asking for pull,push gets pull), the certificate rides in the `x5c` header, and the registry checks
 * everything itself.
 */
export async function startJwtTokenServer(options: JwtTokenServerOptions): Promise<RunningJwtTokenServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-server-'))
  const keyPath = path.join(dir, 'key.pem')
  const certificatePath = path.join(dir, 'cert.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=kernel-action test token issuer',
      '-keyout',
      keyPath,
      '-out',
      certificatePath,
    ],
    {
      stdio: 'ignore',
    },
  )
  const key = createPrivateKey(fs.readFileSync(keyPath))
  const der = new X509Certificate(fs.readFileSync(certificatePath)).raw.toString('base64')
  const tokenRequests: JwtTokenRequest[] = []
  const issued: string[] = []
  let expiring = 0

  const sign = (user: string | undefined, access: { type: string; name: string; actions: string[] }[]): string => {
    const now = Math.floor(Date.now() / 1000)
    const expired = expiring > 0
    if (expired) expiring--
    const header = { alg: 'RS256', typ: 'JWT', x5c: [der] }
    const claims = {
      iss: options.issuer,
      sub: user ?? '',
      aud: options.service,
      iat: expired ? now - 1200 : now,
      nbf: expired ? now - 1200 : now - 10,
      exp: expired ? now - 600 : now + 300,
      jti: randomBytes(12).toString('hex'),
      access,
    }
    const encode = (part: object): string => Buffer.from(JSON.stringify(part)).toString('base64url')
    const input = `${encode(header)}.${encode(claims)}`
    return `${input}.${cryptoSign('sha256', Buffer.from(input), key).toString('base64url')}`
  }

  const grant = (user: string | undefined, scopes: string[]): { type: string; name: string; actions: string[] }[] =>
    scopes.flatMap((scope) => {
      const [type, name, wanted] = scope.split(':') as [string, string, string]
      const allowed = user !== undefined ? options.users[user]!.actions : name.startsWith(options.publicPrefix ?? '\0') ? ['pull'] : []
      const actions = wanted.split(',').filter((action) => allowed.includes(action))
      return type === 'repository' && actions.length > 0 ? [{ type, name, actions }] : []
    })

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://token')
      const refuse = (status: number): void => {
        response.writeHead(status, { 'content-type': 'application/json' })
        response.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }))
      }
      let user: string | undefined
      let scopes: string[]
      let grantKind: JwtTokenRequest['grant']
      if (request.method === 'POST') {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
        scopes = (form.get('scope') ?? '').split(' ').filter((scope) => scope !== '')
        grantKind = 'refresh_token'
        user = options.refreshTokens?.[form.get('refresh_token') ?? '']
        tokenRequests.push({ method: 'POST', grant: grantKind, user, scopes })
        if (form.get('grant_type') !== 'refresh_token' || user === undefined) return refuse(401)
      } else {
        scopes = url.searchParams.getAll('scope')
        const basic = decodeBasic(request.headers.authorization)
        grantKind = basic === undefined ? 'anonymous' : 'basic'
        user = basic?.user
        tokenRequests.push({ method: 'GET', grant: grantKind, user, scopes })
        if (basic !== undefined && options.users[basic.user]?.pass !== basic.pass) return refuse(401)
      }
      const token = sign(user, grant(user, scopes))
      issued.push(token)
      response.writeHead(200, { 'content-type': 'application/json' })
      response.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    realm: `http://127.0.0.1:${port}/token`,
    certificatePath,
    tokenRequests,
    issued,
    expireNext: (count) => {
      expiring = count
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => {
          fs.rmSync(dir, { recursive: true, force: true })
          resolve()
        })
      }),
  }
}
