// What pushing an image needs from a registry: the small interface push.ts is written against.
import type { Blob, SerializedManifest } from '../types.js'

export interface UploadProgress {
  digest: string
  bytes: number
  total: number
  bytesPerSecond: number
}

export interface UploadOptions {
  /** A repository on the same registry that may hold the blob: asked for a cross-repo mount in the same POST. */
  mountFrom?: string
  onProgress?: (progress: UploadProgress) => void
  signal?: AbortSignal
}

/** How a blob became present: linked from another repository, or `bytes` uploaded. */
export interface UploadOutcome {
  mounted: boolean
  bytes: number
}

export interface RegistryWriter {
  readonly registry: string
  readonly repository: string
  /** Where progress and decisions are reported, one line each. */
  readonly log: (line: string) => void
  blobExists(digest: string, signal?: AbortSignal): Promise<boolean>
  uploadBlob(blob: Blob, options?: UploadOptions): Promise<UploadOutcome>
  /** Puts a manifest under a digest or a tag; returns the digest stored. */
  putManifest(manifest: SerializedManifest, reference: string, signal?: AbortSignal): Promise<string>
  /** The digest a tag points at, or undefined. */
  resolve(tag: string, signal?: AbortSignal): Promise<string | undefined>
}
