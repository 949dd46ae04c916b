// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`): content-addressed blobs plus
// tags kept as `org.opencontainers.image.ref.name` annotations on the entries of index.json. Written and read with one
// set of rules: every file through the checked opener (a regular file, not a link, within its bound), index.json a
// schemaVersion 2 index of checked descriptors, every blob checked against its descriptor.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { fileError, InputError, IntegrityError } from '../errors.js'
import { openInputFile, readInputFile, streamInputFile, type InputFile } from '../input-file.js'
import { checkDescriptor } from './descriptor.js'
import { checkBytes, digestHex, isSha256Digest, sha256Digest, sha256OfFile, verifiedStream } from './digest.js'
import { canonicalJson, imageIndex } from './image.js'
import { INCOMING_PREFIX, createFileOnce, isLayoutEntry, ownerTag, removeAbandonedFiles, withLockFile } from './layout-files.js'
import type { BlobStore } from './layer.js'
import { DEFAULT_TAG } from './reference.js'
import { assertReadable, declaredMediaType, MANIFEST_MAX_BYTES, type FetchedDocument, type ImageStore } from './store.js'
import { MediaType, type Blob, type Descriptor, type ImageIndex, type SerializedManifest } from './types.js'

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'
const LAYOUT_FILE = 'oci-layout'
const LAYOUT_VERSION = '1.0.0'
// The ref grammar of the image-layout spec: components of alphanumerics joined by - . _ : @ + or --, split by /.
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/
const INPUT = 'oci-layout'
/** index.json lists one entry per tag: 4 MiB holds tens of thousands. */
const INDEX_MAX_BYTES = 4 * 1024 * 1024
const LAYOUT_FILE_MAX_BYTES = 64 * 1024
// Reused blobs up to this size are re-hashed (about 0.1 s for 64 MiB); bigger ones are checked by size only.
const VERIFY_DIGEST_MAX_BYTES = 64 * 1024 * 1024

export class OciLayout implements BlobStore, ImageStore {
  readonly dir: string
  /** For messages as a store: `oci:<folder as given>`. */
  readonly name: string
  readonly kind = 'layout'
  /** The input named in messages: `oci-layout` when writing, the reference when reading one. */
  readonly #input: string
  // index.json updates run one after another, so concurrent tag() calls cannot lose each other's entries.
  #indexUpdates: Promise<unknown> = Promise.resolve()

  private constructor(dir: string, input: string) {
    this.dir = path.resolve(dir)
    this.name = `oci:${dir}`
    this.#input = input
  }

  /** Opens the layout in `dir`, creating it when the folder is missing or empty; an existing layout is added to. */
  static async open(dir: string): Promise<OciLayout> {
    const layout = new OciLayout(dir, INPUT)
    await layout.#prepare(dir)
    return layout
  }

  /**
   * Opens an existing layout for reading only (nothing is created or removed): the folder must hold an `oci-layout`
   * file of version 1.0.0 and an index.json read by the same rules as when writing. `input` names it in messages.
   */
  static async openExisting(dir: string, input = `oci:${dir}`): Promise<OciLayout> {
    const stat = await fs.promises.stat(dir).catch(() => undefined)
    if (stat === undefined || !stat.isDirectory()) throw new InputError(`${input}: no such layout folder ${dir}`)
    const layout = new OciLayout(dir, input)
    const layoutFile = path.join(layout.dir, LAYOUT_FILE)
    if (!fs.existsSync(layoutFile)) throw new InputError(`${input}: ${dir} is not an OCI image layout (it has no oci-layout file)`)
    await layout.#checkExisting(dir, layoutFile)
    await layout.readIndex()
    return layout
  }

  async #prepare(given: string): Promise<void> {
    const stat = await fs.promises.stat(this.dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined
      throw fileError(INPUT, given, error)
    })
    if (stat && !stat.isDirectory()) throw new InputError(`${INPUT}: ${given} is a file, not a folder`)
    const layoutFile = path.join(this.dir, LAYOUT_FILE)
    if (!fs.existsSync(layoutFile)) {
      // Another run may be creating this layout right now: what it has made so far is not "foreign" content.
      const foreign = stat ? (await fs.promises.readdir(this.dir)).filter((name) => !isLayoutEntry(name)) : []
      if (foreign.length > 0) {
        throw new InputError(`${INPUT}: ${given} is not empty and is not an OCI image layout (it has no oci-layout file)`)
      }
      await fs.promises.mkdir(this.dir, { recursive: true })
      await createFileOnce(layoutFile, Buffer.from(canonicalJson({ imageLayoutVersion: LAYOUT_VERSION })))
    }
    await this.#checkExisting(given, layoutFile)
    await fs.promises.mkdir(path.join(this.dir, 'blobs', 'sha256'), { recursive: true })
    await createFileOnce(this.#indexPath(), Buffer.from(canonicalJson({ ...imageIndex({ manifests: [] }), mediaType: MediaType.index })))
    await this.readIndex()
    await removeAbandonedFiles(path.join(this.dir, 'blobs'), INCOMING_PREFIX)
  }

  async #checkExisting(given: string, layoutFile: string): Promise<void> {
    const bytes = await readInputFile(layoutFile, this.#input, LAYOUT_FILE_MAX_BYTES, 'oci-layout file', { noFollow: true })
    const version = parseJsonFile(this.#input, layoutFile, bytes)
    if ((version as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion !== LAYOUT_VERSION) {
      throw new InputError(`${this.#input}: ${given}/oci-layout: unsupported imageLayoutVersion (want ${LAYOUT_VERSION})`)
    }
  }

  /** Path of the blob with this digest (which need not exist); the digest is checked before it becomes a name. */
  blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', 'sha256', digestHex(digest))
  }

  /** True when the blob is present (its size is not checked: see `hasIntactBlob` for content that is reused). */
  async hasBlob(digest: string): Promise<boolean> {
    return fs.promises
      .access(this.blobPath(digest))
      .then(() => true)
      .catch(() => false)
  }

  /**
   * True when the blob is present with the right size and, up to VERIFY_DIGEST_MAX_BYTES, the right digest: a blob
   * already in the layout is reused only when it is what its name says (a disk error or a hand edit is replaced).
   */
  async hasIntactBlob(digest: string, size?: number): Promise<boolean> {
    const file = this.blobPath(digest)
    const stat = await fs.promises.stat(file).catch(() => undefined)
    if (!stat?.isFile() || (size !== undefined && stat.size !== size)) return false
    if (stat.size > VERIFY_DIGEST_MAX_BYTES) return true
    return (await sha256OfFile(file)).digest === digest
  }

  // Staging files live beside blobs/sha256 (same file system, so committing is a rename) but not in it, so that tools
  // listing blobs never see a half-written one. The name holds this host and pid: a later run removes the files of a
  // run that was killed (SIGKILL, a cancelled job) and leaves alone those of a run still writing.
  stagingPath(): string {
    return path.join(this.dir, 'blobs', `${INCOMING_PREFIX}${ownerTag()}-${randomUUID()}`)
  }

  async commitBlob(stagingPath: string, digest: string): Promise<void> {
    const size = (await fs.promises.stat(stagingPath)).size
    if (await this.hasIntactBlob(digest, size)) {
      await fs.promises.rm(stagingPath, { force: true })
      return
    }
    // rename() replaces a corrupt blob of the same name in one step.
    await fs.promises.rename(stagingPath, this.blobPath(digest))
  }

  /** Stores a small blob given as bytes (a config, a manifest) and returns its bare descriptor. */
  async writeBlob(bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.length }
    if (await this.hasIntactBlob(descriptor.digest, descriptor.size)) return descriptor
    const staging = this.stagingPath()
    try {
      await fs.promises.writeFile(staging, bytes, { flag: 'wx' })
      await fs.promises.rename(staging, this.blobPath(descriptor.digest))
    } catch (error) {
      await fs.promises.rm(staging, { force: true })
      throw error
    }
    return descriptor
  }

  /** Stores serialised JSON (config, manifest, index) under its digest. */
  async writeJsonBlob(serialized: SerializedManifest): Promise<Descriptor> {
    if (sha256Digest(serialized.bytes) !== serialized.descriptor.digest) {
      throw new IntegrityError(`serialised ${serialized.descriptor.mediaType} does not match its digest ${serialized.descriptor.digest}`)
    }
    await this.writeBlob(serialized.bytes, serialized.descriptor.mediaType)
    return serialized.descriptor
  }

  /** A blob that reads from this layout when opened. */
  blob(descriptor: Descriptor): Blob {
    const file = this.blobPath(descriptor.digest)
    return { descriptor, open: () => fs.createReadStream(file, { highWaterMark: 1 << 20 }) }
  }

  /** index.json, read by the one set of rules (regular file, at most INDEX_MAX_BYTES, a schemaVersion 2 index). */
  async readIndex(): Promise<ImageIndex> {
    const file = this.#indexPath()
    const bytes = await readInputFile(file, this.#input, INDEX_MAX_BYTES, 'OCI index.json', { noFollow: true })
    return parseLayoutIndex(bytes, file, this.#input)
  }

  /** The manifest or index at a tag or digest ('': the only image, else `latest`), checked against its entry. */
  async fetchManifest(reference: string): Promise<FetchedDocument | undefined> {
    const { manifests } = await this.readIndex()
    const byRef = (ref: string): Descriptor | undefined => manifests.find((e) => e.annotations?.[REF_NAME_ANNOTATION] === ref)
    let entry: Pick<Descriptor, 'digest' | 'mediaType'> & { size?: number }
    if (reference === '') {
      const only = manifests.length === 1 ? manifests[0] : byRef(DEFAULT_TAG)
      if (only === undefined) return undefined
      entry = only
    } else if (isSha256Digest(reference)) {
      // A digest not listed in index.json is still read (a child of a listed index), bounded like any manifest.
      entry = manifests.find((e) => e.digest === reference) ?? { digest: reference, mediaType: '' }
    } else {
      const tagged = byRef(reference)
      if (tagged === undefined) return undefined
      entry = tagged
    }
    if (entry.size !== undefined && entry.size > MANIFEST_MAX_BYTES) {
      throw new InputError(`${this.name}: manifest ${entry.digest} is ${entry.size} bytes, more than the ${MANIFEST_MAX_BYTES} of a manifest`)
    }
    if (!(await this.#exists(entry.digest))) return undefined
    const bytes = await readInputFile(this.blobPath(entry.digest), this.#input, MANIFEST_MAX_BYTES, 'manifest', { noFollow: true })
    const mismatch = checkBytes({ digest: entry.digest, size: entry.size ?? bytes.length }, bytes.length, sha256Digest(bytes), this.name)
    if (mismatch) throw mismatch
    return { bytes, digest: entry.digest, mediaType: entry.mediaType || declaredMediaType(bytes) }
  }

  /** A small blob, read whole after its descriptor's size is checked against `maxBytes`; then size and digest. */
  async readSmallBlob(descriptor: Descriptor, maxBytes: number): Promise<Buffer> {
    assertReadable(this.name, descriptor, maxBytes)
    const { handle, size } = await this.#openBlobFile(descriptor)
    try {
      const bytes = Buffer.alloc(size)
      let filled = 0
      while (filled < size) {
        const { bytesRead } = await handle.read(bytes, filled, size - filled, filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      const mismatch = checkBytes(descriptor, filled, sha256Digest(bytes.subarray(0, filled)), this.name)
      if (mismatch) throw mismatch
      return bytes
    } finally {
      await handle.close()
    }
  }

  /** A blob as a stream of exactly its descriptor's size, checked by the one verifying stream. */
  async openBlob(descriptor: Descriptor): Promise<Readable> {
    if (!(await this.#exists(descriptor.digest))) throw new InputError(`${this.name}: has no blob ${descriptor.digest}`)
    const { stream, size } = await streamInputFile(this.blobPath(descriptor.digest), this.#input, { noFollow: true })
    if (size !== descriptor.size) {
      stream.destroy()
      throw new IntegrityError(`${this.name}: blob ${descriptor.digest} is ${size} bytes, its descriptor says ${descriptor.size}`)
    }
    return verifiedStream(stream, descriptor, this.name)
  }

  /** The blob file, opened through the checked opener: a regular file (not a link) of exactly the descriptor's size. */
  async #openBlobFile(descriptor: Descriptor): Promise<InputFile> {
    if (!(await this.#exists(descriptor.digest))) throw new InputError(`${this.name}: has no blob ${descriptor.digest}`)
    const opened = await openInputFile(this.blobPath(descriptor.digest), this.#input, { noFollow: true })
    if (opened.size !== descriptor.size) {
      await opened.handle.close()
      throw new IntegrityError(`${this.name}: blob ${descriptor.digest} is ${opened.size} bytes, its descriptor says ${descriptor.size}`)
    }
    return opened
  }

  async #exists(digest: string): Promise<boolean> {
    return fs.promises.lstat(this.blobPath(digest)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false
        throw fileError(this.#input, this.blobPath(digest), error)
      },
    )
  }

  /** The descriptor tagged `tag`, or undefined. */
  async resolve(tag: string): Promise<Descriptor | undefined> {
    const index = await this.readIndex()
    return index.manifests.find((entry) => entry.annotations?.[REF_NAME_ANNOTATION] === tag)
  }

  /**
   * Points each tag at `descriptor`. A tag moves: any entry already carrying that ref name is replaced.
   * An untagged entry for the same digest is dropped (the tagged one supersedes it); other entries stay as they are.
   */
  async tag(descriptor: Descriptor, tags: string[]): Promise<void> {
    for (const tag of tags) {
      if (!REF_NAME.test(tag)) throw new InputError(`tags: ${JSON.stringify(tag)} is not a valid OCI layout ref name`)
    }
    await this.#updateIndex((manifests) => {
      const moving = new Set(tags)
      const kept = manifests.filter((entry) => {
        const ref = entry.annotations?.[REF_NAME_ANNOTATION]
        if (ref === undefined) return entry.digest !== descriptor.digest
        return !moving.has(ref)
      })
      const added = [...moving].map((tag) => ({
        ...descriptor,
        annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag },
      }))
      return [...kept, ...added]
    })
  }

  /**
   * Lists `descriptor` in index.json without a ref name (push-by-digest): the image is then a root that `umoci gc`
   * keeps and `skopeo ... oci:<dir>@<digest>` reads. Nothing changes when an entry for the digest is already there.
   */
  async addUntagged(descriptor: Descriptor): Promise<void> {
    await this.#updateIndex((manifests) =>
      manifests.some((entry) => entry.digest === descriptor.digest) ? manifests : [...manifests, { ...descriptor }],
    )
  }

  /**
   * Read-modify-write of index.json, serialised within this process (a queue) and across processes (a lock file),
   * so concurrent runs on one layout never lose each other's entries.
   */
  async #updateIndex(change: (manifests: Descriptor[]) => Descriptor[]): Promise<void> {
    const update = this.#indexUpdates.then(() =>
      withLockFile(`${this.#indexPath()}.lock`, async () => {
        const index = await this.readIndex()
        await this.#writeIndex({ ...index, manifests: change(index.manifests) })
      }),
    )
    this.#indexUpdates = update.catch(() => undefined)
    await update
  }

  #indexPath(): string {
    return path.join(this.dir, 'index.json')
  }

  async #writeIndex(index: ImageIndex): Promise<void> {
    await writeFileAtomic(this.#indexPath(), Buffer.from(canonicalJson({ ...index, mediaType: MediaType.index })))
  }
}

/** Writes a file so that readers see either the old or the new content, never a partial one. */
async function writeFileAtomic(file: string, bytes: Buffer): Promise<void> {
  const temp = `${file}.${randomUUID()}.tmp`
  try {
    await fs.promises.writeFile(temp, bytes, { flag: 'wx' })
    await fs.promises.rename(temp, file)
  } catch (error) {
    await fs.promises.rm(temp, { force: true })
    throw error
  }
}

/**
 * The one reading of a layout's index.json, for writers and readers alike: a JSON object with schemaVersion 2 and a
 * manifests list whose every entry is a descriptor (checked field by field).
 */
function parseLayoutIndex(bytes: Buffer, file: string, input: string): ImageIndex {
  const index = parseJsonFile(input, file, bytes) as Partial<ImageIndex> | null
  if (typeof index !== 'object' || index === null || Array.isArray(index) || index.schemaVersion !== 2 || !Array.isArray(index.manifests)) {
    throw new InputError(`${input}: ${file} is not an OCI image index (schemaVersion 2 and a manifests list of descriptors)`)
  }
  index.manifests.forEach((entry, position) => checkDescriptor(entry, `manifests[${position}]`, `${input}: ${file}`))
  return index as ImageIndex
}

function parseJsonFile(input: string, file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InputError(`${input}: ${file} is not valid JSON`)
  }
}
