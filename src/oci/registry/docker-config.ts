// Registry credentials as `docker login` leaves them: `$DOCKER_CONFIG/config.json` (or ~/.docker/config.json), with
// its `auths` entries, its `credHelpers` per registry and its `credsStore` for all, in Docker's order.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../../errors.js'
import { dockerHubRegistry } from '../reference.js'

export interface Credentials {
  /** `<token>` means `password` is an identity token (OAuth2 refresh token), as credential helpers report it. */
  username: string
  password: string
}

interface DockerConfig {
  auths?: Record<string, { auth?: unknown; identitytoken?: unknown }>
  credsStore?: unknown
  credHelpers?: Record<string, unknown>
}

/** The username a credential helper reports for an identity token instead of a password. */
export const identityTokenUser = '<token>'

const helperTimeoutMs = 30_000
const helperOutputLimit = 64 * 1024

/**
 * Credentials for `registry`: `credHelpers[registry]` if set, else `credsStore` if set (Docker then ignores `auths`),
 * else `auths[registry].auth` (base64 "user:pass"). `onSecret` gets every secret a helper returns, before it is used.
 */
export function readDockerConfigCredentials(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
  onSecret: (value: string) => void = () => undefined,
): Credentials | undefined {
  const file = path.join(env.DOCKER_CONFIG ?? path.join(home, '.docker'), 'config.json')
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  let config: DockerConfig
  try {
    config = JSON.parse(text) as DockerConfig
  } catch {
    throw new InputError(`${file}: not valid JSON`)
  }
  const wanted = registry === dockerHubRegistry ? ['index.docker.io', 'docker.io', dockerHubRegistry] : [registry]
  const helperKey = Object.keys(config.credHelpers ?? {}).find((key) => wanted.includes(hostOf(key)))
  if (helperKey !== undefined) {
    return runCredentialHelper(String(config.credHelpers![helperKey]), registry, env, onSecret, `${file}: credHelpers["${helperKey}"]`)
  }
  if (typeof config.credsStore === 'string' && config.credsStore !== '') {
    return runCredentialHelper(config.credsStore, registry, env, onSecret, `${file}: credsStore`)
  }
  for (const [key, entry] of Object.entries(config.auths ?? {})) {
    if (!wanted.includes(hostOf(key))) continue
    if (typeof entry?.identitytoken === 'string' && entry.identitytoken !== '') {
      return { username: identityTokenUser, password: entry.identitytoken }
    }
    if (typeof entry?.auth !== 'string' || entry.auth === '') continue
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon <= 0) throw new InputError(`${file}: auths["${key}"].auth is not base64 of user:password`)
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
  }
  return undefined
}

/** Keys are written as `host`, `https://host` or `https://host/v1/`. */
function hostOf(key: string): string {
  return key.replace(/^[a-z]+:\/\//, '').replace(/\/.*$/, '')
}

/** The server URL a helper was given by `docker login`: Docker Hub keeps its historic v1 URL. */
function serverUrl(registry: string): string {
  return registry === dockerHubRegistry ? 'https://index.docker.io/v1/' : registry
}

/**
 * `docker-credential-<name> get` with the server URL on stdin, answering `{"Username":..,"Secret":..}` on stdout.
 * "credentials not found" is no credentials (as in Docker); a missing helper or any other failure is one line
 * naming the helper and where it was configured. The helper's own output is never shown: it may hold the secret.
 */
function runCredentialHelper(
  name: string,
  registry: string,
  env: NodeJS.ProcessEnv,
  onSecret: (value: string) => void,
  configuredAt: string,
): Credentials | undefined {
  const program = `docker-credential-${name}`
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InputError(`${configuredAt}: "${name}" is not a credential helper name`)
  let stdout: string
  try {
    stdout = execFileSync(program, ['get'], {
      input: serverUrl(registry),
      env,
      encoding: 'utf8',
      timeout: helperTimeoutMs,
      maxBuffer: helperOutputLimit,
      stdio: ['pipe', 'pipe', 'pipe'],
    })
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { status?: number | null; stdout?: string }
    if (failure.code === 'ENOENT') throw new InputError(`${configuredAt}: credential helper ${program} is not on PATH`)
    if (/credentials not found/i.test(String(failure.stdout ?? ''))) return undefined
    const how =
      failure.code === 'ETIMEDOUT' ? `did not answer within ${helperTimeoutMs / 1000} s` : `failed (exit status ${failure.status ?? failure.code})`
    throw new InputError(`${configuredAt}: credential helper ${program} ${how} for ${registry}`)
  }
  let answer: { Username?: unknown; Secret?: unknown }
  try {
    answer = JSON.parse(stdout) as typeof answer
  } catch {
    throw new InputError(`${configuredAt}: credential helper ${program} did not answer JSON for ${registry}`)
  }
  if (typeof answer.Secret !== 'string' || answer.Secret === '' || typeof answer.Username !== 'string') {
    throw new InputError(`${configuredAt}: credential helper ${program} gave no Username and Secret for ${registry}`)
  }
  onSecret(answer.Secret)
  return { username: answer.Username, password: answer.Secret }
}
