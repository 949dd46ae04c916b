// The on-disk records of a squashfs 4 image that reading a file by its path needs (the kernel's
// fs/squashfs/squashfs_fs.h): metadata block headers, inodes, directory listings, fragment entries and data block
// sizes. Pure: bytes in, records out; a record that cannot be what it claims is a SquashfsFormatError saying what.
import { InputError } from '../errors.js'

/** A metadata block holds at most this many bytes once decompressed (SQUASHFS_METADATA_SIZE). */
export const METADATA_BLOCK_BYTES = 8192
/** The fragment index of a file without a fragment (SQUASHFS_INVALID_FRAG). */
export const NO_FRAGMENT = 0xffffffff
/** Fragment entries per metadata block: 8192 / 16. */
export const FRAGMENT_ENTRIES_PER_BLOCK = 512
export const FRAGMENT_ENTRY_BYTES = 16
/** The longest a file name can be in a directory entry (SQUASHFS_NAME_LEN). */
const NAME_MAX = 256

/** A record that is not what the format says it must be; the reader turns it into one line naming the file. */
export class SquashfsFormatError extends InputError {
  override name = 'SquashfsFormatError'
}

/** Where an inode is: its metadata block's offset from the inode table start, and its offset inside that block. */
export interface InodeRef {
  block: number
  offset: number
}

export function inodeRefOf(reference: bigint): InodeRef {
  return { block: Number(reference >> 16n), offset: Number(reference & 0xffffn) }
}

/** A metadata block's 2-byte header: bit 15 set means stored uncompressed; the rest is its size on disk. */
export function parseMetadataHeader(word: number): { compressed: boolean; size: number } {
  const size = word & 0x7fff
  if (size === 0 || size > METADATA_BLOCK_BYTES) throw new SquashfsFormatError(`a metadata block says it is ${size} bytes long`)
  return { compressed: (word & 0x8000) === 0, size }
}

/** A data block's size word: bit 24 set means stored uncompressed; size 0 is a hole (a block of zeros). */
export function parseDataBlockSize(word: number): { compressed: boolean; size: number } {
  return { compressed: (word & (1 << 24)) === 0, size: word & 0xffffff }
}

export type EntryKind = 'directory' | 'file' | 'symlink' | 'other'

// squashfs_fs.h: SQUASHFS_DIR_TYPE 1 ... SQUASHFS_SOCKET_TYPE 7, and the extended (L) types 8 ... 14.
const KIND_OF_TYPE: Readonly<Record<number, EntryKind>> = { 1: 'directory', 2: 'file', 3: 'symlink', 4: 'other', 5: 'other', 6: 'other', 7: 'other' }

function kindOfType(type: number): EntryKind {
  const kind = KIND_OF_TYPE[type > 7 ? type - 7 : type]
  if (kind === undefined) throw new SquashfsFormatError(`an inode has type ${type}, which squashfs does not define`)
  return kind
}

export type Inode =
  | { kind: 'directory'; number: number; listing: InodeRef; listingBytes: number }
  | {
      kind: 'file'
      number: number
      /** Byte offset in the image of the first data block. */
      blocksStart: number
      size: number
      fragment: number
      fragmentOffset: number
      blockCount: number
      /** How many bytes of the inode come before its list of block sizes (4 bytes each). */
      blockListAt: number
    }
  | { kind: 'symlink' | 'other'; number: number }

/** The fixed part of the longest inode this reader parses (an extended file: 16 + 40 bytes). */
export const INODE_FIXED_MAX_BYTES = 56

/**
 * Parses the inode at the start of `bytes` (at least its fixed part, or to the end of the table). A file's block sizes
 * follow at `blockListAt`: `parseBlockList` reads them.
 */
export function parseInode(bytes: Buffer, blockSize: number): Inode {
  const need = (length: number): void => {
    if (bytes.length < length) throw new SquashfsFormatError('an inode runs past the end of the inode table')
  }
  need(16)
  const type = bytes.readUInt16LE(0)
  const number = bytes.readUInt32LE(12)
  const kind = kindOfType(type)
  if (type === 1) {
    need(32)
    // struct squashfs_dir_inode: start_block, nlink, file_size (u16), offset (u16), parent_inode.
    return directory(number, bytes.readUInt32LE(16), bytes.readUInt16LE(26), bytes.readUInt16LE(24))
  }
  if (type === 8) {
    need(40)
    // struct squashfs_ldir_inode: nlink, file_size (u32), start_block, parent_inode, i_count, offset (u16), xattr.
    return directory(number, bytes.readUInt32LE(24), bytes.readUInt16LE(34), bytes.readUInt32LE(20))
  }
  if (type === 2) {
    need(32)
    // struct squashfs_reg_inode: start_block, fragment, offset, file_size (all u32).
    return file(number, bytes.readUInt32LE(16), bytes.readUInt32LE(28), bytes.readUInt32LE(20), bytes.readUInt32LE(24), 32, blockSize)
  }
  if (type === 9) {
    need(56)
    // struct squashfs_lreg_inode: start_block (u64), file_size (u64), sparse (u64), nlink, fragment, offset, xattr.
    const start = Number(bytes.readBigUInt64LE(16))
    const size = Number(bytes.readBigUInt64LE(24))
    return file(number, start, size, bytes.readUInt32LE(44), bytes.readUInt32LE(48), 56, blockSize)
  }
  return { kind: kind === 'symlink' ? 'symlink' : 'other', number }
}

function directory(number: number, startBlock: number, offset: number, fileSize: number): Inode {
  // A directory's file_size counts 3 bytes more than its listing (for the "." and ".." entries it does not store).
  if (fileSize < 3) throw new SquashfsFormatError(`directory inode ${number} has size ${fileSize}, less than the 3 every directory has`)
  if (offset >= METADATA_BLOCK_BYTES) throw new SquashfsFormatError(`directory inode ${number} starts its listing at offset ${offset} of a block`)
  return { kind: 'directory', number, listing: { block: startBlock, offset }, listingBytes: fileSize - 3 }
}

function file(
  number: number,
  blocksStart: number,
  size: number,
  fragment: number,
  fragmentOffset: number,
  blockListAt: number,
  blockSize: number,
): Inode {
  const whole = Math.floor(size / blockSize)
  const blockCount = fragment === NO_FRAGMENT ? Math.ceil(size / blockSize) : whole
  if (fragment !== NO_FRAGMENT && fragmentOffset + (size % blockSize) > blockSize) {
    throw new SquashfsFormatError(`file inode ${number} has its tail past the end of fragment ${fragment}`)
  }
  return { kind: 'file', number, blocksStart, size, fragment, fragmentOffset, blockCount, blockListAt }
}

/** The size words of a file's data blocks, as stored after its inode. */
export function parseBlockList(bytes: Buffer, count: number): number[] {
  if (bytes.length < count * 4) throw new SquashfsFormatError('a file inode runs past the end of the inode table')
  return Array.from({ length: count }, (_, i) => bytes.readUInt32LE(i * 4))
}

export interface DirectoryEntry {
  name: string
  kind: EntryKind
  inode: InodeRef
}

/**
 * A directory's listing: runs of entries, each run behind a header naming the inode block they share. Entries are
 * sorted by name in the image (the kernel's lookup relies on it); the names are returned as stored.
 */
export function parseDirectoryListing(bytes: Buffer): DirectoryEntry[] {
  const entries: DirectoryEntry[] = []
  let at = 0
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw new SquashfsFormatError('a directory header runs past the end of its listing')
    // struct squashfs_dir_header: count (entries - 1), start_block (of their inodes), inode_number.
    const count = bytes.readUInt32LE(at) + 1
    const block = bytes.readUInt32LE(at + 4)
    if (count > 256) throw new SquashfsFormatError(`a directory header says ${count} entries follow (at most 256)`)
    at += 12
    for (let i = 0; i < count; i++) {
      if (at + 8 > bytes.length) throw new SquashfsFormatError('a directory entry runs past the end of its listing')
      // struct squashfs_dir_entry: offset (u16), inode_number (s16 delta), type (u16), size (name length - 1).
      const offset = bytes.readUInt16LE(at)
      const type = bytes.readUInt16LE(at + 4)
      const nameBytes = bytes.readUInt16LE(at + 6) + 1
      at += 8
      if (nameBytes > NAME_MAX || at + nameBytes > bytes.length)
        throw new SquashfsFormatError('a directory entry name runs past the end of its listing')
      const name = bytes.toString('latin1', at, at + nameBytes)
      at += nameBytes
      if (name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
        throw new SquashfsFormatError(`a directory entry is named ${JSON.stringify(name)}`)
      }
      if (offset >= METADATA_BLOCK_BYTES) throw new SquashfsFormatError(`directory entry ${JSON.stringify(name)} points inside a block at ${offset}`)
      entries.push({ name, kind: kindOfType(type), inode: { block, offset } })
    }
  }
  return entries
}

/** One fragment table entry: where the fragment block is and its size word. */
export function parseFragmentEntry(bytes: Buffer, at: number): { start: number; sizeWord: number } {
  if (at + FRAGMENT_ENTRY_BYTES > bytes.length) throw new SquashfsFormatError('a fragment entry runs past the end of the fragment table')
  return { start: Number(bytes.readBigUInt64LE(at)), sizeWord: bytes.readUInt32LE(at + 8) }
}
