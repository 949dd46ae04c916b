// The errors a registry conversation ends with, beyond src/errors.ts's kinds. Each message is one line and holds no secret.
import { IntegrityError } from '../../errors.js'

export { RegistryError } from '../../errors.js'

/**
 * A tag read back after the push points somewhere else: another writer raced us, or the registry lost the write.
 * An integrity error of the action's vocabulary (what it wrote did not read back as written).
 */
export class TagMismatchError extends IntegrityError {
  override name = 'TagMismatchError'
  constructor(
    message: string,
    readonly tag: string,
    readonly expected: string,
    readonly found: string | undefined,
  ) {
    super(message)
  }
}
