import { explainRequirements, renderExplanation, type Explanation } from '../kconfig/index.js'
import { kconfigValues } from './kernel-config.js'
import type { CheckOutcome } from './run-check.js'
import type { CheckResult } from './evaluate.js'

export interface ExplainedCheck {
  results: CheckResult[]
  explanations: Map<string, Explanation>
  fixFragment: string
}

/**
 * With the kernel source at hand, says why each failing requirement is not met (from Kconfig) and writes the fragment
 * that fixes them. Alternatives-based rules (a gzip *or* xz kernel) are explained through their first option.
 */
export async function explainFailures(outcome: CheckOutcome, sourceDir: string): Promise<ExplainedCheck> {
  const failing = outcome.report.results
    .filter((r) => r.status === 'error' || r.status === 'warning')
    .map((r) => ({ symbol: r.option.replace(/^CONFIG_/, ''), wanted: kconfigWanted(r.wanted) }))
  const { explanations, fixFragment } = await explainRequirements(sourceDir, outcome.arch, kconfigValues(outcome.config), failing)
  const results = outcome.report.results.map((r) => {
    const explanation = explanations.get(r.option.replace(/^CONFIG_/, ''))
    return explanation && (r.status === 'error' || r.status === 'warning') ? { ...r, explanation: renderExplanation(explanation) } : r
  })
  return { results, explanations, fixFragment }
}

/** The check words "must be off" as `not set`; Kconfig calls it `n`. */
function kconfigWanted(wanted: string): string {
  return wanted === 'not set' ? 'n' : wanted
}
