// Checks that `addons` is a whole squashfs image (the kernel's fs/squashfs/squashfs_fs.h superblock) from its first
// 96 bytes, without reading the rest: the magic "hsqs", major version 4, and bytes_used that fits the file and that the
// file fits (no more than padding after it).
import type { FileHandle } from 'node:fs/promises'
import { InputError } from '../errors.js'
import { openInputFile } from '../input-file.js'

export const SUPERBLOCK_BYTES = 96
const SQUASHFS_MAGIC = 0x73717368 // "hsqs" read as little-endian u32
/** No addons image krata ships comes near this; it bounds what an image can make install write. */
export const ADDONS_MAX_BYTES = 4 * 1024 ** 3
/**
 * How far a file may run past its squashfs: mksquashfs pads to 4 KiB (measured: 2921 bytes of padding on a tiny tree,
 * 317 on Debian's modules; none with -nopad), openSUSE's mksquashfs to 64 KiB (its squashfs-64k.patch). Anything more
 * is bytes the kernel never reads, riding along into every pull and install.
 */
const SQUASHFS_PAD_BYTES = 64 * 1024

/** The compressor ids of squashfs_fs.h (ZLIB_COMPRESSION ... ZSTD_COMPRESSION). */
const SQUASHFS_COMPRESSORS: Readonly<Record<number, string>> = { 1: 'gzip', 2: 'lzma', 3: 'lzo', 4: 'xz', 5: 'lz4', 6: 'zstd' }

/** The squashfs 4 superblock (struct squashfs_super_block), field by field; table starts are byte offsets in the file. */
export interface SquashfsSuperblock {
  major: number
  minor: number
  inodeCount: number
  blockSize: number
  blockLog: number
  fragmentCount: number
  /** The compressor id (1 gzip, 4 xz, 6 zstd...), and its name when it is one squashfs_fs.h knows. */
  compressionId: number
  compression: string | undefined
  flags: number
  idCount: number
  /** An inode reference: the metadata block's offset in the inode table << 16 | the offset inside that block. */
  rootInode: bigint
  bytesUsed: number
  idTableStart: number
  xattrIdTableStart: number
  inodeTableStart: number
  directoryTableStart: number
  fragmentTableStart: number
  exportTableStart: number
}

/** What a squashfs superblock says of the file it starts; undefined when `head` is no squashfs superblock. */
function parseSquashfsSuperblock(head: Buffer): SquashfsSuperblock | undefined {
  if (head.length < SUPERBLOCK_BYTES || head.readUInt32LE(0) !== SQUASHFS_MAGIC) return undefined
  // Offsets beyond 2^53 are not real files; as numbers they stay exact up to there and compare with file sizes.
  const offset = (at: number): number => Number(head.readBigUInt64LE(at))
  const compressionId = head.readUInt16LE(20)
  return {
    major: head.readUInt16LE(28),
    minor: head.readUInt16LE(30),
    inodeCount: head.readUInt32LE(4),
    blockSize: head.readUInt32LE(12),
    blockLog: head.readUInt16LE(22),
    fragmentCount: head.readUInt32LE(16),
    compressionId,
    compression: SQUASHFS_COMPRESSORS[compressionId],
    flags: head.readUInt16LE(24),
    idCount: head.readUInt16LE(26),
    rootInode: head.readBigUInt64LE(32),
    bytesUsed: offset(40),
    idTableStart: offset(48),
    xattrIdTableStart: offset(56),
    inodeTableStart: offset(64),
    directoryTableStart: offset(72),
    fragmentTableStart: offset(80),
    exportTableStart: offset(88),
  }
}

/**
 * Why the `size` bytes starting with `head` are not a whole squashfs 4 image the kernel mounts (undefined when they
 * are): the same rule for a file given to publish or boot and for kernel/addons.squashfs inside an image.
 */
export function squashfsProblem(head: Buffer, size: number): string | undefined {
  if (size > ADDONS_MAX_BYTES) return `is ${size} bytes, more than the ${ADDONS_MAX_BYTES} an addons image may be`
  const superblock = parseSquashfsSuperblock(head)
  if (superblock === undefined) return 'is not a squashfs image (no "hsqs" superblock)'
  if (superblock.major !== 4) return `is squashfs version ${superblock.major}; the kernel mounts version 4`
  if (superblock.bytesUsed < SUPERBLOCK_BYTES || superblock.bytesUsed > size) {
    return `is truncated: its squashfs superblock says ${superblock.bytesUsed} bytes but the file has ${size}`
  }
  const padded = Math.ceil(superblock.bytesUsed / SQUASHFS_PAD_BYTES) * SQUASHFS_PAD_BYTES
  if (size > padded) {
    return `is longer than its squashfs image: the superblock says ${superblock.bytesUsed} bytes (${padded} padded to 64 KiB) but the file has ${size}`
  }
  return undefined
}

/** Throws a one-line InputError naming the `addons` input unless `file` is a whole squashfs 4 image. */
export async function assertSquashfs(file: string, input = 'addons'): Promise<void> {
  const { handle, size } = await openInputFile(file, input, { maxBytes: ADDONS_MAX_BYTES, what: 'addons squashfs image' })
  try {
    await readSquashfsSuperblock(handle, size, file, input)
  } finally {
    await handle.close()
  }
}

/** The superblock of the open file `file` of `size` bytes, once it is known to start a whole squashfs 4 image. */
export async function readSquashfsSuperblock(handle: FileHandle, size: number, file: string, input: string): Promise<SquashfsSuperblock> {
  const buffer = Buffer.alloc(SUPERBLOCK_BYTES)
  const head = buffer.subarray(0, (await handle.read(buffer, 0, SUPERBLOCK_BYTES, 0)).bytesRead)
  const problem = squashfsProblem(head, size)
  if (problem !== undefined) throw new InputError(`${input}: ${file} ${problem}`)
  return parseSquashfsSuperblock(head)!
}
