// `kernel-action verify`: reads an image the way krata v0.0.21 pulls it and lists every rule it breaks.
// Layers are streamed (never held in memory); kernel/image goes to a temporary file only to be inspected.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ociArch, type KernelArch } from '../arch.js'
import { inspectKernelImage, type KernelImageInfo } from '../describe/kernel-image.js'
import { parseKernelMetadata } from '../describe/metadata.js'
import { InputError, oneLine } from '../errors.js'
import {
  isIndexDocument,
  isRegularEntry,
  kernelFileOfEntry,
  krataPlatformEntries,
  KRATA_LAYER_TYPES,
  pickPlatform,
  platformText,
} from '../oci/image-format.js'
import { openImageStore, type StoreOptions } from '../oci/stores/open-store.js'
import { parseImageReference, startingPoint } from '../oci/reference.js'
import { checkIndexDocument, openManifest, parseDocument, type FetchedDocument, type ImageStore, type OpenedImage } from '../oci/store.js'
import { CONFIG_INFLATED_MAX } from '../pull/kernel-file-limits.js'
import { bodyToBuffer, inflatedSha256, readLayer } from '../pull/layer-reader.js'
import {
  TarRules,
  annotationViolations,
  configViolations,
  indexViolations,
  layerTypeViolations,
  metadataViolations,
  servedTypeViolations,
} from './rules.js'

/** `light`: index, manifest and config only (no layer is read); `full`: every layer too. */
export type VerifyDepth = 'light' | 'full'

export interface VerifyOptions extends StoreOptions {
  depth: VerifyDepth
  /** Only this architecture's image from an index (all of them when not given). */
  arch?: KernelArch
  /** krata's loader rules on the kernel itself (gzip/xz payload); off when the publisher turned boot-rules off. */
  bootRules?: boolean
}

export interface VerifiedImage {
  platform?: string
  digest: string
  /** One line: what the image holds, for a passing verify. */
  description: string
}

export interface VerifyResult {
  reference: string
  /** Digest of what the reference names (an index or a manifest). */
  digest: string
  violations: string[]
  images: VerifiedImage[]
}

const METADATA_MAX_BYTES = 64 * 1024

export async function verifyImage(reference: string, options: VerifyOptions): Promise<VerifyResult> {
  const parsed = parseImageReference(reference)
  const store = await openImageStore(parsed, options)
  return verifyStoredImage(store, startingPoint(parsed) ?? '', reference, options)
}

/**
 * Verifies the image at `at` (a tag or digest; '' in a layout: its only image) in a store already open: the read-back
 * after a push goes through the very client that pushed.
 */
export async function verifyStoredImage(store: ImageStore, at: string, reference: string, options: VerifyOptions): Promise<VerifyResult> {
  const top = await store.fetchManifest(at)
  if (top === undefined) throw new InputError(`${reference}: not found in ${store.name}`)
  const document = parseDocument(top, reference)
  const result: VerifyResult = { reference, digest: top.digest, violations: [], images: [] }
  const isIndex = isIndexDocument(top.mediaType, document)
  result.violations.push(...servedTypeViolations(top.mediaType, isIndex || Array.isArray(document.manifests), store.kind === 'registry'))
  if (!isIndex) {
    await verifyManifest(store, reference, top, options, result)
    return result
  }

  const index = checkIndexDocument(document, `${reference}@${top.digest}`)
  result.violations.push(...indexViolations(index))
  const wanted = options.arch === undefined ? undefined : pickPlatform(index, options.arch)
  if (options.arch !== undefined && wanted === undefined) {
    result.violations.push(`index: no linux/${ociArch(options.arch)} entry (asked for --arch ${options.arch})`)
  }
  const children = options.arch !== undefined ? (wanted ? [wanted] : []) : krataPlatformEntries(index)
  for (const child of children) {
    const prefix = platformText(child)
    const fetched = await store.fetchManifest(child.digest)
    if (fetched === undefined) {
      result.violations.push(`${prefix}: the index names ${child.digest}, which ${store.name} does not have`)
      continue
    }
    await verifyManifest(store, reference, fetched, options, result, {
      prefix,
      platformArch: child.platform?.architecture,
      indexAnnotations: index.annotations,
    })
  }
  return result
}

interface ChildContext {
  prefix: string
  platformArch?: string
  indexAnnotations?: Record<string, string>
}

async function verifyManifest(
  store: ImageStore,
  reference: string,
  fetched: FetchedDocument,
  options: VerifyOptions,
  result: VerifyResult,
  child?: ChildContext,
): Promise<void> {
  const violations: string[] = []
  const add = (lines: string[]): void => void violations.push(...lines)
  let image: OpenedImage
  try {
    image = await openManifest(store, reference, fetched)
  } catch (error) {
    result.violations.push(prefixed(child, [oneLine(error)])[0]!)
    return
  }
  add(annotationViolations(image.manifest.annotations, child?.indexAnnotations))
  add(layerTypeViolations(image.layers))
  add(configViolations(image.config, child?.platformArch))

  let facts: LayerFacts | undefined
  if (options.depth === 'full') {
    facts = await readKernelFiles(image)
    add(facts.violations)
    if (facts.kernelFound === false) add(['no regular file kernel/image in any layer; krata fails "unable to find file kernel/image"'])
    if (facts.metadata === undefined) add(['no kernel/metadata in any layer'])
    add(
      metadataViolations({
        kernel: facts.kernel,
        metadata: facts.metadata,
        configDigest: facts.configDigest,
        configArchitecture: image.config.architecture,
        annotations: { ...child?.indexAnnotations, ...image.manifest.annotations },
        bootRules: options.bootRules ?? true,
      }),
    )
  }
  result.violations.push(...prefixed(child, violations))
  result.images.push({
    ...(child ? { platform: child.prefix } : {}),
    digest: image.digest,
    description: describe(image, facts),
  })
}

function prefixed(child: ChildContext | undefined, lines: string[]): string[] {
  return child === undefined ? lines : lines.map((line) => `${child.prefix}: ${line}`)
}

interface LayerFacts {
  violations: string[]
  kernelFound: boolean
  kernel?: KernelImageInfo
  metadata?: Record<string, string>
  configDigest?: string
}

/** Streams every readable layer once: tar rules on each entry, and the kernel files captured as krata would see them. */
async function readKernelFiles(image: OpenedImage): Promise<LayerFacts> {
  const rules = new TarRules()
  const facts: LayerFacts = { violations: rules.lines, kernelFound: false }
  const scratch = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kernel-action-verify-'))
  const kernelFile = path.join(scratch, 'image')
  let metadataText: string | undefined
  try {
    for (const [position, layer] of image.layers.entries()) {
      if (!KRATA_LAYER_TYPES.has(layer.mediaType)) continue // already reported; krata would stop here
      try {
        await readLayer(
          image,
          layer,
          (entry) => {
            rules.entry(position + 1, entry.path, entry.type, entry.linkpath)
            const regular = isRegularEntry(entry.type)
            if (!regular) return undefined
            const file = kernelFileOfEntry(entry.path)
            if (file === 'image') {
              facts.kernelFound = true
              return (body) => pipeline(body, fs.createWriteStream(kernelFile))
            }
            if (file === 'metadata') {
              return async (body) => {
                metadataText = (await bodyToBuffer(body, METADATA_MAX_BYTES, 'kernel/metadata')).toString('utf8')
              }
            }
            if (file === 'config.gz') {
              return async (body) => {
                facts.configDigest = await inflatedSha256(body, CONFIG_INFLATED_MAX, 'kernel/config.gz')
              }
            }
            return undefined
          },
          `layer ${position + 1}`,
        )
      } catch (error) {
        rules.lines.push(`layer ${position + 1} (${layer.digest}): ${oneLine(error).replace(/^layer \d+: /, '')}`)
      }
    }
    if (facts.kernelFound) {
      try {
        facts.kernel = await inspectKernelImage(kernelFile)
      } catch (error) {
        rules.lines.push(
          `kernel/image: ${oneLine(error)
            .replace(/^image: /, '')
            .replaceAll(kernelFile, 'kernel/image')}`,
        )
      }
    }
    if (metadataText !== undefined) {
      try {
        facts.metadata = parseKernelMetadata(metadataText)
      } catch (error) {
        rules.lines.push(`kernel/${oneLine(error)}`)
      }
    }
    return facts
  } finally {
    await fs.promises.rm(scratch, { recursive: true, force: true })
  }
}

function describe(image: OpenedImage, facts: LayerFacts | undefined): string {
  const types = [
    ...new Set(
      image.layers.map((layer) => layer.mediaType.replace(/^application\/vnd\.(oci\.image\.layer\.v1\.|docker\.image\.rootfs\.diff\.)/, '')),
    ),
  ]
  const parts = [`${image.digest}`, `${image.layers.length} layer${image.layers.length === 1 ? '' : 's'} (${types.join(', ')})`]
  const kernel = facts?.kernel
  if (kernel !== undefined) parts.push(`${kernel.arch} ${kernel.format}${kernel.release ? ` Linux ${kernel.release}` : ''}`)
  const flavor = facts?.metadata?.KERNEL_FLAVOR ?? image.manifest.annotations?.['dev.edera.kernel.flavor']
  if (flavor) parts.push(`flavor ${flavor}`)
  if (facts?.configDigest !== undefined && facts.metadata?.KERNEL_CONFIG === facts.configDigest) parts.push('KERNEL_CONFIG matches kernel/config.gz')
  return parts.join(', ')
}
