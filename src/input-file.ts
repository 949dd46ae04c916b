// The one checked way to open a file this project reads: the files a user names (config, requirements, fragment,
// image, addons) and the files it finds (layout blobs and index.json, Kconfig sources, installed zone files, the
// install journal). Each must be a regular file, checked before it is opened: a FIFO would block the open or the read
// forever, and a device such as /dev/zero reports size 0 and never ends. Reads are bounded by the size seen at open
// time, and that size by the caller's bound.
import fsSync, { constants, promises as fs, type Stats } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { fileError, InputError } from './errors.js'

export interface InputFile {
  handle: FileHandle
  size: number
}

export interface OpenFileOptions {
  /** Refuse a file larger than this (with `what` in the message). */
  maxBytes?: number
  /** What the file should be, for the size message: "kernel config", "OCI index.json". */
  what?: string
  /** Refuse a symbolic link as the last component (lstat, then O_NOFOLLOW): for files under a root we confine. */
  noFollow?: boolean
}

/** Opens `file` (named by input `input`) for reading, or throws a one-line InputError saying why not. */
export async function openInputFile(file: string, input: string, options: OpenFileOptions = {}): Promise<InputFile> {
  const seen = await statOf(file, input, options.noFollow === true)
  assertRegular(file, input, seen)
  assertSize(file, input, seen.size, options)
  let handle: FileHandle
  try {
    // O_NONBLOCK: should the path become a FIFO after the stat, the open still returns instead of waiting for a writer.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw new InputError(`${input}: ${file} is a symbolic link, which is not followed here`)
    throw fileError(input, file, error)
  }
  try {
    const stat = await handle.stat()
    assertRegular(file, input, stat)
    assertSize(file, input, stat.size, options)
    return { handle, size: stat.size }
  } catch (error) {
    await handle.close()
    throw error
  }
}

/**
 * Reads a file that is small by nature, whole, after checking its size against `maxBytes`; `what` names what the file
 * should be ("kernel config"), for the message.
 */
export async function readInputFile(file: string, input: string, maxBytes: number, what: string, options: OpenFileOptions = {}): Promise<Buffer> {
  const { handle, size } = await openInputFile(file, input, { ...options, maxBytes, what })
  try {
    const buffer = Buffer.alloc(size)
    let filled = 0
    // Exactly the size seen at open: a file that grows meanwhile is not followed.
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled)
      if (bytesRead === 0) break
      filled += bytesRead
    }
    return buffer.subarray(0, filled)
  } catch (error) {
    if (error instanceof InputError) throw error
    throw fileError(input, file, error)
  } finally {
    await handle.close()
  }
}

/**
 * A checked file as a stream of exactly the bytes it had when opened (a file that grows meanwhile is not followed).
 * The handle closes when the stream ends or is destroyed.
 */
export async function streamInputFile(file: string, input: string, options: OpenFileOptions = {}): Promise<{ stream: Readable; size: number }> {
  const { handle, size } = await openInputFile(file, input, options)
  if (size === 0) {
    await handle.close()
    return { stream: Readable.from([]), size }
  }
  return { stream: handle.createReadStream({ start: 0, end: size - 1, highWaterMark: 1 << 20, autoClose: true }), size }
}

/** That `file` is a regular file, without opening it: to judge every input before any work, its contents later. */
export async function assertInputFile(file: string, input: string): Promise<void> {
  assertRegular(file, input, await statOf(file, input, false))
}

async function statOf(file: string, input: string, noFollow: boolean): Promise<Stats> {
  try {
    const stat = noFollow ? await fs.lstat(file) : await fs.stat(file)
    if (stat.isSymbolicLink()) throw new InputError(`${input}: ${file} is a symbolic link, which is not followed here`)
    return stat
  } catch (error) {
    if (error instanceof InputError) throw error
    throw fileError(input, file, error)
  }
}

function assertSize(file: string, input: string, size: number, options: OpenFileOptions): void {
  if (options.maxBytes === undefined || size <= options.maxBytes) return
  throw new InputError(`${input}: ${file} is too large to be ${article(options.what ?? 'file')} (${size} bytes, at most ${options.maxBytes})`)
}

function article(what: string): string {
  return `${/^[aeiouAEIO]/.test(what) ? 'an' : 'a'} ${what}`
}

function assertRegular(file: string, input: string, stat: Stats): void {
  if (stat.isFile()) return
  if (stat.isDirectory()) throw fileError(input, file, { code: 'EISDIR' })
  throw new InputError(`${input}: ${file} is ${kindOf(stat)}, not a regular file`)
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe (FIFO)'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  if (stat.isSocket()) return 'a socket'
  return 'a special file'
}

/**
 * The synchronous twin of readInputFile, for readers that are synchronous by design (the Kconfig tree): the same
 * checks (a regular file, within `maxBytes`, opened without blocking on a FIFO), undefined when the file does not exist.
 */
export function readInputFileSync(file: string, input: string, maxBytes: number, what: string): Buffer | undefined {
  let fd: number
  try {
    fd = fsSync.openSync(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw fileError(input, file, error)
  }
  try {
    const stat = fsSync.fstatSync(fd)
    assertRegular(file, input, stat)
    assertSize(file, input, stat.size, { maxBytes, what })
    const buffer = Buffer.alloc(stat.size)
    let filled = 0
    while (filled < stat.size) {
      const read = fsSync.readSync(fd, buffer, filled, stat.size - filled, filled)
      if (read === 0) break
      filled += read
    }
    return buffer.subarray(0, filled)
  } catch (error) {
    if (error instanceof InputError) throw error
    throw fileError(input, file, error)
  } finally {
    fsSync.closeSync(fd)
  }
}
