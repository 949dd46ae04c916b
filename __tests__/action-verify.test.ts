import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseJson } from './support/json.js'
import { ROOT, runAction } from './support/run-action.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'

const SAMPLE = path.join(ROOT, 'assets', 'sample')
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'action-verify-'))
const sampleInputs = () => ({
  config: path.join(SAMPLE, 'config'),
  image: path.join(SAMPLE, 'bzImage'),
  addons: path.join(SAMPLE, 'addons.squashfs'),
  'oci-layout': 'layout',
})
const tagsOf = (registry: RunningRegistry, repository: string): unknown =>
  parseJson<{ Tags: string[] }>(
    execFileSync('skopeo', ['list-tags', '--tls-verify=false', `docker://${registry.host}/${repository}`], { encoding: 'utf8' }),
  ).Tags

let registry: RunningRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
  fs.rmSync(workspace, { recursive: true, force: true })
})

describe('input verify: the pushed image is read back as krata reads it, before any tag is written', () => {
  it('verify: full reads every layer back, then tags', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'full-'))
    const run = runAction({ ...sampleInputs(), repository: `${registry.host}/kernels/full`, tags: 'latest', verify: 'full' }, { workspace: cwd })
    expect(run.status).toBe(0)
    const pushed = `${registry.host}/kernels/full@${run.outputs.digest}`
    const lines = run.stdout.split('\n')
    const verified = lines.indexOf(`verify (full): ${pushed} reads back as krata reads it`)
    const tagged = lines.indexOf(`${registry.host}/kernels/full:latest → ${run.outputs.digest}`)
    expect(verified).toBeGreaterThan(lines.indexOf(`${pushed}: manifest pushed`))
    expect(tagged).toBeGreaterThan(verified)
    expect(tagsOf(registry, 'kernels/full')).toEqual(['latest'])
  })

  it('an image krata would refuse is pushed by digest but never tagged, and the step fails saying why', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'refused-'))
    // The user's annotations win over the generated ones: an empty version is as good as none to krata's tooling.
    const inputs = { ...sampleInputs(), repository: `${registry.host}/kernels/refused`, tags: 'latest', annotations: 'dev.edera.kernel.version=' }
    const run = runAction(inputs, { workspace: cwd })
    expect(run.status).toBe(1)
    const digest = /@(sha256:[0-9a-f]{64}): manifest pushed/.exec(run.stdout)?.[1]
    expect(run.commands).toContain(
      `::error::verify: ${registry.host}/kernels/refused@${digest} was pushed but not tagged, krata would not load it: manifest: annotation dev.edera.kernel.version missing`,
    )
    // The manifest is there by digest; the tag is not (distribution answers 404 to a tag list with no tag).
    const inspect = (ref: string) =>
      execFileSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${registry.host}/kernels/refused${ref}`], { stdio: 'pipe' })
    expect(() => inspect(`@${digest}`)).not.toThrow()
    expect(() => inspect(':latest')).toThrow(/manifest unknown/)
  })

  it('verify: false skips the read-back', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'off-'))
    const run = runAction({ ...sampleInputs(), repository: `${registry.host}/kernels/off`, tags: 'latest', verify: 'false' }, { workspace: cwd })
    expect(run.status).toBe(0)
    expect(run.stdout).not.toContain('verify (')
  })

  it('verify: sometimes is refused as bad input', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'bad-'))
    const run = runAction({ ...sampleInputs(), repository: `${registry.host}/kernels/bad`, verify: 'sometimes' }, { workspace: cwd })
    expect(run.status).toBe(1)
    expect(run.commands.some((line) => line.includes('verify: "sometimes" is not one of light, full, false'))).toBe(true)
  })
})
