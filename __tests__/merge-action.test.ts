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
