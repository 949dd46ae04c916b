import { plural, type CheckReport } from '../check/report.js'
import type { CheckResult } from '../check/evaluate.js'
import { withExplanation } from './annotations.js'

// GitHub rejects a step summary over 1 MiB; stay well under it.
const SUMMARY_LIMIT = 900 * 1024

const VERDICT: Record<CheckResult['status'], string> = {
  error: ':x: error',
  warning: ':warning: warning',
  ok: ':white_check_mark: ok',
  'not-applicable': 'not applicable',
  skipped: 'skipped',
}

export interface PublishSummary {
  layout: string
  tags: string[]
  digest: string
  imageRef?: string
  configDigest: string
  metadata: string
}

/** The job summary as HTML: failures first, passes folded away, then what was published. */
export function renderSummary(report: CheckReport, publish?: PublishSummary, limit = SUMMARY_LIMIT): string {
  const failing = report.results.filter((r) => r.status === 'error' || r.status === 'warning')
  const rest = report.results.filter((r) => r.status !== 'error' && r.status !== 'warning')
  const head =
    `<h2>krata ${escape(report.target)} kernel check: ${report.passed ? 'passed' : 'failed'}</h2>\n` +
    `<p><code>${escape(report.config)}</code> · ${escape(report.arch)} · Linux ${escape(report.version ?? 'version unknown')} · ` +
    `${report.errors} errors, ${report.warnings} warnings, ${rest.filter((r) => r.status === 'ok').length} met</p>\n`
  const tail = publish ? renderPublish(publish) : ''
  let failures = failing.length ? table(failing) : '<p>Every requirement is met.</p>\n'
  let passes = rest.length ? `<details><summary>${plural(rest.length, 'other requirement')}</summary>\n\n${table(rest)}</details>\n` : ''
  if (head.length + failures.length + passes.length + tail.length > limit) {
    passes = `<p>${plural(rest.length, 'other requirement')} left out to keep the summary under GitHub's size limit; see the JSON report.</p>\n`
  }
  if (head.length + failures.length + passes.length + tail.length > limit) {
    const keep = Math.max(0, Math.floor(failing.length * (limit / 2 / failures.length)))
    failures = `${table(failing.slice(0, keep))}<p>${failing.length - keep} more problems are in the JSON report.</p>\n`
  }
  return head + failures + passes + tail
}

function table(results: readonly CheckResult[]): string {
  const rows = results.map(
    (r) =>
      `<tr><td><code>${escape(r.option)}</code></td><td>${escape(r.wanted)}</td><td>${escape(r.found)}</td>` +
      `<td>${r.line ?? ''}</td><td>${VERDICT[r.status]}</td><td>${escape(withExplanation(r))}</td></tr>`,
  )
  return `<table><tr><th>Option</th><th>Wanted</th><th>Found</th><th>Line</th><th>Verdict</th><th>Why</th></tr>\n${rows.join('\n')}\n</table>\n`
}

function renderPublish(p: PublishSummary): string {
  const rows = [
    ['OCI layout', p.layout],
    ['Tags', p.tags.join(', ')],
    ['Manifest digest', p.digest],
    ...(p.imageRef ? [['Image', p.imageRef]] : []),
    ['Config digest', p.configDigest],
  ]
  return (
    `<h3>Kernel image</h3>\n<table>${rows.map(([k, v]) => `<tr><th>${k}</th><td><code>${escape(v)}</code></td></tr>`).join('')}</table>\n` +
    `<details><summary>/kernel/metadata</summary>\n\n<pre>${escape(p.metadata)}</pre></details>\n`
  )
}

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
