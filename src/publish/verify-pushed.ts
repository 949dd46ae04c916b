// Input `verify`: the pushed image is read back from the registry, as krata would read it, before any tag points at
// it, through the very client that pushed it. `light` reads the manifest and config only; `full` streams every layer.
import { InputError } from '../errors.js'
import type { ImageStore } from '../oci/store.js'
import { verifyStoredImage } from '../verify/verify-image.js'

export type ReadBackVerify = 'light' | 'full' | 'false'
export const READ_BACK_VERIFY: readonly ReadBackVerify[] = ['light', 'full', 'false']

/** What a read-back needs beyond the store: how deep, whether krata's boot rules apply, where to say it passed. */
export interface ReadBackContext {
  verify: ReadBackVerify
  bootRules: boolean
  log: (line: string) => void
}

/** Throws (so no tag is written) when the image `digest` in `store` breaks one of krata's rules. */
export async function verifyPushed(store: ImageStore, digest: string, context: ReadBackContext): Promise<void> {
  if (context.verify === 'false') return
  const reference = `${store.name}@${digest}`
  const result = await verifyStoredImage(store, digest, reference, { depth: context.verify, bootRules: context.bootRules })
  if (result.violations.length > 0) {
    throw new InputError(`verify: ${reference} was pushed but not tagged, krata would not load it: ${result.violations.join('; ')}`)
  }
  context.log(`verify (${context.verify}): ${reference} reads back as krata reads it`)
}
