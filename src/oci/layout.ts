// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`): content-addressed blobs plus
// tags kept as `org.opencontainers.image.ref.name` annotations on the entries of index.json.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileError, InputError, IntegrityError } from '../errors.js'
import { digestHex, sha256Digest } from './digest.js'
import { canonicalJson, imageIndex } from './image.js'
import type { BlobStore } from './layer.js'
import { MediaType, type Blob, type Descriptor, type ImageIndex, type ImageManifest, type SerializedManifest } from './types.js'

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'
const LAYOUT_FILE = 'oci-layout'
const LAYOUT_VERSION = '1.0.0'
// The ref grammar of the image-layout spec: components of alphanumerics joined by - . _ : @ + or --, split by /.
const REF_NAME = /^[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*(?:\/[A-Za-z0-9]+(?:(?:[-._:@+]|--)[A-Za-z0-9]+)*)*$/
const INPUT = 'oci-layout'

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
    if (stat && fs.existsSync(layoutFile)) {
      await this.#checkExisting(given, layoutFile)
    } else {
      if (stat && (await fs.promises.readdir(this.dir)).length > 0) {
        throw new InputError(`${INPUT}: ${given} is not empty and is not an OCI image layout (it has no oci-layout file)`)
      }
      await fs.promises.mkdir(this.dir, { recursive: true })
      await writeFileAtomic(layoutFile, Buffer.from(canonicalJson({ imageLayoutVersion: LAYOUT_VERSION })))
    }
    await fs.promises.mkdir(path.join(this.dir, 'blobs', 'sha256'), { recursive: true })
    if (!fs.existsSync(this.#indexPath())) await this.#writeIndex(imageIndex({ manifests: [] }))
  }

  async #checkExisting(given: string, layoutFile: string): Promise<void> {
    const version = parseJsonFile(layoutFile, await fs.promises.readFile(layoutFile))
    if ((version as { imageLayoutVersion?: unknown }).imageLayoutVersion !== LAYOUT_VERSION) {
      throw new InputError(`${INPUT}: ${given}/oci-layout: unsupported imageLayoutVersion (want ${LAYOUT_VERSION})`)
    }
    if (fs.existsSync(this.#indexPath())) await this.readIndex()
  }

  /** Path of the blob with this digest (which need not exist). */
  blobPath(digest: string): string {
    return path.join(this.dir, 'blobs', 'sha256', digestHex(digest))
  }

  async hasBlob(digest: string): Promise<boolean> {
    return fs.promises
      .access(this.blobPath(digest))
      .then(() => true)
      .catch(() => false)
  }

  // Staging files live beside blobs/sha256 (same file system, so committing is a rename) but not in it,
  // so that tools listing blobs never see a half-written one.
  stagingPath(): string {
    return path.join(this.dir, 'blobs', `.incoming-${randomUUID()}`)
  }

  async commitBlob(stagingPath: string, digest: string): Promise<void> {
    const target = this.blobPath(digest)
    if (await this.hasBlob(digest)) {
      await fs.promises.rm(stagingPath, { force: true })
      return
    }
    await fs.promises.rename(stagingPath, target)
  }

  /** Stores a small blob given as bytes (a config, a manifest) and returns its bare descriptor. */
  async writeBlob(bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const descriptor = { mediaType, digest: sha256Digest(bytes), size: bytes.length }
    if (await this.hasBlob(descriptor.digest)) return descriptor
    const staging = this.stagingPath()
    try {
      await fs.promises.writeFile(staging, bytes, { flag: 'wx' })
      await this.commitBlob(staging, descriptor.digest)
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
    const index = parseJsonFile(this.#indexPath(), await fs.promises.readFile(this.#indexPath())) as Partial<ImageIndex>
    if (index.schemaVersion !== 2 || !Array.isArray(index.manifests)) {
      throw new InputError(`${INPUT}: ${this.#indexPath()} is not an OCI image index`)
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
    const update = this.#indexUpdates.then(async () => {
      const index = await this.readIndex()
      const moving = new Set(tags)
      const kept = index.manifests.filter((entry) => {
        const ref = entry.annotations?.[REF_NAME_ANNOTATION]
        if (ref === undefined) return entry.digest !== descriptor.digest
        return !moving.has(ref)
      })
      const added = [...moving].map((tag) => ({
        ...descriptor,
        annotations: { ...descriptor.annotations, [REF_NAME_ANNOTATION]: tag },
      }))
      await this.#writeIndex({ ...index, manifests: [...kept, ...added] })
    })
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
