import type { EntryKind } from './squashfs-format.js'

export type { EntryKind } from './squashfs-format.js'

export interface TreeEntry {
  name: string
  kind: EntryKind
}

/**
 * A read-only view of a squashfs image by path (`modules/modules.dep`, '' the root), whichever reader serves it: the
 * in-process one or unsquashfs. What the addons check needs, and no more.
 */
export interface AddonsTree {
  /** How the image is read, for the log: "in-process (gzip, zlib)", "unsquashfs (xz)". */
  readonly how: string
  /** The entries of the directory at `path`, in the image's (sorted) order; undefined when it is not a directory. */
  list(path: string): Promise<TreeEntry[] | undefined>
  /**
   * The bytes of the regular file at `path`; undefined when there is no regular file there. A file larger than
   * `maxBytes` is an InputError naming it.
   */
  read(path: string, maxBytes: number): Promise<Buffer | undefined>
  close(): Promise<void>
}
