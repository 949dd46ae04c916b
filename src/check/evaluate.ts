import type { KernelArch } from '../arch.js'
import { wantedText, type Requirement, type Wanted } from '../requirement.js'
import { describeEntry, majorMinor, type ConfigEntry, type KernelConfig } from './kernel-config.js'

export type Status = 'ok' | 'error' | 'warning' | 'not-applicable' | 'skipped'

/** One requirement's verdict: the report row (strings, as the JSON report shows them) and the requirement itself. */
export interface CheckResult {
  /** What was asked, structured: the edges that need the option or the wanted state read it here, not from text. */
  requirement: Requirement
  option: string
  wanted: string
  found: string
  /** The option's line in the config, or null when it is absent. */
  line: number | null
  status: Status
  message: string
  source: string
  /** Why, from the kernel's Kconfig (only with `kernel-source`). */
  explanation?: string
}

export interface CheckOptions {
  arch: KernelArch
  version?: string
  /** Options (with or without `CONFIG_`) the user chose not to check. */
  ignore?: readonly string[]
  /** Built in where a module was asked for is an error, not a warning. */
  strict?: boolean
}

/** Checks every requirement against the config. Pure: same inputs, same results, in requirement order. */
export function evaluateRequirements(config: KernelConfig, requirements: Requirement[], options: CheckOptions): CheckResult[] {
  const ignored = new Set((options.ignore ?? []).map(withPrefix))
  const kernel = majorMinor(options.version)
  return requirements.map((requirement) => {
    const entry = config.entries.get(requirement.option)
    const base = {
      requirement,
      option: requirement.option,
      wanted: wantedText(requirement.wanted),
      found: describeEntry(entry),
      line: entry?.line ?? null,
      source: requirement.source,
    }
    if (ignored.has(requirement.option)) {
      return { ...base, status: 'skipped', message: `${requirement.option}: skipped (input ignore)` }
    }
    if (requirement.arches && !requirement.arches.includes(options.arch)) {
      return {
        ...base,
        status: 'not-applicable',
        message: `${requirement.option}: not applicable on ${options.arch} (the symbol exists only on ${requirement.arches.join(', ')})`,
      }
    }
    if (!entry && requirement.since && kernel && olderThan(kernel, requirement.since)) {
      return {
        ...base,
        status: 'warning',
        message: `${requirement.option} is absent: it does not exist before Linux ${requirement.since.join('.')} (config is ${options.version})`,
      }
    }
    const alternative = requirement.anyOf
      ?.map((option) => ({ option, entry: config.entries.get(option) }))
      .find((a) => verdict(a.option, requirement.wanted, a.entry, KRATA, false).status === 'ok')
    if (alternative) {
      return {
        ...base,
        found: `${alternative.option}=${describeEntry(alternative.entry)}`,
        line: alternative.entry?.line ?? null,
        status: 'ok',
        message: `${alternative.option}=${describeEntry(alternative.entry)}`,
      }
    }
    const judged = verdict(requirement.option, requirement.wanted, entry, who(requirement), options.strict ?? false)
    return { ...base, ...explained(requirement, judged, config) }
  })
}

/** Adds the alternatives and krata's reason to a failure, and softens it for warning-only requirements. */
function explained(requirement: Requirement, judged: { status: Status; message: string }, config: KernelConfig): { status: Status; message: string } {
  if (judged.status === 'ok') return judged
  let message = judged.message
  if (requirement.anyOf?.length) {
    const options = [requirement.option, ...requirement.anyOf]
    const found = options.map((o) => `${o} ${describeEntry(config.entries.get(o))}`).join(', ')
    message = `none of ${options.join(', ')} is =${wantedText(requirement.wanted)} (${found})`
  }
  if (requirement.reason) message = `${message}: ${requirement.reason}`
  return { status: requirement.severity === 'warning' && judged.status === 'error' ? 'warning' : judged.status, message }
}

function verdict(option: string, wanted: Wanted, entry: ConfigEntry | undefined, who: Asker, strict: boolean): { status: Status; message: string } {
  const ok = (message: string) => ({ status: 'ok' as const, message })
  const error = (message: string) => ({ status: 'error' as const, message })
  if (wanted === 'n') {
    if (!entry || entry.state === 'not-set') return ok(`${option} is off`)
    return error(`${option}=${describeEntry(entry)}, ${who.name} needs it off (# ${option} is not set)`)
  }
  const want = `${who.name} needs =${wantedText(wanted)}`
  if (!entry) return error(`${option} is absent from the config, ${want}`)
  if (entry.state === 'not-set') return error(`${option} is not set, ${want}`)
  if (wanted === 'y') {
    if (entry.state === 'y') return ok(`${option}=y`)
    if (entry.state === 'm') {
      // "krata needs it built in": the reason is krata's way of loading modules, not the kind of kernel.
      return error(`${option}=m: built as a module, ${who.krata ? 'krata' : who.name} needs it built in (=y)`)
    }
    return error(`${option}=${entry.value}, ${want}`)
  }
  if (wanted === 'm') {
    if (entry.state === 'm') return ok(`${option}=m`)
    if (entry.state === 'y') {
      const message = `${option}=y: built in where ${who.name} asks for a module (=m)`
      return strict ? error(`${message}; an error with strict: true`) : { status: 'warning', message }
    }
    return error(`${option}=${entry.value}, ${want}`)
  }
  const found = describeEntry(entry)
  if (entry.state === 'value' && sameValue(entry.value, wanted.value)) return ok(`${option}=${found}`)
  return error(`${option}=${found}, ${want}`)
}

/** Who asks for a requirement, as a message names them; `krata` when it is one of krata's own lists. */
interface Asker {
  name: string
  krata: boolean
}

const KRATA: Asker = { name: 'krata', krata: true }

function who(requirement: Requirement): Asker {
  if (requirement.source === 'zone' || requirement.source === 'host') return { name: `a krata ${requirement.source} kernel`, krata: true }
  if (requirement.source === 'krata-boot') return { name: 'a krata zone kernel', krata: true }
  return { name: requirement.source, krata: false }
}

/** Hex values compare by value (`0x1F` = `0x1f`); anything else must match as written, as kconfig stores it. */
function sameValue(found: string, wanted: string): boolean {
  if (found === wanted) return true
  const hex = /^0x[0-9a-f]+$/i
  if (hex.test(found) && hex.test(wanted)) return BigInt(found) === BigInt(wanted)
  return false
}

function olderThan([major, minor]: [number, number], [sinceMajor, sinceMinor]: readonly [number, number]): boolean {
  return major < sinceMajor || (major === sinceMajor && minor < sinceMinor)
}

function withPrefix(option: string): string {
  const trimmed = option.trim()
  return trimmed.startsWith('CONFIG_') ? trimmed : `CONFIG_${trimmed}`
}

export interface CheckCounts {
  errors: number
  warnings: number
}

export function countResults(results: readonly CheckResult[]): CheckCounts {
  return {
    errors: results.filter((r) => r.status === 'error').length,
    warnings: results.filter((r) => r.status === 'warning').length,
  }
}
