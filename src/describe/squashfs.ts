// Checks that `addons` is a whole squashfs image (the kernel's fs/squashfs/squashfs_fs.h superblock) from its first
// 96 bytes, without reading the rest: the magic "hsqs", major version 4, and bytes_used that fits the file.
import { InputError } from '../errors.js'
import { openInputFile } from '../input-file.js'

const SUPERBLOCK_BYTES = 96
const SQUASHFS_MAGIC = 0x73717368 // "hsqs" read as little-endian u32

/** What a squashfs superblock says of the file it starts; undefined when `head` is no squashfs superblock. */
export function parseSquashfsSuperblock(head: Buffer): { major: number; bytesUsed: number } | undefined {
  if (head.length < SUPERBLOCK_BYTES || head.readUInt32LE(0) !== SQUASHFS_MAGIC) return undefined
  return { major: head.readUInt16LE(28), bytesUsed: Number(head.readBigUInt64LE(40)) }
}

/** Throws a one-line InputError naming the `addons` input unless `file` is a whole squashfs 4 image. */
export async function assertSquashfs(file: string, input = 'addons'): Promise<void> {
  const { handle, size } = await openInputFile(file, input)
  let head: Buffer
  try {
    head = Buffer.alloc(SUPERBLOCK_BYTES)
    head = head.subarray(0, (await handle.read(head, 0, SUPERBLOCK_BYTES, 0)).bytesRead)
  } finally {
    await handle.close()
  }
  const superblock = parseSquashfsSuperblock(head)
  if (superblock === undefined) throw new InputError(`${input}: ${file} is not a squashfs image (no "hsqs" superblock)`)
  if (superblock.major !== 4) throw new InputError(`${input}: ${file} is squashfs version ${superblock.major}; the kernel mounts version 4`)
  if (superblock.bytesUsed < SUPERBLOCK_BYTES || superblock.bytesUsed > size) {
    throw new InputError(`${input}: ${file} is truncated: its squashfs superblock says ${superblock.bytesUsed} bytes but the file has ${size}`)
  }
}
