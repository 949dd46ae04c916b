// "A place holding images", read the same way whatever it is: a registry repository (registry-store.ts) or a local
// OCI layout (layout.ts). Manifests and configs are small checked reads; layers are streams whose digest and size are
// checked while they pass. Every descriptor read from a document is checked (descriptor.ts) before it is used.
import type { Readable } from 'node:stream'
import { InputError } from '../errors.js'
import { checkDescriptor } from './descriptor.js'
import { isIndexDocument, MAX_KERNEL_LAYERS, type ImageConfigJson } from './image-format.js'
import type { Descriptor, ImageIndex, ImageManifest } from './types.js'

/** The distribution spec's bound on a manifest or index (a layout's index.json gets the same). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024
/** An image config of a kernel image is a few hundred bytes. */
export const CONFIG_MAX_BYTES = 4 * 1024 * 1024
/** An index of kernels has one entry per architecture (plus attestations): more is refused before any is fetched. */
const MAX_INDEX_ENTRIES = 256

/** A manifest or index as fetched: its exact bytes, digest, and the media type it was served as. */
export interface FetchedDocument {
  bytes: Buffer
  digest: string
  /** The registry's Content-Type, or the layout descriptor's media type, or the document's own `mediaType`. */
  mediaType: string
}

/** One repository or one layout: the few reads every consumer needs. */
export interface ImageStore {
  /** For messages: `127.0.0.1:5000/org/kernel` or `oci:/path/layout`. */
  readonly name: string
  /** A registry tells an index from a manifest by Content-Type; a layout by the descriptor. */
  readonly kind: 'registry' | 'layout'
  /** The manifest or index at a tag or digest ('' in a layout: its only image, else `latest`), or undefined. */
  fetchManifest(reference: string): Promise<FetchedDocument | undefined>
  /** A small blob (config, metadata layer), refused above `maxBytes`, checked against its descriptor. */
  readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer>
  /** A blob as a stream that fails (instead of ending) when its bytes do not match the descriptor. */
  openBlob(descriptor: Descriptor): Promise<Readable>
}

/** One image manifest, opened: its descriptors checked, its config parsed, its blobs readable from its store. */
export interface OpenedImage {
  /** The reference as given. */
  reference: string
  /** Digest of the image manifest. */
  digest: string
  /** Digest of the index the manifest was picked from, when the reference named an index. */
  indexDigest?: string
  manifest: ImageManifest
  /** The parsed image config JSON. */
  config: ImageConfigJson
  /** The manifest's layer descriptors, in order (at most MAX_KERNEL_LAYERS). */
  layers: Descriptor[]
  readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer>
  openBlob(descriptor: Descriptor): Promise<Readable>
}

export function parseDocument(fetched: FetchedDocument, where: string): Record<string, unknown> {
  let parsed: unknown
  try {
    parsed = JSON.parse(fetched.bytes.toString('utf8'))
  } catch {
    throw new InputError(`${where}: the manifest is not valid JSON`)
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InputError(`${where}: the manifest is not a JSON object`)
  return parsed as Record<string, unknown>
}

/** An index's `manifests`, each entry checked; refused when there are more than MAX_INDEX_ENTRIES. */
export function checkIndexDocument(document: Record<string, unknown>, where: string): ImageIndex {
  const manifests = document.manifests
  if (!Array.isArray(manifests)) throw new InputError(`${where}: the index has no "manifests" list`)
  if (manifests.length > MAX_INDEX_ENTRIES) {
    throw new InputError(`${where}: the index lists ${manifests.length} manifests, more than the ${MAX_INDEX_ENTRIES} read`)
  }
  manifests.forEach((entry, position) => checkDescriptor(entry, `manifests[${position}]`, where))
  if (document.annotations !== undefined && !isStringMap(document.annotations))
    throw new InputError(`${where}: annotations is not an object of strings`)
  return document as unknown as ImageIndex
}

/** An image manifest's config and layers, each checked; refused with more than MAX_KERNEL_LAYERS layers. */
export function checkManifestDocument(document: Record<string, unknown>, where: string): ImageManifest {
  if (!('config' in document) || !Array.isArray(document.layers)) {
    throw new InputError(`${where}: not an image manifest (no config or layers descriptors)`)
  }
  if (document.layers.length > MAX_KERNEL_LAYERS) {
    throw new InputError(`${where}: the manifest lists ${document.layers.length} layers; a kernel image has at most ${MAX_KERNEL_LAYERS}`)
  }
  checkDescriptor(document.config, 'config', where)
  document.layers.forEach((layer, position) => checkDescriptor(layer, `layers[${position}]`, where))
  if (document.annotations !== undefined && !isStringMap(document.annotations))
    throw new InputError(`${where}: annotations is not an object of strings`)
  return document as unknown as ImageManifest
}

/** Opens an image manifest already fetched from `store`: checks it, reads and parses its config. */
export async function openManifest(store: ImageStore, reference: string, fetched: FetchedDocument, indexDigest?: string): Promise<OpenedImage> {
  const where = `${reference}@${fetched.digest}`
  const document = parseDocument(fetched, where)
  if (isIndexDocument(fetched.mediaType, document)) throw new InputError(`${where} is an index inside an index; only one level is read`)
  const manifest = checkManifestDocument(document, where)
  const configBytes = await store.readSmallBlob(manifest.config, CONFIG_MAX_BYTES)
  let config: ImageConfigJson
  try {
    config = JSON.parse(configBytes.toString('utf8')) as ImageConfigJson
  } catch {
    throw new InputError(`${reference}: config ${manifest.config.digest} is not valid JSON`)
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    throw new InputError(`${reference}: config ${manifest.config.digest} is not a JSON object`)
  }
  return {
    reference,
    digest: fetched.digest,
    ...(indexDigest !== undefined ? { indexDigest } : {}),
    manifest,
    config,
    layers: manifest.layers,
    readSmallBlob: (descriptor, maxBytes) => store.readSmallBlob(descriptor, maxBytes),
    openBlob: (descriptor) => store.openBlob(descriptor),
  }
}

/** A small blob whose descriptor says it is larger than the caller reads into memory: refused before any byte. */
export function assertReadable(name: string, descriptor: Descriptor, maxBytes: number): void {
  if (descriptor.size > maxBytes) {
    throw new InputError(`${name}: blob ${descriptor.digest} is ${descriptor.size} bytes, more than the ${maxBytes} read into memory`)
  }
}

/** The `mediaType` a document declares about itself, or ''. */
export function declaredMediaType(bytes: Buffer): string {
  try {
    const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType
    return typeof mediaType === 'string' ? mediaType : ''
  } catch {
    return ''
  }
}

function isStringMap(value: unknown): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')
}
