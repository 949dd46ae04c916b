import * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { explainFailures } from '../check/explain-results.js'
import type { CheckOutcome } from '../check/run-check.js'

/** Reads the kernel's Kconfig to explain each failure, and writes the fix fragment (output `fix-fragment`). */
export async function explainStep(outcome: CheckOutcome, kernelSource: string): Promise<CheckOutcome> {
  const started = Date.now()
  const explained = await explainFailures(outcome, kernelSource)
  const file = path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'kernel-fix.config')
  await fs.writeFile(file, explained.fixFragment)
  core.info(`Kconfig of ${kernelSource} read; ${explained.explanations.size} failures explained in ${Date.now() - started} ms; fix fragment: ${file}`)
  core.setOutput('fix-fragment', file)
  return { ...outcome, report: { ...outcome.report, results: explained.results } }
}
