// Reads files of a squashfs 4 image by path, in-process: from the root inode through directory listings to a file's
// data blocks and fragment, decompressing only the metadata and data blocks on that way. Bytes come from a
// ByteSource (an open file); every offset is checked against the image's size before it is read.
import type { FileHandle } from 'node:fs/promises'
import { InputError, ToolError } from '../errors.js'
import type { SquashfsSuperblock } from '../describe/squashfs.js'
import { DecompressError, MissingProgramError, type Decompressor } from './decompress.js'
import {
  FRAGMENT_ENTRIES_PER_BLOCK,
  FRAGMENT_ENTRY_BYTES,
  INODE_FIXED_MAX_BYTES,
  METADATA_BLOCK_BYTES,
  NO_FRAGMENT,
  SquashfsFormatError,
  inodeRefOf,
  parseBlockList,
  parseDataBlockSize,
  parseDirectoryListing,
  parseFragmentEntry,
  parseInode,
  parseMetadataHeader,
  type DirectoryEntry,
  type Inode,
  type InodeRef,
} from './squashfs-format.js'
import type { AddonsTree, TreeEntry } from './tree.js'

/** Where the image's bytes come from: exactly `length` bytes at `position`, or fewer when the source ends. */
export interface ByteSource {
  read(position: number, length: number): Promise<Buffer>
  close(): Promise<void>
}

export function fileSource(handle: FileHandle): ByteSource {
  return {
    read: async (position, length) => {
      const buffer = Buffer.alloc(length)
      let filled = 0
      while (filled < length) {
        const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled)
        if (bytesRead === 0) break
        filled += bytesRead
      }
      return buffer.subarray(0, filled)
    },
    close: () => handle.close(),
  }
}

/** A directory listing larger than this is not one a module tree has (Debian's largest is a few KiB). */
const MAX_LISTING_BYTES = 16 << 20
/** A path deeper than this is not a module's (kernel/drivers/net/ethernet/<vendor>/<chip>/x.ko is 7). */
const MAX_DEPTH = 64

/** An inode with the reference it was read from (a file's block list is read from there on). */
type Located<T extends Inode> = T & { ref: InodeRef }

interface MetadataBlock {
  data: Buffer
  next: number
}

export class SquashfsReader implements AddonsTree {
  readonly how: string
  private readonly blocks = new Map<number, Promise<MetadataBlock>>()
  private readonly listings = new Map<string, Promise<DirectoryEntry[]>>()
  private readonly fragments = new Map<number, Promise<Buffer>>()
  private readonly directoryTableEnd: number

  /** `name` and `input` are for messages: `addons: build/addons.squashfs ...`. */
  constructor(
    private readonly source: ByteSource,
    private readonly superblock: SquashfsSuperblock,
    private readonly decompressor: Decompressor,
    private readonly name: { input: string; file: string },
  ) {
    this.how = `in-process (${superblock.compression ?? `compressor ${superblock.compressionId}`}, ${decompressor.how})`
    // The directory table ends where the next table starts (fragment, export, id and xattr tables follow it, each optional).
    const after = [superblock.fragmentTableStart, superblock.exportTableStart, superblock.idTableStart, superblock.xattrIdTableStart]
    this.directoryTableEnd = Math.min(superblock.bytesUsed, ...after.filter((start) => start > superblock.directoryTableStart))
  }

  async list(path: string): Promise<TreeEntry[] | undefined> {
    return await this.guard(async () => {
      const inode = await this.lookup(path)
      if (inode?.kind !== 'directory') return undefined
      return (await this.listing(inode)).map(({ name, kind }) => ({ name, kind }))
    })
  }

  async read(path: string, maxBytes: number): Promise<Buffer | undefined> {
    return await this.guard(async () => {
      const inode = await this.lookup(path)
      if (inode?.kind !== 'file') return undefined
      if (inode.size > maxBytes) {
        throw new InputError(
          `${this.name.input}: ${this.name.file} holds ${path} of ${inode.size} bytes, more than the ${maxBytes} a file there can be`,
        )
      }
      return await this.fileBytes(inode)
    })
  }

  async close(): Promise<void> {
    await this.source.close()
  }

  /** Turns a record that is not what it claims, or a block that does not decompress, into one line naming the image. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      const { input, file } = this.name
      if (error instanceof SquashfsFormatError || error instanceof DecompressError) {
        throw new InputError(`${input}: ${file} is not a readable squashfs image: ${error.message}`)
      }
      if (error instanceof MissingProgramError) {
        throw new ToolError(`${input}: ${file} is ${this.superblock.compression}-compressed; this Node.js cannot decompress it and ${error.message}`)
      }
      if (error instanceof InputError || error instanceof ToolError) throw error
      // zlib's own errors (Z_DATA_ERROR, a block larger than its bound) mean a corrupt block.
      throw new InputError(`${input}: ${file} is not a readable squashfs image: a block does not decompress (${(error as Error).message})`)
    }
  }

  private async lookup(path: string): Promise<Located<Inode> | undefined> {
    const names = path.split('/').filter((part) => part !== '')
    if (names.length > MAX_DEPTH) return undefined
    let inode = await this.inode(inodeRefOf(this.superblock.rootInode))
    if (inode.kind !== 'directory') throw new SquashfsFormatError('its root inode is not a directory')
    for (const name of names) {
      if (inode.kind !== 'directory') return undefined
      const entry = (await this.listing(inode)).find((candidate) => candidate.name === name)
      if (entry === undefined) return undefined
      inode = await this.inode(entry.inode)
    }
    return inode
  }

  private async inode(ref: InodeRef): Promise<Located<Inode>> {
    const { inodeTableStart, directoryTableStart, blockSize } = this.superblock
    return { ...parseInode(await this.metadata(inodeTableStart, ref, INODE_FIXED_MAX_BYTES, directoryTableStart), blockSize), ref }
  }

  private async listing(inode: Extract<Inode, { kind: 'directory' }>): Promise<DirectoryEntry[]> {
    const key = `${inode.listing.block}:${inode.listing.offset}:${inode.listingBytes}`
    let listing = this.listings.get(key)
    if (listing === undefined) {
      listing = (async () => {
        if (inode.listingBytes > MAX_LISTING_BYTES)
          throw new SquashfsFormatError(`directory inode ${inode.number} says its listing is ${inode.listingBytes} bytes`)
        const bytes = await this.metadata(this.superblock.directoryTableStart, inode.listing, inode.listingBytes, this.directoryTableEnd)
        if (bytes.length < inode.listingBytes)
          throw new SquashfsFormatError(`directory inode ${inode.number} runs past the end of the directory table`)
        return parseDirectoryListing(bytes)
      })()
      this.listings.set(key, listing)
    }
    return await listing
  }

  /**
   * Up to `length` bytes of a metadata table (inode or directory table, or a fragment table block) from `ref`,
   * following the chain of metadata blocks that starts at `tableStart + ref.block`; fewer only where the table ends.
   */
  private async metadata(tableStart: number, ref: InodeRef, length: number, tableEnd: number): Promise<Buffer> {
    const pieces: Buffer[] = []
    let got = 0
    let position = tableStart + ref.block
    let skip = ref.offset
    while (got < length && position < tableEnd) {
      const { data, next } = await this.metadataBlock(position, tableEnd)
      if (skip >= data.length) {
        skip -= data.length
      } else {
        const piece = data.subarray(skip, skip + length - got)
        pieces.push(piece)
        got += piece.length
        skip = 0
      }
      position = next
    }
    if (got === 0 && length > 0) throw new SquashfsFormatError(`a reference points past the end of a metadata table (at ${position})`)
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, got)
  }

  private async metadataBlock(position: number, tableEnd: number): Promise<MetadataBlock> {
    let block = this.blocks.get(position)
    if (block === undefined) {
      block = (async () => {
        const raw = await this.bytes(position, Math.min(2 + METADATA_BLOCK_BYTES, tableEnd - position), 'a metadata block')
        if (raw.length < 2) throw new SquashfsFormatError(`the metadata block at ${position} runs past the end of its table`)
        const { compressed, size } = parseMetadataHeader(raw.readUInt16LE(0))
        if (2 + size > raw.length) throw new SquashfsFormatError(`the metadata block at ${position} runs past the end of its table`)
        const stored = raw.subarray(2, 2 + size)
        const data = compressed ? await this.decompress(stored, METADATA_BLOCK_BYTES, `the metadata block at ${position}`) : stored
        return { data, next: position + 2 + size }
      })()
      this.blocks.set(position, block)
    }
    return await block
  }

  private async fileBytes(inode: Located<Extract<Inode, { kind: 'file' }>>): Promise<Buffer> {
    const { inodeTableStart, directoryTableStart, blockSize } = this.superblock
    // The block list follows the inode's fixed part, possibly in the next metadata block.
    const listRef = { block: inode.ref.block, offset: inode.ref.offset + inode.blockListAt }
    const words = parseBlockList(await this.metadata(inodeTableStart, listRef, inode.blockCount * 4, directoryTableStart), inode.blockCount)
    const out = Buffer.alloc(inode.size)
    let filled = 0
    let position = inode.blocksStart
    for (const word of words) {
      const { compressed, size } = parseDataBlockSize(word)
      const expected = Math.min(blockSize, inode.size - filled)
      if (size === 0) {
        filled += expected // a hole: zeros, already there
        continue
      }
      const raw = await this.bytes(position, size, 'a data block')
      const data = compressed ? await this.decompress(raw, blockSize, `the data block at ${position}`) : raw
      if (data.length !== expected) throw new SquashfsFormatError(`the data block at ${position} holds ${data.length} bytes, not ${expected}`)
      data.copy(out, filled)
      filled += expected
      position += size
    }
    if (inode.fragment !== NO_FRAGMENT) {
      const fragment = await this.fragment(inode.fragment)
      const tail = inode.size - filled
      if (inode.fragmentOffset + tail > fragment.length)
        throw new SquashfsFormatError(`a file's tail runs past the end of fragment ${inode.fragment}`)
      fragment.copy(out, filled, inode.fragmentOffset, inode.fragmentOffset + tail)
    } else if (filled !== inode.size) {
      throw new SquashfsFormatError(`file inode ${inode.number} has blocks for ${filled} of its ${inode.size} bytes`)
    }
    return out
  }

  private async fragment(index: number): Promise<Buffer> {
    let fragment = this.fragments.get(index)
    if (fragment === undefined) {
      fragment = (async () => {
        const { fragmentCount, fragmentTableStart, blockSize } = this.superblock
        if (index >= fragmentCount) throw new SquashfsFormatError(`a file names fragment ${index} of ${fragmentCount}`)
        // The fragment table is an index of u64 block positions; the metadata blocks it names hold 16-byte entries.
        const slot = Math.floor(index / FRAGMENT_ENTRIES_PER_BLOCK)
        const location = await this.bytes(fragmentTableStart + slot * 8, 8, 'the fragment table')
        const blockStart = Number(location.readBigUInt64LE(0))
        const entryRef = { block: 0, offset: (index % FRAGMENT_ENTRIES_PER_BLOCK) * FRAGMENT_ENTRY_BYTES }
        const entry = parseFragmentEntry(await this.metadata(blockStart, entryRef, FRAGMENT_ENTRY_BYTES, fragmentTableStart), 0)
        const { compressed, size } = parseDataBlockSize(entry.sizeWord)
        const raw = await this.bytes(entry.start, size, `fragment ${index}`)
        return compressed ? await this.decompress(raw, blockSize, `fragment ${index}`) : raw
      })()
      // Files of one directory share fragments; a few are kept, not every one read.
      if (this.fragments.size >= 8) this.fragments.clear()
      this.fragments.set(index, fragment)
    }
    return await fragment
  }

  /** Exactly `length` bytes at `position`, all inside the image. */
  private async bytes(position: number, length: number, what: string): Promise<Buffer> {
    if (position < 0 || length < 0 || position + length > this.superblock.bytesUsed) {
      throw new SquashfsFormatError(`${what} at ${position} (${length} bytes) lies past the end of the image (${this.superblock.bytesUsed} bytes)`)
    }
    const bytes = await this.source.read(position, length)
    if (bytes.length !== length) throw new SquashfsFormatError(`${what} at ${position} is cut short`)
    return bytes
  }

  private async decompress(stored: Buffer, maxBytes: number, what: string): Promise<Buffer> {
    try {
      return await this.decompressor.decompress(stored, maxBytes)
    } catch (error) {
      if (error instanceof ToolError) throw error
      throw new DecompressError(`${what} does not decompress (${this.superblock.compression}: ${(error as Error).message})`)
    }
  }
}
