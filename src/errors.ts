/**
 * The action's error vocabulary (README, "Bad input"). Every error it stops with is one line of one of these kinds
 * (or of a subclass of one); a plain `Error` is never thrown on purpose, and no other module declares a kind of its own
 * (__tests__/errors.test.ts holds that).
 */

/**
 * A user-supplied input that cannot be used (a missing file, a line that is not Kconfig, a bad tag...).
 * It is reported as one line naming the input or file:line, and always fails the step: `fail-on`
 * governs unmet requirements, not unusable input.
 */
export class InputError extends Error {
  override name = 'InputError'
}

/**
 * Bytes that do not match the digest naming them (a blob or manifest fetched or read back), or data this action wrote
 * that did not read back as written (a tag resolving elsewhere).
 */
export class IntegrityError extends Error {
  override name = 'IntegrityError'
}

/** A program this action runs (the `zstd` program, apt-get, QEMU and Xen for the boot test) failed. */
export class ToolError extends Error {
  override name = 'ToolError'
}

/**
 * A registry refused a request, answered something unusable, or could not be reached (in time). Its answers are
 * untrusted: the message names the registry and the request, never a secret. `status` is the HTTP status when there
 * was one; `code` the registry's error code (MANIFEST_UNKNOWN, DENIED...) or the transport's (ECONNREFUSED, TIMEOUT,
 * DEADLINE, SLOW_BODY, FOREIGN_CHALLENGE...), for callers that decide on them (404: absent). Credentials the registry
 * does not accept are an InputError (the user's input is at fault); bytes not matching their digest an IntegrityError.
 */
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

/** A Kconfig line the reader cannot parse; never shown as a failure, it is counted among the skipped lines. */
export class KconfigSyntaxError extends Error {
  override name = 'KconfigSyntaxError'
}

/** A broken promise inside this action (a bug, or a damaged copy of it): the message asks for a report. */
export class InternalError extends Error {
  override name = 'InternalError'
  constructor(message: string) {
    super(`internal error: ${message} (a bug in kernel-action; please report it)`)
  }
}

/**
 * The one wording for a file an input names that cannot be used: `config: build/.config does not exist`,
 * `image: vmlinuz cannot be read (permission denied)`; `doing` is `written` for a file the action writes.
 */
export function fileError(input: string, file: string, error: unknown, doing: 'read' | 'written' = 'read'): InputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') return new InputError(`${input}: ${file} does not exist`)
  if (code === 'EISDIR') return new InputError(`${input}: ${file} is a directory, not a file`)
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`${input}: ${file} cannot be ${doing} (permission denied)`)
  return new InputError(`${input}: ${file} cannot be ${doing} (${code ?? (error instanceof Error ? error.message : String(error))})`)
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
