// The action run by GitHub's runner emulator (@github/local-action, which loads action.yml and runs src/main.ts with
// its own @actions/core) must do what the bundle does when a runner runs it (`node dist/index.js`): same outputs,
// same annotations, same job summary, same image digest. The emulator's own quirks are undone explicitly below.
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, runAction } from './support/run-action.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'local-action-'))
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))

// What a runner gives every step; both runs get the same, so the image's annotations (and digest) agree.
const RUNNER_ENV = {
  GITHUB_ACTIONS: 'true',
  GITHUB_REPOSITORY: 'krata/kernel-demo',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  SOURCE_DATE_EPOCH: '1700000000',
}

interface Observed {
  status: number | null
  outputs: Record<string, string>
  annotations: string[]
  failure?: string
  summary: string
}

/** A workflow command line as GitHub reads it: `::error title=...,file=...,line=...::message`. */
const ANNOTATION = /^::(error|warning|notice)( [^:]*)?::(.*)$/

function annotationsOf(stdout: string, runnerTemp: string): { annotations: string[]; failure?: string } {
  const annotations: string[] = []
  let failure: string | undefined
  for (const line of stdout.split('\n')) {
    const m = ANNOTATION.exec(line)
    if (!m) continue
    // The emulator's core writes `endLine=` equal to `line=` for a one-line annotation; GitHub reads both the same.
    const properties = (m[2] ?? '').replace(/,endLine=(\d+)/, '')
    const text = `::${m[1]}${properties}::${m[3]}`.split(runnerTemp).join('$RUNNER_TEMP')
    // setFailed's line (an `::error` without properties) is the step's verdict, kept apart to compare on its own.
    if (m[1] === 'error' && properties === '') failure = text
    else annotations.push(text)
  }
  return { annotations, failure }
}

function withRunnerTemp(record: Record<string, string>, runnerTemp: string): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.split(runnerTemp).join('$RUNNER_TEMP')]))
}

function direct(inputs: Record<string, string>): Observed {
  const run = runAction(inputs, { workspace, env: RUNNER_ENV })
  const runnerTemp = path.dirname(run.outputs.report!)
  return {
    status: run.status,
    outputs: withRunnerTemp(run.outputs, runnerTemp),
    ...annotationsOf(run.stdout, runnerTemp),
    summary: run.summary.split(runnerTemp).join('$RUNNER_TEMP'),
  }
}

function emulated(inputs: Record<string, string>): Observed {
  const runnerTemp = fs.mkdtempSync(path.join(workspace, '.emulator-temp-'))
  const summaryFile = path.join(runnerTemp, 'summary')
  fs.writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    ...RUNNER_ENV,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    GITHUB_OUTPUT: path.join(runnerTemp, 'output'),
    GITHUB_STEP_SUMMARY: summaryFile,
  }
  // Inputs are named as the runner names them (`INPUT_OCI-LAYOUT`: upper case, hyphens kept), in a dotenv file.
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const dotenv = path.join(runnerTemp, 'step.env')
  fs.writeFileSync(
    dotenv,
    Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
      .join(''),
  )
  const bin = path.join(ROOT, 'node_modules', '.bin', 'local-action')
  const run = spawnSync(bin, ['run', ROOT, 'src/main.ts', dotenv], {
    cwd: ROOT, // it runs `npm ls` there to find the toolkit packages it replaces
    // It starts the action with `npm exec tsx`; yes = never prompt (tsx is installed with it, nothing is fetched).
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? workspace, npm_config_yes: 'true', NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: 120_000,
  })
  if (run.error) throw run.error
  return {
    status: run.status,
    outputs: withRunnerTemp(setOutputCommands(run.stdout), runnerTemp),
    ...annotationsOf(run.stdout, runnerTemp),
    summary: fs.readFileSync(summaryFile, 'utf8').split(runnerTemp).join('$RUNNER_TEMP'),
  }
}

/**
 * The emulator's core (2.0.2) prints the deprecated `::set-output name=X::value` instead of writing GITHUB_OUTPUT
 * (which stays empty), and does not escape a multi-line value: its second line comes out as a plain log line. So a
 * value is the `::set-output` line plus every following line that is not itself a workflow command.
 */
function setOutputCommands(stdout: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  let current: string | undefined
  const banner = stdout.indexOf('Action Outputs') // the emulator's own closing table is not the step's output
  for (const line of (banner < 0 ? stdout : stdout.slice(0, banner)).split('\n')) {
    const m = /^::set-output name=([^:]+)::(.*)$/.exec(line)
    if (m) {
      current = m[1]!
      outputs[current] = m[2]!
    } else if (line.startsWith('::') || line.startsWith('====')) current = undefined
    else if (current) outputs[current] += `\n${line}`
  }
  return outputs
}

describe("the action under GitHub's runner emulator (@github/local-action)", () => {
  it('publishes the bundled sample kernel with the same outputs, annotations, summary and digest as dist/', () => {
    // Two tags: a multi-line output, which the emulator breaks over two lines (see setOutputCommands).
    const inputs = { tags: '{{version}}\nlatest' }
    const ours = direct(inputs)
    const theirs = emulated(inputs)
    expect(ours.status).toBe(0)
    expect(theirs.status).toBe(0)
    expect(ours.outputs.tags).toBe('6.1.192\nlatest')
    expect(ours.outputs['uname-r']).toBe('6.1.192-sample')
    expect(ours.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(theirs.outputs).toEqual(ours.outputs)
    expect(ours.annotations).toEqual([expect.stringMatching(/^::notice::No config given: using the bundled sample kernel/)])
    expect(theirs.annotations).toEqual(ours.annotations)
    expect(ours.summary).toContain('<h2>krata zone kernel check: passed</h2>')
    expect(theirs.summary).toEqual(ours.summary)
  })

  it('fails a config that misses the requirements with the same annotations and failure line (the emulator exits 0)', () => {
    const inputs = { config: path.join(ROOT, '__tests__', 'fixtures', 'configs', 'x86_64-defconfig.config') }
    const ours = direct(inputs)
    const theirs = emulated(inputs)
    expect(ours.status).toBe(1)
    // The emulator exits 0 even after core.setFailed; the failure shows only as the final `::error::` line.
    expect(theirs.status).toBe(0)
    expect(ours.failure).toMatch(/^::error::.*x86_64-defconfig\.config: \d+ errors, 1 warning against the krata zone requirements/)
    expect(theirs.failure).toBe(ours.failure)
    expect(ours.annotations.filter((a) => a.startsWith('::error ')).length).toBeGreaterThan(5)
    expect(theirs.annotations).toEqual(ours.annotations)
    expect(theirs.outputs).toEqual(ours.outputs)
    expect(ours.outputs.passed).toBe('false')
    expect(theirs.summary).toEqual(ours.summary)
  })
})
