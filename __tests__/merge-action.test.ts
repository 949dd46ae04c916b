// Merge mode of the bundled action: input errors are one line naming input merge, and nothing is checked or built.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { runAction } from './support/run-action.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-action-'))
const missing = `sha256:${'0'.repeat(64)}`
let registry: RunningRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
  fs.rmSync(workspace, { recursive: true, force: true })
})

describe('the action with input merge', () => {
  it('fails with one line when a digest is not in the repository, and sets no output', () => {
    const run = runAction({ merge: missing, repository: `${registry.host}/kernels/zone-kernel`, tags: 'latest' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([`::error::merge: ${missing} is not in ${registry.host}/kernels/zone-kernel`])
    expect(run.outputs).toEqual({})
  })

  it('refuses to build in the same step (no sample kernel is used, nothing is checked)', () => {
    const run = runAction({ merge: missing, image: 'bzImage', repository: `${registry.host}/kernels/zone-kernel` }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual(['::error::merge: cannot be combined with image (a merge step builds nothing; build in the per-architecture jobs)'])
  })

  it('names the layout when there is no repository and no layout to merge from', () => {
    const run = runAction({ merge: `${missing}, sha256:${'1'.repeat(64)}`, 'oci-layout': 'nowhere' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([
      '::error::merge: nowhere is not an OCI image layout, so it holds none of the images (set repository to merge in a registry)',
    ])
    expect(fs.existsSync(path.join(workspace, 'nowhere'))).toBe(false)
  })
})

describe('the action with input merge reads the index back before tagging it (input verify)', () => {
  const SAMPLE = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'assets', 'sample')
  const child = (repository: string, extra: Record<string, string> = {}) => ({
    config: path.join(SAMPLE, 'config'),
    image: path.join(SAMPLE, 'bzImage'),
    addons: path.join(SAMPLE, 'addons.squashfs'),
    repository,
    'push-by-digest': 'true',
    ...extra,
  })

  it('verifies the index and its child as krata reads them, then tags it', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'verified-'))
    const repository = `${registry.host}/kernels/merge-verified`
    const pushed = runAction({ ...child(repository), 'oci-layout': 'layout' }, { workspace: cwd })
    expect(pushed.status).toBe(0)
    const merged = runAction({ merge: pushed.outputs.digest!, repository, tags: 'latest' }, { workspace: cwd })
    expect(merged.status).toBe(0)
    // A merge boots nothing; `boot` is set as in every other mode, `skipped`, with no log.
    expect({ boot: merged.outputs.boot, log: merged.outputs['boot-log'] }).toEqual({ boot: 'skipped', log: '' })
    const lines = merged.stdout.split('\n')
    const verified = lines.indexOf(`verify (light): ${repository}@${merged.outputs.digest} reads back as krata reads it`)
    expect(verified).toBeGreaterThan(-1)
    expect(lines.indexOf(`${repository}:latest → ${merged.outputs.digest}`)).toBeGreaterThan(verified)
  })

  it('leaves the index untagged when a child is one krata would refuse, and fails saying why', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'refused-'))
    const repository = `${registry.host}/kernels/merge-refused`
    // Pushed without its own read-back, and with the format annotation emptied (the user's annotations win).
    const pushed = runAction(
      { ...child(repository, { verify: 'false', annotations: 'dev.edera.kernel.format=' }), 'oci-layout': 'layout' },
      { workspace: cwd },
    )
    expect(pushed.status).toBe(0)
    const merged = runAction({ merge: pushed.outputs.digest!, repository, tags: 'latest', version: '6.1.192' }, { workspace: cwd })
    expect(merged.status).toBe(1)
    expect(merged.commands.at(-1)).toMatch(
      new RegExp(
        `^::error::verify: ${repository.replace(/[.]/g, '\\.')}@sha256:[0-9a-f]{64} was pushed but not tagged, krata would not load it: .*annotation dev\\.edera\\.kernel\\.format missing`,
      ),
    )
    expect(merged.stdout).not.toContain(`${repository}:latest →`)
  })
})
