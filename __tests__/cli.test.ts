import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './support/run-action.js'
import { parseJson, type ReportJson } from './support/json.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'index.js'), ...args], { cwd: dir, encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('kernel-action check (CLI)', () => {
  const fixtures = path.join(ROOT, '__tests__', 'fixtures', 'configs')

  it('exits 0 on a real zone config and 1 on the plain x86_64 defconfig', () => {
    const ok = cli('check', '--config', path.join(fixtures, 'x86_64-zone.config'))
    expect(ok.stdout).toMatch(/krata zone requirements met \(0 errors, 0 warnings\)\n$/)
    expect(ok.status).toBe(0)
    const bad = cli('check', '--config', path.join(fixtures, 'x86_64-defconfig.config'), '--target', 'host')
    expect(bad.status).toBe(1)
    expect(bad.stdout).toMatch(/x86_64-defconfig\.config:331: error: CONFIG_XEN is not set, a krata host kernel needs =y\n/)
  })

  it('prints the JSON report with --json', () => {
    const r = cli('check', '--config', path.join(fixtures, 'aarch64-zone.config'), '--json')
    const report = parseJson<ReportJson>(r.stdout)
    expect(report).toMatchObject({ target: 'zone', arch: 'aarch64' })
    expect(report.results.find((x) => x.option === 'CONFIG_XEN_PV')?.status).toBe('not-applicable')
  })

  it('exits 2 with one line on usage and input errors', () => {
    expect(cli('check')).toEqual({ status: 2, stdout: '', stderr: 'kernel-action: --config FILE is required\n' })
    expect(cli('check', '--config', 'nope.config')).toEqual({ status: 2, stdout: '', stderr: 'kernel-action: config: nope.config does not exist\n' })
    expect(cli('frobnicate').stderr).toBe('kernel-action: unknown command "frobnicate"\n')
    expect(cli('check', '--config', 'x', '--target', 'dom0').stderr).toBe('kernel-action: --target: "dom0" is not one of zone, host\n')
  })
})
