import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CLI_BUNDLE, runCli, runCliBundle } from './support/cli.js'
import { ROOT } from './support/run-action.js'
import { parseJson, type ReportJson } from './support/json.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const cli = (...args: string[]) => runCli(args, { cwd: dir })
const COMMANDS = ['check', 'verify', 'install', 'boot', 'boot-kit', 'diff']

describe('kernel-action check (CLI)', () => {
  const fixtures = path.join(ROOT, '__tests__', 'fixtures', 'configs')

  it('exits 0 on a real zone config and 1 on the plain x86_64 defconfig', async () => {
    const ok = await cli('check', '--config', path.join(fixtures, 'x86_64-zone.config'))
    expect(ok.stdout).toMatch(/krata zone requirements met \(0 errors, 0 warnings\)\n$/)
    expect(ok.status).toBe(0)
    const bad = await cli('check', '--config', path.join(fixtures, 'x86_64-defconfig.config'), '--target', 'host')
    expect(bad.status).toBe(1)
    expect(bad.stdout).toMatch(/x86_64-defconfig\.config:331: error: CONFIG_XEN is not set, a krata host kernel needs =y\n/)
  })

  it('prints the JSON report with --json', async () => {
    const r = await cli('check', '--config', path.join(fixtures, 'aarch64-zone.config'), '--json')
    const report = parseJson<ReportJson>(r.stdout)
    expect(report).toMatchObject({ target: 'zone', arch: 'aarch64' })
    expect(report.results.find((x) => x.option === 'CONFIG_XEN_PV')?.status).toBe('not-applicable')
  })

  it('exits 2 with one line on usage and input errors', async () => {
    expect(await cli('check')).toEqual({ status: 2, stdout: '', stderr: 'kernel-action: --config FILE is required\n' })
    expect(await cli('check', '--config', 'nope.config')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'kernel-action: config: nope.config does not exist\n',
    })
    expect((await cli('frobnicate')).stderr).toBe('kernel-action: unknown command "frobnicate"\n')
    expect((await cli('check', '--config', 'x', '--target', 'dom0')).stderr).toBe('kernel-action: --target: "dom0" is not one of zone, host\n')
    // The kit reference is checked before anything is looked at or booted.
    expect(await cli('boot', '--image', 'nope', '--boot-kit', 'ghcr.io/org/kit@sha256:00')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'kernel-action: boot-kit: image reference "ghcr.io/org/kit@sha256:00": "sha256:00" is not a sha256:<64 hex> digest\n',
    })
    expect((await cli('boot-kit')).stderr).toBe(
      'kernel-action: boot-kit: give one layout folder (npm run boot-kit -- LAYOUT-DIR [--arch x86_64|aarch64])\n',
    )
  })

  it('prints the same, byte for byte, from the bundle as in process', async () => {
    for (const args of [
      ['check', '--config', path.join(fixtures, 'x86_64-defconfig.config')],
      ['check', '--config', path.join(fixtures, 'aarch64-zone.config'), '--json'],
      ['check', '--frobnicate'],
      ['--help'],
    ]) {
      const inProcess = await cli(...args)
      expect({ args, run: await runCliBundle(args, { cwd: dir }) }).toEqual({ args, run: inProcess })
    }
  })
})

describe('kernel-action --help', () => {
  it('lists every command, and each command prints its own usage with --help', async () => {
    const help = await cli('--help')
    expect(help.status).toBe(0)
    for (const name of COMMANDS) {
      expect(help.stdout).toContain(`kernel-action ${name} `)
      const own = await cli(name, '--help')
      expect({ name, status: own.status, stderr: own.stderr }).toEqual({ name, status: 0, stderr: '' })
      expect(own.stdout).toMatch(new RegExp(`^usage: kernel-action ${name} .*\\n(.*\\n)*exit status: 0 `))
      for (const other of COMMANDS.filter((o) => o !== name)) expect(own.stdout).not.toContain(`kernel-action ${other} `)
    }
  })

  it('a misspelt flag says which, then the usage', async () => {
    const r = await cli('check', '--frobnicate')
    expect(r.status).toBe(2)
    expect(r.stderr.split('\n')[0]).toBe("kernel-action: Unknown option '--frobnicate'")
    expect(r.stderr).toContain('usage: kernel-action check --config FILE')
  })
})

describe('npx kernel-action', () => {
  // Offline: npm must find the program in this clone or the installed tarball, never ask the registry.
  const npx = (args: string[], cwd: string) =>
    execFileSync('npx', ['--offline', '--no-install', ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_audit: 'false', npm_config_fund: 'false' },
    })

  it('is a program: the bundle starts with a #! line for node and is executable', () => {
    expect(fs.readFileSync(CLI_BUNDLE, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node')
    expect(fs.statSync(CLI_BUNDLE).mode & 0o111).not.toBe(0)
    expect(execFileSync(CLI_BUNDLE, ['--help'], { encoding: 'utf8' })).toMatch(/^usage: kernel-action check /)
  })

  it('runs from a clone', () => {
    expect(npx(['kernel-action', '--help'], ROOT)).toMatch(/^usage: kernel-action check /)
  })

  it("runs from npm pack's tarball installed into an empty project, with nothing else to download", () => {
    const packed = fs.mkdtempSync(path.join(dir, 'pack-'))
    const [pack] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', packed], { cwd: ROOT, encoding: 'utf8' })) as {
      filename: string
      files: { path: string }[]
    }[]
    // The bundles and what they run, not the sources or the tests.
    const files = pack!.files.map((f) => f.path)
    expect(files).toEqual(expect.arrayContaining(['dist/cli/index.js', 'dist/index.js', 'action.yml', 'package.json']))
    expect(files.filter((f) => /^(src|__tests__)\//.test(f))).toEqual([])
    const project = fs.mkdtempSync(path.join(dir, 'project-'))
    fs.writeFileSync(path.join(project, 'package.json'), '{ "name": "empty-project", "version": "1.0.0", "private": true }\n')
    execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(packed, path.basename(pack!.filename))], {
      cwd: project,
      stdio: 'ignore',
    })
    expect(fs.readdirSync(path.join(project, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['kernel-action'])
    expect(npx(['kernel-action', '--help'], project)).toMatch(/^usage: kernel-action check /)
    const fixture = path.join(ROOT, '__tests__', 'fixtures', 'configs', 'x86_64-zone.config')
    expect(npx(['kernel-action', 'check', '--config', fixture], project)).toMatch(/krata zone requirements met/)
  })
})
