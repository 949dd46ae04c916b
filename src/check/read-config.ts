import { gunzipSync } from 'node:zlib'
import { InputError } from '../errors.js'
import { readInputFile } from '../input-file.js'
import { parseKernelConfig, type KernelConfig } from './kernel-config.js'

// A .config is a few hundred KB (Debian's arm64 one: 0.3 MB); anything past 16 MiB is not one, and a gzip bomb stops
// here. The limit is also what bounds the check's memory (README: about 10× the config's size on top of ~55 MB).
const MAX_CONFIG_BYTES = 16 * 1024 * 1024

/** Reads a `.config` or a gzip copy of one (`config.gz`, `/proc/config.gz`) and parses it. */
export async function readKernelConfig(path: string, input = 'config', display = path): Promise<KernelConfig> {
  return (await readKernelConfigWithBytes(path, input, display)).config
}

/** The parsed config and its uncompressed bytes: KERNEL_CONFIG is the digest of those bytes, not of a gzip copy. */
export async function readKernelConfigWithBytes(path: string, input = 'config', display = path): Promise<{ config: KernelConfig; bytes: Buffer }> {
  const bytes = decodeConfig(await readSmallFile(path, input), display, input)
  return { config: parseKernelConfig(bytes.toString('utf8'), display, input), bytes }
}

/**
 * Reads a file that is small by nature, with errors that name the input it came from. It must be a regular file (a
 * FIFO or a device such as /dev/zero would hang or never end) and is read up to MAX_CONFIG_BYTES.
 */
export async function readSmallFile(path: string, input: string): Promise<Buffer> {
  return readInputFile(path, input, MAX_CONFIG_BYTES, input === 'requirements' ? 'requirements file' : 'kernel config')
}

/** A config as written (plain or gzip), uncompressed, at most MAX_CONFIG_BYTES: the same bound for every config read. */
export function decodeConfig(bytes: Buffer, display: string, input: string): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_CONFIG_BYTES })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new InputError(`${input}: ${display} inflates to more than ${MAX_CONFIG_BYTES} bytes, too large to be a kernel config`)
      }
      throw new InputError(`${input}: ${display} is not a readable gzip file (${(error as Error).message})`)
    }
  }
  return bytes
}
