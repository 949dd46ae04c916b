// One side of a drift comparison from what an image says about itself: /kernel/metadata first (what krata reads),
// the manifest's dev.edera.kernel.* annotations where the metadata is missing, layer sizes from the descriptors.
import { parseKernelMetadata } from '../describe/metadata.js'
import type { KernelSide, SizedFile } from './drift.js'

export interface ImageFacts {
  ref: string
  digest: string
  /** sha256 of the config the image holds, as read from its `kernel/config.gz`. */
  configDigest: string
  annotations: Record<string, string>
  /** The text of `kernel/metadata`, when it was read. */
  metadata?: string
  /** The size of the layer holding each file, when the image has one. */
  layerSizes: Partial<Record<SizedFile, number>>
}

export function imageSide(facts: ImageFacts): KernelSide {
  const metadata = facts.metadata === undefined ? {} : parseKernelMetadata(facts.metadata)
  const annotation = (key: string): string | undefined => facts.annotations[`dev.edera.kernel.${key}`] || undefined
  const pick = (metadataKey: string, annotationKey?: string): string | null =>
    metadata[metadataKey] || (annotationKey ? annotation(annotationKey) : undefined) || null
  const tags = pick('KERNEL_TAGS', 'tags')
  return {
    ref: facts.ref,
    digest: facts.digest,
    configDigest: facts.configDigest,
    version: pick('KERNEL_VERSION', 'version'),
    unameR: pick('KERNEL_UNAME_R'),
    flavor: pick('KERNEL_FLAVOR', 'flavor'),
    tags: tags ? tags.split(',').filter((t) => t !== '') : [],
    sizes: {
      'kernel/image': facts.layerSizes['kernel/image'] ?? null,
      'kernel/addons.squashfs': facts.layerSizes['kernel/addons.squashfs'] ?? null,
    },
  }
}
