// The one grammar for naming images: a repository (where an image goes, parsed the way `docker push` reads it), an
// image reference (`host/repo[:tag|@digest]` or `oci:<layout>[:tag|@digest]`), a tag and a digest. Every input that
// names an image (`repository`, `compare-to`, `merge`, and the verify, install and diff commands) is read here.
import { InputError } from '../errors.js'
import { isSha256Digest } from './digest.js'

export interface RepositoryRef {
  /** Host with optional port, as used in URLs and in ~/.docker/config.json: `ghcr.io`, `127.0.0.1:5000`. */
  registry: string
  /** Path inside the registry: `org/zone-kernel`. */
  repository: string
}

export const dockerHubRegistry = 'registry-1.docker.io'

// OCI distribution spec: a path component, and a tag.
const pathComponent = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/
const tagPattern = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/
// A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const hostPattern = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/

/**
 * `ghcr.io/org/kernel` → {registry: 'ghcr.io', repository: 'org/kernel'}. The first component names a
 * registry only if it has a `.` or `:` or is `localhost` (Docker's rule); otherwise it is Docker Hub.
 */
export function parseRepository(text: string): RepositoryRef {
  const input = text.trim()
  const fail = (why: string): never => {
    throw new InputError(`repository "${text}": ${why}`)
  }
  if (input === '') fail('is empty')
  // `user:password@host/path`: the password must not reach a log, so this message never quotes the input.
  if (hasUserInfo(input)) {
    throw new InputError('repository: must not include a user name or password (user:password@host); give them as username and password')
  }
  if (input.includes('://')) fail('must not include a scheme (write host/path, e.g. ghcr.io/org/kernel)')
  if (input.includes('@')) fail('must not include a digest (give tags in the tags input)')

  const slash = input.indexOf('/')
  const first = slash < 0 ? '' : input.slice(0, slash)
  const namesRegistry = first.includes('.') || first.includes(':') || first === 'localhost'
  let registry = namesRegistry ? first : dockerHubRegistry
  let repository = namesRegistry ? input.slice(slash + 1) : input

  if (namesRegistry && !hostPattern.test(registry)) fail(`"${registry}" is not a valid registry host`)
  const port = /:([0-9]+)$/.exec(registry)?.[1]
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) fail(`port ${port} of "${registry}" is not in 1-65535`)
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = dockerHubRegistry
  if (repository.includes(':')) fail('must not include a tag (give tags in the tags input)')
  if (repository !== repository.toLowerCase()) fail('must be lowercase')
  const components = repository.split('/')
  for (const component of components) {
    if (!pathComponent.test(component)) fail(`"${component}" is not a valid path component ([a-z0-9] separated by . _ __ or -)`)
  }
  if (registry === dockerHubRegistry && components.length === 1) repository = `library/${repository}`
  if (registry.length + 1 + repository.length > 255) fail('is longer than 255 characters')
  return { registry, repository }
}

/** `user:pw@host/path` (with or without a scheme): an `@` in the host part that does not start a digest. */
function hasUserInfo(input: string): boolean {
  const withoutScheme = input.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '')
  const hostPart = withoutScheme.split('/')[0]!
  const at = hostPart.indexOf('@')
  return at >= 0 && !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/.test(hostPart.slice(at + 1))
}

export function isValidTag(tag: string): boolean {
  return tagPattern.test(tag)
}

/** The one message for a tag outside the OCI grammar, prefixed with the input that gave it. */
export function tagError(input: string, tag: string): InputError {
  return new InputError(`${input}: ${JSON.stringify(tag)} is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)`)
}

/** The tag used when a registry reference names neither a tag nor a digest. */
export const DEFAULT_TAG = 'latest'

/** Where an image is read from: `oci:<dir>[:tag|@digest]` or `host[:port]/repo[:tag|@digest]`. */
export type ImageReference =
  | { kind: 'layout'; text: string; dir: string; tag?: string; digest?: string }
  | { kind: 'registry'; text: string; repository: RepositoryRef; tag?: string; digest?: string }

/** Parses `oci:<layout-dir>[:tag|@digest]` or `host[:port]/repo[:tag|@digest]` (tag `latest` when none is given). */
export function parseImageReference(text: string): ImageReference {
  const input = text.trim()
  if (input === '') throw new InputError('image reference is empty')
  // Checked before anything quotes the input: a password in it must never reach a log.
  if (!input.startsWith('oci:') && hasUserInfo(input)) {
    throw new InputError(
      "image reference: must not include a user name or password (user:password@host); use a Docker login or the action's username and password",
    )
  }
  const fail = (why: string): never => {
    throw new InputError(`image reference "${text}": ${why}`)
  }
  const at = input.lastIndexOf('@')
  const digest = at < 0 ? undefined : input.slice(at + 1)
  if (digest !== undefined && !isSha256Digest(digest)) fail(`"${digest}" is not a sha256:<64 hex> digest`)
  const rest = at < 0 ? input : input.slice(0, at)
  const layout = rest.startsWith('oci:')
  const body = layout ? rest.slice('oci:'.length) : rest
  // A tag follows the last ':' that comes after the last '/', so a folder may itself hold ':' only before a '/'.
  const colon = body.lastIndexOf(':')
  const hasTag = digest === undefined && colon > body.lastIndexOf('/')
  const name = hasTag ? body.slice(0, colon) : body
  const given = hasTag ? body.slice(colon + 1) : undefined
  const pinned = digest !== undefined ? { digest } : {}
  if (layout) {
    if (name === '') fail('oci: needs a layout folder')
    if (given === '') fail('empty tag')
    return { kind: 'layout', text: input, dir: name, ...(given !== undefined ? { tag: given } : {}), ...pinned }
  }
  const tag = given ?? (digest === undefined ? DEFAULT_TAG : undefined)
  if (tag !== undefined && !isValidTag(tag)) throw tagError(`image reference "${text}"`, tag)
  let repository: RepositoryRef
  try {
    repository = parseRepository(name)
  } catch (error) {
    throw new InputError(`image reference "${text}": ${(error as Error).message.replace(/^repository "[^"]*": /, '')}`)
  }
  return { kind: 'registry', text: input, repository, ...(tag !== undefined ? { tag } : {}), ...pinned }
}

/** The tag or digest to fetch first; undefined for a layout reference naming neither (its only image, or `latest`). */
export function startingPoint(reference: ImageReference): string | undefined {
  return reference.digest ?? reference.tag ?? (reference.kind === 'registry' ? DEFAULT_TAG : undefined)
}

/** `ghcr.io/org/kernel` and `docker.io/org/kernel` name one repository when their parsed forms agree. */
export function sameRepository(a: RepositoryRef, b: RepositoryRef): boolean {
  return a.registry === b.registry && a.repository === b.repository
}

/** 127.0.0.0/8, localhost and [::1], with or without a port: a registry that may be spoken to over plain HTTP. */
export function isLoopbackRegistry(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:[0-9]+$/, '')
  if (name === 'localhost' || name === '[::1]') return true
  return /^127\.(?:[0-9]{1,3})\.(?:[0-9]{1,3})\.(?:[0-9]{1,3})$/.test(name)
}

/** The base URL of a registry: HTTPS unless it is on loopback or the caller allows insecure HTTP. */
export function registryBaseUrl(registry: string, insecure = false): string {
  const scheme = insecure || isLoopbackRegistry(registry) ? 'http' : 'https'
  return `${scheme}://${registry}`
}
