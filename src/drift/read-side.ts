// Reads one side of a drift comparison: a published kernel image (its config.gz, its metadata if small, and the
// layer sizes from the manifest: the kernel and addons blobs are never downloaded), or a `.config`/`config.gz` file.
import { parseKernelConfig, type KernelConfig } from '../check/kernel-config.js'
import { decodeConfig, readKernelConfigWithBytes } from '../check/read-config.js'
import { InputError } from '../errors.js'
import { sha256Digest } from '../oci/digest.js'
import { isRegularEntry, kernelFileOfEntry, kernelLayerFromHistory, type KernelFileName } from '../oci/image-format.js'
import { openKernelImage, type OpenImageOptions, type OpenedImage } from '../pull/image-source.js'
import { bodyToBuffer, readLayer } from '../pull/layer-reader.js'
import type { Descriptor } from '../oci/types.js'
import { configOnlySide, type KernelSide } from './drift.js'
import { imageSide } from './kernel-side.js'

export interface ReadSide {
  side: KernelSide
  config: KernelConfig
}

// A config.gz layer is tens of KB (a 10,000-line config gzips to ~60 KB); metadata is a few hundred bytes.
const CONFIG_LAYER_MAX = 4 * 1024 * 1024
const METADATA_LAYER_MAX = 64 * 1024

/**
 * The kernel image `reference` names (the `arch` child of an index), or undefined when it does not exist. Reads the
 * manifest (and index), the image config, the config.gz layer and, when small, the metadata layer.
 */
export async function readImageSide(reference: string, options: OpenImageOptions, label = reference): Promise<ReadSide | undefined> {
  const image = await openKernelImage(reference, options)
  if (image === undefined) return undefined
  const configLayer = kernelLayerFromHistory(image, 'config.gz')
  if (configLayer === undefined) throw new InputError(`${reference}: the image has no kernel/config.gz layer, so its config cannot be compared`)
  const configGz = await fileInSmallLayer(image, configLayer, 'config.gz', CONFIG_LAYER_MAX, reference)
  const configBytes = decodeConfig(configGz, `${reference} kernel/config.gz`, 'compare-to')
  const config = parseKernelConfig(configBytes.toString('utf8'), `${reference} kernel/config.gz`, 'compare-to')
  const metadataLayer = kernelLayerFromHistory(image, 'metadata')
  const metadata =
    metadataLayer !== undefined && metadataLayer.size <= METADATA_LAYER_MAX
      ? (await fileInSmallLayer(image, metadataLayer, 'metadata', METADATA_LAYER_MAX, reference)).toString('utf8')
      : undefined
  const size = (file: 'image' | 'addons.squashfs'): number | undefined => kernelLayerFromHistory(image, file)?.size
  const side = imageSide({
    ref: label,
    digest: image.digest,
    configDigest: sha256Digest(configBytes),
    annotations: image.manifest.annotations ?? {},
    metadata,
    layerSizes: { 'kernel/image': size('image'), 'kernel/addons.squashfs': size('addons.squashfs') },
  })
  return { side, config }
}

/** A `.config` or `config.gz` on disk: only the config is compared. */
export async function readConfigSide(file: string, input: string): Promise<ReadSide> {
  const { config, bytes } = await readKernelConfigWithBytes(file, input)
  return { side: configOnlySide(file, sha256Digest(bytes), config), config }
}

/**
 * One file out of a small layer (config.gz, metadata), read with the image's own layer reader (tar, gzip or zstd,
 * digest checked). The layer's size is checked first, so a mislabelled big layer is never fetched.
 */
async function fileInSmallLayer(image: OpenedImage, layer: Descriptor, file: KernelFileName, maxBytes: number, where: string): Promise<Buffer> {
  const name = `kernel/${file}`
  if (layer.size > maxBytes)
    throw new InputError(`${where}: the ${name} layer is ${layer.size} bytes, more than the ${maxBytes} read for a comparison`)
  let found: Buffer | undefined
  await readLayer(
    image,
    layer,
    (entry) =>
      // The one entry rule (krata's): paths as stored, so `./kernel/config.gz` is not the file.
      isRegularEntry(entry.type) && kernelFileOfEntry(entry.path) === file
        ? async (body) => void (found = await bodyToBuffer(body, maxBytes, `${where}: ${name}`))
        : undefined,
    where,
  )
  if (found === undefined) throw new InputError(`${where}: layer ${layer.digest} holds no ${name}`)
  return found
}
