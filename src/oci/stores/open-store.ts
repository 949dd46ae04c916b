// The store an image reference points into: a registry repository or a local OCI layout, read by the same interface.
import { OciLayout } from '../layout.js'
import type { ImageReference } from '../reference.js'
import type { Credentials } from '../registry/auth.js'
import { RegistryStore } from './registry-store.js'
import type { ImageStore } from '../store.js'

export interface StoreOptions {
  /** Registry credentials; without them the Docker config (and its credential helpers) is used, else anonymous. */
  credentials?: Credentials
  insecureRegistry?: boolean
  onSecret?: (value: string) => void
  log?: (line: string) => void
}

/** The store a parsed reference names; a layout must exist already (reading never creates one). */
export async function openImageStore(reference: ImageReference, options: StoreOptions = {}): Promise<ImageStore> {
  if (reference.kind === 'layout') return OciLayout.openExisting(reference.dir)
  return RegistryStore.open(reference.repository, {
    credentials: options.credentials,
    insecure: options.insecureRegistry,
    onSecret: options.onSecret,
    log: options.log,
  })
}
