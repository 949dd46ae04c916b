// The answers to 401 challenges: anonymous, Basic, and the Bearer token flow (with a password or an identity token).
import { InputError } from '../../errors.js'
import { isLoopbackRegistry } from '../reference.js'
import { identityTokenUser, type Credentials } from './docker-config.js'
import { RegistryError } from './errors.js'
import { readLimited, type Authenticator, type Operation, type Transport } from './transport.js'

export { readDockerConfigCredentials, type Credentials } from './docker-config.js'

/** A token answer is a few KiB (a JWT with its certificate); anything near this is not a token. */
const tokenBodyLimit = 256 * 1024

/** A parsed `WWW-Authenticate` header: the scheme and its parameters (realm, service, scope...). */
export interface Challenge {
  scheme: string
  params: Record<string, string>
}

/** `Bearer realm="https://x/token",service="x",scope="repository:a:pull"` → {scheme: 'bearer', params}. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (header === null) return undefined
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header)
  if (match === null) return undefined
  const params: Record<string, string> = {}
  const param = /([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy
  const rest = match[2]!
  let found: RegExpExecArray | null
  while ((found = param.exec(rest)) !== null && found[0] !== '') {
    params[found[1]!.toLowerCase()] = found[2] !== undefined ? found[2].replace(/\\(.)/g, '$1') : found[3]!
  }
  return { scheme: match[1]!.toLowerCase(), params }
}

export interface RegistryAuthOptions {
  registry: string
  /** The registry's origin (`https://ghcr.io`): the one place its credentials and tokens are sent. */
  origin: string
  credentials?: Credentials
  /** Called with every password and token, so the caller can mask it in logs (core.setSecret). */
  onSecret?: (value: string) => void
  /** Allow a token realm on plain HTTP off loopback (credentials would travel in clear). */
  insecure?: boolean
  transport: Transport
}

/**
 * Holds what to send as `Authorization` for a registry and learns it from 401 challenges.
 * Tokens are cached per set of scopes.
 */
export class RegistryAuth implements Authenticator {
  readonly registry: string
  readonly origin: string
  readonly username: string | undefined
  private readonly basic: string | undefined
  /** An OAuth2 refresh token (Docker's identity token), exchanged at the realm instead of Basic credentials. */
  private readonly identityToken: string | undefined
  private readonly onSecret: (value: string) => void
  private readonly transport: Transport
  private readonly insecure: boolean
  private scheme: 'none' | 'basic' | 'bearer' = 'none'
  private readonly tokens = new Map<string, string>()
  /** Every password, credential and token seen, to scrub from text a registry sends back. */
  private readonly secrets = new Set<string>()

  constructor(options: RegistryAuthOptions) {
    this.registry = options.registry
    this.origin = new URL(options.origin).origin
    this.transport = options.transport
    this.insecure = options.insecure ?? false
    this.onSecret = options.onSecret ?? (() => undefined)
    const credentials = options.credentials
    if (credentials !== undefined) checkOneLine(this.registry, credentials)
    if (credentials !== undefined && credentials.username === identityTokenUser) {
      this.username = undefined
      this.identityToken = credentials.password
      this.onSecret(credentials.password)
      if (credentials.password !== '') this.secrets.add(credentials.password)
    } else if (credentials !== undefined) {
      this.username = credentials.username
      this.basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')
      this.onSecret(credentials.password)
      this.onSecret(this.basic)
      for (const secret of [credentials.password, this.basic]) if (secret !== '') this.secrets.add(secret)
    }
  }

  get hasCredentials(): boolean {
    return this.basic !== undefined || this.identityToken !== undefined
  }

  /** The header to send for a request needing `scopes`, if one is known yet. */
  authorization(scopes: string[]): string | undefined {
    if (this.scheme === 'basic') return `Basic ${this.basic}`
    if (this.scheme === 'bearer') {
      const token = this.tokens.get(scopeKey(scopes))
      return token === undefined ? undefined : `Bearer ${token}`
    }
    return undefined
  }

  /**
   * Answers a 401: returns true if there is now something new to send (retry the request once), false if
   * not. `sent` is the Authorization header the refused request carried. A Bearer challenge always gets a
   * fresh token, which also replaces a cached one that expired.
   */
  async answer(response: Response, scopes: string[], sent: string | undefined, op: Operation): Promise<boolean> {
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    if (challenge === undefined) return false
    if (challenge.scheme === 'basic') {
      if (this.basic === undefined || sent?.startsWith('Basic ')) return false
      this.scheme = 'basic'
      return true
    }
    if (challenge.scheme !== 'bearer' || challenge.params.realm === undefined) return false
    const wanted = new Set(scopes)
    if (challenge.params.scope !== undefined) for (const scope of challenge.params.scope.split(' ')) wanted.add(scope)
    const token = await this.fetchToken(challenge.params.realm, challenge.params.service, [...wanted], op)
    this.onSecret(token)
    this.secrets.add(token)
    this.tokens.set(scopeKey(scopes), token)
    this.scheme = 'bearer'
    return true
  }

  private async fetchToken(realm: string, service: string | undefined, scopes: string[], op: Operation): Promise<string> {
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw new RegistryError(`registry ${this.registry}: token realm "${realm}" is not a URL`)
    }
    if (url.protocol !== 'https:' && !this.insecure && !isLoopbackRegistry(url.host)) {
      throw new RegistryError(`registry ${this.registry}: token realm ${url.origin} is not HTTPS; refusing to send credentials to it`)
    }
    const where = `${url.origin}${url.pathname}`
    const headers: Record<string, string> = { accept: 'application/json' }
    let spec: { url: string; method: string; headers: Record<string, string>; body?: string }
    if (this.identityToken !== undefined) {
      // OAuth2 refresh-token grant, as Docker does with an identity token.
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.identityToken, client_id: 'kernel-action' })
      if (service !== undefined) form.set('service', service)
      form.set('scope', scopes.join(' '))
      headers['content-type'] = 'application/x-www-form-urlencoded'
      spec = { url: url.toString(), method: 'POST', headers, body: form.toString() }
    } else {
      if (service !== undefined) url.searchParams.set('service', service)
      for (const scope of scopes) url.searchParams.append('scope', scope)
      if (this.basic !== undefined) headers.authorization = `Basic ${this.basic}`
      spec = { url: url.toString(), method: 'GET', headers }
    }
    const response = await this.transport.send(spec, op, { tokenRequest: true })
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined)
      throw this.refused(response.status)
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined)
      throw new RegistryError(`registry ${this.registry}: token request to ${where} → ${response.status}`, response.status)
    }
    const text = (await readLimited(response, tokenBodyLimit, `registry ${this.registry}: token answer from ${where}`)).toString('utf8')
    let body: { token?: unknown; access_token?: unknown } = {}
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      // reported below as no token
    }
    const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token
    if (typeof token !== 'string' || token === '') {
      throw new RegistryError(`registry ${this.registry}: token response from ${where} has no token`)
    }
    // Sent back as a header value: anything a header cannot hold is refused here, once, without echoing it.
    if (!/^[\x21-\x7e]+$/.test(token)) {
      throw new RegistryError(
        `registry ${this.registry}: token response from ${where} holds a token with spaces, line breaks or other characters a header cannot carry`,
      )
    }
    return token
  }

  /**
   * `text` (e.g. an error body a registry or proxy sent back, which may echo the request) without any known secret
   * or any `Basic`/`Bearer` credential.
   */
  redact(text: string): string {
    let clean = text.replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 ***')
    for (const secret of this.secrets) clean = clean.split(secret).join('***')
    return clean
  }

  /** The one-line error for credentials the registry does not accept (or their absence). */
  refused(status: number): InputError {
    if (!this.hasCredentials) {
      return new InputError(`registry ${this.registry}: authentication required (${status}); no credentials given for ${this.registry}`)
    }
    if (this.username === undefined) return new InputError(`registry ${this.registry}: authentication failed with the identity token (${status})`)
    return new InputError(`registry ${this.registry}: authentication failed for user "${this.username}" (${status})`)
  }

  /**
   * The one-line error for a 401 of the registry that cannot be answered (any more): a token that lacks the scope
   * asked for, or credentials refused (or absent).
   */
  refusal(response: Response, scopes: string[], sent: string | undefined): Error {
    const challenge = parseChallenge(response.headers.get('www-authenticate'))
    const lacksScope = challenge?.params.error === 'insufficient_scope' && sent?.startsWith('Bearer ') === true
    return lacksScope && this.hasCredentials ? this.insufficientScope(scopes) : this.refused(401)
  }

  /** The one-line error for a token that is valid but does not allow what was asked (e.g. push). */
  insufficientScope(scopes: string[]): RegistryError {
    const who = this.username !== undefined ? `user "${this.username}"` : this.hasCredentials ? 'the identity token' : 'an anonymous user'
    return new RegistryError(`registry ${this.registry}: ${who} is not allowed ${scopes.join(' ')} (insufficient_scope)`, 401, 'insufficient_scope')
  }
}

/**
 * Credentials are one line: a CR or LF (a password pasted with its newline, a token file's last line) would make a
 * header that cannot be sent, or a different secret than meant. Refused up front, naming the part, never showing it.
 */
function checkOneLine(registry: string, credentials: Credentials): void {
  const broken = (text: string): boolean => /[\r\n\0]/.test(text)
  const parts: [string, string][] =
    credentials.username === identityTokenUser
      ? [['identity token', credentials.password]]
      : [
          ['username', credentials.username],
          ['password', credentials.password],
        ]
  const bad = parts.find(([, text]) => broken(text))
  if (bad !== undefined) {
    throw new InputError(
      `registry ${registry}: the ${bad[0]} contains a line break or NUL character; a credential is one line (check how it was pasted or read)`,
    )
  }
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ')
}
