// The krata kernel image format as plain data (krata-formats.md §2.4): which layer media types krata v0.0.21 reads,
// which index entries it picks, how many layers a kernel image has, and the one rule for tar entry names. The writers,
// the readers and the verify rules all take their vocabulary from here. No I/O.
import { ociArch, OCI_ARCHES, type KernelArch } from '../arch.js'
import { MediaType, type Descriptor, type ImageIndex } from './types.js'

export type LayerCompression = 'none' | 'gzip' | 'zstd'

const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip'

/** The layer media types krata v0.0.21 accepts (`acquire_layer`), and how each is compressed. */
export const KRATA_LAYER_TYPES: ReadonlyMap<string, LayerCompression> = new Map([
  [MediaType.layerTar, 'none'],
  [MediaType.layerGzip, 'gzip'],
  [MediaType.layerZstd, 'zstd'],
  [DOCKER_LAYER_GZIP, 'gzip'],
])

/** krata matches an index entry by these architecture strings only (`aarch64` parses as Other and is never picked). */
const KRATA_PLATFORM_ARCHES: ReadonlySet<string> = new Set(OCI_ARCHES)

/**
 * A kernel image has one layer per kernel file (four) and Edera's own a few more; a manifest listing more than this
 * is refused before any layer is read, so a hostile one cannot make us fetch thousands.
 */
export const MAX_KERNEL_LAYERS = 16

/** The directory every kernel file lives in, inside the image. */
export const KERNEL_DIR = 'kernel'

/** The kernel files this action and Edera's publisher put in an image, under `kernel/`. */
export type KernelFileName = 'image' | 'addons.squashfs' | 'config.gz' | 'metadata'
const KERNEL_FILE_NAMES: readonly KernelFileName[] = ['image', 'addons.squashfs', 'config.gz', 'metadata']

/**
 * The tar entry rule krata's reader applies: it compares entry paths as stored, so only `kernel/<file>` is that
 * file (`./kernel/image` and `/kernel/image` are other names). Undefined for any other entry.
 */
export function kernelFileOfEntry(path: string): KernelFileName | undefined {
  if (!path.startsWith(`${KERNEL_DIR}/`)) return undefined
  const name = path.slice(KERNEL_DIR.length + 1)
  return (KERNEL_FILE_NAMES as readonly string[]).includes(name) ? (name as KernelFileName) : undefined
}

/** What krata reads as a file: a regular file entry in any of tar's spellings (never a link). */
export function isRegularEntry(type: string): boolean {
  return type === 'File' || type === 'OldFile' || type === 'ContiguousFile'
}

/** The image config as found: nothing in it is trusted to be present. */
export interface ImageConfigJson {
  architecture?: unknown
  os?: unknown
  rootfs?: unknown
  history?: unknown
  [key: string]: unknown
}

/** krata's pick: the first entry whose platform is linux and amd64 (x86_64) or arm64 (aarch64); variant ignored. */
export function pickPlatform(index: Pick<ImageIndex, 'manifests'>, arch: KernelArch): Descriptor | undefined {
  const wanted = ociArch(arch)
  return (index.manifests ?? []).find((entry) => entry.platform?.os === 'linux' && entry.platform.architecture === wanted)
}

/** Every entry krata could pick from an index, in order. */
export function krataPlatformEntries(index: Pick<ImageIndex, 'manifests'>): Descriptor[] {
  return (index.manifests ?? []).filter((entry) => entry.platform?.os === 'linux' && KRATA_PLATFORM_ARCHES.has(entry.platform.architecture))
}

export function platformText(entry: Descriptor): string {
  if (entry.platform === undefined) return '(no platform)'
  const { os, architecture, variant } = entry.platform
  return `${os}/${architecture}${variant ? `/${variant}` : ''}`
}

/** An index by its media type (the registry's Content-Type or the descriptor's); by its shape when neither says. */
export function isIndexDocument(mediaType: string, document: Record<string, unknown>): boolean {
  if (mediaType === MediaType.index || mediaType === MediaType.dockerManifestList) return true
  if (mediaType === MediaType.manifest || mediaType === MediaType.dockerManifest) return false
  return Array.isArray(document.manifests) && !('layers' in document)
}

/**
 * The layer that holds `kernel/<file>`, from the config's history: each non-empty history entry belongs to one
 * layer in order, and both this action (`kernel-action: add /kernel/image`) and BuildKit
 * (`COPY kernel /kernel/image # buildkit`) name the file there. The last such layer wins, as it does when the
 * layers are unpacked. Undefined when the history does not say (e.g. an older image with one `COPY /kernel` layer).
 */
export function kernelLayerFromHistory(
  image: { config: ImageConfigJson; layers: readonly Descriptor[] },
  file: KernelFileName,
): Descriptor | undefined {
  const history = image.config.history
  if (!Array.isArray(history)) return undefined
  const filled = history.filter((entry) => !(entry as { empty_layer?: unknown } | null)?.empty_layer)
  if (filled.length !== image.layers.length) return undefined
  const names = new RegExp(`(^|[\\s/"'])kernel/${file.replace('.', '\\.')}($|[\\s"'])`)
  let found: Descriptor | undefined
  filled.forEach((entry, position) => {
    const createdBy = (entry as { created_by?: unknown } | null)?.created_by
    if (typeof createdBy === 'string' && names.test(createdBy)) found = image.layers[position]
  })
  return found
}
