import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..')
const ENTRY = path.join(ROOT, 'dist', 'index.js')
// Loads the action as `node dist/index.js` would, and says the process's peak RSS as it exits.
const RSS_REPORTER =
  "process.on('exit', () => process.stderr.write(`peak-rss-kib ${process.resourceUsage().maxRSS}\\n`)); " +
  `await import(${JSON.stringify(new URL(`file://${ENTRY}`).href)})`

export interface ActionRun {
  status: number | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** The workflow-command lines (`::error ...`), as GitHub reads them from stdout. */
  commands: string[]
  /** With `peakRss`: the action process's peak resident set in KiB, as the kernel counted it (no sampling). */
  peakRssKiB?: number
}

export interface RunOptions {
  workspace: string
  env?: Record<string, string>
  timeoutMs?: number
  /** Report the child's peak RSS (getrusage's ru_maxrss, read as the process exits). */
  peakRss?: boolean
}

interface PreparedRun {
  env: Record<string, string>
  outputFile: string
  summaryFile: string
}

/**
 * Runs the bundled action (`dist/index.js`) the way a runner does: inputs as `INPUT_*` variables, outputs and the
 * step summary in files named by `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`, the workspace as the working directory.
 */
export function runAction(inputs: Record<string, string>, options: RunOptions): ActionRun {
  const run = prepare(inputs, options)
  const args = options.peakRss ? ['--input-type=module', '-e', RSS_REPORTER] : [ENTRY]
  const result = spawnSync(process.execPath, args, { cwd: options.workspace, env: run.env, encoding: 'utf8', timeout: options.timeoutMs ?? 120_000 })
  const collected = collect(run, result.status, result.stdout, result.stderr)
  const rss = /^peak-rss-kib (\d+)$/m.exec(result.stderr)
  return rss ? { ...collected, peakRssKiB: Number(rss[1]) } : collected
}

/**
 * The same, awaiting the child: for tests whose servers (token proxy, fault proxy, a fake registry) live in the jest
 * process, which spawnSync would block.
 */
export async function runActionAsync(inputs: Record<string, string>, options: RunOptions): Promise<ActionRun> {
  const run = prepare(inputs, options)
  const child = spawn(process.execPath, [ENTRY], { cwd: options.workspace, env: run.env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000)
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)))
  clearTimeout(timer)
  return collect(run, status, stdout, stderr)
}

function prepare(inputs: Record<string, string>, options: RunOptions): PreparedRun {
  // Inside the workspace, so files the action leaves there (report, fix fragment) outlive the run for the test.
  const runnerTemp = fs.mkdtempSync(path.join(options.workspace, '.runner-temp-'))
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
  return { env, outputFile, summaryFile }
}

function collect(run: PreparedRun, status: number | null, stdout: string, stderr: string): ActionRun {
  return {
    status,
    stdout,
    stderr,
    outputs: parseOutputs(fs.readFileSync(run.outputFile, 'utf8')),
    summary: fs.readFileSync(run.summaryFile, 'utf8'),
    commands: stdout.split('\n').filter((line) => line.startsWith('::') && !line.startsWith('::group') && !line.startsWith('::endgroup')),
  }
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
