// Opens an addons image for the check: in-process for gzip and zstd (the compressors Node can decompress: measured
// 15 ms against unsquashfs's 220 ms on Debian's module tree, see docs/notes-addons.md), through unsquashfs for the
// others (xz, lzma, lzo, lz4). A zstd image on a Node.js without zstd (before 22.15) goes to unsquashfs when it is
// there (160 ms), and else in-process with a run of the zstd program per block (280 ms).
import { InputError, ToolError } from '../errors.js'
import { readSquashfsSuperblock } from '../describe/squashfs.js'
import { openInputFile } from '../input-file.js'
import { hasNodeZstd, squashfsDecompressor } from './decompress.js'
import { SquashfsReader, fileSource } from './squashfs-reader.js'
import type { AddonsTree } from './tree.js'
import { UnsquashfsTree, unsquashfsAvailable } from './unsquashfs-tree.js'

export type AddonsReader = 'auto' | 'in-process' | 'unsquashfs'
export const ADDONS_READERS: readonly AddonsReader[] = ['auto', 'in-process', 'unsquashfs']

/** The addons image `file` (named by input `input`) as a tree; `reader` forces one way (for measuring both). */
export async function openAddons(file: string, input: string, reader: AddonsReader = 'auto'): Promise<AddonsTree> {
  const { handle, size } = await openInputFile(file, input)
  let handedOver = false
  try {
    const superblock = await readSquashfsSuperblock(handle, size, file, input)
    const compression = superblock.compression
    if (compression === undefined) {
      throw new InputError(
        `${input}: ${file} is not a readable squashfs image: its superblock names compressor ${superblock.compressionId}, which squashfs does not define`,
      )
    }
    const decompressor = reader === 'unsquashfs' ? undefined : squashfsDecompressor(superblock.compression)
    const slowZstd = reader === 'auto' && superblock.compression === 'zstd' && !hasNodeZstd() && (await unsquashfsAvailable())
    if (decompressor && !slowZstd) {
      handedOver = true
      return new SquashfsReader(fileSource(handle), superblock, decompressor, { input, file })
    }
    if (reader === 'in-process')
      throw new ToolError(`${input}: ${file} is ${compression}-compressed, which kernel-action reads only through unsquashfs`)
    if (!(await unsquashfsAvailable())) {
      throw new ToolError(
        `${input}: ${file} is ${compression}-compressed, which Node.js cannot decompress; install unsquashfs (apt-get install squashfs-tools) to check it, or build it with gzip or zstd`,
      )
    }
    const why = reader === 'unsquashfs' ? 'as asked' : slowZstd ? 'this Node.js has no zstd' : 'which Node.js cannot decompress'
    return new UnsquashfsTree({ input, file }, `${compression}, ${why}`)
  } finally {
    if (!handedOver) await handle.close()
  }
}
