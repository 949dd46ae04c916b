// compare-to end to end: publish a kernel, change its config (y→m, one removed, one value changed, one added), publish
// again, and read the drift a user sees: outputs, the drift report, `drift` in the check report, the job summary and
// the notice on the fragment line. Against a real registry with auth, a local layout, and a multi-arch index.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import type { DriftReport } from '../src/drift/drift.js'
import { runCli } from './support/cli.js'
import { AARCH64_CONFIG, craftArm64Image, craftBzImage, ZONE_CONFIG } from './support/crafted-kernel.js'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js'
import { parseJson, type OciJson } from './support/json.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { runAction, runActionAsync, type ActionRun } from './support/run-action.js'
import { sha256Digest as sha256 } from './support/digest.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-ws-'))
const auth = { user: 'robot', pass: 'drift-s3cret' }
const credentials = { username: auth.user, password: auth.pass }
let registry: RunningRegistry
let proxy: FaultProxy

beforeAll(async () => {
  registry = await startRegistry({ auth })
  proxy = await startFaultProxy(registry.host)
})
afterAll(async () => {
  await proxy?.stop()
  await registry?.stop()
  fs.rmSync(workspace, { recursive: true, force: true })
})

const zone = fs.readFileSync(ZONE_CONFIG, 'utf8')
/** The fixture as released before: an older patch level. */
const oldConfig = (version: string) => zone.replace('# Linux/x86_64 6.1.192 Kernel Configuration', `# Linux/x86_64 ${version} Kernel Configuration`)
/** The four changes: a requirement y→m, a Xen option removed, a value changed, a Xen option added. */
const newConfig = () =>
  `${zone
    .replace('CONFIG_XEN_PRIVCMD=y\n', 'CONFIG_XEN_PRIVCMD=m\n')
    .replace('# CONFIG_XEN_DEBUG_FS is not set\n', '')
    .replace('CONFIG_NR_CPUS=64\n', 'CONFIG_NR_CPUS=128\n')}CONFIG_XEN_GNTDEV_DMABUF=y\n`
const line = (text: string, needle: string) => text.split('\n').indexOf(needle) + 1

/** A case folder with the kernel files of one release: config, fragment, bzImage, squashfs addons. */
function release(name: string, config: string, version: string, payload: number): Record<string, string> {
  const dir = path.join(workspace, name)
  // krata's layout (the action checks it): modules/ at the top with modules.dep; the payload only sizes the layer.
  fs.mkdirSync(path.join(dir, 'addons', 'modules'), { recursive: true })
  fs.writeFileSync(path.join(dir, '.config'), config)
  fs.writeFileSync(
    path.join(dir, 'zone.fragment'),
    `# what this kernel adds\n${config.includes('CONFIG_XEN_PRIVCMD=m') ? 'CONFIG_XEN_PRIVCMD=m' : 'CONFIG_XEN_PRIVCMD=y'}\n`,
  )
  fs.writeFileSync(path.join(dir, 'bzImage'), craftBzImage(payload, `${version}-crafted (test@kernel-action) #1 SMP`))
  fs.writeFileSync(path.join(dir, 'addons', 'modules', 'modules.dep'), '')
  fs.writeFileSync(path.join(dir, 'addons', 'modules', 'payload.bin'), Buffer.alloc(payload * 2, name))
  execFileSync(
    'mksquashfs',
    [path.join(dir, 'addons'), path.join(dir, 'addons.squashfs'), '-noappend', '-all-root', '-quiet', '-mkfs-time', '0', '-all-time', '0'],
    { stdio: 'ignore' },
  )
  return {
    config: path.relative(workspace, path.join(dir, '.config')),
    fragment: path.relative(workspace, path.join(dir, 'zone.fragment')),
    image: path.join(dir, 'bzImage'),
    addons: path.join(dir, 'addons.squashfs'),
  }
}

const skopeoRaw = (ref: string) =>
  parseJson<OciJson>(
    execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${auth.user}:${auth.pass}`, ref], { encoding: 'utf8' }),
  )
const layoutRaw = (ref: string) => parseJson<OciJson>(execFileSync('skopeo', ['inspect', '--raw', ref], { encoding: 'utf8' }))
const readJson = <T = Record<string, unknown>>(file: string) => parseJson<T>(fs.readFileSync(file, 'utf8'))

/** The changes every case makes, as the drift report lists them (requirement, then Xen, then other). */
function expectedChanges(config: string) {
  return [
    { option: 'CONFIG_XEN_PRIVCMD', kind: 'changed', class: 'requirement', before: 'y', after: 'm', line: line(config, 'CONFIG_XEN_PRIVCMD=m') },
    { option: 'CONFIG_XEN_DEBUG_FS', kind: 'removed', class: 'xen', before: 'not set', after: 'absent', line: null },
    {
      option: 'CONFIG_XEN_GNTDEV_DMABUF',
      kind: 'added',
      class: 'xen',
      before: 'absent',
      after: 'y',
      line: line(config, 'CONFIG_XEN_GNTDEV_DMABUF=y'),
    },
    { option: 'CONFIG_NR_CPUS', kind: 'changed', class: 'other', before: '64', after: '128', line: line(config, 'CONFIG_NR_CPUS=128') },
  ]
}

function expectDriftOutputs(run: ActionRun): DriftReport {
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  expect(run.outputs['config-changed']).toBe('4')
  const drift = readJson<DriftReport>(run.outputs['drift-report'])
  expect(readJson<{ drift: DriftReport }>(run.outputs.report).drift).toEqual(drift)
  expect(drift.changes).toEqual(expectedChanges(newConfig()))
  expect(drift.counts).toEqual({ added: 1, removed: 1, changed: 2, requirement: 1, xen: 2, other: 1 })
  return drift
}

/** Layer sizes as the manifest (read by skopeo) lists them: image first, addons second. */
const sizesOf = (manifest: { layers: { size: number }[] }) => ({
  'kernel/image': manifest.layers[0]!.size,
  'kernel/addons.squashfs': manifest.layers[1]!.size,
})
const change = (file: string, before: number, after: number) => ({
  file,
  before,
  after,
  bytes: after - before,
  percent: Math.round(((after - before) / before) * 1000) / 10,
})

describe('compare-to against a registry with auth', () => {
  it('compares with what the first tag holds today, before overwriting it, and reports the exact drift', async () => {
    const repository = `${registry.host}/kernels/zone`
    const old = release('reg-old', oldConfig('6.1.191'), '6.1.191', 64 * 1024)
    const first = runAction({ ...old, repository, tags: 'latest\n{{version}}', ...credentials }, { workspace })
    expect(first.stderr).toBe('')
    expect(first.status).toBe(0)
    expect(first.outputs['config-changed']).toBeUndefined()
    expect(first.commands).toContain(`::notice::compare-to: ${repository}:latest does not exist yet, so there is nothing to compare with`)

    const now = release('reg-new', newConfig(), '6.1.192', 80 * 1024)
    // Through a request-counting proxy to the same registry: the pull must read no kernel or addons blob.
    const viaProxy = `${proxy.host}/kernels/zone`
    proxy.log.length = 0
    const second = await runActionAsync({ ...now, repository: viaProxy, tags: 'latest\n{{version}}', ...credentials }, { workspace })
    const drift = expectDriftOutputs(second)

    const before = skopeoRaw(`docker://${repository}@${first.outputs.digest}`)
    const after = skopeoRaw(`docker://${repository}:latest`)
    expect(drift.before).toEqual({
      ref: `${viaProxy}:latest`,
      digest: first.outputs.digest,
      configDigest: first.outputs['config-digest'],
      version: '6.1.191',
      unameR: '6.1.191-crafted',
      flavor: 'zone',
      tags: ['latest', '6.1.191'],
      sizes: sizesOf(before),
    })
    expect(drift.after).toEqual({
      ref: `${viaProxy}@${second.outputs.digest}`,
      digest: second.outputs.digest,
      configDigest: second.outputs['config-digest'],
      version: '6.1.192',
      unameR: '6.1.192-crafted',
      flavor: 'zone',
      tags: ['latest', '6.1.192'],
      sizes: sizesOf(after),
    })
    expect(drift.sizes).toEqual([
      change('kernel/image', before.layers[0].size, after.layers[0].size),
      change('kernel/addons.squashfs', before.layers[1].size, after.layers[1].size),
    ])
    expect(drift.sameConfig).toBe(false)

    // The notice sits on the fragment line that sets the option.
    expect(second.commands).toContain(
      `::notice title=CONFIG_XEN_PRIVCMD changed since 6.1.191,file=${now.fragment},line=2::CONFIG_XEN_PRIVCMD was =y in 6.1.191, now =m`,
    )
    expect(second.summary).toContain(`<h3>Since <code>${viaProxy}:latest</code></h3>`)
    expect(second.summary).toContain('<tr><th>kernel version</th><td><code>6.1.191</code></td><td><code>6.1.192</code></td><td>changed</td></tr>')
    expect(second.summary).toContain('<p>4 options changed (1 added, 1 removed, 2 changed): 1 requirement, 2 Xen, 1 other</p>')
    const [open, folded] = second.summary.split('<details><summary>1 other option changed</summary>')
    expect(open).toContain('<tr><td><code>CONFIG_XEN_PRIVCMD</code></td><td>requirement</td><td>changed</td><td>y</td><td>m</td>')
    expect(open).toContain('<tr><td><code>CONFIG_XEN_DEBUG_FS</code></td><td>xen</td><td>removed</td><td>not set</td><td>absent</td><td></td></tr>')
    expect(folded).toContain('<tr><td><code>CONFIG_NR_CPUS</code></td><td>other</td><td>changed</td><td>64</td><td>128</td>')

    // The reference pull read the manifest, the image config, config.gz and metadata: never the kernel or addons.
    const blobGets = proxy.log.filter((r) => r.method === 'GET' && r.path.includes('/blobs/sha256:')).map((r) => r.path.split('/blobs/')[1])
    const kernelAndAddons = [before.layers[0].digest, before.layers[1].digest, after.layers[0].digest, after.layers[1].digest]
    expect(blobGets.filter((digest) => kernelAndAddons.includes(digest))).toEqual([])
    const firstWrite = proxy.log.findIndex((r) => r.method !== 'GET')
    expect(
      proxy.log
        .slice(0, firstWrite)
        .filter((r) => r.status === 200)
        .map((r) => r.path.replace(/^\/v2\/kernels\/zone/, '')),
    ).toEqual(['/manifests/latest', `/blobs/${before.config.digest}`, `/blobs/${before.layers[2].digest}`, `/blobs/${before.layers[3].digest}`])
  })

  it('says "no config change" when the config is the same, and a missing explicit tag is a notice', () => {
    const repository = `${registry.host}/kernels/same`
    const files = release('same', oldConfig('6.1.191'), '6.1.191', 64 * 1024)
    expect(runAction({ ...files, repository, tags: 'stable', ...credentials }, { workspace }).status).toBe(0)
    const again = runAction({ ...files, repository, tags: 'next', 'compare-to': 'stable', ...credentials }, { workspace })
    expect(again.status).toBe(0)
    expect(again.outputs['config-changed']).toBe('0')
    expect(readJson(again.outputs['drift-report'])).toMatchObject({ sameConfig: true, changes: [] })
    expect(again.summary).toMatch(/<p>no config change \(both are sha256:[0-9a-f]{64}\)<\/p>/)
    const missing = runAction({ ...files, repository, tags: 'next', 'compare-to': 'nope', ...credentials }, { workspace })
    expect(missing.status).toBe(0)
    expect(missing.commands).toContain(`::notice::compare-to: ${repository}:nope does not exist yet, so there is nothing to compare with`)
    expect(missing.outputs['config-changed']).toBeUndefined()
  })

  it('picks the same architecture from a multi-arch index', () => {
    const repository = `${registry.host}/kernels/multi`
    const x86 = release('multi-x86', zone, '6.1.192', 64 * 1024)
    const armDir = path.join(workspace, 'multi-arm')
    fs.mkdirSync(armDir)
    fs.writeFileSync(path.join(armDir, 'Image'), craftArm64Image())
    const common = { repository, 'push-by-digest': 'true', 'compare-to': 'none', ...credentials }
    const a = runAction({ ...x86, ...common }, { workspace })
    const b = runAction({ config: AARCH64_CONFIG, image: path.join(armDir, 'Image'), ...common }, { workspace })
    expect([a.status, b.status]).toEqual([0, 0])
    const merged = runAction({ merge: `${a.outputs.digest}\n${b.outputs.digest}`, repository, tags: 'latest', ...credentials }, { workspace })
    expect(merged.status).toBe(0)

    const now = release('multi-new', newConfig(), '6.1.192', 64 * 1024)
    const run = runAction({ ...now, repository, tags: 'latest', ...credentials }, { workspace })
    const drift = expectDriftOutputs(run)
    expect(drift.before).toMatchObject({ ref: `${repository}:latest`, digest: a.outputs.digest, version: '6.1.192', flavor: 'zone' })
    expect(run.commands).toContain(
      `::notice title=CONFIG_XEN_PRIVCMD changed since 6.1.192,file=${now.fragment},line=2::CONFIG_XEN_PRIVCMD was =y in 6.1.192, now =m`,
    )
    // A single image is whatever was pushed there: compared across architectures, the step says so.
    const across = runAction({ config: now.config, repository, 'compare-to': `${repository}@${b.outputs.digest}`, ...credentials }, { workspace })
    expect(across.status).toBe(0)
    expect(across.commands).toContain(
      `::warning::compare-to: ${repository}@${b.outputs.digest} holds an aarch64 kernel and this one is x86_64: the drift compares across architectures`,
    )
  })

  it('fails with one line when an explicit reference cannot be read without the credentials', () => {
    const files = release('noauth', newConfig(), '6.1.192', 64 * 1024)
    const run = runAction({ config: files.config, 'compare-to': `${registry.host}/kernels/zone:latest` }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands.at(-1)).toMatch(new RegExp(`^::error::registry ${registry.host.replace(/\./g, '\\.')}: .*401`))
    expect(run.stdout).not.toContain(auth.pass)
  })
})

describe('compare-to through a local OCI layout', () => {
  it('compares with the layout tag by default, and in a check-only run compares the config alone', () => {
    const old = release('lay-old', oldConfig('6.1.191'), '6.1.191', 64 * 1024)
    const first = runAction({ ...old, 'oci-layout': 'layout', tags: 'latest' }, { workspace })
    expect(first.status).toBe(0)
    const before = layoutRaw(`oci:${path.join(workspace, 'layout')}:latest`)

    const now = release('lay-new', newConfig(), '6.1.192', 64 * 1024)
    const checkOnly = runAction(
      { config: now.config, fragment: now.fragment, 'compare-to': `oci:${path.join(workspace, 'layout')}:latest` },
      { workspace },
    )
    const configOnly = expectDriftOutputs(checkOnly)
    expect(configOnly.after).toEqual({
      ref: now.config,
      digest: null,
      configDigest: expect.stringMatching(/^sha256:/),
      version: '6.1.192',
      unameR: null,
      flavor: null,
      tags: [],
      sizes: { 'kernel/image': null, 'kernel/addons.squashfs': null },
    })
    expect(checkOnly.summary).not.toContain('kernel/image layer')

    const second = runAction({ ...now, 'oci-layout': 'layout', tags: 'latest' }, { workspace })
    const drift = expectDriftOutputs(second)
    expect(drift.before).toMatchObject({ ref: 'oci:layout:latest', digest: first.outputs.digest, version: '6.1.191', sizes: sizesOf(before) })
    expect(drift.after).toMatchObject({ ref: `oci:layout@${second.outputs.digest}`, version: '6.1.192' })
  })

  it('still reports the drift when the check fails, with the notice on the config line beside the error', () => {
    const broken = zone.replace('CONFIG_XEN_BLKDEV_FRONTEND=y\n', 'CONFIG_XEN_BLKDEV_FRONTEND=m\n')
    fs.mkdirSync(path.join(workspace, 'broken'))
    fs.writeFileSync(path.join(workspace, 'broken', '.config'), broken)
    const run = runAction({ config: 'broken/.config', 'compare-to': 'oci:layout:latest' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.outputs['config-changed']).toBe('5') // the layout's latest is the changed kernel now: its 4, and this one
    const at = line(broken, 'CONFIG_XEN_BLKDEV_FRONTEND=m')
    expect(run.commands).toContain(
      `::notice title=CONFIG_XEN_BLKDEV_FRONTEND changed since 6.1.192,file=broken/.config,line=${at}::CONFIG_XEN_BLKDEV_FRONTEND was =y in 6.1.192, now =m`,
    )
    expect(run.commands.filter((c) => c.startsWith('::error'))).toHaveLength(2) // the option's error, then the step's
    expect(run.summary).toContain('<h3>Since <code>oci:layout:latest</code></h3>')
  })

  it('refuses a compare-to that is no reference, naming the input', () => {
    const run = runAction({ config: path.relative(workspace, ZONE_CONFIG), 'compare-to': 'not a tag!' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands.at(-1)).toBe('::error::compare-to: "not a tag!" is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none')
  })
})

describe('kernel-action diff', () => {
  const cli = (...args: string[]) => runCli(['diff', ...args], { cwd: workspace })

  it('prints the drift between two configs (plain and gzip), exit 1 when options changed', async () => {
    const old = release('cli-old', oldConfig('6.1.191'), '6.1.191', 64 * 1024)
    const now = release('cli-new', newConfig(), '6.1.192', 64 * 1024)
    fs.writeFileSync(path.join(workspace, 'cli-new', 'config.gz'), gzipSync(newConfig()))
    const run = await cli(old.config, 'cli-new/config.gz')
    expect(run.stderr).toBe('')
    expect(run.status).toBe(1)
    expect(run.stdout).toBe(
      `Since ${old.config}:\n` +
        '  kernel version: 6.1.191 → 6.1.192\n' +
        `  config: ${sha256(oldConfig('6.1.191'))} → ${sha256(newConfig())}\n` +
        '4 options changed (1 added, 1 removed, 2 changed): 1 requirement, 2 Xen, 1 other\n' +
        '  requirement changed CONFIG_XEN_PRIVCMD        y → m\n' +
        '  xen         removed CONFIG_XEN_DEBUG_FS       not set → absent\n' +
        '  xen         added   CONFIG_XEN_GNTDEV_DMABUF  absent → y\n' +
        '  other       changed CONFIG_NR_CPUS            64 → 128\n',
    )
    expect((await cli(old.config, old.config)).status).toBe(0)
    void now
  })

  it('reads an image reference (a layout here) and prints JSON with --json', async () => {
    const old = release('cli-img', oldConfig('6.1.191'), '6.1.191', 64 * 1024)
    const published = runAction({ ...old, 'oci-layout': 'cli-layout', tags: 'v1' }, { workspace })
    expect(published.status).toBe(0)
    const now = release('cli-img-new', newConfig(), '6.1.192', 64 * 1024)
    const run = await cli('oci:cli-layout:v1', now.config, '--json')
    expect(run.stderr).toBe('')
    expect(run.status).toBe(1)
    const drift = parseJson<DriftReport>(run.stdout)
    expect(drift.before).toMatchObject({ ref: 'oci:cli-layout:v1', digest: published.outputs.digest, version: '6.1.191', unameR: '6.1.191-crafted' })
    expect(drift.changes).toEqual(expectedChanges(newConfig()))
    // A gzip or zstd layer is read the same way (the layer reader decompresses it).
    for (const compression of ['gzip', 'zstd']) {
      const packed = runAction({ ...old, 'oci-layout': `cli-${compression}`, tags: 'v1', compression }, { workspace })
      expect(packed.status).toBe(0)
      const json = parseJson<DriftReport>((await cli(`oci:cli-${compression}:v1`, now.config, '--json')).stdout)
      expect([json.before.digest, json.changes]).toEqual([packed.outputs.digest, expectedChanges(newConfig())])
    }
    expect(await cli('oci:cli-layout:v2', now.config)).toMatchObject({
      status: 2,
      stderr: 'kernel-action: diff: oci:cli-layout:v2 is neither a file nor an existing image\n',
    })
  })
})
