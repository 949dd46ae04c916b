import * as core from '@actions/core'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { KernelArch } from '../arch.js'
import { actionScript } from '../boot/host-tools.js'
import { guestTypeOf } from '../boot/plan.js'
import { runBootTest, type BootOutcome } from '../boot/run-boot.js'
import { stagesTable } from '../boot/stages.js'
import { ToolError } from '../errors.js'
import type { CheckInputs, PublishInputs } from './inputs.js'
import { tempPath, type RunnerContext } from './runner-context.js'
import type { StepLog } from './step-log.js'

const run = promisify(execFile)

export interface BootStepResult {
  /** The job summary's boot section, when the boot test ran. */
  summary?: string
  /** The one line the step fails with when the kernel did not boot. */
  failure?: string
}

/**
 * `boot-test`: after the check and before anything is written or pushed, boot the image as a Xen guest the way krata
 * does. Sets `boot` (passed/failed/skipped) and `boot-log` in every mode, so a workflow can always read them.
 */
export async function bootStep(inputs: CheckInputs | PublishInputs, context: RunnerContext, log: StepLog): Promise<BootStepResult> {
  if (inputs.mode === 'check' || !inputs.bootTest) {
    if (inputs.bootTest) log.notice('boot-test: no image to boot (the input `image` is empty); boot skipped')
    core.setOutput('boot', 'skipped')
    core.setOutput('boot-log', '')
    return {}
  }
  const outcome = await core.group('Boot the kernel as a Xen guest (Xen in QEMU)', () =>
    runBootTest({
      image: inputs.image,
      addons: inputs.addons || undefined,
      config: inputs.check.config,
      outDir: tempPath(context, 'kernel-action-boot'),
      log: (line) => log.info(line),
      prepare: (arch) => installBootTools(arch, log),
    }),
  )
  core.setOutput('boot', outcome.status)
  core.setOutput('boot-log', outcome.consoleLog)
  const summary = renderBootSummary(outcome)
  if (outcome.status === 'failed') return { summary, failure: outcome.reason ?? 'boot failed' }
  log.info(`boot-test: passed in ${outcome.seconds.toFixed(0)} s (${outcome.accel?.toUpperCase()})`)
  return { summary }
}

export function renderBootSummary(outcome: BootOutcome): string {
  const head = `### Boot test: ${outcome.status}`
  const how = `Xen ${guestTypeOf(outcome.arch).toUpperCase()} guest under Xen in QEMU (${outcome.accel === 'kvm' ? 'KVM' : 'TCG, no KVM'}), ${outcome.seconds.toFixed(0)} s; times are seconds since QEMU started.`
  return `${head}\n\n${outcome.reason ? `**${outcome.reason}**\n\n` : ''}${how}\n\n${stagesTable(outcome.stages)}\n`
}

/** scripts/install-boot-tools.sh: apt-get of QEMU, Xen, busybox-static and squashfs-tools, only what is missing. */
async function installBootTools(arch: KernelArch, log: StepLog): Promise<void> {
  const started = Date.now()
  const installed = await run('bash', [actionScript('install-boot-tools.sh'), arch], { maxBuffer: 16 << 20 }).catch(
    (error: Error & { stderr?: string }) => {
      throw new ToolError(`boot-test: installing the boot tools failed: ${error.stderr?.trim().split('\n').pop() ?? String(error)}`)
    },
  )
  const what = /installing (.*)/.exec(installed.stderr)?.[1]
  if (what) log.info(`boot-test: installed ${what} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
