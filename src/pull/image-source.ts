// Opening the kernel image a reference names, for install, diff and compare-to: the reference parsed by the one
// grammar (oci/reference.ts), its store opened (oci/open-store.ts), and the host's architecture's image picked from
// an index as krata picks it (oci/image-format.ts).
import { archOfNode, ociArch, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'
import { isIndexDocument, pickPlatform, platformText } from '../oci/image-format.js'
import { openImageStore, type StoreOptions } from '../oci/stores/open-store.js'
import { parseImageReference, startingPoint } from '../oci/reference.js'
import { checkIndexDocument, openManifest, parseDocument, type OpenedImage } from '../oci/store.js'

export type { OpenedImage } from '../oci/store.js'

export interface OpenImageOptions extends StoreOptions {
  /** The architecture to pick from an index; the host's by default. */
  arch?: KernelArch
}

/** The host's architecture (x64 → x86_64, arm64 → aarch64); anything else has no kernel image to pick. */
export function hostKernelArch(nodeArch: string = process.arch): KernelArch {
  const arch = archOfNode(nodeArch)
  if (arch === undefined) throw new InputError(`arch: this host is ${nodeArch}; give --arch x86_64 or --arch aarch64`)
  return arch
}

/**
 * Opens the kernel image a reference names, picking the `arch` child (the host's by default) from an index.
 * Resolves undefined when the tag or digest does not exist; any other failure throws a one-line error.
 */
export async function openKernelImage(reference: string, options: OpenImageOptions = {}): Promise<OpenedImage | undefined> {
  const parsed = parseImageReference(reference)
  const store = await openImageStore(parsed, options)
  const top = await store.fetchManifest(startingPoint(parsed) ?? '')
  if (top === undefined) return undefined
  const document = parseDocument(top, reference)
  if (!isIndexDocument(top.mediaType, document)) return openManifest(store, reference, top)
  const index = checkIndexDocument(document, `${reference}@${top.digest}`)
  const arch = options.arch ?? hostKernelArch()
  const child = pickPlatform(index, arch)
  if (child === undefined) {
    const found = index.manifests.map((entry) => platformText(entry)).join(', ') || 'none'
    throw new InputError(`${reference}: the index has no linux/${ociArch(arch)} image (platforms: ${found})`)
  }
  const fetched = await store.fetchManifest(child.digest)
  if (fetched === undefined) throw new InputError(`${reference}: the index names ${child.digest}, which ${store.name} does not have`)
  return openManifest(store, reference, fetched, top.digest)
}
