import * as core from '@actions/core'
import { InputError, oneLine } from './errors.js'
import { checkInputFiles, getInputs, type CheckInputs, type MergeInputs, type PublishInputs } from './action/inputs.js'
import { readRunnerContext, readWorkflowFacts, tempPath, type RunnerContext } from './action/runner-context.js'
import { runCheck, readFragmentLines, type CheckOutcome } from './check/run-check.js'
import { failureLine, isFailing, plural } from './check/report.js'
import { emitAnnotations, logResults, writeReport, writeSummary } from './action/report-check.js'
import { renderMergeSummary, renderSummary, type StepSummary } from './action/summary.js'
import { mergeStep, publishStep } from './action/publish-step.js'
import { pullReference, reportDrift, type PublishedFacts } from './action/drift-step.js'
import { explainStep } from './action/explain-step.js'
import { StepLog } from './action/step-log.js'
import { bootStep } from './action/boot-step.js'
import { setOutputs, type ActionResult } from './action/outputs.js'
import { describeAddons, prepareAddons } from './addons/prepare-addons.js'

/**
 * The action: check the config, then (when an image is given and the check passes) describe and publish it; or, with
 * `merge`, join already published per-architecture images into one multi-arch index. Every input is checked before
 * any work; each stage adds its facts to one result, from which the outputs are set once, however the step ends.
 * Everything it says to the runner goes through one StepLog, whose annotations (the failure line included) stay
 * within GitHub's budget.
 */
export async function run(): Promise<void> {
  const log = new StepLog()
  const result: ActionResult = {}
  let failure: string | undefined
  try {
    const context = readRunnerContext(process.env, process.cwd(), readWorkflowFacts())
    if (context.onRunner) log.countJobAnnotationsIn(tempPath(context, '.kernel-action-annotations'))
    const inputs = getInputs(context)
    await checkInputFiles(inputs)
    if (inputs.mode === 'merge') {
      failure = await runMerge(inputs, context, log, result)
    } else {
      // From here on a workflow can always read `boot`: skipped until the boot test runs.
      result.boot = { status: 'skipped', log: '' }
      failure = await runCheckAndPublish(inputs, context, log, result)
    }
  } catch (error) {
    if (!(error instanceof InputError) && error instanceof Error && error.stack) core.debug(error.stack)
    failure = oneLine(error)
  }
  setOutputs(result)
  log.finish(failure)
}

/** Merge mode: the per-architecture jobs checked and built; this step only joins their images. */
async function runMerge(inputs: MergeInputs, context: RunnerContext, log: StepLog, result: ActionResult): Promise<undefined> {
  const merged = await core.group('Merge the per-architecture images into one index', () => mergeStep(inputs, log))
  result.merge = merged
  await writeSummary(renderMergeSummary(merged), context, log)
  return undefined
}

/** Checks the config, then publishes when an image is given; returns the line the step fails with on unmet requirements. */
async function runCheckAndPublish(
  inputs: CheckInputs | PublishInputs,
  context: RunnerContext,
  log: StepLog,
  result: ActionResult,
): Promise<string | undefined> {
  const { check } = inputs
  if (check.sample) log.notice(`No config given: using the bundled sample kernel (${check.config})`)
  const publishing = inputs.mode === 'publish' ? inputs : undefined
  const summary: StepSummary = { failOn: check.failOn }
  let checked: CheckOutcome | undefined
  try {
    checked = await core.group('Check the kernel config', async () => {
      let outcome = await runCheck(check)
      if (check.kernelSource) {
        const explained = await explainStep(outcome, check.kernelSource, context, log)
        outcome = explained.outcome
        summary.fixFragment = explained.fixFragment
        result.fixFragment = explained.fixFragment.path
      }
      logResults(outcome, log)
      emitAnnotations(outcome, await readFragmentLines(check.fragment), log, context.workspace)
      return outcome
    })
    const { report } = checked
    result.check = { report, reportPath: await writeReport(checked, check.report) }
    const outcome = checked
    // Read before publishing: the reference tag is usually the one about to be overwritten.
    const reference = await core.group('Read the kernel to compare with', () => pullReference(inputs.drift, outcome, log))
    const compare = async (published?: PublishedFacts): Promise<void> => {
      if (!reference) return
      const drift = await core.group('Compare with the reference kernel', () => reportDrift(check, reference, outcome, published, context, log))
      summary.drift = drift.summary
      result.drift = { configChanged: drift.configChanged, reportPath: drift.reportPath }
    }
    if (isFailing(report, check.failOn)) {
      // A kernel that fails its requirements is not published: nothing half-done is left behind.
      if (publishing) {
        const where = publishing.registry.repository ? ` or pushed to ${publishing.registry.repository}` : ''
        summary.notPublished = `the check failed (fail-on: ${check.failOn}; ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}), so nothing was written to the OCI layout${where}.`
      }
      await compare()
      await writeSummary(renderSummary(report, summary), context, log)
      return failureLine(report)
    }
    // The addons (built from `modules` when given) are checked against the kernel before it is booted, written or pushed.
    const ready = publishing ? await withCheckedAddons(publishing, outcome, context, log) : undefined
    // The boot test runs before anything is written or pushed: a kernel that does not boot is not published.
    const boot = await bootStep(ready ?? inputs, context, log).catch((error: unknown) => {
      // The harness itself could not run the test (tools missing, QEMU failing to start): that is a failed boot test too.
      result.boot = { status: 'failed', log: '', reason: oneLine(error) }
      throw error
    })
    result.boot = boot.boot
    summary.boot = boot.summary
    if (boot.failure) {
      summary.notPublished = `it did not boot: ${boot.failure}.`
      await compare()
      await writeSummary(renderSummary(report, summary), context, log)
      return boot.failure
    }
    if (ready) {
      const published = await core.group('Describe and publish the kernel image', () => publishStep(ready, outcome, context, log))
      result.publish = published
      summary.publish = published
      await compare(published)
    } else {
      await compare()
    }
    await writeSummary(renderSummary(report, summary), context, log)
    return undefined
  } catch (error) {
    // The check ran before describe/publish failed: its summary is still worth having, with why nothing was published.
    if (checked) {
      // Published and then failed (the drift comparison): the image is out, so the summary must not say otherwise.
      if (publishing && !summary.publish) summary.notPublished = oneLine(error)
      await writeSummary(renderSummary(checked.report, summary), context, log).catch(() => undefined)
    }
    throw error
  }
}

/** Builds addons.squashfs from `modules` when given, checks the addons against the kernel, and publishes those. */
async function withCheckedAddons(inputs: PublishInputs, outcome: CheckOutcome, context: RunnerContext, log: StepLog): Promise<PublishInputs> {
  const modular = outcome.config.entries.get('CONFIG_MODULES')?.state === 'y'
  const output = tempPath(context, 'kernel-action-addons', 'addons.squashfs')
  const { image, addons, modules } = inputs
  const prepared = await core.group('Check the addons against the kernel', () => prepareAddons({ image, addons, modules, modular, output }))
  if (prepared) log.info(describeAddons(prepared))
  return prepared ? { ...inputs, addons: prepared.file } : inputs
}
