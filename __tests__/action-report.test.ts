import { describe, expect, it } from '@jest/globals'
import { fitAnnotations, planAnnotations, workspacePath } from '../src/action/annotations.js'
import { renderSummary } from '../src/action/summary.js'
import type { CheckResult } from '../src/check/evaluate.js'
import type { CheckReport } from '../src/check/report.js'

const result = (option: string, status: CheckResult['status'], line: number | null = 7): CheckResult => ({
  requirement: { option, wanted: 'y', source: 'zone' },
  option,
  wanted: 'y',
  found: status === 'ok' ? 'y' : 'absent',
  line,
  status,
  message: `${option} says ${status}`,
  source: 'zone',
})

describe('planAnnotations', () => {
  it('puts problems on fragment lines first, then config lines, then line 1 when absent', () => {
    const planned = planAnnotations(
      [result('CONFIG_A', 'error', 3), result('CONFIG_B', 'warning', null), result('CONFIG_C', 'ok'), result('CONFIG_D', 'error', null)],
      { config: 'build/.config', fragments: new Map([['CONFIG_D', { file: 'configs/zone.fragment', line: 9 }]]) },
    )
    expect(planned).toEqual([
      { level: 'error', title: 'CONFIG_A', message: 'CONFIG_A says error', file: 'build/.config', startLine: 3 },
      { level: 'error', title: 'CONFIG_D', message: 'CONFIG_D says error', file: 'configs/zone.fragment', startLine: 9 },
      { level: 'warning', title: 'CONFIG_B', message: 'CONFIG_B says warning', file: 'build/.config', startLine: 1 },
    ])
  })
})

describe('fitAnnotations (the one annotation budget)', () => {
  const warnings = (n: number, prefix = 'W') =>
    Array.from({ length: n }, (_, i) => ({ level: 'warning' as const, title: `${prefix}${i}`, message: `m${i}` }))

  it("keeps each level within GitHub's ten, the tenth counting the rest, and hands back what it hid", () => {
    const { shown, hidden } = fitAnnotations(warnings(12), { overflowAt: { file: 'c', startLine: 1 } })
    expect(shown).toHaveLength(10)
    expect(shown[9]).toMatchObject({ level: 'warning', title: '3 more warnings', file: 'c', startLine: 1 })
    expect(hidden.map((a) => a.title)).toEqual(['W9', 'W10', 'W11'])
    expect(fitAnnotations(warnings(10)).shown).toHaveLength(10)
  })

  it('keeps a slot for the failure line: ten errors become eight, one "2 more" and the failure', () => {
    const errors = Array.from({ length: 10 }, (_, i) => ({ level: 'error' as const, message: `e${i}` }))
    const { shown } = fitAnnotations(errors, { reserved: { error: 1 } })
    expect(shown).toHaveLength(9)
    expect(shown[8]).toMatchObject({ title: '2 more errors' })
    expect(fitAnnotations(errors.slice(0, 9), { reserved: { error: 1 } }).shown).toHaveLength(9)
  })

  it("shares GitHub's 50 per job: errors first, then warnings, then notices, in what the earlier steps left", () => {
    const errors = Array.from({ length: 12 }, (_, i) => ({ level: 'error' as const, message: `e${i}` }))
    const notices = Array.from({ length: 12 }, (_, i) => ({ level: 'notice' as const, message: `n${i}` }))
    const { shown } = fitAnnotations([...errors, ...warnings(12), ...notices], { jobRemaining: 15 })
    expect(shown.filter((a) => a.level === 'error')).toHaveLength(10)
    expect(shown.filter((a) => a.level === 'warning')).toHaveLength(5)
    expect(shown.filter((a) => a.level === 'warning').pop()).toMatchObject({ title: '8 more warnings' })
    expect(shown.filter((a) => a.level === 'warning').pop()!.message).toContain('GitHub shows 50 per job')
    expect(shown.filter((a) => a.level === 'notice')).toHaveLength(0)
    expect(fitAnnotations(errors, { jobRemaining: 0 }).shown).toHaveLength(0)
    expect(fitAnnotations(errors, { jobRemaining: 3, reserved: { error: 1 } }).shown).toHaveLength(2)
  })

  it('counts every level apart, notices included', () => {
    const notices = Array.from({ length: 11 }, (_, i) => ({ level: 'notice' as const, message: `n${i}` }))
    const { shown } = fitAnnotations([...warnings(3), ...notices])
    expect(shown.filter((a) => a.level === 'warning')).toHaveLength(3)
    expect(shown.filter((a) => a.level === 'notice')).toHaveLength(10)
  })
})

describe('workspacePath', () => {
  it('is relative with forward slashes and no ./, and absent outside the workspace', () => {
    expect(workspacePath('/w/build/.config', '/w')).toBe('build/.config')
    expect(workspacePath('./build/.config', '/w')).toBe('build/.config')
    expect(workspacePath('/elsewhere/.config', '/w')).toBeUndefined()
  })
})

describe('renderSummary', () => {
  const report: CheckReport = {
    target: 'zone',
    arch: 'x86_64',
    version: '6.1.192',
    config: 'build/.config',
    passed: false,
    errors: 1,
    warnings: 0,
    results: [result('CONFIG_OK', 'ok'), result('CONFIG_<BAD>', 'error')],
    duplicates: [],
  }

  it('lists failures first, folds the rest, and escapes user text', () => {
    const html = renderSummary(report)
    expect(html).toContain('<h2>krata zone kernel check: failed</h2>')
    expect(html).toContain('<code>CONFIG_&#60;BAD&#62;</code>')
    expect(html.indexOf('CONFIG_&#60;BAD&#62;')).toBeLessThan(html.indexOf('<details><summary>1 other requirement</summary>'))
  })

  it('stays under the size limit by leaving rows out and saying so', () => {
    const big = { ...report, results: Array.from({ length: 3000 }, (_, i) => result(`CONFIG_X${i}`, i % 2 ? 'ok' : 'error')) }
    const html = renderSummary(big, { failOn: 'error' }, 100_000)
    expect(html.length).toBeLessThan(100_000)
    expect(html).toContain('1500 other requirements left out')
    expect(html).toMatch(/\d+ more problems are in the JSON report/)
  })

  it('keeps as many failures as fit in half the limit, never none, and counts the rest exactly', () => {
    const failures = Array.from({ length: 2000 }, (_, i) => result(`CONFIG_F${i}`, 'error'))
    const html = renderSummary({ ...report, errors: 2000, results: failures }, undefined, 100_000)
    const kept = (html.match(/<tr><td><code>CONFIG_F\d+<\/code>/g) ?? []).length
    expect(kept).toBeGreaterThan(0)
    expect(html).toContain('<code>CONFIG_F0</code>')
    expect(html).toContain(`<p>${2000 - kept} more problems are in the JSON report.</p>`)
    // Half the limit goes to failure rows: each row here is ~140 bytes, so several hundred fit, not a handful.
    expect(kept).toBeGreaterThan(200)
    expect(html.length).toBeLessThan(100_000)
  })
})
