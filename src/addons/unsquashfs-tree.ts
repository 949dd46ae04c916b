// The same view of an addons image through squashfs-tools' unsquashfs (4.5+: -cat, -max-depth): for the compressors
// Node cannot decompress (xz, lzma, lzo, lz4). One process per listing or file read; nothing is extracted to disk.
import { execFile } from 'node:child_process'
import { resolve } from 'node:path'
import { InputError, ToolError } from '../errors.js'
import type { EntryKind } from './squashfs-format.js'
import type { AddonsTree, TreeEntry } from './tree.js'

interface Run {
  code: number
  stdout: Buffer
  stderr: string
  /** It wrote more than the bound it was given (and was stopped). */
  tooLarge?: boolean
}

/** Runs unsquashfs; a missing program is `undefined`, every other outcome is returned as it is. */
async function unsquashfs(args: string[], maxBytes: number): Promise<Run | undefined> {
  return await new Promise<Run | undefined>((resolve) => {
    execFile('unsquashfs', args, { encoding: 'buffer', maxBuffer: maxBytes, env: process.env }, (error, stdout, stderr) => {
      const failure = error as (NodeJS.ErrnoException & { code?: string | number }) | null
      if (failure?.code === 'ENOENT') resolve(undefined)
      else if (failure?.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') resolve({ code: 1, stdout, stderr: stderr.toString(), tooLarge: true })
      else resolve({ code: typeof failure?.code === 'number' ? failure.code : failure ? 1 : 0, stdout, stderr: stderr.toString() })
    })
  })
}

/** True when unsquashfs can be run here. */
export async function unsquashfsAvailable(): Promise<boolean> {
  return (await unsquashfs(['-v'], 1 << 20)) !== undefined
}

const KINDS: Readonly<Record<string, EntryKind>> = { d: 'directory', '-': 'file', l: 'symlink' }
// `unsquashfs -lls`: mode, owner/group, size (or major, minor), date, time, then the path from the root.
const LISTING_LINE = /^(\S)\S{9} \S+\s+(?:\d+|\d+,\s*\d+) \d{4}-\d\d-\d\d \d\d:\d\d (.*)$/

/** The direct children of `dir` in `unsquashfs -lls` output (paths from the root, "/modules/kernel"). */
export function parseUnsquashfsListing(text: string, dir: string): TreeEntry[] | undefined {
  const prefix = dir === '' ? '/' : `/${dir}/`
  let isDirectory = dir === ''
  const entries: TreeEntry[] = []
  for (const line of text.split('\n')) {
    const match = LISTING_LINE.exec(line)
    if (!match) continue
    const kind = KINDS[match[1]!] ?? 'other'
    const path = kind === 'symlink' ? match[2]!.replace(/ -> .*$/, '') : match[2]!
    if (path === `/${dir}`) isDirectory = kind === 'directory'
    if (!path.startsWith(prefix) || path.length === prefix.length) continue
    const name = path.slice(prefix.length)
    if (!name.includes('/')) entries.push({ name, kind })
  }
  return isDirectory ? entries : undefined
}

export class UnsquashfsTree implements AddonsTree {
  readonly how: string

  /** `why` says why unsquashfs reads it, for the log: "xz, which Node.js cannot decompress". */
  constructor(
    private readonly name: { input: string; file: string },
    why: string,
  ) {
    this.how = `with unsquashfs (${why})`
  }

  async list(path: string): Promise<TreeEntry[] | undefined> {
    const depth = path === '' ? 1 : path.split('/').length + 1
    // Paths from the root ("/modules"): a name from modules.dep that starts with "-" is never read as an option.
    const args = ['-lls', '-d', '', '-max-depth', String(depth), '-no-wildcards', resolve(this.name.file), ...(path === '' ? [] : [`/${path}`])]
    const run = await this.run(args, 64 << 20)
    if (run.code !== 0 || run.tooLarge) throw this.failed(run)
    return parseUnsquashfsListing(run.stdout.toString('latin1'), path)
  }

  async read(path: string, maxBytes: number): Promise<Buffer | undefined> {
    const run = await this.run(['-cat', '-no-wildcards', resolve(this.name.file), `/${path}`], maxBytes)
    if (run.tooLarge)
      throw new InputError(`${this.name.input}: ${this.name.file} holds ${path} of more than the ${maxBytes} bytes a file there can be`)
    // A missing file is exit 2; a directory is exit 0 with "cat: /x is a directory" on stderr.
    if (run.code !== 0 || run.stderr.includes('cat: ')) return undefined
    return run.stdout
  }

  async close(): Promise<void> {}

  private async run(args: string[], maxBytes: number): Promise<Run> {
    const run = await unsquashfs(args, maxBytes)
    if (run === undefined) throw new ToolError(`${this.name.input}: unsquashfs is no longer on PATH`)
    return run
  }

  private failed(run: Run): Error {
    const why = run.tooLarge ? 'its listing is too long' : run.stderr.trim().split('\n').pop() || `exit ${run.code}`
    return new InputError(`${this.name.input}: ${this.name.file} is not a readable squashfs image: unsquashfs says ${why}`)
  }
}
