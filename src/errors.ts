/**
 * A user-supplied input that cannot be used (a missing file, a line that is not Kconfig, a bad tag...).
 * It is reported as one line naming the input or file:line, and always fails the step: `fail-on`
 * governs unmet requirements, not unusable input.
 */
export class InputError extends Error {
  override name = 'InputError'
}

/** The message of anything thrown, on one line, for the log and for `core.setFailed`. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim()
}
