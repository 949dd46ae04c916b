import { createReadStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { IntegrityError } from '../errors.js'

/**
 * One member of an initramfs. Built here rather than with the `cpio` tool so that `/dev/console` can be a device node
 * without root, and so that the archive is the same bytes on every run (fixed owners, times and inode numbers).
 */
export type CpioEntry =
  | { kind: 'dir'; name: string }
  | { kind: 'file'; name: string; mode?: number; data: string | Buffer }
  | { kind: 'host-file'; name: string; mode?: number; source: string }
  | { kind: 'symlink'; name: string; target: string }
  | { kind: 'char'; name: string; major: number; minor: number }

const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000
const S_IFCHR = 0o020000

/** The 110-byte "newc" header plus the NUL-terminated, 4-byte-padded name (the format the kernel unpacks). */
function newcHeader(name: string, fields: { ino: number; mode: number; size: number; rdevMajor?: number; rdevMinor?: number }): Buffer {
  const nameBytes = Buffer.from(`${name}\0`)
  const hex = (n: number): string => n.toString(16).padStart(8, '0')
  const header =
    '070701' +
    [
      fields.ino,
      fields.mode,
      0,
      0,
      fields.mode & S_IFDIR ? 2 : 1,
      0,
      fields.size,
      0,
      0,
      fields.rdevMajor ?? 0,
      fields.rdevMinor ?? 0,
      nameBytes.length,
      0,
    ]
      .map(hex)
      .join('')
  return Buffer.concat([Buffer.from(header), nameBytes, Buffer.alloc(padding(110 + nameBytes.length))])
}

function padding(length: number): number {
  return (4 - (length % 4)) % 4
}

/** Writes `entries` as one uncompressed newc archive at `path`; host files are streamed, not read whole. */
export async function writeCpio(path: string, entries: readonly CpioEntry[]): Promise<void> {
  const out = await open(path, 'w')
  try {
    let ino = 1
    for (const entry of entries) {
      const name = entry.name.replace(/^\/+/, '')
      switch (entry.kind) {
        case 'dir':
          await out.write(newcHeader(name, { ino: ino++, mode: S_IFDIR | 0o755, size: 0 }))
          break
        case 'symlink': {
          const target = Buffer.from(entry.target)
          await out.write(newcHeader(name, { ino: ino++, mode: S_IFLNK | 0o777, size: target.length }))
          await out.write(Buffer.concat([target, Buffer.alloc(padding(target.length))]))
          break
        }
        case 'char':
          await out.write(newcHeader(name, { ino: ino++, mode: S_IFCHR | 0o600, size: 0, rdevMajor: entry.major, rdevMinor: entry.minor }))
          break
        case 'file': {
          const data = Buffer.from(entry.data)
          await out.write(newcHeader(name, { ino: ino++, mode: S_IFREG | (entry.mode ?? 0o644), size: data.length }))
          await out.write(Buffer.concat([data, Buffer.alloc(padding(data.length))]))
          break
        }
        case 'host-file': {
          const { size } = await stat(entry.source)
          await out.write(newcHeader(name, { ino: ino++, mode: S_IFREG | (entry.mode ?? 0o644), size }))
          let written = 0
          for await (const chunk of createReadStream(entry.source)) {
            await out.write(chunk as Buffer)
            written += (chunk as Buffer).length
          }
          if (written !== size) throw new IntegrityError(`${entry.source} changed size while it was archived`)
          await out.write(Buffer.alloc(padding(size)))
          break
        }
      }
    }
    await out.write(newcHeader('TRAILER!!!', { ino: 0, mode: 0, size: 0 }))
  } finally {
    await out.close()
  }
}
