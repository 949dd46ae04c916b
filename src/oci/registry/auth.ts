// Registry credentials and the answers to 401 challenges: anonymous, Basic, and the Bearer token flow.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../../errors.js'
import { dockerHubRegistry, isLoopbackRegistry } from '../reference.js'
import type { Transport } from './transport.js'

export interface Credentials {
  username: string
  password: string
}

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

/**
 * Credentials for `registry` from `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, as `docker login`
 * and docker/login-action leave them (`auths[host].auth` = base64 "user:pass"). Credential helpers are not run.
 */
export function readDockerConfigCredentials(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): Credentials | undefined {
  const file = path.join(env.DOCKER_CONFIG ?? path.join(home, '.docker'), 'config.json')
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  let config: { auths?: Record<string, { auth?: unknown }> }
  try {
    config = JSON.parse(text)
  } catch {
    throw new InputError(`${file}: not valid JSON`)
  }
  const wanted = registry === dockerHubRegistry ? ['index.docker.io', 'docker.io', dockerHubRegistry] : [registry]
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    // Keys are written as `host`, `https://host` or `https://host/v1/`.
    const host = key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '')
    if (!wanted.includes(host) || typeof entry?.auth !== 'string' || entry.auth === '') continue
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon <= 0) throw new InputError(`${file}: auths["${key}"].auth is not base64 of user:password`)
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  return undefined
}

export interface RegistryAuthOptions {
  registry: string
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
export class RegistryAuth {
  readonly registry: string
  readonly username: string | undefined
  private readonly basic: string | undefined
  private readonly onSecret: (value: string) => void
  private readonly transport: Transport
  private readonly insecure: boolean
  private scheme: 'none' | 'basic' | 'bearer' = 'none'
  private readonly tokens = new Map<string, string>()
  /** Every password, credential and token seen, to scrub from text a registry sends back. */
  private readonly secrets = new Set<string>()

  constructor(options: RegistryAuthOptions) {
    this.registry = options.registry
    this.transport = options.transport
    this.insecure = options.insecure ?? false
    this.onSecret = options.onSecret ?? (() => undefined)
    const credentials = options.credentials
    if (credentials !== undefined) {
      this.username = credentials.username
      this.basic = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')
      this.onSecret(credentials.password)
      this.onSecret(this.basic)
      for (const secret of [credentials.password, this.basic]) if (secret !== '') this.secrets.add(secret)
    }
  }

  get hasCredentials(): boolean {
    return this.basic !== undefined
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
  async answer(response: Response, scopes: string[], sent: string | undefined): Promise<boolean> {
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
    const token = await this.fetchToken(challenge.params.realm, challenge.params.service, [...wanted])
    this.onSecret(token)
    this.secrets.add(token)
    this.tokens.set(scopeKey(scopes), token)
    this.scheme = 'bearer'
    return true
  }

  private async fetchToken(realm: string, service: string | undefined, scopes: string[]): Promise<string> {
    let url: URL
    try {
      url = new URL(realm)
    } catch {
      throw new Error(`registry ${this.registry}: token realm "${realm}" is not a URL`)
    }
    if (url.protocol !== 'https:' && !this.insecure && !isLoopbackRegistry(url.host)) {
      throw new Error(`registry ${this.registry}: token realm ${url.origin} is not HTTPS; refusing to send credentials to it`)
    }
    if (service !== undefined) url.searchParams.set('service', service)
    for (const scope of scopes) url.searchParams.append('scope', scope)
    const headers: Record<string, string> = { accept: 'application/json' }
    if (this.basic !== undefined) headers.authorization = `Basic ${this.basic}`
    const response = await this.transport.request(() => ({ url: url.toString(), method: 'GET', headers }))
    if (response.status === 401 || response.status === 403) {
      await response.body?.cancel().catch(() => undefined)
      throw this.refused(response.status)
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined)
      throw new Error(`registry ${this.registry}: token request to ${url.origin}${url.pathname} → ${response.status}`)
    }
    const body = (await response.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown }
    const token = typeof body.token === 'string' && body.token !== '' ? body.token : body.access_token
    if (typeof token !== 'string' || token === '') {
      throw new Error(`registry ${this.registry}: token response from ${url.origin}${url.pathname} has no token`)
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
    if (this.username === undefined) {
      return new InputError(`registry ${this.registry}: authentication required (${status}); no credentials given for ${this.registry}`)
    }
    return new InputError(`registry ${this.registry}: authentication failed for user "${this.username}" (${status})`)
  }
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ')
}
