import { promises as fs } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { fileError, InputError } from '../errors.js'
import { parseKernelConfig, type KernelConfig } from './kernel-config.js'

// A .config is a few hundred KB; anything near this is not one (and a gzip bomb stops here).
const MAX_CONFIG_BYTES = 64 * 1024 * 1024

/** Reads a `.config` or a gzip copy of one (`config.gz`, `/proc/config.gz`) and parses it. */
export async function readKernelConfig(path: string, input = 'config', display = path): Promise<KernelConfig> {
  return (await readKernelConfigWithBytes(path, input, display)).config
}

/** The parsed config and its uncompressed bytes: KERNEL_CONFIG is the digest of those bytes, not of a gzip copy. */
export async function readKernelConfigWithBytes(
  path: string,
  input = 'config',
  display = path,
): Promise<{ config: KernelConfig; bytes: Buffer }> {
  const bytes = decode(await readSmallFile(path, input), display, input)
  return { config: parseKernelConfig(bytes.toString('utf8'), display, input), bytes }
}

/** Reads a file that is small by nature, with errors that name the input it came from. */
export async function readSmallFile(path: string, input: string): Promise<Buffer> {
  let stat
  try {
    stat = await fs.stat(path)
  } catch (error) {
    throw fileError(input, path, error)
  }
  if (stat.isDirectory()) throw fileError(input, path, { code: 'EISDIR' })
  if (stat.size > MAX_CONFIG_BYTES) throw new InputError(`${input}: ${path} is too large to be a kernel config`)
  try {
    return await fs.readFile(path)
  } catch (error) {
    throw fileError(input, path, error)
  }
}

function decode(bytes: Buffer, display: string, input: string): Buffer {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_CONFIG_BYTES })
    } catch (error) {
      throw new InputError(`${input}: ${display} is not a readable gzip file (${(error as Error).message})`)
    }
  }
  return bytes
}
