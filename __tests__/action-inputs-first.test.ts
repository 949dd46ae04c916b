// Every input is judged before any work, in a check-only run too: one line naming the input, no output, no report,
// no summary. And once the inputs hold, `boot` is set however far the step got.
import { afterAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, runAction } from './support/run-action.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'inputs-first-'))
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))
const configs = path.join(ROOT, '__tests__', 'fixtures', 'configs')
const ZONE = path.join(configs, 'x86_64-zone.config')
const DEFCONFIG = path.join(configs, 'x86_64-defconfig.config')
const SAMPLE = path.join(ROOT, 'assets', 'sample')

/** Files the step left in its runner temp folder (the report, the drift report, the fix fragment...). */
// The runner's files, and the job's annotation count that every step keeps (the failure line is an annotation too).
const RUNNER_FILES = ['output', 'summary', '.kernel-action-annotations']
const leftIn = (temp: string): string[] => fs.readdirSync(temp).filter((name) => !RUNNER_FILES.includes(name))

describe('a check-only run with a bad input', () => {
  it.each([
    [{ annotations: 'org.example.team=xen\nno-equals-sign' }, 'annotations: "no-equals-sign" is not KEY=VALUE with a key such as org.example.name'],
    [{ tags: '{{branch}}' }, 'tags: unknown placeholder {{branch}} in "{{branch}}"'],
    [{ 'compare-to': 'not a ref!' }, 'compare-to: "not a ref!" is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none'],
    [{ 'compare-to': 'ghcr.io/Org/k:1' }, 'compare-to: image reference "ghcr.io/Org/k:1": must be lowercase'],
    [{ merge: 'sha256:a' }, 'merge: "sha256:a" is not a sha256 digest or REPOSITORY@sha256:<64 hex>'],
  ])('%j fails first with one line naming the input, and writes nothing', (given, message) => {
    const temp = fs.mkdtempSync(path.join(workspace, 'temp-'))
    const merge = 'merge' in given
    const run = runAction({ ...(merge ? {} : { config: ZONE }), ...given }, { workspace, env: { RUNNER_TEMP: temp } })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([`::error::${message}`])
    // Not checked, so nothing says it was: no output, no summary, no report.
    expect(run.outputs).toEqual({})
    expect(run.summary).toBe('')
    expect(run.stdout).not.toContain('requirements')
    expect(leftIn(temp)).toEqual([])
  })
})

describe('a file an input names that is not there', () => {
  it.each([
    [{ config: 'no-such.config' }, 'config: no-such.config does not exist'],
    [{ config: ZONE, requirements: 'no-such.req' }, 'requirements: no-such.req does not exist'],
    [{ config: ZONE, fragment: 'no-such.fragment' }, 'fragment: no-such.fragment does not exist'],
    [{ config: ZONE, image: 'no-such-bzImage' }, 'image: no-such-bzImage does not exist'],
    [{ config: ZONE, image: path.join(SAMPLE, 'bzImage'), addons: 'a-directory' }, 'addons: a-directory is a directory, not a file'],
    [{ config: ZONE, report: 'a-directory' }, `report: ${path.join(workspace, 'a-directory')} is a directory; give the path of a file`],
  ])('%j fails the step before the check', (given, message) => {
    fs.mkdirSync(path.join(workspace, 'a-directory'), { recursive: true })
    const temp = fs.mkdtempSync(path.join(workspace, 'temp-'))
    const run = runAction(given, { workspace, env: { RUNNER_TEMP: temp } })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([`::error::${message}`])
    expect(run.outputs).toEqual({})
    expect(run.summary).toBe('')
    expect(leftIn(temp)).toEqual([])
  })
})

describe('output boot, once the inputs hold', () => {
  it('is skipped in a check-only run, whether the check passes or fails', () => {
    const passed = runAction({ config: ZONE }, { workspace })
    expect(passed.status).toBe(0)
    expect(passed.outputs).toMatchObject({ passed: 'true', boot: 'skipped', 'boot-log': '' })
    const failed = runAction({ config: DEFCONFIG }, { workspace })
    expect(failed.status).toBe(1)
    expect(failed.outputs).toMatchObject({ passed: 'false', boot: 'skipped', 'boot-log': '' })
  })

  it('is skipped when the check cannot finish (a line that is not Kconfig), and the check outputs are not set', () => {
    fs.writeFileSync(path.join(workspace, 'not-kconfig.config'), '# Linux/x86 6.1.192 Kernel Configuration\nCONFIG_XEN y\n')
    const run = runAction({ config: 'not-kconfig.config' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toHaveLength(1)
    expect(run.commands[0]).toMatch(/^::error::.*not-kconfig\.config:2: /)
    expect(run.outputs).toEqual({ boot: 'skipped', 'boot-log': '', 'boot-serial-log': '' })
  })

  it('is failed, with the reason as the step failure, when the boot harness itself cannot run', () => {
    // No PATH: the harness cannot start its tools (the check and the rest need none).
    const run = runAction(
      { config: path.join(SAMPLE, 'config'), image: path.join(SAMPLE, 'bzImage'), 'boot-test': 'true' },
      { workspace, env: { PATH: '' } },
    )
    expect(run.status).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'true', boot: 'failed', 'boot-log': '' })
    expect(run.outputs.digest).toBeUndefined()
    const errors = run.commands.filter((line) => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::boot-test: installing the boot tools failed: \S/)
  })
})
