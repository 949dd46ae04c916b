import { promises as fs } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import { InputError } from '../errors.js'
import { parseKernelConfig, type KernelConfig } from './kernel-config.js'

// A .config is a few hundred KB; anything near this is not one (and a gzip bomb stops here).
const MAX_CONFIG_BYTES = 64 * 1024 * 1024

/** Reads a `.config` or a gzip copy of one (`config.gz`, `/proc/config.gz`) and parses it. */
export async function readKernelConfig(path: string, input = 'config', display = path): Promise<KernelConfig> {
  const bytes = await readSmallFile(path, input)
  return parseKernelConfig(decode(bytes, display, input), display, input)
}

/** Reads a file that is small by nature, with errors that name the input it came from. */
export async function readSmallFile(path: string, input: string): Promise<Buffer> {
  let stat
  try {
    stat = await fs.stat(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new InputError(`${input}: ${path} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`)
  }
  if (stat.isDirectory()) throw new InputError(`${input}: ${path} is a directory, not a file`)
  if (stat.size > MAX_CONFIG_BYTES) throw new InputError(`${input}: ${path} is too large to be a kernel config`)
  try {
    return await fs.readFile(path)
  } catch (error) {
    throw new InputError(`${input}: ${path} cannot be read (${(error as NodeJS.ErrnoException).code})`)
  }
}

function decode(bytes: Buffer, display: string, input: string): string {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_CONFIG_BYTES }).toString('utf8')
    } catch (error) {
      throw new InputError(`${input}: ${display} is not a readable gzip file (${(error as Error).message})`)
    }
  }
  return bytes.toString('utf8')
}
