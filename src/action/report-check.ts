import * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { reportJson } from '../check/report.js'
import type { CheckOutcome } from '../check/run-check.js'
import { InputError } from '../errors.js'
import { planAnnotations, planNotices, withExplanation, workspacePath, type FragmentLines } from './annotations.js'
import type { RunnerContext } from './runner-context.js'
import type { StepLog } from './step-log.js'

/** Logs every result, one line each, so the whole check is in the log even past the annotation budget. */
export function logResults(outcome: CheckOutcome, log: StepLog): void {
  const { report } = outcome
  log.info(
    `${report.config}: Linux ${report.version ?? '(no version header)'}, ${report.arch}, ${outcome.requirements.length} ${report.target} requirements`,
  )
  for (const d of report.duplicates) log.info(`warn ${d.message}`)
  const mark = { ok: 'ok  ', error: 'FAIL', warning: 'warn', 'not-applicable': 'n/a ', skipped: 'skip' } as const
  for (const r of report.results) log.info(`${mark[r.status]} ${withExplanation(r)}`)
}

/** The check's annotations (problems first, then duplicated options), handed to the step's one budget. */
export function emitAnnotations(outcome: CheckOutcome, fragments: FragmentLines, log: StepLog, workspace: string): void {
  const where = annotationPlaces(outcome.report.config, fragments, workspace)
  for (const a of planAnnotations(outcome.report.results, where)) log.annotate(a)
  for (const d of outcome.report.duplicates) {
    log.annotate({ level: 'warning', title: d.option, message: d.message, ...(where.config ? { file: where.config, startLine: d.line } : {}) })
  }
  log.overflowOn(where.config)
}

/** Notices (drift since the last release) on the same fragment or config lines as the check's annotations. */
export function emitNotices(
  notices: Parameters<typeof planNotices>[0],
  config: string,
  fragments: FragmentLines,
  log: StepLog,
  workspace: string,
): void {
  for (const a of planNotices(notices, annotationPlaces(config, fragments, workspace))) log.annotate(a)
}

/** Annotation files are workspace-relative; a fragment outside the workspace cannot carry one. */
function annotationPlaces(config: string, fragments: FragmentLines, workspace: string): { config?: string; fragments: FragmentLines } {
  const relative = new Map([...fragments].map(([option, at]) => [option, { ...at, file: workspacePath(at.file, workspace) }]))
  const attachable = new Map([...relative].filter((e): e is [string, { file: string; line: number }] => e[1].file !== undefined))
  return { config: workspacePath(config, workspace), fragments: attachable }
}

/** Writes the JSON report where input `report` says (resolved by getInputs). */
export async function writeReport(outcome: CheckOutcome, file: string): Promise<string> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true })
    await fs.writeFile(file, reportJson(outcome.report))
  } catch (error) {
    throw new InputError(`report: ${file} ${reportWriteFailure((error as NodeJS.ErrnoException).code)}`)
  }
  return file
}

/** Why the report could not be written, in words (the raw Node message names a syscall, not the input). */
function reportWriteFailure(code: string | undefined): string {
  if (code === 'EISDIR') return 'is a directory; give the path of a file'
  if (code === 'EEXIST' || code === 'ENOTDIR') return 'cannot be created: a folder on its path is a file'
  if (code === 'ENOSPC') return 'cannot be written: no space left on the device'
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `cannot be written: permission denied (${code})`
  return `cannot be written (${code ?? 'unknown error'})`
}

/** The step summary goes to `$GITHUB_STEP_SUMMARY`; a local run has none, and says so instead of failing. */
export async function writeSummary(html: string, context: Pick<RunnerContext, 'summaryFile'>, log: StepLog): Promise<void> {
  if (!context.summaryFile) {
    log.info('No GITHUB_STEP_SUMMARY (not on a runner): job summary skipped')
    return
  }
  await core.summary.addRaw(html).write()
}
