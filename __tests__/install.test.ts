import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { installKernel } from '../src/install/install-kernel.js'
import { runHostCommand } from '../src/host-commands.js'
import { craftArm64Image, craftBzImage } from './support/crafted-kernel.js'
import { ROOT } from './support/run-action.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { always, startFaultProxy } from './support/fault-proxy.js'
import { startTokenServer } from './support/token-server.js'
import { METADATA, buildActionImage, handMadeLayout, indexInLayout, writePayload, type KernelPayload } from './support/kernel-images.js'

let work: string
let oldPayload: KernelPayload
let newPayload: KernelPayload
let oldLayout: string
let newLayout: string
let newDigest: string
let registry: RunningRegistry
const NEW_METADATA = METADATA.replace('6.1.192-crafted', '6.1.193-crafted').replace('KERNEL_VERSION=6.1.192', 'KERNEL_VERSION=6.1.193')

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'install-'))
  oldPayload = writePayload(path.join(work, 'old'), { addonsBytes: 300_000 })
  newPayload = writePayload(path.join(work, 'new'), {
    addonsBytes: 2_500_000,
    kernel: craftBzImage(128 * 1024, '6.1.193-crafted (test@kernel-action) #2 SMP'),
    metadata: NEW_METADATA,
  })
  oldLayout = path.join(work, 'old-layout')
  newLayout = path.join(work, 'new-layout')
  await buildActionImage(oldLayout, oldPayload)
  newDigest = await buildActionImage(newLayout, newPayload)
  registry = await startRegistry()
})
afterAll(async () => {
  await registry.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

function freshRoot(): string {
  return fs.mkdtempSync(path.join(work, 'root-'))
}

async function install(...args: string[]): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = []
  const status = await runHostCommand('install', args, { out: (line) => lines.push(line), err: () => undefined })
  return { status, lines }
}

/** The zone folder holds exactly these files, byte for byte. */
function expectInstalled(root: string, payload: KernelPayload, metadata: string): void {
  const zone = path.join(root, 'var/lib/krata/zone')
  expect(fs.readFileSync(path.join(zone, 'kernel')).equals(fs.readFileSync(payload.image))).toBe(true)
  expect(fs.readFileSync(path.join(zone, 'addons.squashfs')).equals(fs.readFileSync(payload.addons))).toBe(true)
  expect(fs.readFileSync(path.join(zone, 'metadata'), 'utf8')).toBe(metadata)
}

const zoneFiles = (root: string): string[] => fs.readdirSync(path.join(root, 'var/lib/krata/zone')).sort()

describe('kernel-action install', () => {
  it('installs from a real registry into an empty root, byte for byte', async () => {
    const ref = `${registry.host}/kernels/zone:6.1.193`
    execFileSync('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${newLayout}:v1`, `docker://${ref}`])
    const root = freshRoot()
    const result = await install(ref, '--root', root, '--arch', 'x86_64')
    const digest = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`], {
      encoding: 'utf8',
    }).trim()
    const zone = path.join(root, 'var/lib/krata/zone')
    expect(result).toEqual({
      status: 0,
      lines: [
        `installed ${ref}@${digest}`,
        `${zone}/addons.squashfs: from the image`,
        `${zone}/metadata: from the image`,
        `${zone}/kernel: Linux 6.1.193-crafted (x86_64 bzImage, 131.5 KiB)`,
      ],
    })
    expectInstalled(root, newPayload, NEW_METADATA)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'kernel', 'metadata'])
  })

  it('installs from a local layout over an older kernel, keeping the old pair as *.previous and saying what it replaced', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const result = await install(`oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const zone = path.join(root, 'var/lib/krata/zone')
    expect(result.lines.slice(1)).toEqual([
      `${zone}/addons.squashfs: from the image; replaced 293.0 KiB (kept as addons.squashfs.previous)`,
      `${zone}/metadata: from the image; replaced metadata of 6.1.192-crafted (kept as metadata.previous)`,
      `${zone}/kernel: Linux 6.1.193-crafted (x86_64 bzImage, 131.5 KiB); replaced Linux 6.1.192-crafted (x86_64 bzImage, 99.5 KiB) (kept as kernel.previous)`,
    ])
    expectInstalled(root, newPayload, NEW_METADATA)
    expect(fs.readFileSync(path.join(zone, 'kernel.previous')).equals(fs.readFileSync(oldPayload.image))).toBe(true)
    expect(fs.readFileSync(path.join(zone, 'addons.squashfs.previous')).equals(fs.readFileSync(oldPayload.addons))).toBe(true)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'addons.squashfs.previous', 'kernel', 'kernel.previous', 'metadata', 'metadata.previous'])
  })

  it('--dry-run says what it would do and writes nothing', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const before = zoneFiles(root)
    const result = await install(`oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64', '--dry-run')
    const zone = path.join(root, 'var/lib/krata/zone')
    expect(result.lines[0]).toMatch(new RegExp(`^would read 4 layers \\([0-9.]+ MiB\\) of oci:${newLayout}:v1@sha256:[0-9a-f]{64}$`))
    expect(result.lines.slice(1)).toEqual([
      `would install ${zone}/addons.squashfs (replacing 293.0 KiB, kept as addons.squashfs.previous)`,
      `would install ${zone}/metadata (replacing metadata of 6.1.192-crafted, kept as metadata.previous)`,
      `would install ${zone}/kernel (replacing Linux 6.1.192-crafted (x86_64 bzImage, 99.5 KiB), kept as kernel.previous)`,
    ])
    expect(zoneFiles(root)).toEqual(before)
    expectInstalled(root, oldPayload, METADATA)
  })

  it("picks the asked architecture's image from a multi-arch index", async () => {
    const dir = path.join(work, 'index-layout')
    const armMetadata = METADATA.replace('KERNEL_ARCH=x86_64', 'KERNEL_ARCH=aarch64')
    const armPayload = writePayload(path.join(work, 'arm'), { kernel: craftArm64Image(), metadata: armMetadata, addonsBytes: 50_000 })
    const layers = ['image', 'addons.squashfs', 'metadata'].map((file) => ({
      tarArgs: ['kernel/', `kernel/${file}`],
      createdBy: `COPY ${file} /kernel/${file}`,
    }))
    const amd64 = handMadeLayout(dir, newPayload.dir, { layers }, 'amd64')
    const arm64 = handMadeLayout(dir, armPayload.dir, { layers, architecture: 'arm64' }, 'arm64')
    indexInLayout(
      dir,
      [
        { manifest: amd64, architecture: 'amd64' },
        { manifest: arm64, architecture: 'arm64' },
      ],
      'v1',
    )
    const x86Root = freshRoot()
    expect((await install(`oci:${dir}:v1`, '--root', x86Root, '--arch', 'x86_64')).lines[0]).toBe(`installed oci:${dir}:v1@${amd64.digest}`)
    expectInstalled(x86Root, newPayload, NEW_METADATA)
    const armRoot = freshRoot()
    expect((await install(`oci:${dir}:v1`, '--root', armRoot, '--arch', 'aarch64')).lines[0]).toBe(`installed oci:${dir}:v1@${arm64.digest}`)
    expectInstalled(armRoot, armPayload, armMetadata)
  })

  it('refuses a kernel for another architecture than asked, before touching anything', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    await expect(install(`oci:${newLayout}:v1`, '--root', root, '--arch', 'aarch64')).rejects.toThrow(
      `oci:${newLayout}:v1@${newDigest}: kernel/image is an x86_64 kernel, not aarch64`,
    )
    expectInstalled(root, oldPayload, METADATA)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'kernel', 'metadata'])
  })

  it('refuses a kernel/image that is a symbolic link with one line, before touching anything', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const linked = path.join(work, 'payload-symlink')
    fs.cpSync(newPayload.dir, linked, { recursive: true })
    fs.renameSync(path.join(linked, 'kernel', 'image'), path.join(linked, 'kernel', 'vmlinuz'))
    fs.symlinkSync('vmlinuz', path.join(linked, 'kernel', 'image'))
    const layout = path.join(work, 'symlink-layout')
    handMadeLayout(layout, linked, {
      layers: [
        { tarArgs: ['kernel/', 'kernel/vmlinuz', 'kernel/image'], createdBy: 'COPY kernel /kernel/' },
        { tarArgs: ['kernel/', 'kernel/config.gz'], createdBy: 'COPY config.gz /kernel/config.gz' },
        { tarArgs: ['kernel/', 'kernel/addons.squashfs'], createdBy: 'COPY addons.squashfs /kernel/addons.squashfs' },
        { tarArgs: ['kernel/', 'kernel/metadata'], createdBy: 'COPY metadata /kernel/metadata' },
      ],
    })
    // Thrown from inside the tar walk: it must come back as this one line, not escape as an uncaught exception.
    await expect(install(`oci:${layout}:v1`, '--root', root, '--arch', 'x86_64')).rejects.toThrow(
      /: kernel\/image is a SymbolicLink entry, not a regular file$/,
    )
    expectInstalled(root, oldPayload, METADATA)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'kernel', 'metadata'])
  })

  it('a failure between two renames puts the old kernel, addons and metadata back', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const renamed: string[] = []
    const failing = installKernel(`oci:${newLayout}:v1`, {
      root,
      arch: 'x86_64',
      log: () => undefined,
      beforeCommit: (target) => {
        if (target === 'kernel') throw new Error('disk full (injected)')
        renamed.push(target)
      },
    })
    await expect(failing).rejects.toThrow('disk full (injected)')
    expect(renamed).toEqual(['addons.squashfs', 'metadata'])
    expectInstalled(root, oldPayload, METADATA)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'addons.squashfs.previous', 'kernel', 'kernel.previous', 'metadata', 'metadata.previous'])
  })

  it('an install that stops dead between renames is rolled back by the next run before it installs', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    // Never resolving leaves the disk exactly as a process killed at this point would.
    void installKernel(`oci:${newLayout}:v1`, {
      root,
      arch: 'x86_64',
      log: () => undefined,
      beforeCommit: (target) => (target === 'kernel' ? new Promise<void>(() => undefined) : undefined),
    })
    const zone = path.join(root, 'var/lib/krata/zone')
    while (!fs.existsSync(path.join(zone, '.kernel-action-install.json')) || fs.readFileSync(path.join(zone, 'metadata'), 'utf8') !== NEW_METADATA) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    // Half-installed: new addons and metadata beside the old kernel.
    expect(fs.readFileSync(path.join(zone, 'kernel')).equals(fs.readFileSync(oldPayload.image))).toBe(true)
    const log: string[] = []
    await installKernel(`oci:${newLayout}:v1`, { root, arch: 'x86_64', log: (line) => log.push(line) })
    expect(log).toEqual([`${zone}: rolled back an interrupted install (restored addons.squashfs, metadata, kernel)`])
    expectInstalled(root, newPayload, NEW_METADATA)
    // The previous pair is the old kernel's, not the half-installed one's.
    expect(fs.readFileSync(path.join(zone, 'addons.squashfs.previous')).equals(fs.readFileSync(oldPayload.addons))).toBe(true)
    expect(fs.readFileSync(path.join(zone, 'metadata.previous'), 'utf8')).toBe(METADATA)
  })

  it('a process killed (SIGKILL) half-way through writing the addons leaves the old kernel in place', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    // The new image in a registry behind a proxy that stalls the addons download half-way: the test decides how much
    // of it the install gets. (A FIFO in a layout is refused before it is read.)
    const manifestDigest = (JSON.parse(fs.readFileSync(path.join(newLayout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] })
      .manifests[0]!.digest
    const manifest = JSON.parse(fs.readFileSync(path.join(newLayout, 'blobs/sha256', manifestDigest.slice(7)), 'utf8')) as {
      layers: { digest: string; size: number }[]
    }
    const addons = manifest.layers[1]!
    execFileSync('skopeo', [
      'copy',
      '--quiet',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${newLayout}:v1`,
      `docker://${registry.host}/kernels/slow:v1`,
    ])
    const proxy = await startFaultProxy(
      registry.host,
      always((r) => r.method === 'GET' && r.path.endsWith(`/blobs/${addons.digest}`), { kind: 'stall', afterBytes: addons.size >> 1 }),
    )
    const child = spawn(
      process.execPath,
      [path.join(ROOT, 'dist/cli/index.js'), 'install', `${proxy.host}/kernels/slow:v1`, '--root', root, '--arch', 'x86_64'],
      {
        stdio: 'ignore',
      },
    )
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)))
    const zone = path.join(root, 'var/lib/krata/zone')
    // Each layer is staged in its own folder under .kernel-action-incoming-*; the addons are layer 2.
    const stagedAddons = (): number => {
      for (const name of fs.readdirSync(zone)) {
        const file = path.join(zone, name, '1', 'addons.squashfs')
        if (name.startsWith('.kernel-action-incoming-') && fs.existsSync(file)) return fs.statSync(file).size
      }
      return 0
    }
    while (stagedAddons() === 0 && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5))
    child.kill('SIGKILL')
    expect(await exited).toBe('SIGKILL')
    await proxy.stop()

    expectInstalled(root, oldPayload, METADATA)
    expect(zoneFiles(root).filter((name) => !name.startsWith('.kernel-action-incoming-'))).toEqual(['addons.squashfs', 'kernel', 'metadata'])
    // The next install clears the half-written files and completes.
    await install(`oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64')
    expectInstalled(root, newPayload, NEW_METADATA)
    expect(zoneFiles(root).some((name) => name.startsWith('.kernel-action-incoming-'))).toBe(false)
  })
})

describe('kernel-action install through a Bearer token registry (as ghcr.io asks)', () => {
  it('authenticates with ~/.docker/config.json, and without it says the registry refused', async () => {
    const tokens = await startTokenServer({ upstream: registry.host, user: 'robot', pass: 'hunter2-token' })
    try {
      execFileSync('skopeo', [
        'copy',
        '--quiet',
        '--preserve-digests',
        '--dest-tls-verify=false',
        `oci:${newLayout}:v1`,
        `docker://${registry.host}/org/zone-kernel:v1`,
      ])
      const home = fs.mkdtempSync(path.join(work, 'home-'))
      const root = freshRoot()
      const cli = (env: Record<string, string>) =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = spawn(
            process.execPath,
            [path.join(ROOT, 'dist/cli/index.js'), 'install', `${tokens.host}/org/zone-kernel:v1`, '--root', root, '--arch', 'x86_64'],
            {
              env: { PATH: process.env.PATH ?? '', ...env },
            },
          )
          let stdout = ''
          let stderr = ''
          child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
          child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
          child.once('close', (status) => resolve({ status, stdout, stderr }))
        })
      const refused = await cli({ HOME: home })
      expect(refused.status).toBe(2)
      expect(refused.stderr).toBe(`kernel-action: registry ${tokens.host}: authentication required (401); no credentials given for ${tokens.host}\n`)
      expect(fs.existsSync(path.join(root, 'var/lib/krata/zone/kernel'))).toBe(false)

      fs.mkdirSync(path.join(home, '.docker'))
      const auth = Buffer.from('robot:hunter2-token').toString('base64')
      fs.writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify({ auths: { [tokens.host]: { auth } } }))
      const installed = await cli({ HOME: home })
      expect(installed.stderr).toBe('')
      expect(installed.stdout.split('\n')[0]).toBe(`installed ${tokens.host}/org/zone-kernel:v1@${newDigest}`)
      expect(installed.stdout).not.toContain('hunter2')
      expectInstalled(root, newPayload, NEW_METADATA)
      expect(tokens.tokensUsed.size).toBeGreaterThan(0)
    } finally {
      await tokens.stop()
    }
  })
})
