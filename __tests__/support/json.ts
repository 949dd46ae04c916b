// Types for the JSON the tests read back (from skopeo, the registry, the action's own files). They state what a test
// expects to find; its assertions check that it is there.
import type { Descriptor } from '../../src/oci/types.js'

/** Any OCI manifest or index, loosely: the fields the tests look at. */
export interface OciJson {
  mediaType: string
  config: Descriptor
  layers: Descriptor[]
  manifests: Descriptor[]
  annotations: Record<string, string>
}

/** An OCI image config (`skopeo inspect --config --raw`). */
export interface ImageConfigJson {
  architecture: string
  os: string
  rootfs: { type: string; diff_ids: string[] }
  history: { created?: string; created_by?: string }[]
}

/** `skopeo inspect` without `--raw`. */
export interface SkopeoInspect {
  Digest: string
  Architecture: string
  Os: string
  Layers: string[]
}

/** The action's JSON report (README, "JSON report"). */
export interface ReportJson {
  target: string
  arch: string
  passed: boolean
  results: { option: string; status: string }[]
}

/** An OCI distribution error body. */
export interface RegistryErrorsJson {
  errors: { code: string; message?: string }[]
}

export function parseJson<T>(text: string | Buffer): T {
  return JSON.parse(text.toString()) as T
}
