import { plural, type CheckReport, type FailOn } from '../check/report.js'
import type { CheckResult } from '../check/evaluate.js'
import type { MergeOutcome } from '../publish/merge.js'
import { escapeHtml as escape, escapeSummaryText } from '../log-line.js'
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

/** What the step did besides the check, for the summary to say. */
export interface StepSummary {
  failOn: FailOn
  /** What was published, when it was. */
  publish?: PublishSummary
  /** Why an image that was given was not published (the check failed, or publishing did). */
  notPublished?: string
  /** The fix fragment written with `kernel-source`. */
  fixFragment?: { path: string; text: string }
  /** The boot test's section (markdown: its stages as a table), when it ran. */
  boot?: string
  /** The "Since <ref>" section, when `compare-to` found a kernel to compare with. */
  drift?: string
}

/**
 * The job summary as HTML: the verdict (and whether it was enforced), whether the image was published and why not,
 * failures first, passes folded away, the fix fragment ready to copy, then what was published.
 */
export function renderSummary(report: CheckReport, step: StepSummary = { failOn: 'error' }, limit = SUMMARY_LIMIT): string {
  const failing = report.results.filter((r) => r.status === 'error' || r.status === 'warning')
  const rest = report.results.filter((r) => r.status !== 'error' && r.status !== 'warning')
  const unenforced = !report.passed && step.failOn === 'never'
  const head =
    `<h2>krata ${escape(report.target)} kernel check: ${report.passed ? 'passed' : 'failed'}${unenforced ? ', not enforced (fail-on: never)' : ''}</h2>\n` +
    `<p><code>${escape(report.config)}</code> · ${escape(report.arch)} · Linux ${escape(report.version ?? 'version unknown')} · ` +
    `${report.errors} errors, ${report.warnings} warnings, ${rest.filter((r) => r.status === 'ok').length} met</p>\n` +
    (step.notPublished ? `<p><strong>Not published:</strong> ${escapeSummaryText(step.notPublished)}</p>\n` : '') +
    renderDuplicates(report)
  const tail =
    (step.boot ? `\n${step.boot}\n\n` : '') +
    (step.drift ?? '') +
    (step.fixFragment ? renderFixFragment(step.fixFragment) : '') +
    (step.publish
      ? renderPublish(
          step.publish,
          unenforced ? `${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}: not enforced (fail-on: never)` : undefined,
        )
      : '')
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

function renderDuplicates(report: CheckReport): string {
  if (report.duplicates.length === 0) return ''
  return `<p>Set twice (the last one wins): ${report.duplicates.map((d) => `<code>${escape(d.option)}</code> (lines ${d.previousLine} and ${d.line})`).join(', ')}</p>\n`
}

/** In a fenced block, so GitHub renders it verbatim with a copy button. */
function renderFixFragment(fix: { path: string; text: string }): string {
  const body = fix.text.includes('```') ? `<pre>${escape(fix.text)}</pre>` : `\`\`\`text\n${fix.text.trimEnd()}\n\`\`\``
  return (
    `<details><summary>Fix fragment (<code>${escape(fix.path)}</code>): append it to the .config and run <code>make olddefconfig</code></summary>\n\n` +
    `${body}\n\n</details>\n`
  )
}

function renderPublish(p: PublishSummary, unenforced?: string): string {
  const rows = [
    ...(unenforced ? [['Check', unenforced]] : []),
    ['OCI layout', p.layout],
    ['Tags', p.tags.join(', ')],
    ['Manifest digest', p.digest],
    ...(p.imageRef ? [['Image', p.imageRef]] : []),
    ['Config digest', p.configDigest],
  ]
  return (
    `<h3>Kernel image</h3>\n${keyValueTable(rows)}` + `<details><summary>/kernel/metadata</summary>\n\n<pre>${escape(p.metadata)}</pre></details>\n`
  )
}

/** The job summary of a merge: what the index holds and where it went. */
export function renderMergeSummary(outcome: MergeOutcome): string {
  const rows = [
    ['Index', outcome.imageRef],
    ['Tags', outcome.tags.join(', ') || '(none: by digest)'],
    ['Kernel', `${outcome.version} ${outcome.flavor}`],
    ...outcome.platforms.map((p) => [`linux/${p.architecture}`, p.digest]),
  ]
  return `<h2>krata kernel: multi-arch index</h2>\n${keyValueTable(rows)}`
}

/** Names and values, each value as code (digests, references, paths, and the version and flavor images say they have). */
function keyValueTable(rows: readonly (readonly string[])[]): string {
  return `<table>${rows.map(([k = '', v = '']) => `<tr><th>${escapeSummaryText(k)}</th><td><code>${escapeSummaryText(v)}</code></td></tr>`).join('')}</table>\n`
}
