// The step's outputs, all of them, from one result value and set in one place (nothing else calls core.setOutput):
// a workflow reads the same names whichever stage the step stopped at.
import * as core from '@actions/core'
import type { CheckReport } from '../check/report.js'
import type { MergeOutcome } from '../publish/merge.js'
import type { PublishOutcome } from '../publish/publish.js'

/** Every output of action.yml (__tests__/action-contract.test.ts holds the two together). */
export const OUTPUTS = [
  'passed',
  'errors',
  'warnings',
  'report',
  'arch',
  'version',
  'fix-fragment',
  'metadata',
  'config-digest',
  'digest',
  'image-ref',
  'tags',
  'uname-r',
  'boot',
  'boot-log',
  'boot-serial-log',
  'config-changed',
  'drift-report',
] as const
export type OutputName = (typeof OUTPUTS)[number]

export type BootStatus = 'passed' | 'failed' | 'skipped'

/** What the step found and did, filled in as it goes; a stage it did not reach leaves its part empty. */
export interface ActionResult {
  /** The check, once its JSON report is written. */
  check?: { report: CheckReport; reportPath: string }
  /** The fix fragment written with `kernel-source`. */
  fixFragment?: string
  /** The kernel image described and written (and pushed). */
  publish?: Pick<PublishOutcome, 'metadataPath' | 'configDigest' | 'digest' | 'imageRef' | 'tags'> & { kernel: { release?: string } }
  /** The index a merge wrote. */
  merge?: Pick<MergeOutcome, 'digest' | 'imageRef' | 'tags' | 'version'>
  /**
   * The boot test: a check or publish run always has one (`skipped` while it has not run), `failed` with the reason
   * when the kernel did not boot or the harness itself could not run it. A merge has none; its output says `skipped`.
   */
  boot?: { status: BootStatus; log: string; reason?: string; serialLog?: string }
  /** The comparison with `compare-to`, when there was a kernel to compare with. */
  drift?: { configChanged: number; reportPath: string }
}

/** Each output's value, or undefined when the step did not get that far (the output is then not set). */
export function outputValues(result: ActionResult): Record<OutputName, string | undefined> {
  const report = result.check?.report
  const image = result.publish ?? result.merge
  // A merge boots nothing (its images were booted, or not, in their own jobs): `skipped`, as a run that never booted.
  const boot = result.boot ?? (result.merge && { status: 'skipped', log: '' })
  return {
    passed: report && String(report.passed),
    errors: report && String(report.errors),
    warnings: report && String(report.warnings),
    report: result.check?.reportPath,
    arch: report?.arch,
    version: result.merge ? result.merge.version : report && (report.version ?? ''),
    'fix-fragment': result.fixFragment,
    metadata: result.publish?.metadataPath,
    'config-digest': result.publish?.configDigest,
    digest: image?.digest,
    'image-ref': image?.imageRef,
    tags: image?.tags.join('\n'),
    'uname-r': result.publish && (result.publish.kernel.release ?? ''),
    boot: boot?.status,
    'boot-log': boot?.log,
    'boot-serial-log': boot && (boot.serialLog ?? ''),
    'config-changed': result.drift && String(result.drift.configChanged),
    'drift-report': result.drift?.reportPath,
  }
}

/** The one place outputs are set: once, when the step ends, however it ends. */
export function setOutputs(result: ActionResult): void {
  for (const [name, value] of Object.entries(outputValues(result))) if (value !== undefined) core.setOutput(name, value)
}
