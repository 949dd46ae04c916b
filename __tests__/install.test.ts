import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { installKernel } from '../src/install/install-kernel.js'
import { InputError } from '../src/errors.js'
import { craftArm64Image, craftBzImage, ZONE_CONFIG } from './support/crafted-kernel.js'
import { runnerCommands } from './support/runner-lines.js'
import { ownerTag } from '../src/oci/layout-files.js'
import { installCommand } from '../src/cli/install.js'
import { runCliBundle, spawnCli } from './support/cli.js'
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
  const status = await installCommand(args, { out: (line) => lines.push(line), err: () => undefined })
  return { status, lines }
}

/** The zone folder holds exactly these files, byte for byte. */
function expectInstalled(root: string, payload: KernelPayload, metadata: string): void {
  const zone = path.join(root, 'var/lib/krata/zone')
  expect(fs.readFileSync(path.join(zone, 'kernel')).equals(fs.readFileSync(payload.image))).toBe(true)
  expect(fs.readFileSync(path.join(zone, 'addons.squashfs')).equals(fs.readFileSync(payload.addons))).toBe(true)
  expect(fs.readFileSync(path.join(zone, 'metadata'), 'utf8')).toBe(metadata)
}

/** The pid of a process that has exited (for a lock whose owner died). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  return child.pid
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

  it("a file-system error between two renames is one line in fileError's wording, and the old kernel is put back", async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const zone = path.join(root, 'var/lib/krata/zone')
    const failing = installKernel(`oci:${newLayout}:v1`, {
      root,
      arch: 'x86_64',
      log: () => undefined,
      beforeCommit: (target) => {
        // What rename() throws on a full disk: raw errno text, which must not reach the user as is.
        if (target === 'kernel')
          throw Object.assign(new Error(`ENOSPC: no space left on device, rename '${zone}/kernel'`), { code: 'ENOSPC', path: `${zone}/kernel` })
      },
    })
    await expect(failing).rejects.toEqual(new InputError(`--root: ${zone}/kernel cannot be written (ENOSPC)`))
    expectInstalled(root, oldPayload, METADATA)
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
    // The stuck install still holds the root's lock, as a killed one leaves it: made to name a process that is gone.
    const lock = path.join(zone, '.kernel-action-install.lock')
    fs.writeFileSync(lock, fs.readFileSync(lock, 'utf8').replace(/^([0-9a-f]{8})-\d+-/, `$1-${deadPid()}-`))
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
    const child = spawnCli(['install', `${proxy.host}/kernels/slow:v1`, '--root', root, '--arch', 'x86_64'], { stdio: 'ignore' })
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
    // The killed run's lock stays behind; its owner is gone, so the next install breaks it.
    expect(zoneFiles(root).filter((name) => !name.startsWith('.kernel-action-incoming-'))).toEqual([
      '.kernel-action-install.lock',
      'addons.squashfs',
      'kernel',
      'metadata',
    ])
    // The next install clears the half-written files and completes.
    await install(`oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64')
    expectInstalled(root, newPayload, NEW_METADATA)
    expect(zoneFiles(root).some((name) => name.startsWith('.kernel-action-'))).toBe(false)
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
        runCliBundle(['install', `${tokens.host}/org/zone-kernel:v1`, '--root', root, '--arch', 'x86_64'], {
          env: { PATH: process.env.PATH ?? '', ...env },
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

interface CliRun {
  status: number | null
  stdout: string
  stderr: string
  ms: number
}

/** `kernel-action install ...` as a user runs it: dist/ in its own process. */
function cli(args: string[], options: { cwd?: string; onStderr?: (text: string) => void } = {}): Promise<CliRun> {
  const started = Date.now()
  return new Promise((resolve) => {
    const child = spawnCli(args, { cwd: options.cwd, env: { PATH: process.env.PATH ?? '', HOME: work } })
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      options.onStderr?.(stderr)
    })
    child.once('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started }))
  })
}

/** Refused as the project refuses bad input: exit 2, this one line, no stack trace, quickly. */
function expectRefused(run: CliRun, line: string): void {
  expect({ status: run.status, stdout: run.stdout, stderr: run.stderr }).toEqual({ status: 2, stdout: '', stderr: `kernel-action: ${line}\n` })
  expect(run.ms).toBeLessThan(20_000)
}

/** Every file below `dir`, with its content: to show nothing there changed. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {}
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name)
    files[path.relative(dir, file)] = entry.isFile() ? fs.readFileSync(file).toString('base64') : entry.isSymbolicLink() ? '-> link' : 'folder'
  }
  return files
}

describe('kernel-action install stays inside --root', () => {
  it('refuses a symbolic link below --root with one line, writing nothing where it points', async () => {
    const outside = freshRoot()
    fs.writeFileSync(path.join(outside, 'precious'), 'precious')
    for (const [link, at] of [
      ['var/lib/krata', 'var/lib'],
      ['var', ''],
    ] as const) {
      const root = freshRoot()
      fs.mkdirSync(path.join(root, at), { recursive: true })
      fs.symlinkSync(outside, path.join(root, link))
      const before = snapshot(outside)
      expectRefused(
        await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']),
        `--root: ${root}/${link} is a symbolic link; install follows no link below ${root}`,
      )
      expectRefused(
        await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64', '--dry-run']),
        `--root: ${root}/${link} is a symbolic link; install follows no link below ${root}`,
      )
      expect(snapshot(outside)).toEqual(before)
    }
  })

  it('refuses a zone folder that is a link to another installed kernel, leaving that kernel as it was', async () => {
    const elsewhere = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', elsewhere, '--arch', 'x86_64')
    const root = freshRoot()
    fs.mkdirSync(path.join(root, 'var/lib/krata'), { recursive: true })
    fs.symlinkSync(path.join(elsewhere, 'var/lib/krata/zone'), path.join(root, 'var/lib/krata/zone'))
    expectRefused(
      await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']),
      `--root: ${root}/var/lib/krata/zone is a symbolic link; install follows no link below ${root}`,
    )
    expectInstalled(elsewhere, oldPayload, METADATA)
    expect(zoneFiles(elsewhere)).toEqual(['addons.squashfs', 'kernel', 'metadata'])
  })

  describe('a planted journal changes nothing', () => {
    const journalCases: [string, (victim: string, zone: string) => unknown, (journal: string, victim: string, zone: string) => string][] = [
      [
        'a target outside the zone that "did not exist" (would be deleted)',
        (victim, zone) => ({ targets: [{ target: path.relative(zone, victim), existed: false }] }),
        (journal, victim, zone) =>
          `${journal}: names the target ${JSON.stringify(path.relative(zone, victim))}, which is not one of addons.squashfs, metadata, kernel; nothing was changed (restore the *.previous files by hand, then remove the journal)`,
      ],
      [
        'a target outside the zone that "existed" (would be replaced)',
        (victim, zone) => ({
          targets: [
            { target: 'kernel', existed: true },
            { target: path.relative(zone, victim), existed: true },
          ],
        }),
        (journal, victim, zone) =>
          `${journal}: names the target ${JSON.stringify(path.relative(zone, victim))}, which is not one of addons.squashfs, metadata, kernel; nothing was changed (restore the *.previous files by hand, then remove the journal)`,
      ],
      [
        'targets that are not a list',
        () => ({ targets: 5 }),
        (journal) =>
          `${journal}: is not an install journal (no list of targets); nothing was changed (restore the *.previous files by hand, then remove the journal)`,
      ],
      [
        'a known target said to exist whose .previous is missing',
        () => ({ targets: [{ target: 'kernel', existed: true }] }),
        (journal, _victim, zone) =>
          `${journal}: says kernel existed, but ${zone}/kernel.previous does not; nothing was changed (restore it by hand, then remove the journal)`,
      ],
    ]
    it.each(journalCases)('%s', async (_name, journalFor, message) => {
      const root = freshRoot()
      await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
      const zone = path.join(root, 'var/lib/krata/zone')
      const victim = path.join(freshRoot(), 'victim')
      fs.writeFileSync(victim, 'precious')
      const journal = path.join(zone, '.kernel-action-install.json')
      fs.writeFileSync(journal, JSON.stringify(journalFor(victim, zone)))
      expectRefused(await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']), message(journal, victim, zone))
      expect(fs.readFileSync(victim, 'utf8')).toBe('precious')
      expectInstalled(root, oldPayload, METADATA)
      expect(zoneFiles(root)).toEqual(['.kernel-action-install.json', 'addons.squashfs', 'kernel', 'metadata'])
    })

    it('a dangling journal symlink: refused, and nothing is created where it points', async () => {
      const root = freshRoot()
      await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
      const zone = path.join(root, 'var/lib/krata/zone')
      const target = path.join(freshRoot(), 'created')
      const journal = path.join(zone, '.kernel-action-install.json')
      fs.symlinkSync(target, journal)
      expectRefused(
        await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']),
        `--root: ${journal} is a symbolic link, which install does not follow`,
      )
      expect(fs.existsSync(target)).toBe(false)
      expectInstalled(root, oldPayload, METADATA)
    })
  })

  it('an installed kernel that is a symbolic link is refused, not read or replaced through', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const zone = path.join(root, 'var/lib/krata/zone')
    const elsewhere = path.join(freshRoot(), 'kernel')
    fs.renameSync(path.join(zone, 'kernel'), elsewhere)
    fs.symlinkSync(elsewhere, path.join(zone, 'kernel'))
    expectRefused(
      await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']),
      `--root: ${zone}/kernel is a symbolic link, which install does not follow`,
    )
    expect(fs.readFileSync(elsewhere).equals(fs.readFileSync(oldPayload.image))).toBe(true)
    expect(fs.readlinkSync(path.join(zone, 'kernel'))).toBe(elsewhere)
  })

  it.each([
    ['a folder', (file: string) => fs.mkdirSync(file), 'a folder, not a regular file'],
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file]), 'a special file, not a regular file'],
    ['a link', (file: string) => fs.symlinkSync('/etc/hostname', file), 'a symbolic link, which install does not follow'],
  ])('a kernel.previous that is %s is refused before anything is staged or replaced', async (_name, plant, what) => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const previous = path.join(root, 'var/lib/krata/zone/kernel.previous')
    plant(previous)
    expectRefused(await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']), `--root: ${previous} is ${what}`)
    expectInstalled(root, oldPayload, METADATA)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'kernel', 'kernel.previous', 'metadata'])
  })

  it('--root must be an existing folder: empty, missing or a file is one line, and nothing is written', async () => {
    const cwd = freshRoot()
    const file = path.join(cwd, 'a-file')
    fs.writeFileSync(file, '')
    expectRefused(
      await cli(['install', `oci:${newLayout}:v1`, '--root', '', '--arch', 'x86_64'], { cwd }),
      '--root: must name an existing folder (got an empty value)',
    )
    expectRefused(await cli(['install', `oci:${newLayout}:v1`, '--root', 'missing', '--arch', 'x86_64'], { cwd }), '--root: missing does not exist')
    expectRefused(await cli(['install', `oci:${newLayout}:v1`, '--root', file, '--arch', 'x86_64'], { cwd }), `--root: ${file} is not a folder`)
    expect(fs.readdirSync(cwd)).toEqual(['a-file'])
  })
})

describe('kernel-action install: one at a time per root', () => {
  it('two installs started together both succeed, one after the other', async () => {
    const root = freshRoot()
    const [a, b] = await Promise.all([
      cli(['install', `oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64']),
      cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']),
    ])
    expect([a.status, b.status]).toEqual([0, 0])
    // The second to take the lock replaced what the first installed, and says so.
    const replacing = [a, b].filter((run) => run.stdout.includes('; replaced'))
    expect(replacing).toHaveLength(1)
    const [first, second] = replacing[0] === a ? [newPayload, oldPayload] : [oldPayload, newPayload]
    expectInstalled(root, second, second === newPayload ? NEW_METADATA : METADATA)
    const zone = path.join(root, 'var/lib/krata/zone')
    expect(fs.readFileSync(path.join(zone, 'kernel.previous')).equals(fs.readFileSync(first.image))).toBe(true)
    expect(fs.readFileSync(path.join(zone, 'addons.squashfs.previous')).equals(fs.readFileSync(first.addons))).toBe(true)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'addons.squashfs.previous', 'kernel', 'kernel.previous', 'metadata', 'metadata.previous'])
  })

  it('waits while another install holds the lock, and takes it once that process is gone', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const zone = path.join(root, 'var/lib/krata/zone')
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' })
    const host = ownerTag().split('-')[0]
    fs.writeFileSync(path.join(zone, '.kernel-action-install.lock'), `${host}-${holder.pid}-held-by-test\n`)
    let waiting!: () => void
    const saidWaiting = new Promise<void>((resolve) => (waiting = resolve))
    const run = cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64'], {
      onStderr: (text) => text.includes('waiting') && waiting(),
    })
    await saidWaiting
    // Still waiting: nothing of the new kernel is in place.
    await new Promise((resolve) => setTimeout(resolve, 300))
    expectInstalled(root, oldPayload, METADATA)
    holder.kill('SIGKILL')
    const done = await run
    expect(done.stderr).toBe(`${zone}: another install (pid ${holder.pid}) is running; waiting for it to finish\n`)
    expect(done.status).toBe(0)
    expectInstalled(root, newPayload, NEW_METADATA)
    expect(zoneFiles(root).some((name) => name.startsWith('.kernel-action-'))).toBe(false)
  })
})

describe('kernel-action install: what a killed install leaves behind', () => {
  it('the next install breaks its lock and removes its half-made files', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const zone = path.join(root, 'var/lib/krata/zone')
    const uuid = '0b6f3c1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b'
    fs.mkdirSync(path.join(zone, '.kernel-action-incoming-x/1'), { recursive: true })
    fs.writeFileSync(path.join(zone, '.kernel-action-incoming-x/1/kernel'), 'half')
    fs.writeFileSync(path.join(zone, `kernel.previous.${uuid}.tmp`), 'half')
    fs.writeFileSync(path.join(zone, `.kernel-action-install.json.${uuid}.tmp`), '{"tar')
    fs.writeFileSync(path.join(zone, '.kernel-action-install.lock'), `${ownerTag().split('-')[0]}-${deadPid()}-killed\n`)
    const run = await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64'])
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
    expectInstalled(root, newPayload, NEW_METADATA)
    expect(zoneFiles(root)).toEqual(['addons.squashfs', 'addons.squashfs.previous', 'kernel', 'kernel.previous', 'metadata', 'metadata.previous'])
  })
})

describe('kernel-action install: a planted lock', () => {
  it('a lock that is a FIFO is refused with one line instead of hanging', async () => {
    const root = freshRoot()
    await install(`oci:${oldLayout}:v1`, '--root', root, '--arch', 'x86_64')
    const lock = path.join(root, 'var/lib/krata/zone/.kernel-action-install.lock')
    execFileSync('mkfifo', [lock])
    expectRefused(
      await cli(['install', `oci:${newLayout}:v1`, '--root', root, '--arch', 'x86_64']),
      `--root: ${lock} is a named pipe (FIFO), not a regular file`,
    )
    expectInstalled(root, oldPayload, METADATA)
  })
})

describe('workflow commands through characters the runner trims', () => {
  it('a config named "\\u0085::error::x" prints no line the runner reads as a command', async () => {
    const dir = freshRoot()
    const name = '\u0085::error::x'
    fs.copyFileSync(ZONE_CONFIG, path.join(dir, name))
    const run = await cli(['check', '--config', name], { cwd: dir })
    expect([0, 1]).toContain(run.status)
    const lines = run.stdout.split('\n').filter((line) => line !== '')
    expect(lines.length).toBeGreaterThan(1)
    // The name still shows, with its colon escaped the way the runner's own escapes read.
    expect(lines.every((line) => line.startsWith('\u0085%3A:error::x'))).toBe(true)
    expect(runnerCommands(run.stdout)).toEqual([])
  })

  it('an install --root so named neither', async () => {
    const cwd = freshRoot()
    const run = await cli(['install', `oci:${newLayout}:v1`, '--root', '\u0085::error::x', '--arch', 'x86_64'], { cwd })
    expectRefused(run, '--root: \u0085::error::x does not exist')
    expect(runnerCommands(run.stderr)).toEqual([])
  })
})
