// Reading a layer as krata's puller does: decompressed according to its media type, then walked as a tar stream,
// entry by entry, with back-pressure (node-tar), so a layer of any size passes through in constant memory.
import { spawn } from 'node:child_process'
import { Duplex, PassThrough, Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { InputError, ToolError } from '../errors.js'
import type { OpenedImage } from './image-source.js'
import type { LayerCompression } from '../oci/layer.js'
import { MediaType, type Descriptor } from '../oci/types.js'

export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

/** The layer media types krata v0.0.21 accepts (`acquire_layer`), and how each is compressed. */
export const KRATA_LAYER_TYPES: ReadonlyMap<string, LayerCompression> = new Map([
  [MediaType.layerTar, 'none'],
  [MediaType.layerGzip, 'gzip'],
  [MediaType.layerZstd, 'zstd'],
  [DOCKER_LAYER_GZIP, 'gzip'],
])

/** One tar entry as the reader sees it (paths exactly as stored: no `./` stripped). */
export interface LayerEntry {
  path: string
  type: ReadEntry['type']
  size: number
  linkpath?: string
}

/**
 * What to do with an entry's body: nothing (it is skipped), or a function that consumes the body stream and
 * resolves when done. The next entry is read only after that.
 */
export type EntryHandler = (entry: LayerEntry) => ((body: Readable) => Promise<void>) | undefined

/** Streams one layer of `image` through `onEntry`. The blob's digest and size are checked as it is read. */
export async function readLayer(image: Pick<OpenedImage, 'openBlob'>, layer: Descriptor, onEntry: EntryHandler, where: string): Promise<void> {
  const compression = KRATA_LAYER_TYPES.get(layer.mediaType)
  if (compression === undefined) throw new InputError(`${where}: layer ${layer.digest} has media type ${layer.mediaType}, which krata cannot read`)
  const blob = await image.openBlob(layer)
  await walkTar(blob, compression, onEntry, `${where}: layer ${layer.digest}`)
}

/** Decompresses `source` and calls `onEntry` for each tar entry, one body at a time. */
export async function walkTar(source: Readable, compression: LayerCompression, onEntry: EntryHandler, where: string): Promise<void> {
  const parser = new Parser({ strict: true })
  const pending: Promise<void>[] = []
  let failure: unknown
  parser.on('entry', (entry: ReadEntry) => {
    let consume: ReturnType<EntryHandler>
    try {
      consume = onEntry({ path: entry.path, type: entry.type, size: entry.size ?? 0, ...(entry.linkpath ? { linkpath: entry.linkpath } : {}) })
    } catch (error) {
      // A throw inside the parser's event would escape the stream uncaught: end the walk with it instead.
      source.destroy(error as Error)
      return
    }
    if (consume === undefined) {
      entry.resume()
      return
    }
    const body = new PassThrough({ highWaterMark: 1 << 20 })
    entry.pipe(body)
    pending.push(
      consume(body).catch((error: unknown) => {
        failure ??= error
        entry.resume()
        body.resume()
      }),
    )
  })
  const stages: (Readable | Duplex)[] = [source]
  const decompress = decompressor(compression)
  if (decompress !== undefined) stages.push(decompress)
  try {
    await pipeline([...stages, parser as unknown as NodeJS.WritableStream])
  } catch (error) {
    if (error instanceof InputError) throw error
    throw new InputError(`${where}: ${(error as Error).message}`)
  }
  await Promise.all(pending)
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows, as it was, the first error an entry's body consumer threw
  if (failure !== undefined) throw failure
}

function decompressor(compression: LayerCompression): Duplex | undefined {
  if (compression === 'gzip') return createGunzip({ chunkSize: 1 << 16 })
  if (compression === 'zstd') return zstdDecompressor()
  return undefined
}

/** Node 20 has no zstd in zlib: the `zstd` program does it, as a stream (stdin → stdout). */
function zstdDecompressor(): Duplex {
  const child = spawn('zstd', ['-dcq'], { stdio: ['pipe', 'pipe', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)))
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  // The output only ends cleanly once zstd has said it succeeded: a corrupt frame must not pass as a short tar.
  const output = new Transform({
    transform: (chunk: Buffer, _encoding, callback) => callback(null, chunk),
    flush: (callback) => {
      void exited.then((code) => callback(code === 0 ? null : new ToolError(`zstd -d failed: ${stderr.trim() || `exit ${String(code)}`}`)))
    },
  })
  child.on('error', (error) => output.destroy(new ToolError(`cannot run zstd to read a tar+zstd layer: ${error.message}`)))
  child.stdout.pipe(output)
  const duplex = Duplex.from({ writable: child.stdin, readable: output })
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill()
  })
  return duplex
}

/** Reads a whole entry body into memory, refusing more than `maxBytes` (for metadata). */
export async function bodyToBuffer(body: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  let length = 0
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length
    if (length > maxBytes) throw new InputError(`${what} is larger than ${maxBytes} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** What krata reads as a file: a regular file entry in any of tar's spellings (never a link). */
export function isRegularEntry(type: string): boolean {
  return type === 'File' || type === 'OldFile' || type === 'ContiguousFile'
}
