import * as core from '@actions/core'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import type { CheckOutcome } from '../check/run-check.js'
import { planAnnotations, withExplanation, workspacePath, type FragmentLines } from './annotations.js'

/** Logs every result, one line each, so the whole check is in the log even past the annotation cap. */
export function logResults(outcome: CheckOutcome): void {
  const { report, config } = outcome
  core.info(`${report.config}: Linux ${report.version ?? '(no version header)'}, ${report.arch}, ${outcome.requirements.length} ${report.target} requirements`)
  for (const d of config.duplicates) {
    core.warning(`${d.option} is set twice (lines ${d.previousLine} and ${d.line}); the last one wins`, {
      title: d.option,
      ...annotationFile(report.config, d.line),
    })
  }
  const mark = { ok: 'ok  ', error: 'FAIL', warning: 'warn', 'not-applicable': 'n/a ', skipped: 'skip' } as const
  for (const r of report.results) core.info(`${mark[r.status]} ${withExplanation(r)}`)
}

export function emitAnnotations(outcome: CheckOutcome, fragments: FragmentLines): void {
  const workspace = process.env.GITHUB_WORKSPACE
  const relative = new Map([...fragments].map(([option, at]) => [option, { ...at, file: workspacePath(at.file, workspace) }]))
  const attachable = new Map([...relative].filter((e): e is [string, { file: string; line: number }] => e[1].file !== undefined))
  const annotations = planAnnotations(outcome.report.results, {
    config: workspacePath(outcome.report.config, workspace),
    fragments: attachable,
  })
  for (const a of annotations) {
    const properties = { title: a.title, file: a.file, startLine: a.startLine }
    if (a.level === 'error') core.error(a.message, properties)
    else core.warning(a.message, properties)
  }
}

function annotationFile(file: string, line: number): { file?: string; startLine?: number } {
  const relative = workspacePath(file, process.env.GITHUB_WORKSPACE)
  return relative ? { file: relative, startLine: line } : {}
}

/** Writes the JSON report; the path defaults to the runner's temp folder (or the system one outside Actions). */
export async function writeReport(outcome: CheckOutcome, requested: string): Promise<string> {
  const file = path.resolve(requested || path.join(process.env.RUNNER_TEMP || (await import('node:os')).tmpdir(), 'kernel-check.json'))
  await fs.mkdir(path.dirname(file), { recursive: true })
  await fs.writeFile(file, `${JSON.stringify(outcome.report, null, 2)}\n`)
  return file
}

/** The step summary goes to `$GITHUB_STEP_SUMMARY`; a local run has none, and says so instead of failing. */
export async function writeSummary(html: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('No GITHUB_STEP_SUMMARY (not on a runner): job summary skipped')
    return
  }
  await core.summary.addRaw(html).write()
}
