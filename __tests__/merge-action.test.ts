// Merge mode of the bundled action: input errors are one line naming input merge, and nothing is checked or built.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { AARCH64_CONFIG, ZONE_CONFIG, craftArm64Image, craftBzImage } from './support/crafted-kernel.js'
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

describe('the index takes created from its images, not from the merge job (issue: "created as 1970")', () => {
  const COMMITTED = '2026-11-20T10:00:00Z'

  /** A workspace holding a git checkout with one commit at COMMITTED, as actions/checkout leaves it. */
  function checkout(): string {
    const dir = fs.mkdtempSync(path.join(workspace, 'checkout-'))
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.org',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.org',
    }
    execFileSync('git', ['init', '-q'], { cwd: dir, env })
    fs.writeFileSync(path.join(dir, 'README'), 'kernel\n')
    execFileSync('git', ['add', 'README'], { cwd: dir, env })
    execFileSync('git', ['commit', '-q', '-m', 'kernel'], { cwd: dir, env: { ...env, GIT_AUTHOR_DATE: COMMITTED, GIT_COMMITTER_DATE: COMMITTED } })
    return dir
  }

  async function json(url: string, accept: string): Promise<{ annotations?: Record<string, string>; created?: string; config?: { digest: string } }> {
    const response = await fetch(url, { headers: { accept } })
    expect(response.status).toBe(200)
    return (await response.json()) as { annotations?: Record<string, string>; created?: string; config?: { digest: string } }
  }

  it('images pushed from a checkout, merged in a job with no checkout and no SOURCE_DATE_EPOCH: created is the commit time', async () => {
    const repository = `${registry.host}/kernels/merge-created`
    const built = checkout()
    const push = (extra: Record<string, string>) =>
      runAction({ repository, 'push-by-digest': 'true', 'boot-test': 'false', ...extra }, { workspace: built })
    // One kernel release for both architectures: crafted images of 6.1.192.
    fs.writeFileSync(path.join(built, 'bzImage'), craftBzImage())
    fs.writeFileSync(path.join(built, 'Image'), craftArm64Image())
    const amd64 = push({ config: ZONE_CONFIG, image: 'bzImage' })
    const arm64 = push({ config: AARCH64_CONFIG, image: 'Image' })
    expect([amd64.status, arm64.status]).toEqual([0, 0])
    const bare = fs.mkdtempSync(path.join(workspace, 'no-checkout-'))
    expect(() => execFileSync('git', ['rev-parse'], { cwd: bare, stdio: 'ignore' })).toThrow()
    const merged = runAction({ merge: `${amd64.outputs.digest}\n${arm64.outputs.digest}`, repository, tags: 'latest' }, { workspace: bare })
    expect({ status: merged.status, commands: merged.commands }).toEqual({ status: 0, commands: [] })
    const base = `${registry.url}/v2/kernels/merge-created`
    const index = await json(`${base}/manifests/latest`, 'application/vnd.oci.image.index.v1+json')
    expect(index.annotations?.['org.opencontainers.image.created']).toBe(COMMITTED)
    for (const child of [amd64, arm64]) {
      const manifest = await json(`${base}/manifests/${child.outputs.digest}`, 'application/vnd.oci.image.manifest.v1+json')
      expect(manifest.annotations?.['org.opencontainers.image.created']).toBe(COMMITTED)
      expect((await json(`${base}/blobs/${manifest.config!.digest}`, 'application/json')).created).toBe(COMMITTED)
    }
  })
})
