// Pure builders for the OCI image config, manifest and index, and their one canonical serialisation.
import { sha256Digest } from './digest.js'
import { MediaType, type Descriptor, type ImageIndex, type ImageManifest, type SerializedManifest } from './types.js'

import type { OciArch } from '../arch.js'
import { InternalError } from '../errors.js'

/** The image config's `architecture`: krata's two, by their OCI names. */
export type ImageArchitecture = OciArch

export interface ImageConfigSpec {
  architecture: ImageArchitecture
  /** RFC 3339 time, e.g. `2024-09-03T00:00:00Z`; fixed by the caller so rebuilds give the same digest. */
  created: string
  /** One per layer, in layer order. */
  diffIds: string[]
  /** What each layer holds (`created_by`), one per layer, in layer order. */
  history: string[]
}

/** The image config as JSON data (`application/vnd.oci.image.config.v1+json`). */
export interface ImageConfig {
  created: string
  architecture: ImageArchitecture
  os: 'linux'
  config: Record<string, never>
  rootfs: { type: 'layers'; diff_ids: string[] }
  history: { created: string; created_by: string }[]
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** krata's config parser requires `history`, so there is always one entry per layer. */
export function imageConfig(spec: ImageConfigSpec): ImageConfig {
  if (!RFC3339.test(spec.created) || Number.isNaN(Date.parse(spec.created))) {
    throw new InternalError(`image creation time is not an RFC 3339 time: ${JSON.stringify(spec.created)}`)
  }
  if (spec.history.length !== spec.diffIds.length) {
    throw new InternalError(`${spec.diffIds.length} layers but ${spec.history.length} history entries`)
  }
  return {
    created: spec.created,
    architecture: spec.architecture,
    os: 'linux',
    config: {},
    rootfs: { type: 'layers', diff_ids: [...spec.diffIds] },
    history: spec.history.map((createdBy) => ({ created: spec.created, created_by: createdBy })),
  }
}

export interface ImageManifestSpec {
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

export function imageManifest(spec: ImageManifestSpec): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: spec.config,
    layers: [...spec.layers],
    ...(hasEntries(spec.annotations) ? { annotations: { ...spec.annotations } } : {}),
  }
}

export interface ImageIndexSpec {
  manifests: Descriptor[]
  annotations?: Record<string, string>
}

export function imageIndex(spec: ImageIndexSpec): ImageIndex {
  return {
    schemaVersion: 2,
    mediaType: MediaType.index,
    manifests: [...spec.manifests],
    ...(hasEntries(spec.annotations) ? { annotations: { ...spec.annotations } } : {}),
  }
}

/**
 * Serialises JSON data once, canonically: no whitespace and object keys sorted at every level, so equal data
 * always gives equal bytes and digest, whatever order the object was built in. Array order is kept.
 */
export function serializeJson(data: unknown, mediaType: string): SerializedManifest {
  const bytes = Buffer.from(canonicalJson(data), 'utf8')
  return { descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length }, bytes }
}

export function canonicalJson(data: unknown): string {
  return JSON.stringify(sortKeys(data))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const item = (value as Record<string, unknown>)[key]
      if (item !== undefined) sorted[key] = sortKeys(item)
    }
    return sorted
  }
  return value
}

function hasEntries(record: Record<string, string> | undefined): record is Record<string, string> {
  return record !== undefined && Object.keys(record).length > 0
}
