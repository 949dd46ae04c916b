import type { KernelArch } from '../arch.js'
import type { DuplicateOption } from './kernel-config.js'
import { countResults, type CheckResult } from './evaluate.js'
import type { Target } from './requirements.js'

export type FailOn = 'error' | 'warning' | 'never'
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'never']

/** The JSON report written to a file (documented in the README). */
export interface CheckReport {
  target: Target
  arch: KernelArch
  version: string | null
  config: string
  passed: boolean
  errors: number
  /** Counts the duplicated options too: each is a warning. */
  warnings: number
  results: CheckResult[]
  /** Options set twice in the config (the kernel keeps the last one). */
  duplicates: DuplicateWarning[]
}

export interface DuplicateWarning extends DuplicateOption {
  message: string
}

export function buildReport(
  fields: { target: Target; arch: KernelArch; version?: string; config: string; duplicates?: readonly DuplicateOption[] },
  results: CheckResult[],
  failOn: FailOn,
): CheckReport {
  const duplicates = (fields.duplicates ?? []).map((d) => ({ ...d, message: duplicateMessage(d) }))
  const counted = countResults(results)
  const errors = counted.errors
  const warnings = counted.warnings + duplicates.length
  return {
    target: fields.target,
    arch: fields.arch,
    version: fields.version ?? null,
    config: fields.config,
    passed: !isFailing({ errors, warnings }, failOn === 'never' ? 'error' : failOn),
    errors,
    warnings,
    results,
    duplicates,
  }
}

function duplicateMessage(d: DuplicateOption): string {
  return `${d.option} is set twice (lines ${d.previousLine} and ${d.line}); the last one wins`
}

/** Whether unmet requirements fail the step; `fail-on` never excuses unusable input, which fails earlier. */
export function isFailing(counts: { errors: number; warnings: number }, failOn: FailOn): boolean {
  if (failOn === 'never') return false
  return counts.errors > 0 || (failOn === 'warning' && counts.warnings > 0)
}

/** What failed, in one line: `.config: 1 error, 0 warnings against the krata zone requirements (x86_64)`. */
export function failureSummary(report: CheckReport): string {
  const parts = [plural(report.errors, 'error'), plural(report.warnings, 'warning')]
  return `${report.config}: ${parts.join(', ')} against the krata ${report.target} requirements (${report.arch})`
}

/** The one line the step fails with: the summary, and where the details are on a runner. */
export function failureLine(report: CheckReport): string {
  return `${failureSummary(report)}; see the annotations and the job summary`
}

/** The report's fields as the JSON report documents them (README "JSON report"); the structured requirement stays inside. */
export function reportJson(report: CheckReport): string {
  const results = report.results.map(({ requirement: _, ...row }) => row)
  return `${JSON.stringify({ ...report, results }, null, 2)}\n`
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
