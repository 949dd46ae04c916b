// What changed between two kernel configs, option by option, in the five states a `.config` line can be in
// (absent, not set, y, m, a value): the pure half of the drift report.
import { describeEntry, type ConfigEntry, type KernelConfig } from '../check/kernel-config.js'
import { bootRequirements, requirementsFor, type Requirement } from '../check/requirements.js'

/** `requirement`: krata asks for it (zone/host list, boot rule or a user rule); `xen`: a Xen option it does not list. */
export type OptionClass = 'requirement' | 'xen' | 'other'
export type ChangeKind = 'added' | 'removed' | 'changed'

export interface OptionChange {
  option: string
  kind: ChangeKind
  class: OptionClass
  /** `y`, `m`, `not set`, `absent` or the value, as the check report's `found` reads. */
  before: string
  after: string
  /** The option's line in the new config, or null when it was removed. */
  line: number | null
}

const CLASS_ORDER: Record<OptionClass, number> = { requirement: 0, xen: 1, other: 2 }

/**
 * Every option whose state differs between the two configs: requirement changes first, then Xen ones, then the
 * rest, each group by name. One pass over each map, so two 10,000-line configs compare in milliseconds.
 */
export function diffConfigs(before: KernelConfig, after: KernelConfig, requirementOptions: ReadonlySet<string>): OptionChange[] {
  const changes: OptionChange[] = []
  const classify = (option: string): OptionClass => (requirementOptions.has(option) ? 'requirement' : option.includes('XEN') ? 'xen' : 'other')
  for (const [option, now] of after.entries) {
    const was = before.entries.get(option)
    if (was && sameState(was, now)) continue
    changes.push({
      option,
      kind: was ? 'changed' : 'added',
      class: classify(option),
      before: describeEntry(was),
      after: describeEntry(now),
      line: now.line,
    })
  }
  for (const [option, was] of before.entries) {
    if (after.entries.has(option)) continue
    changes.push({ option, kind: 'removed', class: classify(option), before: describeEntry(was), after: 'absent', line: null })
  }
  return changes.sort((a, b) => CLASS_ORDER[a.class] - CLASS_ORDER[b.class] || (a.option < b.option ? -1 : a.option > b.option ? 1 : 0))
}

function sameState(a: ConfigEntry, b: ConfigEntry): boolean {
  if (a.state !== b.state) return false
  return a.state !== 'value' || a.value === (b as { value: string }).value
}

/**
 * The options krata's requirements name: both built-in lists, the boot rules (with their alternatives, such as
 * KERNEL_XZ for KERNEL_GZIP) and any user rules, whatever the target, so a zone and a host diff class alike.
 */
export function requirementOptionSet(extra: readonly Requirement[] = []): Set<string> {
  const options = new Set<string>()
  for (const r of [...requirementsFor('host'), ...bootRequirements(), ...extra]) {
    options.add(r.option)
    for (const alternative of r.anyOf ?? []) options.add(alternative)
  }
  return options
}

/** A state as a change message reads it: `=y`, `=512`, `not set`, `absent`. */
export function stateText(described: string): string {
  return described === 'absent' || described === 'not set' ? described : `=${described}`
}
