// The in-process squashfs reader against images mksquashfs makes here, one row per compressor and layout option: it
// lists and reads back every file of a tree built to hit each record kind (multi-block files with a fragment tail,
// holes, a file of exactly one block, an empty file, a directory of 300 entries, hard links, symlinks, long names).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { InputError, ToolError } from '../src/errors.js'
import { openAddons } from '../src/addons/open-addons.js'
import { parseDirectoryListing, parseInode, parseMetadataHeader, SquashfsFormatError } from '../src/addons/squashfs-format.js'
import { moduleVermagic, vermagicMatches } from '../src/addons/modinfo.js'
import { parseUnsquashfsListing } from '../src/addons/unsquashfs-tree.js'
import type { AddonsTree, TreeEntry } from '../src/addons/tree.js'
import { ROOT } from './support/run-action.js'

const SAMPLE_ADDONS = path.join(ROOT, 'assets', 'sample', 'addons.squashfs')
let dir: string
let tree: string
/** Every path of the source tree (relative, '/'-separated) → its kind and, for files, its bytes. */
const expected = new Map<string, { kind: TreeEntry['kind']; bytes?: Buffer }>()

function pseudoRandom(length: number, seed: number): Buffer {
  // Incompressible enough that blocks stay compressed-but-large, deterministic so a failure can be replayed.
  const out = Buffer.alloc(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

function put(relative: string, bytes: Buffer): void {
  const file = path.join(tree, relative)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, bytes)
  expected.set(relative, { kind: 'file', bytes })
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'addons-squashfs-'))
  tree = path.join(dir, 'tree')
  fs.mkdirSync(tree)
  put('modules/modules.dep', Buffer.from('kernel/a.ko:\nkernel/b/c.ko: kernel/a.ko\n'))
  put('modules/empty', Buffer.alloc(0))
  put('modules/kernel/one-block', pseudoRandom(131072, 1))
  put('modules/kernel/three-and-a-bit', pseudoRandom(3 * 131072 + 777, 2))
  // All-zero blocks are stored as holes (block size word 0); the text tail lands in a fragment.
  put('modules/kernel/holes', Buffer.concat([Buffer.alloc(2 * 131072), Buffer.from('tail after the holes')]))
  put('modules/kernel/text.txt', Buffer.from('vermagic=6.1.0 SMP\n'.repeat(5000)))
  put(`modules/${'n'.repeat(200)}`, Buffer.from('a long name'))
  for (let i = 0; i < 300; i++) put(`many/entry-${String(i).padStart(3, '0')}`, Buffer.from(`entry ${i}\n`))
  fs.linkSync(path.join(tree, 'modules/modules.dep'), path.join(tree, 'modules/hard-link'))
  expected.set('modules/hard-link', expected.get('modules/modules.dep')!)
  fs.symlinkSync('kernel/text.txt', path.join(tree, 'modules/link'))
  expected.set('modules/link', { kind: 'symlink' })
  for (const d of ['modules', 'modules/kernel', 'many']) expected.set(d, { kind: 'directory' })
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function squash(name: string, options: string[]): string {
  const image = path.join(dir, `${name}.squashfs`)
  execFileSync('mksquashfs', [tree, image, '-noappend', '-all-root', '-quiet', '-no-progress', ...options], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  return image
}

/** Lists the whole tree through `reader` and reads every file: the map of what it saw. */
async function readAll(reader: AddonsTree): Promise<Map<string, { kind: TreeEntry['kind']; bytes?: Buffer }>> {
  const seen = new Map<string, { kind: TreeEntry['kind']; bytes?: Buffer }>()
  const walk = async (at: string): Promise<void> => {
    for (const entry of (await reader.list(at)) ?? []) {
      const relative = at === '' ? entry.name : `${at}/${entry.name}`
      if (entry.kind === 'file') seen.set(relative, { kind: 'file', bytes: await reader.read(relative, 1 << 20) })
      else seen.set(relative, { kind: entry.kind })
      if (entry.kind === 'directory') await walk(relative)
    }
  }
  await walk('')
  return seen
}

const digestOf = (map: Map<string, { kind: string; bytes?: Buffer }>): Record<string, string> =>
  Object.fromEntries(
    [...map]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, value]) => [name, value.bytes ? createHash('sha256').update(value.bytes).digest('hex') : value.kind]),
  )

describe('the in-process squashfs reader reads back what mksquashfs wrote', () => {
  it.each([
    ['gzip', ['-comp', 'gzip']],
    ['zstd', ['-comp', 'zstd']],
    ['gzip, 4 KiB blocks', ['-comp', 'gzip', '-b', '4096']],
    ['gzip, nothing compressed (-noI -noD -noF)', ['-comp', 'gzip', '-noI', '-noD', '-noF']],
    ['gzip, no fragments', ['-comp', 'gzip', '-no-fragments']],
    ['zstd, always fragments, 1 MiB blocks', ['-comp', 'zstd', '-always-use-fragments', '-b', '1048576']],
  ])('%s', async (name, options) => {
    const image = squash(name.replace(/\W+/g, '-'), options)
    const reader = await openAddons(image, 'addons', 'in-process')
    try {
      expect(reader.how).toMatch(/^in-process \((gzip|zstd), /)
      expect(digestOf(await readAll(reader))).toEqual(digestOf(expected))
      expect(await reader.read('modules/missing', 10)).toBeUndefined()
      expect(await reader.read('modules', 10)).toBeUndefined()
      expect(await reader.list('modules/modules.dep')).toBeUndefined()
      await expect(reader.read('modules/kernel/text.txt', 100)).rejects.toThrow(
        new InputError(`addons: ${image} holds modules/kernel/text.txt of 95000 bytes, more than the 100 a file there can be`),
      )
    } finally {
      await reader.close()
    }
  })

  it("reads a zstd image with Node's zstd where Node.js has it, else with unsquashfs (faster than a zstd run per block)", async () => {
    const image = squash('zstd-auto', ['-comp', 'zstd'])
    const reader = await openAddons(image, 'addons')
    try {
      const nodeHasZstd = typeof (zlib as unknown as { zstdDecompressSync?: unknown }).zstdDecompressSync === 'function'
      expect(reader.how).toBe(nodeHasZstd ? "in-process (zstd, Node's zlib)" : 'with unsquashfs (zstd, this Node.js has no zstd)')
      expect((await reader.read('modules/modules.dep', 1000))?.toString()).toBe('kernel/a.ko:\nkernel/b/c.ko: kernel/a.ko\n')
    } finally {
      await reader.close()
    }
  })

  it('reads an xz image through unsquashfs, which gives the same tree', async () => {
    const image = squash('xz', ['-comp', 'xz'])
    const reader = await openAddons(image, 'addons')
    try {
      expect(reader.how).toBe('with unsquashfs (xz, which Node.js cannot decompress)')
      expect(digestOf(await readAll(reader))).toEqual(digestOf(expected))
    } finally {
      await reader.close()
    }
    await expect(openAddons(image, 'addons', 'in-process')).rejects.toThrow(
      new ToolError(`addons: ${image} is xz-compressed, which kernel-action reads only through unsquashfs`),
    )
  })

  it('says in one line that an xz image needs unsquashfs when it is not installed', async () => {
    const image = squash('xz-alone', ['-comp', 'xz'])
    const path0 = process.env.PATH
    process.env.PATH = path.join(dir, 'no-programs-here')
    try {
      await expect(openAddons(image, 'addons')).rejects.toThrow(
        new ToolError(
          `addons: ${image} is xz-compressed, which Node.js cannot decompress; install unsquashfs (apt-get install squashfs-tools) to check it, or build it with gzip or zstd`,
        ),
      )
    } finally {
      process.env.PATH = path0
    }
  })

  it('refuses a superblock naming a compressor squashfs does not define', async () => {
    const bytes = fs.readFileSync(squash('unknown-compressor', ['-comp', 'gzip']))
    bytes.writeUInt16LE(0, 20)
    const file = path.join(dir, 'unknown-compressor-copy.squashfs')
    fs.writeFileSync(file, bytes)
    await expect(openAddons(file, 'addons')).rejects.toThrow(
      new InputError(`addons: ${file} is not a readable squashfs image: its superblock names compressor 0, which squashfs does not define`),
    )
  })

  it('refuses a damaged image in one line naming it', async () => {
    const image = squash('damaged', ['-comp', 'gzip'])
    const bytes = fs.readFileSync(image)
    // The metadata block holding the root inode (its reference's upper bits, from the inode table start): garbage after
    // its 2-byte header.
    const rootBlock = Number(bytes.readBigUInt64LE(64)) + Number(bytes.readBigUInt64LE(32) >> 16n)
    pseudoRandom(64, 9).copy(bytes, rootBlock + 2)
    const damaged = path.join(dir, 'damaged-copy.squashfs')
    fs.writeFileSync(damaged, bytes)
    const reader = await openAddons(damaged, 'addons')
    try {
      const error = await reader.list('').then(
        () => undefined,
        (caught: unknown) => caught as Error,
      )
      expect(error).toBeInstanceOf(InputError)
      expect(error!.message).toMatch(
        new RegExp(`^addons: ${damaged} is not a readable squashfs image: the metadata block at \\d+ does not decompress \\(gzip: .+\\)$`),
      )
      expect(error!.message).not.toContain('\n')
    } finally {
      await reader.close()
    }
  })
})

describe('squashfs records (pure)', () => {
  it('reads metadata block headers: compressed or stored, and refuses impossible sizes', () => {
    expect(parseMetadataHeader(0x0123)).toEqual({ compressed: true, size: 0x123 })
    expect(parseMetadataHeader(0x8000 | 8192)).toEqual({ compressed: false, size: 8192 })
    expect(() => parseMetadataHeader(0x8000)).toThrow(new SquashfsFormatError('a metadata block says it is 0 bytes long'))
    expect(() => parseMetadataHeader(8193)).toThrow(new SquashfsFormatError('a metadata block says it is 8193 bytes long'))
  })

  it('parses a basic directory inode and refuses one smaller than "." and ".."', () => {
    const inode = Buffer.alloc(32)
    inode.writeUInt16LE(1, 0)
    inode.writeUInt32LE(7, 12) // inode number
    inode.writeUInt32LE(4096, 16) // start block
    inode.writeUInt16LE(40, 24) // file size
    inode.writeUInt16LE(12, 26) // offset
    expect(parseInode(inode, 131072)).toEqual({ kind: 'directory', number: 7, listing: { block: 4096, offset: 12 }, listingBytes: 37 })
    inode.writeUInt16LE(2, 24)
    expect(() => parseInode(inode, 131072)).toThrow(new SquashfsFormatError('directory inode 7 has size 2, less than the 3 every directory has'))
    expect(() => parseInode(inode.subarray(0, 20), 131072)).toThrow(new SquashfsFormatError('an inode runs past the end of the inode table'))
    inode.writeUInt16LE(15, 0)
    expect(() => parseInode(inode, 131072)).toThrow(new SquashfsFormatError('an inode has type 15, which squashfs does not define'))
  })

  it('parses a directory listing and refuses names a directory cannot hold', () => {
    const listing = (name: string, count = 1): Buffer => {
      const header = Buffer.alloc(12)
      header.writeUInt32LE(count - 1, 0)
      header.writeUInt32LE(8192, 4)
      const entry = Buffer.alloc(8)
      entry.writeUInt16LE(100, 0)
      entry.writeUInt16LE(2, 4)
      entry.writeUInt16LE(name.length - 1, 6)
      return Buffer.concat([header, entry, Buffer.from(name, 'latin1')])
    }
    expect(parseDirectoryListing(listing('modules.dep'))).toEqual([{ name: 'modules.dep', kind: 'file', inode: { block: 8192, offset: 100 } }])
    expect(() => parseDirectoryListing(listing('a/b'))).toThrow(new SquashfsFormatError('a directory entry is named "a/b"'))
    expect(() => parseDirectoryListing(listing('..'))).toThrow(new SquashfsFormatError('a directory entry is named ".."'))
    expect(() => parseDirectoryListing(listing('x', 2))).toThrow(new SquashfsFormatError('a directory entry runs past the end of its listing'))
    expect(() => parseDirectoryListing(listing('x', 300))).toThrow(
      new SquashfsFormatError('a directory header says 300 entries follow (at most 256)'),
    )
  })

  it("reads unsquashfs -lls output into a directory's children", () => {
    const text = [
      'drwxr-xr-x root/root                30 1970-01-01 00:00 ',
      'drwxr-xr-x root/root               348 1970-01-01 00:00 /modules',
      'drwxr-xr-x root/root                40 1970-01-01 00:00 /modules/kernel',
      '-rw-r--r-- root/root               664 1970-01-01 00:00 /modules/modules.dep',
      'lrwxrwxrwx root/root                 9 1970-01-01 00:00 /modules/build -> /usr/src',
      'crw-r--r-- root/root             1,  3 1970-01-01 00:00 /modules/null',
      '-rw-r--r-- root/root                 1 1970-01-01 00:00 /modules/kernel/deeper.ko',
    ].join('\n')
    expect(parseUnsquashfsListing(text, 'modules')).toEqual([
      { name: 'kernel', kind: 'directory' },
      { name: 'modules.dep', kind: 'file' },
      { name: 'build', kind: 'symlink' },
      { name: 'null', kind: 'other' },
    ])
    expect(parseUnsquashfsListing(text, '')).toEqual([{ name: 'modules', kind: 'directory' }])
    expect(parseUnsquashfsListing(text, 'modules/modules.dep')).toBeUndefined()
  })
})

describe("a module's vermagic", () => {
  it('is read from the .modinfo section of a real module (the sample addons, read in-process)', async () => {
    const reader = await openAddons(SAMPLE_ADDONS, 'addons')
    try {
      const module = (await reader.read('modules/kernel/drivers/xen/xen-gntdev.ko', 1 << 20))!
      expect(moduleVermagic(module)).toEqual({ vermagic: '6.1.192-sample SMP mod_unload ', machine: 62 })
      // The section header table cut off, and a file that is not ELF at all.
      expect(moduleVermagic(module.subarray(0, module.length - 64))).toEqual({ problem: 'has section headers past its end' })
      expect(moduleVermagic(Buffer.from('#!/bin/sh\n'.repeat(10)))).toEqual({ problem: 'is not an ELF file' })
    } finally {
      await reader.close()
    }
  })

  it.each([
    ['6.1.192-sample SMP mod_unload ', '6.1.192-sample', true],
    ['6.1.192-sample', '6.1.192-sample', true],
    ['6.1.0-57-amd64 SMP preempt mod_unload modversions ', '6.1.0-57', false],
    ['6.1.192-sample-2 SMP', '6.1.192-sample', false],
  ])('%j is built for %s: %s', (vermagic, release, matches) => {
    expect(vermagicMatches(vermagic, release)).toBe(matches)
  })
})
