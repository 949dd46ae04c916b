// The errors a registry conversation ends with. Each message is one line and holds no secret.
import { IntegrityError } from '../../errors.js'

/** A registry said no, sent something wrong, or could not be reached. `code` is the registry's error code
 * (e.g. MANIFEST_BLOB_UNKNOWN, DENIED) or a network one (ECONNREFUSED, TIMEOUT, DEADLINE). */
export class RegistryError extends Error {
  override name = 'RegistryError'
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message)
  }
}

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
