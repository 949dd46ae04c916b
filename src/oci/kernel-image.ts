// The kernel image: one layer per file under /kernel, an image config krata can parse, and a manifest carrying
// the caller's annotations — all written into a local OCI layout, ready to be tagged there or pushed.
import zlib from 'node:zlib'
import { InputError, InternalError } from '../errors.js'
import { imageConfig, imageManifest, serializeJson, type ImageArchitecture } from './image.js'
import { buildFileLayer, KERNEL_DIR, type LayerCompression } from './layer.js'
import type { OciLayout } from './layout.js'
import { MediaType, type Descriptor, type ImageToWrite } from './types.js'

export interface KernelFile {
  /** Name inside /kernel: `image`, `addons.squashfs`, `config.gz`, `metadata`. */
  name: string
  /** A path (streamed) or the bytes themselves. */
  source: string | Buffer
}

export interface KernelImageSpec {
  /** One layer each, in this order. */
  files: KernelFile[]
  architecture: ImageArchitecture
  /** RFC 3339; part of the config, so a fixed value keeps the digest stable. */
  created: string
  compression: LayerCompression
  /** Put on the image manifest as given. */
  annotations: Record<string, string>
}

export interface KernelImage extends ImageToWrite {
  /** Digest of the image manifest. */
  digest: string
  /** sha256 of each uncompressed layer tar, in file order. */
  diffIds: string[]
  config: Descriptor
  /** Each file's layer descriptor, in file order. */
  layers: Descriptor[]
}

/** Writes every layer, the config and the manifest into `layout`; tagging is left to the caller. */
export async function buildKernelImage(spec: KernelImageSpec, layout: OciLayout): Promise<KernelImage> {
  if (spec.files.length === 0) throw new InternalError('a kernel image needs at least one file')
  const seen = new Set<string>()
  for (const file of spec.files) {
    if (seen.has(file.name)) throw new InputError(`kernel file ${JSON.stringify(file.name)} is given twice`)
    seen.add(file.name)
  }

  // Each layer's bytes depend only on its own file, so building them at once cannot change the result.
  const layers = await Promise.all(
    spec.files.map((file) => buildFileLayer({ name: file.name, source: file.source, compression: spec.compression }, layout)),
  )
  const diffIds = layers.map((layer) => layer.diffId)
  const config = serializeJson(
    imageConfig({
      architecture: spec.architecture,
      created: spec.created,
      diffIds,
      history: spec.files.map((file) => `kernel-action: add /${KERNEL_DIR}/${file.name}`),
    }),
    MediaType.config,
  )
  await layout.writeJsonBlob(config)

  const manifest = serializeJson(
    imageManifest({
      config: config.descriptor,
      layers: layers.map((layer) => layer.descriptor),
      annotations: spec.annotations,
    }),
    MediaType.manifest,
  )
  await layout.writeJsonBlob(manifest)

  return {
    manifest: {
      bytes: manifest.bytes,
      descriptor: { ...manifest.descriptor, platform: { os: 'linux', architecture: spec.architecture } },
    },
    blobs: [...layers.map((layer) => layout.blob(layer.descriptor)), layout.blob(config.descriptor)],
    digest: manifest.descriptor.digest,
    diffIds,
    config: config.descriptor,
    layers: layers.map((layer) => layer.descriptor),
  }
}

/**
 * `gzip -9` of the bytes with no file name and mtime 0 in the header, so `config.gz` is the same for the same
 * `.config` (GNU gzip would record the input's mtime). `zcat` of it gives the bytes back unchanged.
 */
export function gzipDeterministic(bytes: Buffer): Buffer {
  return zlib.gzipSync(bytes, { level: 9 })
}
