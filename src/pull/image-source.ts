// Reading a published kernel image back, from a registry or a local OCI layout, through one interface: manifests
// and configs as small checked reads, layers as streams whose digest and size are checked while they pass.
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { archOfNode, ociArch, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'
import { digestHex, sha256Digest } from '../oci/digest.js'
import { REF_NAME_ANNOTATION } from '../oci/layout.js'
import { hasUserInfo, isValidTag, parseRepository, type RepositoryRef } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import { manifestBodyLimit, RegistryClient, RegistryError } from '../oci/registry/client.js'
import { MediaType, type Descriptor, type ImageIndex, type ImageManifest } from '../oci/types.js'

/** Where an image is read from: `oci:<dir>[:tag|@digest]` or `host[:port]/repo[:tag|@digest]`. */
export type ImageReference =
  | { kind: 'layout'; text: string; dir: string; tag?: string; digest?: string }
  | { kind: 'registry'; text: string; repository: RepositoryRef; tag?: string; digest?: string }

export interface OpenImageOptions {
  /** The architecture to pick from an index; the host's by default. */
  arch?: KernelArch
  /** Registry credentials; without them the Docker config (and its credential helpers) is used, else anonymous. */
  credentials?: Credentials
  insecureRegistry?: boolean
  onSecret?: (value: string) => void
  log?: (line: string) => void
}

/** One image manifest, opened: its config parsed, its blobs readable and checked against their digests. */
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
  /** The manifest's layer descriptors, in order. */
  layers: Descriptor[]
  /** A small blob (config, metadata layer), refused above `maxBytes`, checked against its digest. */
  readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer>
  /** A blob as a stream that fails (instead of ending) when its bytes do not match the descriptor. */
  openBlob(descriptor: Descriptor): Promise<Readable>
}

/** The image config as found: nothing in it is trusted to be present. */
export interface ImageConfigJson {
  architecture?: unknown
  os?: unknown
  rootfs?: unknown
  history?: unknown
  [key: string]: unknown
}

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
  /** The manifest or index at a tag or digest, or undefined when it does not exist. */
  fetchManifest(reference: string): Promise<FetchedDocument | undefined>
  readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer>
  openBlob(descriptor: Descriptor): Promise<Readable>
}

const DIGEST = /^sha256:[0-9a-f]{64}$/
const DEFAULT_TAG = 'latest'
const CONFIG_MAX_BYTES = 4 * 1024 * 1024

/** The host's architecture (x64 → x86_64, arm64 → aarch64); anything else has no kernel image to pick. */
export function hostKernelArch(nodeArch: string = process.arch): KernelArch {
  const arch = archOfNode(nodeArch)
  if (arch === undefined) throw new InputError(`arch: this host is ${nodeArch}; give --arch x86_64 or --arch aarch64`)
  return arch
}

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
  const { rest, digest } = splitDigest(input, text)
  if (rest.startsWith('oci:')) {
    const body = rest.slice('oci:'.length)
    // A tag follows the last ':' that comes after the last '/', so a folder may itself hold ':' only before a '/'.
    const colon = body.lastIndexOf(':')
    const hasTag = digest === undefined && colon > body.lastIndexOf('/')
    const dir = hasTag ? body.slice(0, colon) : body
    if (dir === '') throw new InputError(`image reference "${text}": oci: needs a layout folder`)
    const tag = hasTag ? body.slice(colon + 1) : undefined
    if (tag === '') throw new InputError(`image reference "${text}": empty tag`)
    return { kind: 'layout', text: input, dir, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) }
  }
  const colon = rest.lastIndexOf(':')
  const hasTag = digest === undefined && colon > rest.lastIndexOf('/')
  const name = hasTag ? rest.slice(0, colon) : rest
  const tag = hasTag ? rest.slice(colon + 1) : digest === undefined ? DEFAULT_TAG : undefined
  if (tag !== undefined && !isValidTag(tag)) {
    throw new InputError(`image reference "${text}": "${tag}" is not a valid tag`)
  }
  let repository: RepositoryRef
  try {
    repository = parseRepository(name)
  } catch (error) {
    throw new InputError(`image reference "${text}": ${(error as Error).message.replace(/^repository "[^"]*": /, '')}`)
  }
  return { kind: 'registry', text: input, repository, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) }
}

function splitDigest(input: string, text: string): { rest: string; digest?: string } {
  const at = input.lastIndexOf('@')
  if (at < 0) return { rest: input }
  const digest = input.slice(at + 1)
  if (!DIGEST.test(digest)) throw new InputError(`image reference "${text}": "${digest}" is not a sha256:<64 hex> digest`)
  return { rest: input.slice(0, at), digest }
}

/** The store a reference points into (a registry repository or a layout folder). */
export async function openImageStore(reference: ImageReference, options: OpenImageOptions = {}): Promise<ImageStore> {
  if (reference.kind === 'layout') return openLayoutStore(reference.dir)
  return new RegistryStore(
    new RegistryClient(reference.repository, {
      credentials: options.credentials,
      insecure: options.insecureRegistry,
      onSecret: options.onSecret,
      log: options.log,
    }),
  )
}

/** The tag or digest to fetch first: a layout with one entry and no tag given opens that entry. */
export function startingPoint(reference: ImageReference): string | undefined {
  return reference.digest ?? reference.tag ?? (reference.kind === 'registry' ? DEFAULT_TAG : undefined)
}

/**
 * Opens the kernel image a reference names, picking the `arch` child (the host's by default) from an index.
 * Resolves undefined when the tag or digest does not exist; any other failure throws a one-line error.
 */
export async function openKernelImage(reference: string, options: OpenImageOptions = {}): Promise<OpenedImage | undefined> {
  const parsed = parseImageReference(reference)
  const store = await openImageStore(parsed, options)
  const top = await store.fetchManifest(startingPoint(parsed) ?? '')
  if (top === undefined) return undefined
  const document = parseDocument(top, `${reference}`)
  if (isIndexDocument(top.mediaType, document)) {
    const arch = options.arch ?? hostKernelArch()
    const index = document as unknown as ImageIndex
    const child = pickPlatform(index, arch)
    if (child === undefined) {
      const found = (index.manifests ?? []).map((entry) => platformText(entry)).join(', ') || 'none'
      throw new InputError(`${reference}: the index has no linux/${ociArch(arch)} image (platforms: ${found})`)
    }
    const fetched = await store.fetchManifest(child.digest)
    if (fetched === undefined) throw new InputError(`${reference}: the index names ${child.digest}, which ${store.name} does not have`)
    return openManifest(store, reference, fetched, top.digest)
  }
  return openManifest(store, reference, top)
}

/** Opens an image manifest already fetched from `store`: reads and parses its config. */
export async function openManifest(store: ImageStore, reference: string, fetched: FetchedDocument, indexDigest?: string): Promise<OpenedImage> {
  const manifest = parseDocument(fetched, `${reference}@${fetched.digest}`) as unknown as ImageManifest
  if (isIndexDocument(fetched.mediaType, manifest as unknown as Record<string, unknown>)) {
    throw new InputError(`${reference}@${fetched.digest} is an index inside an index; only one level is read`)
  }
  if (!isDescriptor(manifest.config) || !Array.isArray(manifest.layers) || !manifest.layers.every(isDescriptor)) {
    throw new InputError(`${reference}@${fetched.digest}: not an image manifest (no config or layers descriptors)`)
  }
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

/** krata's pick: the first entry whose platform is linux and amd64 (x86_64) or arm64 (aarch64); variant ignored. */
export function pickPlatform(index: ImageIndex, arch: KernelArch): Descriptor | undefined {
  const wanted = ociArch(arch)
  return (index.manifests ?? []).find((entry) => entry.platform?.os === 'linux' && entry.platform.architecture === wanted)
}

export function platformText(entry: Descriptor): string {
  if (entry.platform === undefined) return '(no platform)'
  const { os, architecture, variant } = entry.platform
  return `${os}/${architecture}${variant ? `/${variant}` : ''}`
}

export function isIndexDocument(mediaType: string, document: Record<string, unknown>): boolean {
  if (mediaType === MediaType.index || mediaType === MediaType.dockerManifestList) return true
  if (mediaType === MediaType.manifest || mediaType === MediaType.dockerManifest) return false
  return Array.isArray(document.manifests) && !('layers' in document)
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

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Partial<Descriptor> | null
  return d !== null && typeof d === 'object' && typeof d.digest === 'string' && DIGEST.test(d.digest) && typeof d.size === 'number' && d.size >= 0
}

/**
 * Passes a blob's bytes through, failing the stream when there are more than `size` bytes, or at the end when the
 * count or the sha256 differs from the descriptor: a reader never sees a short or altered blob end cleanly.
 */
export class VerifyingStream extends Transform {
  readonly #hash = createHash('sha256')
  #seen = 0
  constructor(
    private readonly descriptor: Descriptor,
    private readonly where: string,
  ) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length
    if (this.#seen > this.descriptor.size) {
      callback(new InputError(`${this.where}: blob ${this.descriptor.digest} is longer than its ${this.descriptor.size} bytes`))
      return
    }
    this.#hash.update(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.#seen !== this.descriptor.size) {
      callback(new InputError(`${this.where}: blob ${this.descriptor.digest} is ${this.#seen} bytes, its descriptor says ${this.descriptor.size}`))
      return
    }
    const got = `sha256:${this.#hash.digest('hex')}`
    if (got !== this.descriptor.digest) {
      callback(new InputError(`${this.where}: blob ${this.descriptor.digest} has digest ${got} (corrupt or altered)`))
      return
    }
    callback()
  }
}

/** `source` piped into a VerifyingStream, with source errors carried over. */
function verified(source: Readable, descriptor: Descriptor, where: string): Readable {
  const check = new VerifyingStream(descriptor, where)
  source.on('error', (error) => check.destroy(error))
  check.on('close', () => source.destroy())
  return source.pipe(check)
}

class RegistryStore implements ImageStore {
  readonly name: string
  constructor(private readonly client: RegistryClient) {
    this.name = `${client.registry}/${client.repository}`
  }

  async fetchManifest(reference: string): Promise<FetchedDocument | undefined> {
    try {
      const fetched = await this.client.getManifest(reference)
      return { bytes: fetched.bytes, digest: fetched.digest, mediaType: fetched.mediaType || declaredMediaType(fetched.bytes) }
    } catch (error) {
      if (error instanceof RegistryError && error.status === 404) return undefined
      throw error
    }
  }

  readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer> {
    return this.client.getBlob(descriptor.digest, maxBytes)
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    return verified(await this.client.getBlobStream(descriptor.digest), descriptor, this.name)
  }
}

class LayoutStore implements ImageStore {
  readonly name: string
  constructor(private readonly dir: string) {
    this.name = `oci:${dir}`
  }

  async fetchManifest(reference: string): Promise<FetchedDocument | undefined> {
    const index = await this.#readIndex()
    let entry: Descriptor | undefined
    if (reference === '') {
      // No tag given: a layout holding exactly one image opens it; otherwise `latest`, as for a registry.
      entry = index.manifests.length === 1 ? index.manifests[0] : index.manifests.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === DEFAULT_TAG)
    } else if (DIGEST.test(reference)) {
      entry = index.manifests.find((e) => e.digest === reference) ?? { mediaType: '', digest: reference, size: -1 }
    } else {
      entry = index.manifests.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === reference)
    }
    if (entry === undefined) return undefined
    const file = this.#blobPath(entry.digest)
    const stat = await fs.promises.stat(file).catch(() => undefined)
    if (stat === undefined) return undefined
    if (stat.size > manifestBodyLimit) throw new InputError(`${this.name}: manifest ${entry.digest} is larger than ${manifestBodyLimit} bytes`)
    const bytes = await fs.promises.readFile(file)
    if (sha256Digest(bytes) !== entry.digest) throw new InputError(`${this.name}: blob ${entry.digest} is corrupt`)
    return { bytes, digest: entry.digest, mediaType: entry.mediaType || declaredMediaType(bytes) }
  }

  async readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer> {
    const file = this.#blobPath(descriptor.digest)
    const stat = await fs.promises.stat(file).catch(() => {
      throw new InputError(`${this.name}: has no blob ${descriptor.digest}`)
    })
    if (stat.size > maxBytes)
      throw new InputError(`${this.name}: blob ${descriptor.digest} is ${stat.size} bytes, more than the ${maxBytes} read into memory`)
    const bytes = await fs.promises.readFile(file)
    if (bytes.length !== descriptor.size)
      throw new InputError(`${this.name}: blob ${descriptor.digest} is ${bytes.length} bytes, its descriptor says ${descriptor.size}`)
    if (sha256Digest(bytes) !== descriptor.digest) throw new InputError(`${this.name}: blob ${descriptor.digest} is corrupt`)
    return bytes
  }

  async openBlob(descriptor: Descriptor): Promise<Readable> {
    const file = this.#blobPath(descriptor.digest)
    await fs.promises.access(file).catch(() => {
      throw new InputError(`${this.name}: has no blob ${descriptor.digest}`)
    })
    return verified(fs.createReadStream(file, { highWaterMark: 1 << 20 }), descriptor, this.name)
  }

  async #readIndex(): Promise<ImageIndex> {
    const file = path.join(this.dir, 'index.json')
    const text = await fs.promises.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new InputError(
        `${this.name}: ${error.code === 'ENOENT' ? 'not an OCI image layout (no index.json)' : `cannot read index.json (${error.code})`}`,
      )
    })
    let index: Partial<ImageIndex>
    try {
      index = JSON.parse(text) as Partial<ImageIndex>
    } catch {
      throw new InputError(`${file}: not valid JSON`)
    }
    if (!Array.isArray(index.manifests)) throw new InputError(`${file}: not an OCI image index (no manifests)`)
    return index as ImageIndex
  }

  #blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', 'sha256', digestHex(digest))
  }
}

async function openLayoutStore(dir: string): Promise<ImageStore> {
  const stat = await fs.promises.stat(dir).catch(() => undefined)
  if (stat === undefined || !stat.isDirectory()) throw new InputError(`oci:${dir}: no such layout folder`)
  return new LayoutStore(dir)
}

function declaredMediaType(bytes: Buffer): string {
  try {
    const mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType
    return typeof mediaType === 'string' ? mediaType : ''
  } catch {
    return ''
  }
}

/** The kernel files this action and Edera's publisher put in an image, under `kernel/`. */
export type KernelFileName = 'image' | 'addons.squashfs' | 'config.gz' | 'metadata'

/**
 * The layer that holds `kernel/<file>`, from the config's history: each non-empty history entry belongs to one
 * layer in order, and both this action (`kernel-action: add /kernel/image`) and BuildKit
 * (`COPY kernel /kernel/image # buildkit`) name the file there. The last such layer wins, as it does when the
 * layers are unpacked. Undefined when the history does not say (e.g. an older image with one `COPY /kernel` layer).
 */
export function kernelLayerFromHistory(image: Pick<OpenedImage, 'config' | 'layers'>, file: KernelFileName): Descriptor | undefined {
  const history = image.config.history
  if (!Array.isArray(history)) return undefined
  const filled = history.filter((entry) => !(entry as { empty_layer?: unknown } | null)?.empty_layer)
  if (filled.length !== image.layers.length) return undefined
  const names = new RegExp(`(^|[\\s/"'])kernel/${file.replace('.', '\\.')}($|[\\s"'])`)
  let found: Descriptor | undefined
  filled.forEach((entry, position) => {
    const createdBy = (entry as { created_by?: unknown } | null)?.created_by
    if (typeof createdBy === 'string' && names.test(createdBy)) found = image.layers[position]
  })
  return found
}
