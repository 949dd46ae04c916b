// What one requirement asks of one option: shared by the check (which evaluates it) and the Kconfig reader (which
// explains and fixes it), so both speak of the same thing.
import type { KernelArch } from './arch.js'

/** Built in, a module, off, or an exact value (int, hex or string). */
export type Wanted = 'y' | 'm' | 'n' | { value: string }

export interface Requirement {
  /** The full name, `CONFIG_XEN`. */
  option: string
  wanted: Wanted
  /** Who asks for it: `zone`, `host`, `krata-boot`, or `file:line` of a user requirements file. */
  source: string
  /** Only these architectures have the symbol at all; elsewhere the requirement is not applicable. */
  arches?: readonly KernelArch[]
  /** The first kernel version that has the symbol; older kernels cannot satisfy it. */
  since?: readonly [number, number]
  /** Other options that satisfy the requirement just as well (e.g. a gzip or an xz kernel). */
  anyOf?: readonly string[]
  /** Why krata needs it, said when it is not met. */
  reason?: string
  /** A requirement that only warns when unmet (a feature some workloads need, not every boot). */
  severity?: 'warning'
}

/** The wanted state as the JSON report and the summary show it: `y`, `m`, `not set` or the value. */
export function wantedText(wanted: Wanted): string {
  if (wanted === 'n') return 'not set'
  return typeof wanted === 'string' ? wanted : wanted.value
}

/** The wanted state as kconfig spells a value: `y`, `m`, `n` or the value. */
export function kconfigValue(wanted: Wanted): string {
  return typeof wanted === 'string' ? wanted : wanted.value
}

/** `CONFIG_XEN` → `XEN`: Kconfig names symbols without the prefix. */
export function symbolOf(option: string): string {
  return option.startsWith('CONFIG_') ? option.slice('CONFIG_'.length) : option
}
