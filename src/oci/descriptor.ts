// A descriptor as found in a manifest, an index or a layout's index.json, checked field by field before anything
// uses it: its digest becomes a file name and a URL, its size a read bound. Hostile values are input errors that
// name the field, never an internal error further down.
import { InputError } from '../errors.js'
import { isSha256Digest } from './digest.js'
import type { Descriptor } from './types.js'

/** No blob of a kernel image comes near this (a kernel is tens of MiB, addons a few hundred): a bound, not a limit. */
const MAX_BLOB_BYTES = 16 * 1024 * 1024 * 1024

/** `where: field.digest …`: the checked descriptor, or an InputError naming the first field at fault. */
export function checkDescriptor(value: unknown, field: string, where: string): Descriptor {
  const fail = (what: string): never => {
    throw new InputError(`${where}: ${field}${what}`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) fail(' is not a descriptor (a JSON object)')
  const d = value as Record<string, unknown>
  if (typeof d.mediaType !== 'string') fail(`.mediaType ${shown(d.mediaType)} is not a string`)
  checkDigest(d.digest, `${field}.digest`, where)
  const size = d.size
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_BLOB_BYTES) {
    fail(`.size ${shown(size)} is not a byte count from 0 to ${MAX_BLOB_BYTES}`)
  }
  if (d.annotations !== undefined && !isStringMap(d.annotations)) fail('.annotations is not an object of strings')
  if (d.platform !== undefined) {
    const p = d.platform as Record<string, unknown> | null
    if (p === null || typeof p !== 'object' || Array.isArray(p)) fail('.platform is not an object')
    for (const key of ['os', 'architecture', 'variant']) {
      if (p![key] !== undefined && typeof p![key] !== 'string') fail(`.platform.${key} ${shown(p![key])} is not a string`)
    }
  }
  return d as unknown as Descriptor
}

/** A digest this action can name a file or URL after: `sha256:<64 lowercase hex>`. */
function checkDigest(value: unknown, field: string, where: string): string {
  if (typeof value === 'string' && isSha256Digest(value)) return value
  const algorithm = typeof value === 'string' ? /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):[a-zA-Z0-9=_-]+$/.exec(value)?.[1] : undefined
  if (algorithm !== undefined && algorithm !== 'sha256') {
    throw new InputError(`${where}: ${field} ${shown(value)} uses ${algorithm}; only sha256 digests are read`)
  }
  throw new InputError(`${where}: ${field} ${shown(value)} is not a sha256:<64 hex> digest`)
}

function isStringMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}

/** A hostile value, quoted for a one-line message and cut short. */
function shown(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value)
  return text.length > 80 ? `${text.slice(0, 77)}...` : text
}
