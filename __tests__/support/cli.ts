// The one way tests run the command line: in process through `main` (fast, no bundle needed), or, where a test needs
// a real process (its own environment, a kill, the shebang), the bundle `dist/cli/index.js` as a user runs it.
import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process'
import path from 'node:path'
import { main } from '../../src/cli/main.js'
import { ROOT } from './run-action.js'

export const CLI_BUNDLE = path.join(ROOT, 'dist', 'cli', 'index.js')

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

let running = Promise.resolve()

/**
 * `kernel-action ARGS...` in this process, as `main` sees it, with stdout and stderr as the bundle would print them.
 * With `cwd`, relative paths are read from there: the process's folder is changed for the run (runs are queued, so
 * two never see each other's folder).
 */
export function runCli(args: string[], options: { cwd?: string } = {}): Promise<CliRun> {
  const run = running.then(async () => {
    const stdout: string[] = []
    const stderr: string[] = []
    const before = process.cwd()
    if (options.cwd) process.chdir(options.cwd)
    try {
      const status = await main(args, { out: (line) => stdout.push(`${line}\n`), err: (line) => stderr.push(`${line}\n`) })
      return { status, stdout: stdout.join(''), stderr: stderr.join('') }
    } finally {
      process.chdir(before)
    }
  })
  running = run.then(
    () => undefined,
    () => undefined,
  )
  return run
}

export interface SpawnCliOptions {
  cwd?: string
  /** The child's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv
  stdio?: StdioOptions
}

/** The bundle as a child process, for a test that drives it (kills it, reads it as it runs). */
export function spawnCli(args: string[], options: SpawnCliOptions = {}): ChildProcess {
  return spawn(process.execPath, [CLI_BUNDLE, ...args], { cwd: options.cwd, env: options.env, stdio: options.stdio ?? 'pipe' })
}

/** The bundle run to its end, its output collected (awaiting, so servers in this process keep answering). */
export function runCliBundle(args: string[], options: Omit<SpawnCliOptions, 'stdio'> = {}): Promise<CliRun> {
  const child = spawnCli(args, options)
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })))
}

/** The bundle run to its end synchronously (for tests with no server in this process to keep answering). */
export function runCliBundleSync(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): CliRun {
  const run = spawnSync(process.execPath, [CLI_BUNDLE, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 256 * 1024 * 1024,
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}
