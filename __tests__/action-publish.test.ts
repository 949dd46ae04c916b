import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { ROOT, runAction, runActionAsync } from './support/run-action.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { startTokenServer, type RunningTokenServer } from './support/token-server.js'
import { parseJson, type ImageConfigJson, type OciJson, type RegistryErrorsJson, type SkopeoInspect } from './support/json.js'
import { fileSha256Hex as sha256, sha256Digest } from './support/digest.js'

const SAMPLE = path.join(ROOT, 'assets', 'sample')
const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-ws-'))
const sampleInputs = () => ({
  config: path.join(SAMPLE, 'config'),
  image: path.join(SAMPLE, 'bzImage'),
  addons: path.join(SAMPLE, 'addons.squashfs'),
})
const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' })

let plain: RunningRegistry
let guarded: RunningRegistry
let tokens: RunningTokenServer

beforeAll(async () => {
  plain = await startRegistry()
  guarded = await startRegistry()
  tokens = await startTokenServer({ upstream: guarded.host, user: 'robot', pass: 'hunter2-token' })
})
afterAll(async () => {
  await tokens?.stop()
  await guarded?.stop()
  await plain?.stop()
  fs.rmSync(workspace, { recursive: true, force: true })
})

/** Unpacks tag `tag` of an OCI layout with umoci (an independent reader) and returns the rootfs. */
function unpack(layout: string, tag: string): string {
  const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-'))
  fs.rmSync(bundle, { recursive: true })
  execFileSync('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { stdio: 'ignore' })
  return path.join(bundle, 'rootfs')
}

describe('quick start: the bundled sample kernel into a local OCI layout', () => {
  it('runs with no inputs at all and leaves ./kernel-oci that skopeo and umoci read', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'quick-'))
    const run = runAction({}, { workspace: cwd, env: { RUNNER_TEMP: '' } })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const version = run.outputs.version
    expect(run.outputs.tags).toBe(version)
    expect(run.outputs['image-ref']).toBe(`oci:kernel-oci@${run.outputs.digest}`)
    const layout = path.join(cwd, 'kernel-oci')
    const inspected = parseJson<SkopeoInspect>(skopeo('inspect', `oci:${layout}:${version}`))
    expect(inspected).toMatchObject({ Architecture: 'amd64', Os: 'linux' })
    expect(inspected.Digest).toBe(run.outputs.digest)
    const rootfs = unpack(layout, version)
    expect(fs.readdirSync(path.join(rootfs, 'kernel')).sort()).toEqual(['addons.squashfs', 'config.gz', 'image', 'metadata'])
    expect(sha256(path.join(rootfs, 'kernel', 'image'))).toBe(sha256(path.join(SAMPLE, 'bzImage')))
    expect(sha256(path.join(rootfs, 'kernel', 'addons.squashfs'))).toBe(sha256(path.join(SAMPLE, 'addons.squashfs')))
    const config = fs.readFileSync(path.join(SAMPLE, 'config'))
    expect(gunzipSync(fs.readFileSync(path.join(rootfs, 'kernel', 'config.gz')))).toEqual(config)
    const configDigest = sha256Digest(config)
    expect(run.outputs['config-digest']).toBe(configDigest)
    expect(fs.readFileSync(path.join(rootfs, 'kernel', 'metadata'), 'utf8')).toBe(
      `KERNEL_ARCH=x86_64\nKERNEL_VERSION=${version}\nKERNEL_UNAME_R=${run.outputs['uname-r']}\nKERNEL_FLAVOR=zone\n` +
        `KERNEL_CONFIG=${configDigest}\nKERNEL_TAGS=${version}\n`,
    )
    expect(run.outputs['uname-r'].startsWith(version)).toBe(true)
    expect(fs.readFileSync(run.outputs.metadata, 'utf8')).toBe(fs.readFileSync(path.join(rootfs, 'kernel', 'metadata'), 'utf8'))
  })

  it('gives the same manifest digest for the same inputs, in another folder', () => {
    const env = { SOURCE_DATE_EPOCH: '1700000000' }
    const a = runAction({ ...sampleInputs(), 'oci-layout': 'a' }, { workspace: fs.mkdtempSync(path.join(workspace, 'det-')), env })
    const b = runAction({ ...sampleInputs(), 'oci-layout': 'b' }, { workspace: fs.mkdtempSync(path.join(workspace, 'det-')), env })
    expect(a.status).toBe(0)
    expect(a.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(b.outputs.digest).toBe(a.outputs.digest)
  })

  it('expands tag templates and adds the user annotations to the manifest', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'ann-'))
    const run = runAction(
      { ...sampleInputs(), tags: '{{version}}\n{{major}}.{{minor}}\nlatest', annotations: 'org.example.team=xen', 'oci-layout': 'layout' },
      { workspace: cwd },
    )
    expect(run.status).toBe(0)
    const version = run.outputs.version
    const [major, minor] = version.split('.')
    expect(run.outputs.tags.split('\n')).toEqual([version, `${major}.${minor}`, 'latest'])
    const manifest = parseJson<OciJson>(skopeo('inspect', '--raw', `oci:${path.join(cwd, 'layout')}:${major}.${minor}`))
    expect(manifest.annotations).toMatchObject({
      'org.example.team': 'xen',
      'dev.edera.kernel.tags': `${version},${major}.${minor},latest`,
      'org.opencontainers.image.title': 'zone-kernel',
    })
  })
})

describe('publishing to a real registry', () => {
  it('pushes to a plain loopback registry; skopeo reads the same manifest; a re-publish uploads nothing', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'push-'))
    const inputs = { ...sampleInputs(), repository: `${plain.host}/kernels/zone-kernel`, tags: 'latest', 'oci-layout': 'layout' }
    const env = { SOURCE_DATE_EPOCH: '1700000000' }
    const first = runAction(inputs, { workspace: cwd, env })
    expect(first.status).toBe(0)
    expect(first.outputs['image-ref']).toBe(`${plain.host}/kernels/zone-kernel@${first.outputs.digest}`)
    const remote = skopeo('inspect', '--tls-verify=false', '--raw', `docker://${plain.host}/kernels/zone-kernel:latest`)
    expect(remote).toBe(fs.readFileSync(path.join(cwd, 'layout', 'blobs', 'sha256', first.outputs.digest.slice(7)), 'utf8'))
    const manifest = parseJson<OciJson>(remote)
    expect(manifest.annotations).toMatchObject({
      'dev.edera.kernel.format': '1',
      'dev.edera.kernel.version': first.outputs.version,
      'dev.edera.kernel.flavor': 'zone',
      'dev.edera.kernel.config': first.outputs['config-digest'],
      'dev.edera.kernel.tags': 'latest',
      'dev.edera.kernel.arch': 'x86_64',
      'org.opencontainers.image.source': 'https://github.com/krata/kernel-demo',
      'org.opencontainers.image.revision': '0123456789abcdef0123456789abcdef01234567',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
    })
    const config = parseJson<ImageConfigJson>(
      skopeo('inspect', '--tls-verify=false', '--config', '--raw', `docker://${plain.host}/kernels/zone-kernel:latest`),
    )
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } })
    expect(config.history).toHaveLength(4)

    // Pull back with skopeo and compare the kernel bytes.
    const pulled = fs.mkdtempSync(path.join(workspace, 'pulled-'))
    skopeo('copy', '--src-tls-verify=false', '--preserve-digests', `docker://${plain.host}/kernels/zone-kernel:latest`, `oci:${pulled}:latest`)
    expect(sha256(path.join(unpack(pulled, 'latest'), 'kernel', 'image'))).toBe(sha256(path.join(SAMPLE, 'bzImage')))

    const again = runAction(inputs, { workspace: cwd, env })
    expect(again.status).toBe(0)
    expect(again.outputs.digest).toBe(first.outputs.digest)
    expect(again.stdout).toMatch(/: 0 blobs uploaded \(0 B\), 5 already there, 0 mounted/)
  })

  it('pushes through a Bearer token challenge (as ghcr.io asks) and masks the password', async () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'bearer-'))
    // The token proxy answers from this process, so the action must run without blocking it.
    const run = await runActionAsync(
      { ...sampleInputs(), repository: `${tokens.host}/org/zone-kernel`, username: 'robot', password: 'hunter2-token' },
      { workspace: cwd },
    )
    expect(run.commands.filter((c) => c.startsWith('::error'))).toEqual([])
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('::add-mask::hunter2-token')
    expect(run.stdout.replaceAll('::add-mask::hunter2-token', '')).not.toContain('hunter2-token')
    expect(tokens.tokenRequests.length).toBeGreaterThan(0)
    const digest = skopeo(
      'inspect',
      '--tls-verify=false',
      '--format',
      '{{.Digest}}',
      `docker://${guarded.host}/org/zone-kernel:${run.outputs.version}`,
    ).trim()
    expect(digest).toBe(run.outputs.digest)
  })

  it('keeps the check summary when publishing then fails', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'late-'))
    // A tag that only the config's version makes too long (129 characters): nothing can judge it before the check.
    const long = 'k'.repeat(122)
    const run = runAction({ ...sampleInputs(), tags: `${long}{{version}}` }, { workspace: cwd })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([
      `::error::tags: "${long}6.1.192" is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)`,
    ])
    expect(run.outputs.passed).toBe('true')
    expect(run.summary).toContain('<h2>krata zone kernel check: passed</h2>')
  })

  it('refuses a bzImage krata cannot load (zstd payload) before writing anything, unless boot-rules is off', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'zstd-'))
    const zstd = Buffer.from(fs.readFileSync(path.join(SAMPLE, 'bzImage')))
    // Put the zstd frame magic where the boot header says the payload starts.
    const payload = (zstd.readUInt8(0x1f1) + 1) * 512 + zstd.readUInt32LE(0x248)
    Buffer.from([0x28, 0xb5, 0x2f, 0xfd]).copy(zstd, payload)
    fs.writeFileSync(path.join(cwd, 'bzImage'), zstd)
    const inputs = { ...sampleInputs(), image: 'bzImage', 'oci-layout': 'layout' }
    const run = runAction(inputs, { workspace: cwd })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([
      "::error::image: bzImage is a zstd-compressed bzImage; krata's loader only finds gzip or xz kernels (CONFIG_KERNEL_GZIP=y or CONFIG_KERNEL_XZ=y; boot-rules: false to publish anyway)",
    ])
    expect(fs.existsSync(path.join(cwd, 'layout'))).toBe(false)
    expect(runAction({ ...inputs, 'boot-rules': 'false' }, { workspace: cwd }).status).toBe(0)
  })

  it('publishes nothing when the config fails its requirements', () => {
    const cwd = fs.mkdtempSync(path.join(workspace, 'fail-'))
    const run = runAction(
      {
        ...sampleInputs(),
        config: path.join(ROOT, '__tests__', 'fixtures', 'configs', 'x86_64-defconfig.config'),
        repository: `${plain.host}/kernels/never`,
      },
      { workspace: cwd },
    )
    expect(run.status).toBe(1)
    expect(run.outputs.digest).toBeUndefined()
    expect(fs.existsSync(path.join(cwd, 'kernel-oci'))).toBe(false)
    const tags = execFileSync('curl', ['-s', `http://${plain.host}/v2/kernels/never/tags/list`], { encoding: 'utf8' })
    expect(parseJson<RegistryErrorsJson>(tags).errors[0]?.code).toBe('NAME_UNKNOWN')
  })
})
