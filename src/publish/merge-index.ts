// The pure half of a merge: which images the `merge` input names, whether they may share one index, and that index.
import path from 'node:path'
import { archOfOci, OCI_ARCHES, type OciArch } from '../arch.js'
import { InputError } from '../errors.js'
import { imageIndex, serializeJson } from '../oci/image.js'
import { isSha256Digest } from '../oci/digest.js'
import { parseImageReference, sameRepository, type ImageReference, type RepositoryRef } from '../oci/reference.js'
import { MediaType, type Descriptor, type ImageManifest, type Platform, type SerializedManifest } from '../oci/types.js'
import { expandTags } from './tags.js'

const INPUT = 'merge'
// Per-image facts that have no single value for an index; `tags` is rewritten with the index's own tags.
const PER_IMAGE_KEYS = new Set(['dev.edera.kernel.arch', 'dev.edera.kernel.tags', 'org.opencontainers.image.ref.name'])

/** Where merged images are read from and the index goes: a registry repository, or a local OCI layout folder. */
export type MergeTarget = { kind: 'registry'; ref: RepositoryRef; name: string } | { kind: 'layout'; dir: string }

/** One line of the `merge` input: `sha256:…`, `REPOSITORY@sha256:…` or `oci:LAYOUT@sha256:…` (the `image-ref` output). */
export function parseMergeSources(lines: readonly string[], target: MergeTarget): string[] {
  const digests: string[] = []
  for (const line of lines) {
    const digest = isSha256Digest(line) ? line : digestOfReference(line, target)
    if (digests.includes(digest)) throw new InputError(`${INPUT}: ${digest} is listed twice`)
    digests.push(digest)
  }
  return digests
}

/** `REPOSITORY@digest` or `oci:LAYOUT@digest`, read by the one reference grammar, naming where the index goes. */
function digestOfReference(line: string, target: MergeTarget): string {
  const notADigest = (): InputError => new InputError(`${INPUT}: ${JSON.stringify(line)} is not a sha256 digest or REPOSITORY@sha256:<64 hex>`)
  const at = line.lastIndexOf('@')
  if (at < 0 || !isSha256Digest(line.slice(at + 1))) throw notADigest()
  let ref: ImageReference
  try {
    ref = parseImageReference(line)
  } catch (error) {
    throw new InputError(`${INPUT}: ${(error as Error).message}`)
  }
  if (ref.digest === undefined) throw notADigest()
  const named = line.slice(0, at)
  if (ref.kind === 'layout') {
    if (target.kind === 'layout' && path.resolve(ref.dir) === path.resolve(target.dir)) return ref.digest
    const into = target.kind === 'layout' ? `the OCI layout ${target.dir}` : target.name
    throw new InputError(`${INPUT}: ${line} is in the OCI layout ${ref.dir}, but the index goes to ${into}; the images must be where the index goes`)
  }
  if (target.kind === 'layout') {
    throw new InputError(
      `${INPUT}: ${line} names a registry repository, but input repository is empty (merging into the OCI layout ${target.dir}); set repository`,
    )
  }
  if (!sameRepository(ref.repository, target.ref)) {
    // distribution rejects an index whose children are in another repository (MANIFEST_BLOB_UNKNOWN).
    throw new InputError(
      `${INPUT}: ${line} is in ${named}, not in ${target.name}; every image of an index must be in the repository the index goes to`,
    )
  }
  return ref.digest
}

/** What was read for one `merge` entry: its manifest (bytes digested by the reader) and its image config. */
export interface MergeImage {
  descriptor: Descriptor
  manifest: ImageManifest
  config: unknown
}

export interface MergeOptions {
  tagTemplates: readonly string[]
  /** No tags: the index is written by digest only. */
  pushByDigest: boolean
  /** The user's `annotations`, put on the index last (they win). */
  annotations: Record<string, string>
  /** Inputs `version` / `flavor`: when given, the images must carry these. */
  version?: string
  flavor?: string
}

export interface MergePlan {
  index: SerializedManifest
  tags: string[]
  version: string
  flavor: string
  platforms: { architecture: OciArch; digest: string }[]
}

/**
 * Checks that the images are one kernel (same `dev.edera.kernel.version` and `.flavor`) for distinct platforms krata
 * can pick (`linux` + `amd64`/`arm64`), and builds the index: entries in architecture order, so the digest does not
 * depend on the order the matrix jobs finished in; the shared kernel annotations on the index too.
 */
export function planKernelIndex(images: readonly MergeImage[], options: MergeOptions): MergePlan {
  if (images.length === 0) throw new InputError(`${INPUT}: no images to merge`)
  const entries = images.map((image) => ({ image, platform: platformOf(image) }))
  for (const [i, a] of entries.entries()) {
    for (const b of entries.slice(i + 1)) {
      if (a.platform.architecture === b.platform.architecture) {
        throw new InputError(
          `${INPUT}: ${a.image.descriptor.digest} and ${b.image.descriptor.digest} are both linux/${a.platform.architecture}; an index holds one image per platform`,
        )
      }
    }
  }
  const version = sharedAnnotation(images, 'dev.edera.kernel.version', 'versions')
  const flavor = sharedAnnotation(images, 'dev.edera.kernel.flavor', 'flavors')
  if (options.version && options.version !== version) {
    throw new InputError(`${INPUT}: the images are kernel ${version}, but input version is ${options.version}`)
  }
  if (options.flavor && options.flavor !== flavor) {
    throw new InputError(`${INPUT}: the images are flavor ${flavor}, but input flavor is ${options.flavor}`)
  }
  entries.sort((a, b) => OCI_ARCHES.indexOf(a.platform.architecture) - OCI_ARCHES.indexOf(b.platform.architecture))
  const architectures = entries.map((e) => e.platform.architecture)
  const tags = options.pushByDigest ? [] : indexTags(options.tagTemplates, version, flavor, architectures)

  const annotations: Record<string, string> = { ...agreedAnnotations(images) }
  if (tags.length > 0) annotations['dev.edera.kernel.tags'] = tags.join(',')
  Object.assign(annotations, options.annotations)
  const index = serializeJson(
    imageIndex({
      manifests: entries.map(({ image, platform }) => ({
        mediaType: image.descriptor.mediaType,
        digest: image.descriptor.digest,
        size: image.descriptor.size,
        platform,
      })),
      annotations,
    }),
    MediaType.index,
  )
  return {
    index,
    tags,
    version,
    flavor,
    platforms: entries.map(({ image, platform }) => ({ architecture: platform.architecture, digest: image.descriptor.digest })),
  }
}

function platformOf(image: MergeImage): Platform & { architecture: OciArch } {
  const { digest } = image.descriptor
  if (image.descriptor.mediaType !== MediaType.manifest) {
    const what =
      image.descriptor.mediaType === MediaType.index || image.descriptor.mediaType === MediaType.dockerManifestList
        ? 'an image index, not one image: list the per-architecture digests'
        : `a ${image.descriptor.mediaType || 'manifest of no media type'}, not an OCI image manifest`
    throw new InputError(`${INPUT}: ${digest} is ${what}`)
  }
  const config = (typeof image.config === 'object' && image.config !== null ? image.config : {}) as Record<string, unknown>
  const { architecture, os, variant } = config
  if (os !== 'linux') throw new InputError(`${INPUT}: ${digest} has os ${JSON.stringify(os)} in its image config; krata runs linux images only`)
  if (!(OCI_ARCHES as readonly unknown[]).includes(architecture)) {
    throw new InputError(
      `${INPUT}: ${digest} has architecture ${JSON.stringify(architecture)} in its image config; krata picks only amd64 or arm64 from an index`,
    )
  }
  const arch = architecture as OciArch
  const annotated = image.manifest.annotations?.['dev.edera.kernel.arch']
  if (annotated !== undefined && annotated !== archOfOci(arch)) {
    throw new InputError(`${INPUT}: ${digest} says dev.edera.kernel.arch=${annotated}, but its image config says ${arch}`)
  }
  return { os: 'linux', architecture: arch, ...(typeof variant === 'string' && variant !== '' ? { variant } : {}) }
}

function sharedAnnotation(images: readonly MergeImage[], key: string, what: string): string {
  const values = images.map((image) => {
    const value = image.manifest.annotations?.[key]
    if (value === undefined || value === '') {
      throw new InputError(`${INPUT}: ${image.descriptor.digest} has no ${key} annotation; merge takes kernel images published by this action`)
    }
    return { digest: image.descriptor.digest, value }
  })
  const other = values.find((v) => v.value !== values[0]!.value)
  if (other !== undefined) {
    throw new InputError(
      `${INPUT}: images of different kernel ${what}: ${values[0]!.digest} is ${values[0]!.value}, ${other.digest} is ${other.value}`,
    )
  }
  return values[0]!.value
}

/** The `dev.edera.kernel.*` and `org.opencontainers.image.*` annotations every image carries with the same value. */
function agreedAnnotations(images: readonly MergeImage[]): Record<string, string> {
  const first = images[0]!.manifest.annotations ?? {}
  const agreed: Record<string, string> = {}
  for (const [key, value] of Object.entries(first)) {
    if (!key.startsWith('dev.edera.kernel.') && !key.startsWith('org.opencontainers.image.')) continue
    if (PER_IMAGE_KEYS.has(key)) continue
    if (images.every((image) => image.manifest.annotations?.[key] === value)) agreed[key] = value
  }
  return agreed
}

function indexTags(templates: readonly string[], version: string, flavor: string, architectures: OciArch[]): string[] {
  const withArch = templates.find((t) => /\{\{\s*arch\s*\}\}/.test(t))
  if (withArch !== undefined && architectures.length > 1) {
    throw new InputError(`${INPUT}: tags: {{arch}} in ${JSON.stringify(withArch)} has no one value for an index of ${architectures.join(' and ')}`)
  }
  try {
    return expandTags(templates, { version, flavor, arch: archOfOci(architectures[0])! })
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`${INPUT}: ${error.message}`)
    throw error
  }
}
