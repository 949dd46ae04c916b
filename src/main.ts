import * as core from '@actions/core'
import { InputError, oneLine } from './errors.js'
import { getInputs, type Inputs } from './action/inputs.js'
import { runCheck, readFragmentLines, type CheckOutcome } from './check/run-check.js'
import { failureLine, isFailing } from './check/report.js'
import { emitAnnotations, logResults, writeReport, writeSummary } from './action/report-check.js'
import { renderSummary } from './action/summary.js'
import { sampleKernel } from './sample.js'

/** The action: check the config, then describe and publish the kernel when an image is given. */
export async function run(): Promise<void> {
  try {
    const inputs = withSampleDefaults(getInputs())
    const outcome = await core.group('Check the kernel config', async () => {
      const outcome = await runCheck(inputs)
      logResults(outcome)
      emitAnnotations(outcome, await readFragmentLines(inputs.fragment))
      return outcome
    })
    await setCheckOutputs(outcome, inputs.report)
    const failing = isFailing(outcome.report, inputs.failOn)
    await writeSummary(renderSummary(outcome.report))
    if (failing) {
      core.setFailed(failureLine(outcome.report))
      return
    }
  } catch (error) {
    if (!(error instanceof InputError) && error instanceof Error && error.stack) core.debug(error.stack)
    core.setFailed(oneLine(error))
  }
}

async function setCheckOutputs(outcome: CheckOutcome, reportPath: string): Promise<void> {
  const { report } = outcome
  core.setOutput('passed', String(report.passed))
  core.setOutput('errors', String(report.errors))
  core.setOutput('warnings', String(report.warnings))
  core.setOutput('report', await writeReport(outcome, reportPath))
  core.setOutput('arch', report.arch)
  core.setOutput('version', report.version ?? '')
}

/** With no config at all, the action runs on the bundled sample kernel (the quick start); it is never pushed. */
function withSampleDefaults(inputs: Inputs): Inputs {
  if (inputs.config !== '') return inputs
  if (inputs.image !== '' || inputs.addons !== '') throw new InputError('config: required when image or addons is given')
  if (inputs.repository !== '') throw new InputError('config: required with repository (the bundled sample kernel is never pushed)')
  const sample = sampleKernel()
  core.notice(`No config given: using the bundled sample kernel (${sample.config})`)
  return { ...inputs, config: sample.config, image: sample.image, addons: sample.addons }
}
