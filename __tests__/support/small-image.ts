// A small single-layer image held in memory, ready for pushImage: for tests about the registry, not the kernel.
import { Readable } from 'node:stream'
import { MediaType, type Blob, type ImageToWrite } from '../../src/oci/types.js'
import { sha256Digest } from './digest.js'

/** One uncompressed layer of `text` repeated `times` times (its size decides how many requests a push makes). */
export function smallImage(text: string, times = 1000): ImageToWrite & { layer: Buffer } {
  const layer = Buffer.from(text.repeat(times))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [sha256Digest(layer)] } }))
  const blob = (bytes: Buffer, mediaType: string): Blob => ({
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    open: () => Readable.from([bytes]),
  })
  const blobs = [blob(config, MediaType.config), blob(layer, MediaType.layerTar)]
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.manifest, config: blobs[0]!.descriptor, layers: [blobs[1]!.descriptor] }),
  )
  return {
    manifest: { descriptor: { mediaType: MediaType.manifest, digest: sha256Digest(manifest), size: manifest.length }, bytes: manifest },
    blobs,
    layer,
  }
}
