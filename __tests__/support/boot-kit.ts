// The boot kits the boot tests take Xen, dom0 and its userland from: built with `npm run boot-kit -- DIR --arch ARCH`
// (from the cached Debian packages) into an OCI layout, as `oci:<dir>:<arch>`. The pinned default on ghcr.io is not
// reachable from the tests, and this machine's own Xen packages have no dom0 kernel. A built kit is kept between runs
// (one per arch and per version of the code that builds it), so each test file does not build it again.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { KernelArch } from '../../src/arch.js'
import { ROOT } from './run-action.js'
import { spawnCli } from './cli.js'

/** What decides a kit's bytes: the code that assembles it and the script that fetches the packages. */
const KIT_SOURCES = ['src/boot/kit-build.ts', 'src/boot/kit-contents.ts', 'src/boot/kit-oci-adapter.ts', 'scripts/debian-package.sh']

const built = new Map<KernelArch, string>()

/** `oci:<layout>:<arch>`, built on first use or taken from an earlier run's build of the same kit code. */
export function testBootKit(arch: KernelArch = 'x86_64'): string {
  const known = built.get(arch)
  if (known !== undefined) return known
  const hash = createHash('sha256')
  for (const f of KIT_SOURCES) hash.update(fs.readFileSync(path.join(ROOT, f)))
  const root = path.join(os.tmpdir(), 'kernel-action-test-boot-kits')
  const layout = path.join(root, `${arch}-${hash.digest('hex').slice(0, 16)}`)
  if (!fs.existsSync(path.join(layout, 'index.json'))) {
    // Built beside its final place and renamed into it: a test file running at the same time never sees half a kit.
    fs.mkdirSync(root, { recursive: true })
    const partial = fs.mkdtempSync(`${layout}.partial-`)
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'index.js'), 'boot-kit', path.join(partial, 'layout'), '--arch', arch], {
        stdio: 'ignore',
      })
      try {
        fs.renameSync(path.join(partial, 'layout'), layout)
      } catch (error) {
        // Another test file got there first: its kit is the same.
        if (!fs.existsSync(path.join(layout, 'index.json'))) throw error
      }
    } finally {
      fs.rmSync(partial, { recursive: true, force: true })
    }
  }
  const reference = `oci:${layout}:${arch}`
  built.set(arch, reference)
  return reference
}

/** What `kernel-action boot` gave: its exit status, its stdout, and the --out folder (logs). */
export interface BootRun {
  status: number | null
  stdout: string
  out: string
}

/** `kernel-action boot --out <outDir> ...args` with Xen, dom0 and its userland from the test kit of `arch` (stderr shown). */
export function bootWithKit(arch: KernelArch, out: string, args: readonly string[]): Promise<BootRun> {
  return new Promise((resolve) => {
    const child = spawnCli(['boot', '--out', out, '--boot-kit', testBootKit(arch), ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()))
    child.on('close', (status) => resolve({ status, stdout, out }))
  })
}

/** The line `kernel-action boot` prints for a stage in that state, its title at the start. */
export const stageLine = (state: 'ok' | 'failed', title: string): RegExp =>
  new RegExp(`^ *[0-9.]+s ${state.padEnd(7)} ${title.replace(/[$()]/g, '\\$&')}`, 'm')
