// The boot kit end to end: built by `npm run boot-kit` from Debian's packages (the .debs are cached by
// scripts/debian-package.sh, so a rebuild downloads nothing), pushed to a real registry with skopeo (a client that
// shares no code with the action), pulled back by the action's own client through a request-logging proxy, read as
// `oci:<layout>`, and booted from with no Xen package visible and no apt-get on the PATH.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startFaultProxy, type FaultProxy } from './support/fault-proxy.js'
import { parseJson } from './support/json.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { ROOT } from './support/run-action.js'
import { kitCacheDir, localKit } from '../src/boot/kit-fetch.js'
import { PACKAGES_ANNOTATION } from '../src/boot/kit-contents.js'

const CLI = path.join(ROOT, 'dist', 'cli', 'index.js')
const BUILD_TIMEOUT_MS = 10 * 60 * 1000
const BOOT_TIMEOUT_MS = 15 * 60 * 1000
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-kit-'))
const layoutA = path.join(work, 'kit-a')
const layoutB = path.join(work, 'kit-b')
let digestA = ''
let digestB = ''
let registry: RunningRegistry
let proxy: FaultProxy
const REPO = 'krata/kernel-action-boot-kit'

interface Manifest {
  config: { digest: string }
  layers: { digest: string; mediaType: string; size: number }[]
  annotations: Record<string, string>
}

/** `npm run boot-kit -- DIR`, as a user runs it: the digest from its last line. */
function buildKit(dir: string): string {
  const out = execFileSync(process.execPath, [CLI, 'boot-kit', dir, '--arch', 'x86_64'], { encoding: 'utf8' })
  const m = new RegExp(`^${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:x86_64 (sha256:[0-9a-f]{64})$`, 'm').exec(out)
  if (!m) throw new Error(`no digest in boot-kit output:\n${out}`)
  return m[1]!
}

function blob(layout: string, digest: string): Buffer {
  return fs.readFileSync(path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length)))
}

/** A fresh cache folder for one use of the kit. */
function withCache<T>(name: string, run: () => Promise<T>): Promise<T> {
  const previous = process.env.KERNEL_ACTION_CACHE
  process.env.KERNEL_ACTION_CACHE = path.join(work, `cache-${name}`)
  return run().finally(() => {
    if (previous === undefined) delete process.env.KERNEL_ACTION_CACHE
    else process.env.KERNEL_ACTION_CACHE = previous
  })
}

beforeAll(async () => {
  digestA = buildKit(layoutA)
  digestB = buildKit(layoutB)
  registry = await startRegistry()
  proxy = await startFaultProxy(registry.host)
  execFileSync(
    'skopeo',
    ['copy', '--preserve-digests', '--dest-tls-verify=false', `oci:${layoutA}:x86_64`, `docker://${registry.host}/${REPO}:x86_64`],
    {
      stdio: 'ignore',
    },
  )
}, BUILD_TIMEOUT_MS)

afterAll(async () => {
  await proxy?.stop()
  await registry?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

describe('npm run boot-kit', () => {
  it('gives the same digest, byte for byte, when built twice from the same packages', () => {
    expect(digestA).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(digestB).toBe(digestA)
    expect(fs.readdirSync(path.join(layoutB, 'blobs', 'sha256')).sort()).toEqual(fs.readdirSync(path.join(layoutA, 'blobs', 'sha256')).sort())
  })

  it('records every Debian package it was made from, with its version, and tags the layout with the arch', () => {
    const index = parseJson<{ manifests: { digest: string; annotations: Record<string, string> }[] }>(
      fs.readFileSync(path.join(layoutA, 'index.json'), 'utf8'),
    )
    expect(index.manifests.map((m) => [m.annotations['org.opencontainers.image.ref.name'], m.digest])).toEqual([['x86_64', digestA]])
    const manifest = parseJson<Manifest>(blob(layoutA, digestA).toString('utf8'))
    const packages = manifest.annotations[PACKAGES_ANNOTATION]!.split('\n')
    expect(packages).toHaveLength(23)
    for (const line of packages) expect(line).toMatch(/^[a-z0-9][a-z0-9.+-]*=[0-9][A-Za-z0-9.+:~-]*$/)
    for (const name of ['xen-hypervisor-4.17-amd64', 'xen-utils-4.17', 'xenstore-utils', 'busybox-static', 'libc6', 'libgcc-s1']) {
      expect(packages.some((l) => l.startsWith(`${name}=`))).toBe(true)
    }
    expect(packages.some((l) => /^linux-image-6\.\d+\.\d+-\d+-amd64=/.test(l))).toBe(true)
    const config = parseJson<{ architecture: string; os: string }>(blob(layoutA, manifest.config.digest).toString('utf8'))
    expect([config.architecture, config.os]).toEqual(['amd64', 'linux'])
    expect(manifest.layers).toHaveLength(1)
  })
})

describe('the boot kit on a runner', () => {
  it('is pulled from a registry once, every blob checked; the second use of the same kit reads no blob', async () => {
    await withCache('pull', async () => {
      const pinned = `${proxy.host}/${REPO}@${digestA}`
      const before = proxy.log.length
      const first = await localKit(pinned, 'x86_64')
      const firstRequests = proxy.log.slice(before)
      expect(first.cached).toBe(false)
      expect(first.digest).toBe(digestA)
      const manifest = parseJson<Manifest>(blob(layoutA, digestA).toString('utf8'))
      const blobGets = firstRequests.filter((r) => r.method === 'GET' && r.path.includes('/blobs/')).map((r) => r.path.replace(/.*\/blobs\//, ''))
      expect(blobGets.sort()).toEqual([manifest.config.digest, manifest.layers[0]!.digest].sort())
      // Xen's ELF (QEMU's multiboot loader refuses the .gz), dom0's kernel, the toolstack and its loader.
      expect(fs.readFileSync(path.join(first.dir, first.kit.xen)).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))
      expect(first.kit.libraries.map((l) => l.name)).toEqual(
        expect.arrayContaining(['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libgcc_s.so.1', '/lib/x86_64-linux-gnu/libxenlight.so.4.17']),
      )

      const again = proxy.log.length
      const second = await localKit(pinned, 'x86_64')
      expect([second.cached, second.dir]).toEqual([true, first.dir])
      // Pinned by digest: the cache answers before any request.
      expect(proxy.log.slice(again)).toEqual([])
      // By tag: the manifest is asked for (to learn the digest), no blob.
      const byTag = proxy.log.length
      const third = await localKit(`${proxy.host}/${REPO}:x86_64`, 'x86_64')
      expect(third.cached).toBe(true)
      const tagRequests = proxy.log.slice(byTag)
      expect(tagRequests.length).toBeGreaterThan(0)
      expect(tagRequests.filter((r) => r.path.includes('/blobs/'))).toEqual([])
    })
  })

  it('reads oci:<layout> too, and refuses an altered layer, leaving nothing in the cache', async () => {
    await withCache('layout', async () => {
      const fromLayout = await localKit(`oci:${layoutB}:x86_64`, 'x86_64')
      expect([fromLayout.digest, fromLayout.cached]).toEqual([digestA, false])
    })
    await withCache('altered', async () => {
      const altered = path.join(work, 'kit-altered')
      fs.cpSync(layoutA, altered, { recursive: true })
      const layer = parseJson<Manifest>(blob(altered, digestA).toString('utf8')).layers[0]!
      const file = path.join(altered, 'blobs', 'sha256', layer.digest.slice('sha256:'.length))
      const bytes = fs.readFileSync(file)
      bytes[bytes.length - 100] ^= 0xff
      fs.writeFileSync(file, bytes)
      await expect(localKit(`oci:${altered}:x86_64`, 'x86_64')).rejects.toThrow(`blob ${layer.digest} has digest sha256:`)
      expect(fs.existsSync(kitCacheDir(digestA))).toBe(false)
      expect(fs.readdirSync(path.dirname(kitCacheDir(digestA)))).toEqual([])
    })
  })

  it('refuses a kit of the other architecture, naming both', async () => {
    await withCache('arch', async () => {
      await expect(localKit(`oci:${layoutA}:x86_64`, 'aarch64')).rejects.toThrow(/boot-kit: oci:.*kit-a:x86_64 is a kit for amd64, not arm64/)
    })
  })

  it(
    'boots the sample kernel from the kit pulled from the registry, with no Xen package visible and no apt-get on the PATH',
    async () => {
      // A PATH holding node and QEMU only, in a mount namespace where the host's Xen, /boot and xl are empty.
      const bin = path.join(work, 'bin')
      fs.mkdirSync(bin)
      fs.symlinkSync(process.execPath, path.join(bin, 'node'))
      fs.symlinkSync(execFileSync('bash', ['-c', 'command -v qemu-system-x86_64'], { encoding: 'utf8' }).trim(), path.join(bin, 'qemu-system-x86_64'))
      const empty = path.join(work, 'empty')
      fs.writeFileSync(empty, '')
      const hide = ['/usr/lib/xen-4.17', '/boot'].filter((d) => fs.existsSync(d)).map((d) => `mount -t tmpfs none ${d}`)
      const hideFiles = ['/usr/sbin/xl', '/usr/bin/xenstore-write'].filter((f) => fs.existsSync(f)).map((f) => `mount --bind ${empty} ${f}`)
      const sample = path.join(ROOT, 'assets', 'sample')
      const script = [
        ...hide,
        ...hideFiles,
        'export PATH=' + bin,
        'if command -v apt-get >/dev/null; then echo "apt-get visible"; exit 90; fi',
        '[ ! -e /usr/lib/xen-4.17/bin/xl ] && [ ! -e /boot/xen-4.17-amd64.gz ] && [ ! -s /usr/sbin/xl ] || { echo "Xen visible"; exit 91; }',
        `exec node ${CLI} boot --accel tcg --out ${path.join(work, 'boot-out')} --image ${sample}/bzImage --addons ${sample}/addons.squashfs --config ${sample}/config --boot-kit ${proxy.host}/${REPO}@${digestA}`,
      ].join('\n')
      const before = proxy.log.length
      const r = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
        const child = spawn('unshare', ['-m', '/bin/bash', '-c', script], {
          env: { KERNEL_ACTION_CACHE: path.join(work, 'cache-boot'), HOME: work },
          stdio: ['ignore', 'pipe', 'inherit'],
        })
        let stdout = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.on('close', (status) => resolve({ status, stdout }))
      })
      expect(r.stdout).toMatch(new RegExp(`^boot test: boot kit ${digestA} pulled and unpacked in [0-9.]+ s$`, 'm'))
      expect(r.stdout).toMatch(/^boot test: Xen in QEMU with TCG/m)
      expect(r.stdout).toMatch(/\nboot passed: 6\.1\.192-sample booted as a Xen PV guest and did what krata's zone init needs \(TCG, \d+ s\)\n$/)
      expect(r.status).toBe(0)
      expect(proxy.log.slice(before).filter((l) => l.path.includes('/blobs/')).length).toBe(2)
    },
    BOOT_TIMEOUT_MS,
  )
})
