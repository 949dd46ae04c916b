import * as core from '@actions/core'
import { InputError, oneLine } from './errors.js'
import { getInputs, type Inputs } from './action/inputs.js'
import { runCheck, readFragmentLines, type CheckOutcome } from './check/run-check.js'
import { failureLine, isFailing } from './check/report.js'
import { emitAnnotations, logResults, writeReport, writeSummary } from './action/report-check.js'
import { renderSummary } from './action/summary.js'
import { mergeStep, publishStep, renderMergeSummary } from './action/publish-step.js'
import { sampleKernel } from './sample.js'
import { explainStep } from './action/explain-step.js'

/**
 * The action: check the config, then (when an image is given and the check passes) describe and publish it; or, with
 * `merge`, join already published per-architecture images into one multi-arch index.
 */
export async function run(): Promise<void> {
  let checked: CheckOutcome | undefined
  try {
    const given = getInputs()
    if (given.merge.length > 0) {
      // Merge mode: the per-architecture jobs checked and built; this step only joins their images.
      const merged = await core.group('Merge the per-architecture images into one index', () => mergeStep(given))
      await writeSummary(renderMergeSummary(merged))
      return
    }
    const inputs = withSampleDefaults(given)
    const outcome = await core.group('Check the kernel config', async () => {
      const checked = await runCheck(inputs)
      const outcome = inputs.kernelSource ? await explainStep(checked, inputs.kernelSource) : checked
      logResults(outcome)
      emitAnnotations(outcome, await readFragmentLines(inputs.fragment))
      return outcome
    })
    checked = outcome
    await setCheckOutputs(outcome, inputs.report)
    if (isFailing(outcome.report, inputs.failOn)) {
      // A kernel that fails its requirements is not published: nothing half-done is left behind.
      await writeSummary(renderSummary(outcome.report))
      core.setFailed(failureLine(outcome.report))
      return
    }
    const published = inputs.image
      ? await core.group('Describe and publish the kernel image', () => publishStep(inputs, outcome))
      : undefined
    await writeSummary(
      renderSummary(
        outcome.report,
        published && {
          layout: published.layout,
          tags: published.tags,
          digest: published.digest,
          imageRef: published.imageRef,
          configDigest: published.configDigest,
          metadata: published.metadata,
        },
      ),
    )
  } catch (error) {
    if (!(error instanceof InputError) && error instanceof Error && error.stack) core.debug(error.stack)
    core.setFailed(oneLine(error))
    // The check ran before describe/publish failed: its summary is still worth having.
    if (checked) await writeSummary(renderSummary(checked.report)).catch(() => undefined)
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
