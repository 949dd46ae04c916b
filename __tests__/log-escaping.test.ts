import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { renderMergeSummary } from '../src/action/summary.js'
import { buildDrift, type KernelSide } from '../src/drift/drift.js'
import { renderDriftSummary } from '../src/drift/render.js'
import { parseKernelConfig } from '../src/check/kernel-config.js'
import { escapeJsonForLog, escapeLogLine, escapeSummaryText } from '../src/log-line.js'
import { runCli } from './support/cli.js'
import type { MergeOutcome } from '../src/publish/merge.js'
import { RUNNER_WHITESPACE, runnerCommands } from './support/runner-lines.js'

describe('escapeLogLine against what the runner trims', () => {
  // Every character .NET's char.IsWhiteSpace calls white space (the runner's TrimStart), and the older ones.
  it.each(RUNNER_WHITESPACE.map((c) => [`U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`, c]))(
    '%s before :: is not a command once the runner trims it',
    (_name, blank) => {
      const line = escapeLogLine(`${blank}${blank}::error::x`)
      expect(runnerCommands(line)).toEqual([])
      expect(line).toBe(blank === '\n' || blank === '\r' ? line : `${blank}${blank}%3A:error::x`)
    },
  )

  it('leaves :: inside a line, and the blanks themselves, as they were', () => {
    expect(escapeLogLine('a\u0085::b')).toBe('a\u0085::b')
    expect(escapeLogLine('\u00a0x')).toBe('\u00a0x')
  })

  it('the emulated runner does read a command through NEL when nothing escapes it (so the test can fail)', () => {
    expect(runnerCommands('\u0085::error::x')).toEqual(['\u0085::error::x'])
    expect(runnerCommands('\u3000\ufeff::warning::y')).toEqual(['\u3000\ufeff::warning::y'])
  })
})

describe('escapeSummaryText: image text in the job summary is one line with no markdown or HTML', () => {
  it.each([
    ['a blank line ending the HTML block', '6.1\n\n# owned', '6.1&#92;n&#92;n&#35; owned'],
    ['CRLF and CR', 'a\r\nb\rc', 'a&#92;nb&#92;rc'],
    ['the runner-only line breaks', 'a\u0085b\u2028c\u2029d', 'a&#92;u0085b&#92;u2028c&#92;u2029d'],
    ['an image', '![img](https://evil.example/x.png)', '&#33;&#91;img&#93;(https://evil.example/x.png)'],
    ['a link', '[click](javascript:alert(1))', '&#91;click&#93;(javascript:alert(1))'],
    ['HTML', '<img src=x onerror=alert(1)>', '&#60;img src=x onerror=alert(1)&#62;'],
    ['a closing tag', '</code></td></tr></table>', '&#60;/code&#62;&#60;/td&#62;&#60;/tr&#62;&#60;/table&#62;'],
    ['a table pipe', 'a | b', 'a &#124; b'],
    ['emphasis and code', '*bold* `code` ~~gone~~', '&#42;bold&#42; &#96;code&#96; &#126;&#126;gone&#126;&#126;'],
    ['math', '$x^2$', '&#36;x^2&#36;'],
    ['an entity', '&amp; &#60;', '&#38;amp; &#38;&#35;60;'],
    ['a backslash escape', 'a\\*b', 'a&#92;&#42;b'],
    ['quotes', `"a" 'b'`, '&#34;a&#34; &#39;b&#39;'],
    ['emphasis with underscores', '_x_ __init__', '&#95;x&#95; &#95;&#95;init&#95;&#95;'],
    ['control characters and bidi overrides', 'a\tb\u0000c\u001bd\u202ee', 'a&#92;tb&#92;u0000c&#92;u001bd&#92;u202ee'],
  ])('%s', (_name, text, html) => {
    expect(escapeSummaryText(text)).toBe(html)
  })

  it.each([
    'CONFIG_XEN_PRIVCMD',
    '6.1.193-crafted',
    'sha256:0123456789abcdef',
    'ghcr.io/org/kernel@sha256:abc',
    'oci:layout:6.1',
    '+114,240 B (+1.1 %)',
    'zone-debug',
  ])('leaves plain values alone: %s', (text) => {
    expect(escapeSummaryText(text)).toBe(text)
  })

  const hostile = 'x\n\n![img](https://evil.example/p.png)\n\n# owned | <b>bold</b>'
  const expectInert = (html: string): void => {
    // Every line starts an HTML block or continues one: nothing the image says is read as markdown.
    expect(html.split('\n').filter((line) => line !== '' && !line.startsWith('<'))).toEqual([])
    expect(html).not.toContain('![')
    expect(html).not.toMatch(/<b>|<img/)
    expect(html).not.toContain('](')
    expect(html).toContain('&#33;&#91;img&#93;(https://evil.example/p.png)')
  }

  it('in the drift section: version, flavor, tags and config values from an image', () => {
    const side = (ref: string, version: string): KernelSide => ({
      ref,
      digest: `sha256:${'a'.repeat(64)}`,
      configDigest: `sha256:${ref === 'before' ? 'b'.repeat(64) : 'c'.repeat(64)}`,
      version,
      unameR: hostile,
      flavor: hostile,
      tags: [hostile],
      sizes: { 'kernel/image': 1, 'kernel/addons.squashfs': 2 },
    })
    const before = parseKernelConfig(`CONFIG_CMDLINE="${hostile.replace(/\n/g, ' ')}"\n`, 'before')
    const after = parseKernelConfig('CONFIG_CMDLINE="plain"\n', 'after')
    const html = renderDriftSummary(
      buildDrift({ side: side('before', hostile), config: before }, { side: side('after', '6.1'), config: after }, new Set()),
    )
    expectInert(html)
  })

  it('in the merge summary: the version and flavor the images carry', () => {
    const outcome = { imageRef: 'oci:out@sha256:1', tags: [], version: hostile, flavor: hostile, platforms: [], digest: 'sha256:1' }
    expectInert(renderMergeSummary(outcome as unknown as MergeOutcome))
  })
})

describe('JSON for the log (--json)', () => {
  it('holds no v1 command and parses back to exactly the same strings', () => {
    const value = { config: 'x##[error]injected', nested: ['##[add-mask]secret'] }
    const text = escapeJsonForLog(JSON.stringify(value, null, 2))
    expect(text).not.toContain('##[')
    expect(JSON.parse(text)).toEqual(value)
  })

  it('kernel-action check --json of a config whose name holds ##[ prints no runner command', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'json-log-'))
    const name = path.join(dir, 'x##[error]injected')
    fs.writeFileSync(name, 'CONFIG_X86_64=y\nCONFIG_XEN=y\n')
    const run = await runCli(['check', '--json', '--config', name])
    expect(run.stdout).not.toContain('##[')
    expect((JSON.parse(run.stdout) as { config: string }).config).toBe(name)
    fs.rmSync(dir, { recursive: true, force: true })
  })
})
