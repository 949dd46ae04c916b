// One OCI layer per kernel file: a tar holding `kernel/` then `kernel/<name>`, built by node-tar from
// synthetic entries (nothing from the host's stat leaks in), hashed and compressed in a single streamed pass.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import { Duplex, Readable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { Header, Pack, ReadEntry } from 'tar'
import { fileError, InputError, ToolError } from '../errors.js'
import { DigestingStream } from './digest.js'
import { KERNEL_DIR, type LayerCompression } from './image-format.js'
import { MediaType, type Descriptor } from './types.js'

export { KERNEL_DIR, type LayerCompression } from './image-format.js'

export interface FileLayerSpec {
  /** File name inside `kernel/`, e.g. `image`. */
  name: string
  /** A path (streamed) or the bytes themselves (small files such as metadata). */
  source: string | Buffer
  compression: LayerCompression
}

export interface FileLayer {
  /** The compressed blob as the manifest lists it. */
  descriptor: Descriptor
  /** sha256 of the uncompressed tar, for the config's `rootfs.diff_ids`. */
  diffId: string
}

/** Where finished blobs go: written to a staging path first, then moved into place under their digest. */
export interface BlobStore {
  /** A fresh path on the store's own file system, so that committing is a rename. */
  stagingPath(): string
  /** Move a fully written staging file into place as the blob `digest` (a no-op if that blob exists). */
  commitBlob(stagingPath: string, digest: string): Promise<void>
}

// Every entry gets the same owner, time and modes, so the tar depends on the file's bytes alone.
const EPOCH = new Date(0)
const DIR_MODE = 0o755
const FILE_MODE = 0o644
const GZIP_LEVEL = 6
const ZSTD_LEVEL = 3
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

function layerMediaType(compression: LayerCompression): string {
  switch (compression) {
    case 'none':
      return MediaType.layerTar
    case 'gzip':
      return MediaType.layerGzip
    case 'zstd':
      return MediaType.layerZstd
  }
}

/** Builds the layer for one kernel file into `store` and returns its descriptor and diffId. */
export async function buildFileLayer(spec: FileLayerSpec, store: BlobStore): Promise<FileLayer> {
  if (!FILE_NAME.test(spec.name)) {
    throw new InputError(`kernel file name ${JSON.stringify(spec.name)} is not a plain file name (letters, digits, . _ -)`)
  }
  const content = await openContent(spec.source)
  const compressor = await createCompressor(spec.compression)
  const tarDigest = new DigestingStream()
  const blobDigest = compressor ? new DigestingStream() : tarDigest
  const staging = store.stagingPath()

  const pack = new Pack({ mtime: EPOCH })
  pack.add(directoryEntry(`${KERNEL_DIR}/`))
  const file = fileEntry(`${KERNEL_DIR}/${spec.name}`, content.size)
  pack.add(file)
  pack.end()

  const compressing: NodeJS.ReadWriteStream[] = compressor ? [compressor.stream, blobDigest] : []
  // One chunk in flight: Readable.from's default (16 objects) would hold 16 MiB per layer for nothing.
  const streams = [Readable.from(packBytes(pack), { highWaterMark: 1 }), tarDigest, ...compressing, fs.createWriteStream(staging, { flags: 'wx' })]
  // The first failure anywhere stops every other part (streams, feeder, child process).
  const abort = new AbortController()
  const stopAll = (error: unknown): never => {
    if (!abort.signal.aborted) abort.abort(error)
    compressor?.kill()
    throw error
  }
  try {
    await Promise.all([
      feedEntry(file, content, abort.signal).catch(stopAll),
      pipeline(streams, { signal: abort.signal }).catch(stopAll),
      compressor?.finished.catch(stopAll),
    ])
    const { digest, size } = blobDigest.result()
    await store.commitBlob(staging, digest)
    return {
      descriptor: { mediaType: layerMediaType(spec.compression), digest, size },
      diffId: tarDigest.result().digest,
    }
  } catch (error) {
    await fs.promises.rm(staging, { force: true })
    throw error
  }
}

interface Content {
  size: number
  open(): Readable
  label: string
}

async function openContent(source: string | Buffer): Promise<Content> {
  if (Buffer.isBuffer(source)) {
    return { size: source.length, open: () => Readable.from([source]), label: 'buffer' }
  }
  let stat: fs.Stats
  try {
    stat = await fs.promises.stat(source)
  } catch (error) {
    throw fileError('kernel file', source, error)
  }
  if (stat.isDirectory()) throw fileError('kernel file', source, { code: 'EISDIR' })
  if (!stat.isFile()) throw new InputError(`kernel file: ${source} is not a regular file`)
  const size = stat.size
  // Read exactly the size written into the tar header; a file that shrinks meanwhile is caught by feedEntry.
  return {
    size,
    open: () => (size === 0 ? Readable.from([]) : fs.createReadStream(source, { start: 0, end: size - 1, highWaterMark: 1 << 20 })),
    label: source,
  }
}

function directoryEntry(path: string): ReadEntry {
  const entry = new ReadEntry(new Header({ path, type: 'Directory', mode: DIR_MODE, uid: 0, gid: 0, size: 0, mtime: EPOCH }))
  entry.end()
  return entry
}

function fileEntry(path: string, size: number): ReadEntry {
  return new ReadEntry(new Header({ path, type: 'File', mode: FILE_MODE, uid: 0, gid: 0, size, mtime: EPOCH }))
}

/** Streams the content into the tar entry, waiting whenever the tar (and everything after it) is full. */
async function feedEntry(entry: ReadEntry, content: Content, signal: AbortSignal): Promise<void> {
  const source = content.open()
  let written = 0
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      if (signal.aborted) return
      written += chunk.length
      if (!entry.write(chunk)) await once(entry, 'drain', { signal })
    }
  } catch (error) {
    if (signal.aborted) return
    throw error
  } finally {
    source.destroy()
  }
  if (written !== content.size) {
    throw new InputError(`${content.label}: changed while it was being read (${written} of ${content.size} bytes)`)
  }
  entry.end()
}

/** The Pack's bytes as an async iterable, which `pipeline` consumes with back-pressure. */
async function* packBytes(pack: Pack): AsyncGenerator<Buffer> {
  for await (const chunk of pack as AsyncIterable<Buffer>) yield chunk
}

interface Compressor {
  stream: Duplex
  /** Settles when the compressor is fully done (for a child process: it exited with status 0). */
  finished: Promise<void>
  /** Stops a compressor that runs outside this process. */
  kill(): void
}

type NodeZstdFactory = (options?: { params?: Record<number, number> }) => Transform

// zlib.createZstdCompress exists from Node 22.15 / 23.8; @types/node 20 does not know it.
function nodeZstdFactory(): NodeZstdFactory | undefined {
  const factory = (zlib as unknown as { createZstdCompress?: NodeZstdFactory }).createZstdCompress
  return typeof factory === 'function' ? factory.bind(zlib) : undefined
}

async function createCompressor(compression: LayerCompression): Promise<Compressor | undefined> {
  switch (compression) {
    case 'none':
      return undefined
    case 'gzip':
      // Node writes a gzip header with no name and mtime 0, so equal input gives equal bytes.
      return { stream: zlib.createGzip({ level: GZIP_LEVEL }), finished: Promise.resolve(), kill: () => undefined }
    case 'zstd': {
      const nodeZstd = nodeZstdFactory()
      if (nodeZstd) {
        const constants = zlib.constants as unknown as Record<string, number>
        const params: Record<number, number> = {
          [constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL,
          // The zstd program adds a checksum by default; do the same so both kinds of output are alike.
          [constants.ZSTD_c_checksumFlag]: 1,
        }
        return { stream: nodeZstd({ params }), finished: Promise.resolve(), kill: () => undefined }
      }
      if (await zstdProgramRuns()) return zstdProgram()
      throw new InputError('compression: zstd needs Node.js 22.15+ or the zstd program on PATH')
    }
    default:
      throw new InputError(`compression: ${JSON.stringify(compression)} is not one of none, gzip, zstd`)
  }
}

// Both spawns pass env explicitly so that the PATH searched is this process's current one.
async function zstdProgramRuns(): Promise<boolean> {
  return await new Promise<boolean>((resolve) => {
    const child = spawn('zstd', ['--version'], { stdio: 'ignore', env: process.env })
    child.on('error', () => resolve(false))
    child.on('close', (code) => resolve(code === 0))
  })
}

// Single-threaded (-T1) so the output does not depend on the number of cores.
function zstdProgram(): Compressor {
  const child = spawn('zstd', [`-${ZSTD_LEVEL}`, '-q', '-c', '-T1', '--no-progress'], { stdio: ['pipe', 'pipe', 'pipe'], env: process.env })
  const stderr: Buffer[] = []
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
  const finished = new Promise<void>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', (code, signal) => {
      if (code === 0) resolve()
      else reject(new ToolError(`zstd failed (${signal ?? `exit ${code}`}): ${Buffer.concat(stderr).toString().trim()}`))
    })
  })
  // Duplex.from pairs the child's stdin and stdout into one pipeline stage.
  const stream = Duplex.from({ writable: child.stdin, readable: child.stdout })
  return { stream, finished, kill: () => child.kill() }
}
