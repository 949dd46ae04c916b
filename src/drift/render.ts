// The drift report for people: plain text (the CLI), an HTML section (the job summary) and one notice per changed
// requirement. Pure: data in, strings out.
// Every value here comes from an image or names one: escaped so no annotation or config value acts as HTML or markdown.
import { escapeSummaryText as escape } from '../log-line.js'
import { stateText, type OptionChange } from './config-diff.js'
import type { DriftReport, KernelSide, SizeChange } from './drift.js'

// A kernel version bump changes hundreds of options; past this the folded table points at the JSON report.
const FOLDED_ROWS = 400

/** `6.1.191` when the side knows its version, else its ref: the "in ..." of "was =y in 6.1.191". */
function sideName(side: KernelSide): string {
  return side.version ?? side.ref
}

function changeMessage(change: OptionChange, before: KernelSide): string {
  return `${change.option} was ${stateText(change.before)} in ${sideName(before)}, now ${stateText(change.after)}`
}

/** One line of counts: `4 options changed (1 added, 1 removed, 2 changed): 2 requirements, 0 Xen, 2 other`. */
function countsLine(drift: DriftReport): string {
  if (drift.sameConfig) return `no config change (both are ${drift.after.configDigest})`
  if (drift.configChanged === 0) return 'no option changed (the configs differ only in comments or order)'
  const c = drift.counts
  return (
    `${drift.configChanged} option${drift.configChanged === 1 ? '' : 's'} changed (${c.added} added, ${c.removed} removed, ${c.changed} changed): ` +
    `${c.requirement} requirement${c.requirement === 1 ? '' : 's'}, ${c.xen} Xen, ${c.other} other`
  )
}

interface FactRow {
  name: string
  before: string
  after: string
  change: string
}

function factRows(drift: DriftReport): FactRow[] {
  const { before, after } = drift
  const text = (value: string | null): string => value ?? '—'
  const same = (a: string, b: string): string => (a === b ? 'same' : 'changed')
  const rows: FactRow[] = [
    { name: 'kernel version', before: text(before.version), after: text(after.version), change: same(text(before.version), text(after.version)) },
  ]
  // Only images have a release, a flavor, tags and layers: beside a bare config these would read as "removed".
  const images = before.digest !== null && after.digest !== null
  if (images) {
    rows.push(
      { name: 'uname -r', before: text(before.unameR), after: text(after.unameR), change: same(text(before.unameR), text(after.unameR)) },
      { name: 'flavor', before: text(before.flavor), after: text(after.flavor), change: same(text(before.flavor), text(after.flavor)) },
      {
        name: 'tags',
        before: before.tags.join(',') || '—',
        after: after.tags.join(',') || '—',
        change: same(before.tags.join(','), after.tags.join(',')),
      },
    )
  }
  rows.push({ name: 'config', before: before.configDigest, after: after.configDigest, change: same(before.configDigest, after.configDigest) })
  if (images) {
    for (const size of drift.sizes)
      rows.push({ name: `${size.file} layer`, before: bytes(size.before), after: bytes(size.after), change: sizeDelta(size) })
  }
  return rows
}

/** `10,485,760 B` (exact, so a reviewer sees a 2 KiB change too). */
function bytes(value: number | null): string {
  return value === null ? '—' : `${value.toLocaleString('en-US')} B`
}

/** `+114,240 B (+1.1 %)`, `0 B (0 %)`, or `—` when a side has no such layer. */
function sizeDelta(size: SizeChange): string {
  if (size.bytes === null) return '—'
  const sign = size.bytes > 0 ? '+' : size.bytes < 0 ? '-' : ''
  const percent = size.percent === null ? '' : ` (${size.percent > 0 ? '+' : ''}${size.percent} %)`
  return `${sign}${Math.abs(size.bytes).toLocaleString('en-US')} B${percent}`
}

/** The CLI's rendering: the facts, the counts, then one line per changed option. */
export function renderDriftText(drift: DriftReport): string {
  const lines = [`Since ${drift.before.ref}${drift.before.digest ? ` (${drift.before.digest})` : ''}:`]
  for (const row of factRows(drift)) {
    if (row.before === '—' && row.after === '—') continue
    lines.push(
      `  ${row.name}: ${row.before === row.after ? row.after : `${row.before} → ${row.after}`}${row.name.endsWith('layer') && row.change !== '—' ? `, ${row.change}` : ''}`,
    )
  }
  lines.push(countsLine(drift))
  // A loop, not Math.max(...spread): 400,000 changes would overflow the call stack as arguments.
  const width = drift.changes.reduce((widest, c) => Math.max(widest, c.option.length), 0)
  for (const change of drift.changes) {
    lines.push(`  ${change.class.padEnd(11)} ${change.kind.padEnd(7)} ${change.option.padEnd(width)}  ${change.before} → ${change.after}`)
  }
  return `${lines.join('\n')}\n`
}

/** The job summary's "Since <ref>" section: facts, requirement and Xen changes, then the rest folded away. */
export function renderDriftSummary(drift: DriftReport): string {
  const facts = factRows(drift).filter((row) => !(row.before === '—' && row.after === '—'))
  let html =
    `<h3>Since <code>${escape(drift.before.ref)}</code></h3>\n` +
    `<table><tr><th></th><th>Before</th><th>Now</th><th>Change</th></tr>\n` +
    facts
      .map(
        (r) =>
          `<tr><th>${escape(r.name)}</th><td><code>${escape(r.before)}</code></td><td><code>${escape(r.after)}</code></td><td>${escape(r.change)}</td></tr>`,
      )
      .join('\n') +
    `\n</table>\n<p>${escape(countsLine(drift))}</p>\n`
  const first = drift.changes.filter((c) => c.class !== 'other')
  const rest = drift.changes.filter((c) => c.class === 'other')
  if (first.length > 0) html += changeTable(first)
  if (rest.length > 0) {
    const shown = rest.slice(0, FOLDED_ROWS)
    const more = rest.length - shown.length
    html +=
      `<details><summary>${rest.length} other option${rest.length === 1 ? '' : 's'} changed</summary>\n\n${changeTable(shown)}` +
      `${more > 0 ? `<p>${more} more are in the drift report.</p>\n` : ''}</details>\n`
  }
  return html
}

function changeTable(changes: readonly OptionChange[]): string {
  const rows = changes.map(
    (c) =>
      `<tr><td><code>${escape(c.option)}</code></td><td>${c.class}</td><td>${c.kind}</td>` +
      `<td>${escape(c.before)}</td><td>${escape(c.after)}</td><td>${c.line ?? ''}</td></tr>`,
  )
  return `<table><tr><th>Option</th><th>Class</th><th>Change</th><th>Before</th><th>Now</th><th>Line</th></tr>\n${rows.join('\n')}\n</table>\n`
}

/** The changes a notice is put on: every requirement option that changed, with its message. */
export function driftNotices(drift: DriftReport): { option: string; line: number | null; title: string; message: string }[] {
  return drift.changes
    .filter((c) => c.class === 'requirement')
    .map((c) => ({
      option: c.option,
      line: c.line,
      title: `${c.option} changed since ${sideName(drift.before)}`,
      message: changeMessage(c, drift.before),
    }))
}
