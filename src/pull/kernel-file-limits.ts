// How large each kernel file inside an image may be, judged from its tar header before a byte of it is written:
// what install writes and verify inflates stays within these, whatever a layer decompresses to.
import { ADDONS_MAX_BYTES } from '../describe/squashfs.js'

const MiB = 1024 * 1024

/** Per-file caps, by path inside the image (README "Host side": the caps). */
export const KERNEL_FILE_CAPS: ReadonlyMap<string, number> = new Map([
  // The largest distribution kernels are ~15 MB; a debug build with everything built in stays well below this.
  ['kernel/image', 256 * MiB],
  // A few hundred bytes of KEY=value lines.
  ['kernel/metadata', 64 * 1024],
  // The action reads a .config of at most 16 MiB; its gzip is smaller still.
  ['kernel/config.gz', 16 * MiB],
  // Bounded again by its own squashfs superblock (squashfs.ts).
  ['kernel/addons.squashfs', ADDONS_MAX_BYTES],
])

/** What an inflated kernel/config.gz may hold: the same bound as a .config the action reads. */
export const CONFIG_INFLATED_MAX = 16 * MiB

/** The path as krata's unpacker would place it (leading `./` and `/` do not change where it lands). */
export function placedPath(path: string): string {
  return path.replace(/^(?:\.\/|\/)+/, '')
}

/** Why a regular entry of `size` bytes at `path` is refused, or undefined when it is within its cap. */
export function kernelFileSizeProblem(path: string, size: number): string | undefined {
  const cap = KERNEL_FILE_CAPS.get(placedPath(path))
  if (cap === undefined || size <= cap) return undefined
  return `${path} is ${size} bytes, more than the ${cap} a ${placedPath(path).slice('kernel/'.length)} may be`
}
