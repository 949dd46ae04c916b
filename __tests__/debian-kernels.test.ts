// Real distribution kernels, published with their own unedited /boot/config-*: Debian's release is an ABI name
// (6.1.0-56-amd64) while its config header says the upstream version (6.1.192), which the kernel's version string
// names ("... Debian 6.1.192-2 (...)"). Fetched with scripts/debian-package.sh (apt-get download + dpkg-deb -x, cached).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { ROOT, runActionAsync } from './support/run-action.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { sha256Hex as sha256 } from './support/digest.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'debian-kernels-'))
const skopeo = (...args: string[]): string => execFileSync('skopeo', args, { encoding: 'utf8', maxBuffer: 64 << 20 })
let registry: RunningRegistry

beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
  fs.rmSync(workspace, { recursive: true, force: true })
})

interface DebianKernel {
  config: string
  image: string
  release: string
}

/** The /boot files of a Debian linux-image package, fetched (or taken from the cache) by debian-package.sh. */
function debianKernel(packageSpec: string): DebianKernel {
  const dir = execFileSync('bash', [path.join(ROOT, 'scripts', 'debian-package.sh'), packageSpec], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim()
  const boot = path.join(dir, 'boot')
  const config = fs.readdirSync(boot).find((name) => name.startsWith('config-'))!
  const release = config.slice('config-'.length)
  return { config: path.join(boot, config), image: path.join(boot, `vmlinuz-${release}`), release }
}

function blob(layout: string, digest: string): Buffer {
  return fs.readFileSync(path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)))
}

describe.each([
  ['amd64', 'linux-image-amd64', 'x86_64'],
  ['arm64', 'linux-image-arm64:arm64', 'aarch64'],
])('Debian %s kernel with its own config', (ociArch, packageSpec, kernelArch) => {
  it('publishes to a registry; skopeo copies it back byte for byte, with the real release and the upstream version', async () => {
    const kernel = debianKernel(packageSpec)
    const configBytes = fs.readFileSync(kernel.config)
    const upstream = /^# Linux\/\S+ (\S+) Kernel Configuration$/m.exec(configBytes.toString('utf8'))![1]!
    expect(kernel.release.startsWith(upstream)).toBe(false) // the case this test is about: 6.1.0-56-amd64 vs 6.1.192
    const repository = `${registry.host}/debian/linux-image-${ociArch}`
    const cwd = fs.mkdtempSync(path.join(workspace, `${ociArch}-`))
    // Debian's config is a general-purpose one: many zone needs are modules there, so the zone check fails.
    // fail-on: never publishes anyway; this test is about publishing a distribution kernel, not about the zone list.
    const run = await runActionAsync(
      { config: kernel.config, image: kernel.image, repository, tags: 'v1', 'fail-on': 'never', 'oci-layout': 'layout' },
      { workspace: cwd, env: { SOURCE_DATE_EPOCH: '1700000000' }, timeoutMs: 300_000 },
    )
    expect(run.commands.filter((line) => line.startsWith('::error::'))).toEqual([]) // no step failure, only the zone check's
    expect(run.outputs.passed).toBe('false')
    expect(run.status).toBe(0)
    expect(run.outputs['uname-r']).toBe(kernel.release)
    expect(run.outputs.version).toBe(upstream)

    // An independent client copies the image back out of the registry into a fresh layout.
    const copied = path.join(cwd, 'copied')
    skopeo('copy', '--quiet', '--preserve-digests', '--src-tls-verify=false', `docker://${repository}:v1`, `oci:${copied}:v1`)
    const layout = path.join(cwd, 'layout')
    const manifestBytes = blob(layout, run.outputs.digest)
    expect(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${repository}:v1`)).toBe(manifestBytes.toString('utf8'))
    expect(blob(copied, run.outputs.digest)).toEqual(manifestBytes)
    const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] }
    for (const descriptor of [manifest.config, ...manifest.layers]) expect(sha256(blob(copied, descriptor.digest))).toBe(descriptor.digest.slice(7))
    expect(JSON.parse(blob(copied, manifest.config.digest).toString('utf8'))).toMatchObject({ architecture: ociArch, os: 'linux' })

    // What krata reads: the kernel itself, the unedited config, and the metadata with both versions.
    const bundle = path.join(cwd, 'bundle')
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${copied}:v1`, bundle], { stdio: 'ignore' })
    const files = path.join(bundle, 'rootfs', 'kernel')
    expect(sha256(fs.readFileSync(path.join(files, 'image')))).toBe(sha256(fs.readFileSync(kernel.image)))
    expect(gunzipSync(fs.readFileSync(path.join(files, 'config.gz')))).toEqual(configBytes)
    expect(fs.readFileSync(path.join(files, 'metadata'), 'utf8')).toBe(
      `KERNEL_ARCH=${kernelArch}\nKERNEL_VERSION=${upstream}\nKERNEL_UNAME_R=${kernel.release}\nKERNEL_FLAVOR=zone\n` +
        `KERNEL_CONFIG=sha256:${sha256(configBytes)}\nKERNEL_TAGS=v1\n`,
    )
  })
})
