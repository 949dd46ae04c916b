import * as core from '@actions/core'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import type { KernelArch } from '../arch.js'
import { actionScript } from '../boot/host-tools.js'
import { guestTypeOf } from '../boot/plan.js'
import { runBootTest, type BootOutcome } from '../boot/run-boot.js'
import { stagesTable } from '../boot/stages.js'
import { oneLine, ToolError } from '../errors.js'
import type { CheckInputs, PublishInputs } from './inputs.js'
import type { ActionResult } from './outputs.js'
import { tempPath, type RunnerContext } from './runner-context.js'
import type { StepLog } from './step-log.js'

const run = promisify(execFile)

export interface BootStepResult {
  /** Outputs `boot` and `boot-log`. */
  boot: NonNullable<ActionResult['boot']>
  /** The job summary's boot section, when the boot test ran. */
  summary?: string
  /** The one line the step fails with when the kernel did not boot. */
  failure?: string
}

/**
 * `boot-test`: after the check and before anything is written or pushed, boot the image as a Xen guest the way krata
 * does (x86_64 PV, aarch64 PVH). Its result gives `boot` (passed/failed/skipped) and `boot-log` in every mode, so a
 * workflow can always read them.
 */
export async function bootStep(inputs: CheckInputs | PublishInputs, context: RunnerContext, log: StepLog): Promise<BootStepResult> {
  if (inputs.mode === 'check' || !inputs.bootTest) {
    if (inputs.bootTest) log.notice('boot-test: no image to boot (the input `image` is empty); boot skipped')
    return { boot: { status: 'skipped', log: '' } }
  }
  const outcome = await core.group(`Boot the kernel as ${inputs.check.target === 'host' ? 'dom0' : 'a Xen guest'} (Xen in QEMU)`, () =>
    runBootTest({
      image: inputs.image,
      addons: inputs.addons || undefined,
      config: inputs.check.config,
      outDir: tempPath(context, 'kernel-action-boot'),
      log: (line) => log.info(line),
      prepare: (arch) => installBootTools(arch, log),
      bootKit: inputs.bootKit || undefined,
      target: inputs.check.target,
      module: inputs.bootModule ? { module: inputs.bootModule, input: 'boot-module' } : undefined,
    }),
  )
  const boot = { status: outcome.status, log: outcome.consoleLog, serialLog: outcome.serialLog, reason: outcome.reason }
  const summary = renderBootSummary(outcome)
  if (outcome.status === 'failed') return { boot, summary, failure: outcome.reason ?? 'boot failed' }
  log.info(`boot-test: passed in ${outcome.seconds.toFixed(0)} s (${outcome.accel?.toUpperCase()})`)
  return { boot, summary }
}

function renderBootSummary(outcome: BootOutcome): string {
  const head = `### Boot test: ${outcome.status}`
  const as =
    outcome.target === 'host' ? 'dom0, with the bundled sample zone kernel as its guest,' : `Xen ${guestTypeOf(outcome.arch).toUpperCase()} guest`
  const how = `${as} under Xen in QEMU (${outcome.accel === 'kvm' ? 'KVM' : 'TCG, no KVM'}), ${outcome.seconds.toFixed(0)} s; times are seconds since QEMU started.`
  const note = outcome.accelNote ? `${outcome.accelNote}.\n\n` : ''
  return `${head}\n\n${outcome.reason ? `**${outcome.reason}**\n\n` : ''}${how}\n\n${note}${stagesTable(outcome.stages)}\n`
}

/** scripts/install-boot-tools.sh: QEMU for the kernel's architecture, the one thing the boot kit does not bring, installed with apt-get when missing. */
async function installBootTools(arch: KernelArch, log: StepLog): Promise<void> {
  const started = Date.now()
  const installed = await run('bash', [actionScript('install-boot-tools.sh'), arch], { maxBuffer: 16 << 20 }).catch(
    (error: Error & { stderr?: string }) => {
      // The script's last word (it names what to install), else why it could not start (no bash on the PATH).
      const last = error.stderr?.trim().split('\n').pop()
      throw new ToolError(
        last?.startsWith('install-boot-tools: ')
          ? `boot-test: ${last.slice('install-boot-tools: '.length)}`
          : `boot-test: installing the boot tools failed: ${last || oneLine(error)}`,
      )
    },
  )
  const what = /installing (.*)/.exec(installed.stderr)?.[1]
  if (what) log.info(`boot-test: installed ${what} in ${((Date.now() - started) / 1000).toFixed(0)} s`)
}
