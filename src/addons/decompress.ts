// Decompressing squashfs blocks and compressed kernel modules. gzip is Node's zlib; zstd is Node's zlib where it has
// it (Node 22.15+ / 23.8+, the node24 runner) and the `zstd` program otherwise; xz, which Node lacks, is the `xz`
// program, for modules only (an xz squashfs is read through unsquashfs instead: see open-addons.ts).
import { spawn } from 'node:child_process'
import zlib from 'node:zlib'
import { InputError, ToolError } from '../errors.js'

/** Decompresses one whole compressed buffer to at most `maxBytes` bytes; a corrupt or larger one is rejected. */
export type Decompress = (input: Buffer, maxBytes: number) => Promise<Buffer>

export interface Decompressor {
  decompress: Decompress
  /** How it is done, for the log: "zlib", "the zstd program"... */
  how: string
}

type SyncDecompress = (input: Buffer, options: { maxOutputLength: number }) => Buffer

// zlib.zstdDecompressSync exists from Node 22.15 / 23.8; @types/node 20 does not know it.
function nodeZstd(): SyncDecompress | undefined {
  const decompress = (zlib as unknown as { zstdDecompressSync?: SyncDecompress }).zstdDecompressSync
  return typeof decompress === 'function' ? decompress.bind(zlib) : undefined
}

/** A synchronous zlib call as a Decompress: its throw becomes the promise's rejection. */
function settled(decompress: SyncDecompress): Decompress {
  return (input, maxBytes) => new Promise((resolve) => resolve(decompress(input, { maxOutputLength: maxBytes })))
}

const inflate: Decompressor = { decompress: settled((input, options) => zlib.inflateSync(input, options)), how: 'zlib' }

/** True when this Node.js decompresses zstd itself (else each block would cost a run of the zstd program). */
export function hasNodeZstd(): boolean {
  return nodeZstd() !== undefined
}

/** A squashfs block decompressor: gzip blocks are zlib streams, zstd blocks are zstd frames. */
export function squashfsDecompressor(compression: string | undefined): Decompressor | undefined {
  if (compression === 'gzip') return inflate
  if (compression === 'zstd') return zstdDecompressor()
  return undefined
}

function zstdDecompressor(): Decompressor {
  const native = nodeZstd()
  if (native) return { decompress: settled(native), how: "Node's zlib" }
  return { decompress: (input, maxBytes) => runFilter('zstd', ['-dcq'], input, maxBytes), how: 'the zstd program' }
}

/** How a compressed module (`.ko.gz`, `.ko.zst`, `.ko.xz`) is decompressed; undefined for a plain `.ko`. */
export function moduleDecompressor(file: string): Decompressor | undefined {
  if (file.endsWith('.ko.gz')) return { decompress: settled((input, options) => zlib.gunzipSync(input, options)), how: 'zlib' }
  if (file.endsWith('.ko.zst')) return zstdDecompressor()
  if (file.endsWith('.ko.xz')) return { decompress: (input, maxBytes) => runFilter('xz', ['-dcq'], input, maxBytes), how: 'the xz program' }
  return undefined
}

/** Input that does not decompress (what zlib's own errors also mean here); the caller names the file it came from. */
export class DecompressError extends InputError {
  override name = 'DecompressError'
}

/** Raised when the program a decompressor needs is not installed, so the caller can say what that means there. */
export class MissingProgramError extends ToolError {
  override name = 'MissingProgramError'
  constructor(readonly program: string) {
    super(`the ${program} program is not installed`)
  }
}

/** Runs `program args` with `input` on stdin and returns its stdout, refusing more than `maxBytes`. */
async function runFilter(program: string, args: string[], input: Buffer, maxBytes: number): Promise<Buffer> {
  return await new Promise<Buffer>((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'], env: process.env })
    const chunks: Buffer[] = []
    let length = 0
    let stderr = ''
    let failure: Error | undefined
    child.stdout.on('data', (chunk: Buffer) => {
      length += chunk.length
      if (length > maxBytes) {
        failure ??= new DecompressError(`it decompresses to more than ${maxBytes} bytes`)
        child.kill()
        return
      }
      chunks.push(chunk)
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-300)))
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure ??= error.code === 'ENOENT' ? new MissingProgramError(program) : new ToolError(`${program} could not run (${error.message})`)
    })
    child.on('close', (code) => {
      if (failure) reject(failure)
      else if (code !== 0) reject(new DecompressError(stderr.trim().split('\n').pop() || `${program} exited ${code}`))
      else resolve(Buffer.concat(chunks, length))
    })
    // The program may exit before reading all of a corrupt input: that is its answer, not an error of ours.
    child.stdin.on('error', () => undefined)
    child.stdin.end(input)
  })
}
