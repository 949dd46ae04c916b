// containerd reads what the action writes: a push-by-digest layout imported with `ctr images import`, and a pushed
// image fetched from the real registry with `ctr content fetch`, each byte-compared with the bundled sample kernel.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startContainerd, type RunningContainerd } from './support/containerd.js'
import { parseJson } from './support/json.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { ROOT, runAction } from './support/run-action.js'

const SAMPLE = path.join(ROOT, 'assets', 'sample')
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'containerd-'))
const sample = { config: path.join(SAMPLE, 'config'), image: path.join(SAMPLE, 'bzImage'), addons: path.join(SAMPLE, 'addons.squashfs') }

interface Manifest {
  layers: { digest: string }[]
}

/** `kernel/<name>` out of a layer blob (uncompressed tar, the default), as a tar program reads it. */
const fileInLayer = (layer: Buffer, name: string): Buffer => execFileSync('tar', ['-xO', `kernel/${name}`], { input: layer, maxBuffer: 256 << 20 })

let containerd: RunningContainerd
let registry: RunningRegistry
beforeAll(async () => {
  ;[containerd, registry] = await Promise.all([startContainerd(), startRegistry()])
})
afterAll(async () => {
  await Promise.all([containerd?.stop(), registry?.stop()])
  fs.rmSync(workspace, { recursive: true, force: true })
})

describe('containerd reads what the action writes', () => {
  it('imports a push-by-digest layout (its index.json lists the untagged manifest) and finds the kernel in it', () => {
    const run = runAction({ ...sample, 'push-by-digest': 'true', 'oci-layout': 'by-digest' }, { workspace })
    expect(run.status).toBe(0)
    const layout = path.join(workspace, 'by-digest')
    const archive = path.join(workspace, 'by-digest.tar')
    execFileSync('tar', ['-cf', archive, '-C', layout, '.'])
    // No unpack: a kernel image is never run, and no snapshotter (overlayfs) is needed to read its content.
    containerd.ctr('images', 'import', '--no-unpack', '--index-name', 'kernels/zone:by-digest', archive)
    expect(containerd.ctr('images', 'ls', '-q').toString().split('\n')).toContain('kernels/zone:by-digest')
    const manifest = containerd.ctr('content', 'get', run.outputs.digest!)
    expect(manifest).toEqual(fs.readFileSync(path.join(layout, 'blobs', 'sha256', run.outputs.digest!.slice('sha256:'.length))))
    const [image, addons] = parseJson<Manifest>(manifest.toString()).layers
    expect(fileInLayer(containerd.ctr('content', 'get', image!.digest), 'image')).toEqual(fs.readFileSync(sample.image))
    expect(fileInLayer(containerd.ctr('content', 'get', addons!.digest), 'addons.squashfs')).toEqual(fs.readFileSync(sample.addons))
  })

  it('fetches a pushed image from the registry, tag and all, byte for byte', () => {
    const repository = `${registry.host}/kernels/ctr`
    const run = runAction({ ...sample, repository, tags: 'latest', 'oci-layout': 'pushed' }, { workspace })
    expect(run.status).toBe(0)
    containerd.ctr('content', 'fetch', '--plain-http', `${repository}:latest`)
    const manifest = containerd.ctr('content', 'get', run.outputs.digest!)
    const [image, , , metadata] = parseJson<Manifest>(manifest.toString()).layers
    expect(fileInLayer(containerd.ctr('content', 'get', image!.digest), 'image')).toEqual(fs.readFileSync(sample.image))
    expect(fileInLayer(containerd.ctr('content', 'get', metadata!.digest), 'metadata').toString()).toBe(
      fs.readFileSync(run.outputs.metadata!, 'utf8'),
    )
  })
})
