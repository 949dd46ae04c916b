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

/** A value that must be one of a fixed set (a target, a mode...); anything else names the input at fault. */
export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(`${name}: ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`)
}
