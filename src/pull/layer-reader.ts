// Reading a layer as krata's puller does: decompressed according to its media type, then walked as a tar stream,
// entry by entry, with back-pressure (node-tar), so a layer of any size passes through in constant memory; each
// stage checks its bytes before the next one trusts them (layer-bytes.ts, tar-gate.ts, kernel-file-limits.ts).
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { Duplex, PassThrough, Transform, Writable, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib, { createGunzip } from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { SUPERBLOCK_BYTES, squashfsProblem } from '../describe/squashfs.js'
import { InputError, IntegrityError, ToolError } from '../errors.js'
import { kernelFileSizeProblem, placedPath } from './kernel-file-limits.js'
import { MAGIC_BYTES, ZstdFrameCheck, layerMagicProblem } from './layer-bytes.js'
import { TarGate } from './tar-gate.js'
import type { OpenedImage } from './image-source.js'
import { isRegularEntry, KRATA_LAYER_TYPES } from '../oci/image-format.js'
import type { LayerCompression } from '../oci/layer.js'
import type { Descriptor } from '../oci/types.js'

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

/**
 * Decompresses `source` and calls `onEntry` for each tar entry, one body at a time. Before anything is decompressed the
 * bytes must start as `compression` says; every tar header must be one GNU tar accepts; each kernel file must be within
 * its cap (kernel-file-limits.ts) and addons.squashfs a whole squashfs. The first error of any part (the bytes, the
 * decompressor, the tar, a consumer) ends the whole walk with that error; no consumer is left waiting.
 */
export async function walkTar(source: Readable, compression: LayerCompression, onEntry: EntryHandler, where: string): Promise<void> {
  const parser = new Parser({ strict: true })
  const pending: Promise<void>[] = []
  const bodies = new Set<Readable>()
  const stages: (Readable | Duplex)[] = [source, new MagicGate(compression, where)]
  if (compression === 'zstd') stages.push(new ZstdFrameGate(where))
  const decompress = decompressor(compression)
  if (decompress !== undefined) stages.push(decompress)
  stages.push(new TarGate(where))
  let failure: unknown
  let failed: (error: unknown) => void = () => undefined
  const stopped = new Promise<never>((_resolve, reject) => (failed = reject))
  stopped.catch(() => undefined)
  // Any part failing stops every part: the pipeline alone would wait forever on a parser blocked by a failed body.
  const fail = (error: unknown): void => {
    if (failure !== undefined) return
    failure = error
    failed(error)
    for (const stage of stages) stage.destroy()
    for (const body of bodies) body.destroy(error as Error)
  }
  parser.on('entry', (entry: ReadEntry) => {
    const info: LayerEntry = { path: entry.path, type: entry.type, size: entry.size ?? 0, ...(entry.linkpath ? { linkpath: entry.linkpath } : {}) }
    const regular = isRegularEntry(entry.type)
    const problem = regular ? kernelFileSizeProblem(entry.path, info.size) : undefined
    if (problem !== undefined) {
      entry.resume()
      fail(new InputError(`${where}: ${problem}`))
      return
    }
    let consume: ReturnType<EntryHandler>
    try {
      consume = onEntry(info)
    } catch (error) {
      // A throw inside the parser's event would escape the stream uncaught: end the walk with it instead.
      entry.resume()
      fail(error)
      return
    }
    const check = regular && placedPath(entry.path) === 'kernel/addons.squashfs' ? new SquashfsHead(info.size, `${where}: ${entry.path}`) : undefined
    check?.on('error', fail)
    if (consume === undefined) {
      if (check === undefined) entry.resume()
      else entry.pipe(check).resume()
      return
    }
    const body = new PassThrough({ highWaterMark: 1 << 20 })
    // The walk reports a failure itself (fail); a consumer that awaits something before reading its body (opening the
    // file it writes) has no listener yet when the walk destroys the body with that failure.
    body.on('error', () => undefined)
    bodies.add(body)
    body.once('close', () => bodies.delete(body))
    if (check === undefined) entry.pipe(body)
    else entry.pipe(check).pipe(body)
    pending.push(consume(body).catch(fail))
  })
  try {
    await Promise.race([pipeline([...stages, parser as unknown as NodeJS.WritableStream]), stopped])
  } catch (error) {
    fail(error)
  }
  // Every consumer has finished (or failed) before the walk returns: none is still writing a file.
  await Promise.allSettled(pending)
  if (failure === undefined) return
  if (failure instanceof InputError || failure instanceof ToolError || failure instanceof IntegrityError) throw failure
  if (failure instanceof Error && failure.name !== 'Error' && !('code' in failure)) throw failure
  throw new InputError(`${where}: ${(failure as Error).message}`)
}

/** Holds back the first bytes until they show the layer is what its media type says. */
class MagicGate extends Transform {
  #head: Buffer[] = []
  #have = 0
  #open = false
  constructor(
    private readonly compression: LayerCompression,
    private readonly where: string,
  ) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#open) return callback(null, chunk)
    this.#head.push(chunk)
    this.#have += chunk.length
    if (this.#have < MAGIC_BYTES) return callback()
    this.#release(callback)
  }

  override _flush(callback: TransformCallback): void {
    if (this.#open) return callback()
    this.#release(callback)
  }

  #release(callback: TransformCallback): void {
    const head = Buffer.concat(this.#head)
    this.#head = []
    const problem = layerMagicProblem(head, this.compression)
    if (problem !== undefined)
      return callback(
        new InputError(`${this.where}: the layer ${problem}; its media type says ${this.compression === 'none' ? 'tar' : `tar+${this.compression}`}`),
      )
    this.#open = true
    callback(null, head)
  }
}

/** Every zstd frame must be a zstd frame: the `zstd` program would also decode a gzip member placed after one. */
class ZstdFrameGate extends Transform {
  readonly #frames = new ZstdFrameCheck()
  constructor(private readonly where: string) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const problem = this.#frames.push(chunk)
    callback(problem === undefined ? null : new InputError(`${this.where}: the tar+zstd layer is not zstd throughout: ${problem}`), chunk)
  }

  override _flush(callback: TransformCallback): void {
    const problem = this.#frames.end()
    callback(problem === undefined ? null : new InputError(`${this.where}: ${problem}`))
  }
}

/** Checks kernel/addons.squashfs's first bytes against its size as they pass (squashfs.ts: the publish rule). */
class SquashfsHead extends Transform {
  #head = Buffer.alloc(0)
  #checked = false
  constructor(
    private readonly size: number,
    private readonly what: string,
  ) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (!this.#checked) {
      this.#head = Buffer.concat([this.#head, chunk.subarray(0, SUPERBLOCK_BYTES - this.#head.length)])
      if (this.#head.length === SUPERBLOCK_BYTES) {
        const problem = this.#check()
        if (problem !== undefined) return callback(problem)
      }
    }
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    callback(this.#checked ? null : (this.#check() ?? null))
  }

  #check(): InputError | undefined {
    this.#checked = true
    const problem = squashfsProblem(this.#head, this.size)
    return problem === undefined ? undefined : new InputError(`${this.what} ${problem}`)
  }
}

function decompressor(compression: LayerCompression): Duplex | undefined {
  if (compression === 'gzip') return createGunzip({ chunkSize: 1 << 16 })
  if (compression === 'zstd') return nodeZstd?.() ?? zstdDecompressor()
  return undefined
}

/** Node's own zstd (zlib.createZstdDecompress, Node 22.15+/23.8+) when this Node has it. */
const nodeZstd = (zlib as unknown as { createZstdDecompress?: () => Duplex }).createZstdDecompress?.bind(zlib)

/** Without it, the `zstd` program does it, as a stream (stdin → stdout). */
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

/**
 * The sha256 of a gzip body once inflated, refusing to inflate past `maxBytes` (kernel/config.gz: a 16 MiB gzip of
 * zeros would otherwise cost a minute). Nothing is kept in memory.
 */
export async function inflatedSha256(body: Readable, maxBytes: number, what: string): Promise<string> {
  const hash = createHash('sha256')
  let inflated = 0
  const tooLarge = new InputError(`${what} inflates to more than ${maxBytes} bytes`)
  try {
    await pipeline(
      body,
      createGunzip({ chunkSize: 1 << 16 }),
      new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          inflated += chunk.length
          if (inflated > maxBytes) return done(tooLarge)
          hash.update(chunk)
          done()
        },
      }),
    )
  } catch (error) {
    if (error === tooLarge || !(error instanceof Error) || !('code' in error)) throw error
    throw new InputError(`${what} is not a whole gzip stream (${error.message})`)
  }
  return `sha256:${hash.digest('hex')}`
}
