// Input `verify`: the pushed image is read back from the registry, as krata would read it, before any tag points at
// it. `light` reads the manifest and config only; `full` streams every layer too.
import { InputError } from '../errors.js'
import type { Credentials } from '../oci/registry/auth.js'
import { verifyImage } from '../verify/verify-image.js'

export type ReadBackVerify = 'light' | 'full' | 'false'
export const READ_BACK_VERIFY: readonly ReadBackVerify[] = ['light', 'full', 'false']

export interface ReadBackContext {
  verify: ReadBackVerify
  bootRules: boolean
  credentials?: Credentials
  insecureRegistry: boolean
  onSecret: (value: string) => void
  log: (line: string) => void
}

/** Throws (so no tag is written) when the image at `reference` breaks one of krata's rules. */
export async function verifyPushed(reference: string, context: ReadBackContext): Promise<void> {
  if (context.verify === 'false') return
  const result = await verifyImage(reference, {
    depth: context.verify,
    bootRules: context.bootRules,
    credentials: context.credentials,
    insecureRegistry: context.insecureRegistry,
    onSecret: context.onSecret,
  })
  if (result.violations.length > 0) {
    throw new InputError(`verify: ${reference} was pushed but not tagged, krata would not load it: ${result.violations.join('; ')}`)
  }
  context.log(`verify (${context.verify}): ${reference} reads back as krata reads it`)
}
