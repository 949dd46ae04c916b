import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')

export interface ActionRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The workflow-command lines (`::error ...`), as GitHub reads them from stdout. */
  commands: string[]
}

/**
 * Runs the bundled action (`dist/index.js`) the way a runner does: inputs as `INPUT_*` variables, outputs and the
 * step summary in files named by `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, the workspace as the working directory.
 */
export function runAction(inputs: Record<string, string>, options: { workspace: string; env?: Record<string, string> }): ActionRun {
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'))
  const outputFile = path.join(runnerTemp, 'output')
  const summaryFile = path.join(runnerTemp, 'summary')
  fs.writeFileSync(outputFile, '')
  fs.writeFileSync(summaryFile, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? runnerTemp,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_REPOSITORY: 'krata/kernel-demo',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    RUNNER_TEMP: runnerTemp,
    ...options.env,
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'index.js')], {
    cwd: options.workspace,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  })
  const run: ActionRun = {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    outputs: parseOutputs(fs.readFileSync(outputFile, 'utf8')),
    summary: fs.readFileSync(summaryFile, 'utf8'),
    commands: result.stdout.split('\n').filter((line) => line.startsWith('::') && !line.startsWith('::group') && !line.startsWith('::endgroup')),
  }
  fs.rmSync(runnerTemp, { recursive: true, force: true })
  return run
}

/** `GITHUB_OUTPUT` holds `name<<delimiter` / value / `delimiter` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i])
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    outputs[m[1]] = value.join('\n')
  }
  return outputs
}
