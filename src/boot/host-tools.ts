import { execFile } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, open, readdir, rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGunzip } from 'node:zlib'
import { DOM0_MODULES, type Dom0Module } from './plan.js'
import { InternalError, ToolError } from '../errors.js'

const run = promisify(execFile)

/** Where downloads and unpacked pieces are kept between runs (the same cache as scripts/debian-package.sh). */
export function cacheDir(): string {
  if (process.env.KERNEL_ACTION_CACHE) return process.env.KERNEL_ACTION_CACHE
  // A runner's user cannot write /var/cache; its home can be kept between jobs with actions/cache.
  return process.getuid?.() === 0 ? '/var/cache/kernel-action' : path.join(homedir(), '.cache', 'kernel-action')
}

/** The pieces of the boot harness found on this machine (installed packages) or fetched into the cache. */
export interface BootHost {
  xen: string
  dom0Kernel: string
  dom0Modules: Record<Dom0Module, string>
  xenBinDir: string
  xenPrograms: string[]
  xenstoreClient: string
  libraries: string[]
  busybox: string
  mksquashfs: string
  qemu: string
}

const XEN_PROGRAMS = ['xl', 'xenstored', 'xenconsoled', 'xen-init-dom0', 'libxl-save-helper', 'xenconsole']

/** The one line to show when a piece is missing: what to install (scripts/install-boot-tools.sh does it all). */
class MissingTool extends ToolError {
  constructor(what: string, pkg: string) {
    super(`boot test: ${what} not found; install ${pkg} (scripts/install-boot-tools.sh installs everything the boot test needs)`)
  }
}

export async function findBootHost(): Promise<BootHost> {
  const qemu = which('qemu-system-x86_64', 'qemu-system-x86')
  const mksquashfs = which('mksquashfs', 'squashfs-tools')
  const busybox = '/bin/busybox'
  if (!existsSync(busybox) || !(await isStatic(busybox))) throw new MissingTool('a static /bin/busybox', 'busybox-static')
  const xen = await unpackedXen()
  const xenBinDir = await findXenBinDir()
  const xenPrograms = XEN_PROGRAMS.map((p) => path.join(xenBinDir, p))
  const xenstoreClient = '/usr/bin/xenstore-write'
  if (!existsSync(xenstoreClient)) throw new MissingTool('xenstore-write', 'xenstore-utils')
  const { kernel: dom0Kernel, modules: dom0Modules } = await dom0KernelPackage()
  const libraries = await sharedLibraries([...xenPrograms, xenstoreClient])
  return { xen, dom0Kernel, dom0Modules, xenBinDir, xenPrograms, xenstoreClient, libraries, busybox, mksquashfs, qemu }
}

function which(program: string, pkg: string): string {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    const candidate = path.join(dir, program)
    if (existsSync(candidate)) return candidate
  }
  throw new MissingTool(program, pkg)
}

/** A dynamic busybox would need a libc in both initramfs; the static one is a single file. */
async function isStatic(file: string): Promise<boolean> {
  const handle = await open(file, 'r')
  try {
    const head = Buffer.alloc(4096)
    await handle.read(head, 0, head.length, 0)
    return !head.includes('ld-linux')
  } finally {
    await handle.close()
  }
}

/** QEMU's multiboot loader takes Xen's ELF, not the .gz Debian installs in /boot: unpack it once into the cache. */
async function unpackedXen(): Promise<string> {
  const gz = (await readdir('/boot').catch(() => [] as string[]))
    .filter((f) => /^xen-4\.\d+-amd64\.gz$/.test(f))
    .sort()
    .pop()
  if (!gz) throw new MissingTool('the Xen hypervisor (/boot/xen-4.*-amd64.gz)', 'xen-hypervisor-4.17-amd64')
  const dir = path.join(cacheDir(), 'boot')
  const target = path.join(dir, gz.replace(/\.gz$/, ''))
  if (!existsSync(target)) {
    await mkdir(dir, { recursive: true })
    const partial = `${target}.${process.pid}.partial`
    await pipeline(createReadStream(path.join('/boot', gz)), createGunzip(), createWriteStream(partial))
    await rename(partial, target)
  }
  return target
}

async function findXenBinDir(): Promise<string> {
  const dirs = (await readdir('/usr/lib').catch(() => [] as string[])).filter((d) => /^xen-4\.\d+$/.test(d)).sort()
  for (const d of dirs.reverse()) {
    const bin = path.join('/usr/lib', d, 'bin')
    if (XEN_PROGRAMS.every((p) => existsSync(path.join(bin, p)))) return bin
  }
  throw new MissingTool("Xen's toolstack (/usr/lib/xen-4.*/bin/xl, xenstored, xenconsoled)", 'xen-utils-4.17')
}

/** scripts/debian-package.sh, found by walking up from this file (src/boot under jest, dist/ or dist/cli bundled). */
export function actionScript(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    const candidate = path.join(dir, 'scripts', name)
    if (existsSync(candidate)) return candidate
    dir = path.dirname(dir)
  }
  throw new InternalError(`scripts/${name} is missing from this copy of kernel-action`)
}

/** Debian's distribution kernel supports PV dom0 and ships every Xen backend as a module; it is fetched and cached. */
async function dom0KernelPackage(): Promise<{ kernel: string; modules: Record<Dom0Module, string> }> {
  let dir: string
  try {
    dir = (
      await run('bash', [actionScript('debian-package.sh'), 'linux-image-amd64'], {
        maxBuffer: 1 << 20,
        env: { ...process.env, KERNEL_ACTION_CACHE: cacheDir() },
      })
    ).stdout.trim()
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(error)
    throw new ToolError(`boot test: cannot fetch the dom0 kernel (Debian's linux-image-amd64): ${stderr}`)
  }
  const kernel = (await readdir(path.join(dir, 'boot'))).find((f) => f.startsWith('vmlinuz-'))
  if (!kernel) throw new ToolError(`boot test: no vmlinuz in ${dir}/boot`)
  const found = new Map<string, string>()
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) await walk(p)
      else if (e.name.endsWith('.ko')) found.set(e.name.slice(0, -3), p)
    }
  }
  await walk(path.join(dir, 'lib', 'modules'))
  const modules = {} as Record<Dom0Module, string>
  for (const m of DOM0_MODULES) {
    const p = found.get(m)
    if (!p) throw new ToolError(`boot test: the dom0 kernel in ${dir} has no ${m}.ko (compressed modules are not supported)`)
    modules[m] = p
  }
  return { kernel: path.join(dir, 'boot', kernel), modules }
}

/** The shared libraries the toolstack needs, from ldd, plus libgcc_s, which glibc loads at run time for pthread_cancel. */
async function sharedLibraries(programs: readonly string[]): Promise<string[]> {
  const libs = new Set<string>()
  for (const p of programs) {
    const { stdout } = await run('ldd', [p])
    for (const line of stdout.split('\n')) {
      const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line)
      if (m) libs.add(m[1])
    }
  }
  const libc = [...libs].find((l) => l.endsWith('/libc.so.6'))
  if (libc) {
    const gcc = path.join(path.dirname(libc), 'libgcc_s.so.1')
    if (existsSync(gcc)) libs.add(gcc)
  }
  return [...libs].sort()
}
