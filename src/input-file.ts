// Opening the files a user names (config, requirements, fragment, image, addons). Each must be a regular file,
// checked before it is opened: a FIFO would block the open or the read forever, and a device such as /dev/zero
// reports size 0 and never ends. Reads are bounded by the size seen at open time.
import { constants, promises as fs, type Stats } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { fileError, InputError } from './errors.js'

export interface InputFile {
  handle: FileHandle
  size: number
}

/** Opens `file` (named by input `input`) for reading, or throws a one-line InputError saying why not. */
export async function openInputFile(file: string, input: string): Promise<InputFile> {
  assertRegular(file, input, await statOf(file, input))
  let handle: FileHandle
  try {
    // O_NONBLOCK: should the path become a FIFO after the stat, the open still returns instead of waiting for a writer.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (error) {
    throw fileError(input, file, error)
  }
  try {
    const stat = await handle.stat()
    assertRegular(file, input, stat)
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
export async function readInputFile(file: string, input: string, maxBytes: number, what: string): Promise<Buffer> {
  const { handle, size } = await openInputFile(file, input)
  try {
    if (size > maxBytes) throw new InputError(`${input}: ${file} is too large to be a ${what} (${size} bytes, at most ${maxBytes})`)
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

async function statOf(file: string, input: string): Promise<Stats> {
  try {
    return await fs.stat(file)
  } catch (error) {
    throw fileError(input, file, error)
  }
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
