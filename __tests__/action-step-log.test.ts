// What the step says to the runner, read as the runner reads it: within GitHub's annotation budget (the failure
// line and duplicate options included), never a workflow command smuggled in by a file name, and a job summary that
// says what happened to the image.
import { afterAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { CheckReport } from '../src/check/report.js'
import { escapeLogLine } from '../src/log-line.js'
import { runCli } from './support/cli.js'
import { parseJson } from './support/json.js'
import { ROOT, runAction } from './support/run-action.js'

const SAMPLE = path.join(ROOT, 'assets', 'sample')
const DEFCONFIG = path.join(ROOT, '__tests__', 'fixtures', 'configs', 'x86_64-defconfig.config')
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'step-log-'))
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))

function write(name: string, text: string | Buffer): string {
  const file = path.join(workspace, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return name
}

/**
 * The commands the runner reads from a step's stdout (actions/runner ActionCommand.cs): a v2 command is a line that,
 * after leading blanks, starts with `::` and has a second `::`; a v1 command is `##[name...]` anywhere in a line.
 */
function runnerCommands(stdout: string): { name: string; line: string; properties?: Record<string, string> }[] {
  const commands: { name: string; line: string; properties?: Record<string, string> }[] = []
  const unescape = (v: string) => v.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
  for (const line of stdout.split(/\r?\n/)) {
    const trimmed = line.trimStart()
    const v1 = /##\[([^\] ]+)/.exec(line)
    const end = trimmed.indexOf('::', 2)
    if (trimmed.startsWith('::') && end > 0) {
      const [name, ...rest] = trimmed.slice(2, end).split(' ')
      const pairs = rest
        .join(' ')
        .split(',')
        .map((p) => p.split('='))
        .filter((p) => p.length >= 2)
      commands.push({ name: name!, line, properties: Object.fromEntries(pairs.map(([k, ...v]) => [k!.trim(), unescape(v.join('='))])) })
    } else if (v1) commands.push({ name: `v1:${v1[1]}`, line }) // only when the line is not a v2 command
  }
  return commands
}
const levels = (stdout: string, level: string) => runnerCommands(stdout).filter((c) => c.name === level)

describe('one annotation budget for the whole step', () => {
  it('emits at most ten ::error lines when the check fails with many errors, the failure line last among them', () => {
    const run = runAction({ config: DEFCONFIG }, { workspace })
    expect(run.status).toBe(1)
    const errors = levels(run.stdout, 'error').map((c) => c.line)
    expect(errors).toHaveLength(10)
    expect(errors[8]).toMatch(/^::error title=31 more errors::31 more errors are not shown as annotations \(GitHub shows 10 per step\)/)
    expect(errors[9]).toBe(
      `::error::${DEFCONFIG}: 39 errors, 1 warning against the krata zone requirements (x86_64); see the annotations and the job summary`,
    )
    // Every result is still in the log.
    expect(run.stdout.match(/^FAIL /gm)).toHaveLength(39)
  })

  it("shares GitHub's 50 annotations per job between the action's steps in one job", () => {
    const jobTemp = fs.mkdtempSync(path.join(workspace, '.job-temp-'))
    const errorCounts = Array.from({ length: 6 }, () => {
      const run = runAction({ config: DEFCONFIG }, { workspace, env: { RUNNER_TEMP: jobTemp } })
      expect(run.status).toBe(1)
      return [levels(run.stdout, 'error').length, levels(run.stdout, 'warning').length]
    })
    // Each step shows ten errors and its one warning; four steps leave 6 of the job's 50, the fifth fills them (five
    // errors and the failure line, errors first), and the sixth keeps only its failure line, as every failing step must.
    expect(errorCounts).toEqual([
      [10, 1],
      [10, 1],
      [10, 1],
      [10, 1],
      [6, 0],
      [1, 0],
    ])
  })

  it('counts duplicated options as warnings, in the outputs and the report, and caps their annotations too', () => {
    const sample = fs.readFileSync(path.join(SAMPLE, 'config'), 'utf8')
    const twelve = sample
      .split('\n')
      .filter((l) => /^CONFIG_[A-Z0-9_]+=y$/.test(l))
      .slice(0, 12)
    const config = write('dup/.config', `${sample}${twelve.join('\n')}\n`)
    const run = runAction(
      { config, image: path.join(SAMPLE, 'bzImage'), addons: path.join(SAMPLE, 'addons.squashfs'), 'oci-layout': 'dup/layout' },
      { workspace },
    )
    expect(run.status).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', errors: '0', warnings: '12' })
    const warnings = levels(run.stdout, 'warning').map((c) => c.line)
    expect(warnings).toHaveLength(10)
    expect(warnings[0]).toMatch(
      new RegExp(
        `^::warning title=${twelve[0]!.split('=')[0]},file=dup/.config,line=\\d+::${twelve[0]!.split('=')[0]} is set twice \\(lines \\d+ and \\d+\\); the last one wins$`,
      ),
    )
    expect(warnings[9]).toMatch(/^::warning title=3 more warnings,file=dup\/.config,line=1::/)
    const report = parseJson<CheckReport>(fs.readFileSync(run.outputs.report!, 'utf8'))
    expect(report.warnings).toBe(12)
    expect(report.duplicates).toHaveLength(12)
    expect(report.duplicates[0]).toEqual({
      option: twelve[0]!.split('=')[0],
      line: expect.any(Number),
      previousLine: expect.any(Number),
      message: expect.stringContaining('is set twice'),
    })
    expect(run.summary).toContain('Set twice (the last one wins)')
    // fail-on: warning fails on them, as on any warning.
    expect(runAction({ config, 'fail-on': 'warning' }, { workspace }).status).toBe(1)
  })
})

describe('workflow commands cannot be injected through file names', () => {
  it('escapes a config named ::stop-commands::tok and a path holding a newline and a forged annotation', () => {
    const config = fs.readFileSync(DEFCONFIG)
    const stop = write('::stop-commands::tok', config)
    const forged = write('evil\n::warning file=forged.txt,line=1::forged\n##[error]v1/.config', config)
    for (const file of [stop, forged]) {
      const run = runAction({ config: file }, { workspace })
      expect(run.status).toBe(1)
      const commands = runnerCommands(run.stdout)
      expect(commands.filter((c) => !['group', 'endgroup', 'error', 'warning', 'notice', 'debug'].includes(c.name))).toEqual([])
      // The newline did not forge an annotation: no command points at forged.txt; the real ones point at the file.
      expect(commands.filter((c) => c.properties?.file === 'forged.txt')).toEqual([])
      expect(commands.find((c) => c.name === 'error' && c.properties?.file)!.properties!.file).toBe(file)
    }
    const run = runAction({ config: stop }, { workspace })
    // The first log line starts with the path: escaped so that it is not a command.
    expect(run.stdout).toContain('\n%3A:stop-commands::tok: Linux 6.1.192, x86_64, ')
    // Annotation properties are escaped by @actions/core (`:` is %3A in a property).
    expect(levels(run.stdout, 'error')[0]!.line).toMatch(/^::error title=CONFIG_XEN,file=%3A%3Astop-commands%3A%3Atok,line=\d+::/)
    expect(levels(run.stdout, 'error')).toHaveLength(10)
    const newline = runAction({ config: forged }, { workspace })
    expect(newline.stdout).toContain('evil\\n::warning file=forged.txt,line=1::forged\\n##%5Berror]v1/.config: Linux 6.1.192')
    expect(levels(newline.stdout, 'warning').map((c) => c.properties!.file)).toEqual([forged])
  })

  it("escapes the CLI's lines too (a workflow `run:` step is read by the runner as well)", async () => {
    const stop = write('cli/::stop-commands::tok', fs.readFileSync(DEFCONFIG))
    const cli = await runCli(['check', '--config', path.basename(stop)], { cwd: path.join(workspace, 'cli') })
    expect(cli.status).toBe(1)
    expect(runnerCommands(cli.stdout)).toEqual([])
    expect(cli.stdout).toMatch(/^%3A:stop-commands::tok:\d+: /m)
  })

  it('escapes line breaks, a leading :: and ##[ in any log line, and leaves other text alone', () => {
    expect(escapeLogLine('::stop-commands::tok: Linux')).toBe('%3A:stop-commands::tok: Linux')
    expect(escapeLogLine('  ::error::x')).toBe('  %3A:error::x')
    expect(escapeLogLine('a\n::warning::b\r\nc\rd')).toBe('a\\n::warning::b\\nc\\rd')
    expect(escapeLogLine('x ##[error]y')).toBe('x ##%5Berror]y')
    expect(escapeLogLine('FAIL CONFIG_XEN is not set: a::b')).toBe('FAIL CONFIG_XEN is not set: a::b')
  })
})

describe('the job summary says what happened to the image', () => {
  const sample = fs.readFileSync(path.join(SAMPLE, 'config'), 'utf8')
  const failing = write('fail/.config', sample.replace('CONFIG_XEN_PVH=y\n', ''))
  const image = { image: path.join(SAMPLE, 'bzImage'), addons: path.join(SAMPLE, 'addons.squashfs') }

  it('says the image was not published, and why, when the check fails', () => {
    const run = runAction({ config: failing, ...image, 'oci-layout': 'fail/layout' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.summary).toContain('<h2>krata zone kernel check: failed</h2>')
    expect(run.summary).toContain(
      '<p><strong>Not published:</strong> the check failed (fail-on: error; 1 error, 0 warnings), so nothing was written to the OCI layout.</p>',
    )
    expect(fs.existsSync(path.join(workspace, 'fail', 'layout'))).toBe(false)
  })

  it('says "not enforced (fail-on: never)" next to what was published anyway', () => {
    const run = runAction({ config: failing, ...image, 'oci-layout': 'never/layout', 'fail-on': 'never' }, { workspace })
    expect(run.status).toBe(0)
    expect(run.outputs.digest).toMatch(/^sha256:/)
    expect(run.summary).toContain('<h2>krata zone kernel check: failed, not enforced (fail-on: never)</h2>')
    expect(run.summary).toContain('<tr><th>Check</th><td><code>1 error, 0 warnings: not enforced (fail-on: never)</code></td></tr>')
    expect(run.summary).toContain(`<tr><th>Manifest digest</th><td><code>${run.outputs.digest}</code></td></tr>`)
    expect(run.summary).not.toContain('Not published')
  })

  it('says why when publishing itself fails after the check passed', () => {
    // A tag that only the config's version makes too long (129 characters): nothing can judge it before the check.
    const tags = `${'k'.repeat(122)}{{version}}`
    const run = runAction({ ...image, config: path.join(SAMPLE, 'config'), tags, 'oci-layout': 'tag/layout' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.summary).toContain('<h2>krata zone kernel check: passed</h2>')
    expect(run.summary).toMatch(/<p><strong>Not published:<\/strong> tags: .*k{122}6\.1\.192.*<\/p>/)
  })

  it('shows the fix fragment, ready to copy, with kernel-source', () => {
    const kernelSource = process.env.KERNEL_SRC || '/opt/ksrc/linux-source-6.1'
    const run = runAction({ config: DEFCONFIG, 'kernel-source': kernelSource, 'fail-on': 'never', 'boot-rules': 'false' }, { workspace })
    expect(run.status).toBe(0)
    const fragment = fs.readFileSync(run.outputs['fix-fragment']!, 'utf8')
    expect(run.summary).toContain(
      `<details><summary>Fix fragment (<code>${run.outputs['fix-fragment']}</code>): append it to the .config and run <code>make olddefconfig</code></summary>\n\n\`\`\`text\n${fragment.trimEnd()}\n\`\`\`\n\n</details>\n`,
    )
  })
})
