// Running a workflow's steps locally, as a runner would: `${{ ... }}` replaced by local values, `with:` inputs for the
// bundled action, `run:` scripts through bash as written, `$GITHUB_OUTPUT` read back.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import fs from 'node:fs'

export interface Step {
  name?: string
  id?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, unknown>
}

/** Replaces every `${{ expr }}`; an expression the test has no value for fails the test (so new ones get covered). */
export function substitute(value: unknown, values: Record<string, string>): string {
  return String(value).replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    if (!(expr in values)) throw new Error(`no local value for \${{ ${expr} }}`)
    return values[expr]!
  })
}

/** A step's `with:` inputs, substituted. */
export function inputsOf(s: Step, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(s.with ?? {}).map(([name, value]) => [name, substitute(value, values)]))
}

/** Runs a step's shell script as the runner does (`bash --noprofile --norc -eo pipefail`), with its env. */
export function runStepScript(s: Step, values: Record<string, string>, env: Record<string, string>, cwd?: string): SpawnSyncReturns<string> {
  const stepEnv = Object.fromEntries(Object.entries(s.env ?? {}).map(([k, v]) => [k, substitute(v, values)]))
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', s.run!], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, ...stepEnv },
    encoding: 'utf8',
  })
}

/** `name<<delimiter` blocks, as a script writes them to `$GITHUB_OUTPUT`. */
export function readOutputs(file: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!)
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i]!)
    outputs[m[1]!] = value.join('\n')
  }
  return outputs
}
