// Checks that `addons` is a whole squashfs image (the kernel's fs/squashfs/squashfs_fs.h superblock) from its first
// 96 bytes, without reading the rest: the magic "hsqs", major version 4, and bytes_used that fits the file.
import { InputError } from '../errors.js'
import { openInputFile } from '../input-file.js'

export const SUPERBLOCK_BYTES = 96
const SQUASHFS_MAGIC = 0x73717368 // "hsqs" read as little-endian u32
/** No addons image krata ships comes near this; it bounds what an image can make install write. */
export const ADDONS_MAX_BYTES = 4 * 1024 ** 3

/** What a squashfs superblock says of the file it starts; undefined when `head` is no squashfs superblock. */
export function parseSquashfsSuperblock(head: Buffer): { major: number; bytesUsed: number } | undefined {
  if (head.length < SUPERBLOCK_BYTES || head.readUInt32LE(0) !== SQUASHFS_MAGIC) return undefined
  return { major: head.readUInt16LE(28), bytesUsed: Number(head.readBigUInt64LE(40)) }
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
  return undefined
}

/** Throws a one-line InputError naming the `addons` input unless `file` is a whole squashfs 4 image. */
export async function assertSquashfs(file: string, input = 'addons'): Promise<void> {
  const { handle, size } = await openInputFile(file, input, { maxBytes: ADDONS_MAX_BYTES, what: 'addons squashfs image' })
  let head: Buffer
  try {
    head = Buffer.alloc(SUPERBLOCK_BYTES)
    head = head.subarray(0, (await handle.read(head, 0, SUPERBLOCK_BYTES, 0)).bytesRead)
  } finally {
    await handle.close()
  }
  const problem = squashfsProblem(head, size)
  if (problem !== undefined) throw new InputError(`${input}: ${file} ${problem}`)
}
