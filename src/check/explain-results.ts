import { explainRequirements, renderExplanation, type Explanation } from '../kconfig/index.js'
import { symbolOf } from '../requirement.js'
import { kconfigValues } from './kernel-config.js'
import type { CheckOutcome } from './run-check.js'
import type { CheckResult } from './evaluate.js'

export interface ExplainedCheck {
  results: CheckResult[]
  explanations: Map<string, Explanation>
  fixFragment: string
  /** Kconfig lines the reader skipped (`file:line: reason`): explanations may miss what they said. */
  skipped: string[]
}

/**
 * With the kernel source at hand, says why each failing requirement is not met (from Kconfig) and writes the fragment
 * that fixes them. Alternatives-based rules (a gzip *or* xz kernel) are explained through their first option.
 */
export async function explainFailures(outcome: CheckOutcome, sourceDir: string): Promise<ExplainedCheck> {
  const failing = outcome.report.results.filter(isFailure).map((r) => r.requirement)
  const explained = await explainRequirements(sourceDir, outcome.arch, kconfigValues(outcome.config), failing)
  const results = outcome.report.results.map((r) => {
    const explanation = explained.explanations.get(symbolOf(r.requirement.option))
    return explanation && isFailure(r) ? { ...r, explanation: renderExplanation(explanation) } : r
  })
  const skipped = explained.skipped.map((s) => `${s.location.file}:${s.location.line}: ${s.reason}`)
  return { results, explanations: explained.explanations, fixFragment: explained.fixFragment, skipped }
}

const isFailure = (r: CheckResult): boolean => r.status === 'error' || r.status === 'warning'
