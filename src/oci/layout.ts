// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`): content-addressed blobs plus
// tags kept as `org.opencontainers.image.ref.name` annotations on the entries of index.json.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileError, InputError, IntegrityError } from '../errors.js'
import { digestHex, sha256Digest, sha256OfFile } from './digest.js'
import { canonicalJson, imageIndex } from './image.js'
import { INCOMING_PREFIX, createFileOnce, isLayoutEntry, ownerTag, removeAbandonedFiles, withLockFile } from './layout-files.js'
import type { BlobStore } from './layer.js'
import { MediaType, type Blob, type Descriptor, type ImageIndex, type ImageManifest, type SerializedManifest } from './types.js'

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'
const LAYOUT_FILE = 'oci-layout'
const LAYOUT_VERSION = '1.0.0'
// The ref grammar of the image-layout spec: components of alphanumerics joined by - . _ : @ + or --, split by /.
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/
const INPUT = 'oci-layout'
// Reused blobs up to this size are re-hashed (about 0.1 s for 64 MiB); bigger ones are checked by size only.
const VERIFY_DIGEST_MAX_BYTES = 64 * 1024 * 1024

export class OciLayout implements BlobStore {
  readonly dir: string
  // index.json updates run one after another, so concurrent tag() calls cannot lose each other's entries.
  #indexUpdates: Promise<unknown> = Promise.resolve()

  private constructor(dir: string) {
    this.dir = dir
  }

  /** Opens the layout in `dir`, creating it when the folder is missing or empty; an existing layout is added to. */
  static async open(dir: string): Promise<OciLayout> {
    const layout = new OciLayout(path.resolve(dir))
    await layout.#prepare(dir)
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
    const version = parseJsonFile(layoutFile, await fs.promises.readFile(layoutFile))
    if ((version as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion !== LAYOUT_VERSION) {
      throw new InputError(`${INPUT}: ${given}/oci-layout: unsupported imageLayoutVersion (want ${LAYOUT_VERSION})`)
    }
  }

  /** Path of the blob with this digest (which need not exist). */
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

  async readBlob(digest: string): Promise<Buffer> {
    const bytes = await fs.promises.readFile(this.blobPath(digest)).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') throw new InputError(`${INPUT}: ${this.dir} has no blob ${digest}`)
      throw error
    })
    if (sha256Digest(bytes) !== digest) throw new InputError(`${INPUT}: blob ${digest} in ${this.dir} is corrupt`)
    return bytes
  }

  async readManifest(digest: string): Promise<ImageManifest> {
    const bytes = await this.readBlob(digest)
    return parseJsonFile(this.blobPath(digest), bytes) as ImageManifest
  }

  async readIndex(): Promise<ImageIndex> {
    const index = parseJsonFile(this.#indexPath(), await fs.promises.readFile(this.#indexPath())) as Partial<ImageIndex> | null
    const entriesOk = (manifests: unknown): boolean =>
      Array.isArray(manifests) &&
      manifests.every((entry) => typeof entry === 'object' && entry !== null && typeof (entry as Descriptor).digest === 'string')
    if (typeof index !== 'object' || index === null || index.schemaVersion !== 2 || !entriesOk(index.manifests)) {
      throw new InputError(`${INPUT}: ${this.#indexPath()} is not an OCI image index (schemaVersion 2 and a manifests list of descriptors)`)
    }
    return index as ImageIndex
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

function parseJsonFile(file: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InputError(`${INPUT}: ${file} is not valid JSON`)
  }
}
