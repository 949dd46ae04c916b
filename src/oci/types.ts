// The OCI image-spec data model, as plain data. Writers (layout, registry) are separate from it.

export const MediaType = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  layerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const

export interface Platform {
  os: string
  architecture: string
  variant?: string
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: Platform
}

export interface ImageManifest {
  schemaVersion: 2
  mediaType: typeof MediaType.manifest
  config: Descriptor
  layers: Descriptor[]
  annotations?: Record<string, string>
}

export interface ImageIndex {
  schemaVersion: 2
  mediaType: typeof MediaType.index
  manifests: Descriptor[]
  annotations?: Record<string, string>
}

/** Anything that can give its descriptor and a fresh stream of its exact bytes (read lazily). */
export interface Blob {
  descriptor: Descriptor
  open(): NodeJS.ReadableStream
}

/** A manifest or index serialised once: its bytes are what gets digested, stored and pushed. */
export interface SerializedManifest {
  descriptor: Descriptor
  bytes: Buffer
}

/** Everything needed to write one image anywhere: blobs first, then the manifest, tags last. */
export interface ImageToWrite {
  manifest: SerializedManifest
  blobs: Blob[]
}
