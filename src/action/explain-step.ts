import * as core from '@actions/core'
import { tempPath, type RunnerContext } from './runner-context.js'
import type { StepLog } from './step-log.js'
import { promises as fs } from 'node:fs'
import { explainFailures } from '../check/explain-results.js'
import type { CheckOutcome } from '../check/run-check.js'

export interface ExplainedCheck {
  outcome: CheckOutcome
  fixFragment: { path: string; text: string }
}

/** Reads the kernel's Kconfig to explain each failure, and writes the fix fragment (output `fix-fragment`: its path). */
export async function explainStep(outcome: CheckOutcome, kernelSource: string, context: RunnerContext, log: StepLog): Promise<ExplainedCheck> {
  const started = Date.now()
  const explained = await explainFailures(outcome, kernelSource)
  const file = tempPath(context, 'kernel-fix.config')
  await fs.writeFile(file, explained.fixFragment)
  log.info(
    `Kconfig of ${kernelSource} read (${explained.skipped.length} lines skipped); ${explained.explanations.size} failures explained in ${Date.now() - started} ms; fix fragment: ${file}`,
  )
  for (const line of explained.skipped) core.debug(`Kconfig line skipped: ${line}`)
  return {
    outcome: { ...outcome, report: { ...outcome.report, results: explained.results } },
    fixFragment: { path: file, text: explained.fixFragment },
  }
}
