import { execFile } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, open, readdir, rename } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGunzip } from 'node:zlib'
import { DOM0_MODULES, type Dom0Module } from './dom0-bringup.js'
import type { LibraryFile } from './plan.js'
import type { KernelArch } from '../arch.js'
import { oneLine, ToolError } from '../errors.js'
import { XEN_PROGRAMS, type KitIndex } from './kit-contents.js'
import { localKit } from './kit-fetch.js'
import { defaultBootKit } from './kit-pinned.js'
import { cacheDir } from './places.js'
import { kernelModulesBelow } from './module-files.js'

export { actionScript, cacheDir } from './places.js'

const run = promisify(execFile)

/**
 * What dom0 is made of, for one architecture: Xen, dom0's kernel and modules, the toolstack with its shared libraries,
 * and a static busybox (dom0's and the guest's shell). Taken from a boot kit (src/boot/kit-*.ts), or from this machine's
 * installed packages when no kit can be had.
 */
export interface BootPieces {
  xen: string
  dom0Kernel: string
  dom0Modules: Record<Dom0Module, string>
  /** Where the toolstack lives inside dom0 (its programs are copied there). */
  xenBinDir: string
  /** The toolstack programs, by their path on the host. */
  xenPrograms: string[]
  xenstoreClient: string
  libraries: LibraryFile[]
  busybox: string
  /** The guest's root image and an empty addons image, ready made (a kit has them: no mksquashfs needed). */
  rootImage?: string
  emptyAddons?: string
}

/** The pieces, the host programs that run the test, and where the pieces came from (for the log). */
export interface BootHost extends BootPieces {
  qemu: string
  /** Only needed when the pieces bring no ready-made disk images. */
  mksquashfs?: string
  source: string
}

export interface FindBootHostOptions {
  /** The boot kit reference (`oci:<dir>[:tag]`, `host/repo@sha256:...`); the pinned default when absent. */
  kit?: string
  log?: (line: string) => void
}

/** The one line to show when a piece is missing: what to install. */
class MissingTool extends ToolError {
  constructor(what: string, pkg: string) {
    super(`boot test: ${what} not found; install ${pkg}`)
  }
}

/** QEMU's program for an architecture's guests, and the Debian/Ubuntu package holding it. */
function qemuFor(arch: KernelArch): { program: string; pkg: string } {
  return arch === 'x86_64' ? { program: 'qemu-system-x86_64', pkg: 'qemu-system-x86' } : { program: 'qemu-system-aarch64', pkg: 'qemu-system-arm' }
}

/**
 * QEMU first (the one thing the runner's distribution must provide), then the pieces: from the boot kit, or, when the
 * kit cannot be had, from this machine's Xen packages, saying so in one line.
 */
export async function findBootHost(arch: KernelArch, options: FindBootHostOptions = {}): Promise<BootHost> {
  const log = options.log ?? (() => undefined)
  const { program, pkg } = qemuFor(arch)
  const qemu = which(program, pkg)
  const reference = options.kit ?? defaultBootKit(arch)
  let kitError: string
  try {
    const local = await localKit(reference, arch, log)
    log(`boot test: boot kit ${local.digest}${local.cached ? ' (from the cache)' : ''}`)
    return { ...kitPieces(local.dir, local.kit), qemu, source: `boot kit ${local.digest}` }
  } catch (error) {
    kitError = oneLine(error)
  }
  if (arch !== 'x86_64') throw new ToolError(`boot test: the boot kit ${reference} cannot be used: ${kitError}`)
  log(`boot test: the boot kit ${reference} cannot be used (${kitError}); using this machine's Xen packages instead`)
  try {
    const pieces = await installedPieces()
    return { ...pieces, qemu, mksquashfs: which('mksquashfs', 'squashfs-tools'), source: "this machine's Xen packages" }
  } catch (error) {
    throw new ToolError(`${oneLine(error)} (and the boot kit ${reference} cannot be used: ${kitError})`)
  }
}

/** A kit's files, as host paths. */
function kitPieces(dir: string, kit: KitIndex): BootPieces {
  const at = (f: string): string => path.join(dir, f)
  return {
    xen: at(kit.xen),
    dom0Kernel: at(kit.dom0Kernel),
    dom0Modules: Object.fromEntries(DOM0_MODULES.map((m) => [m, at(kit.dom0Modules[m])])) as Record<Dom0Module, string>,
    xenBinDir: kit.xenBinDir,
    xenPrograms: kit.xenPrograms.map(at),
    xenstoreClient: at(kit.xenstoreClient),
    libraries: kit.libraries.map((l) => ({ name: l.name, source: at(l.file) })),
    busybox: at(kit.busybox),
    rootImage: at(kit.rootImage),
    emptyAddons: at(kit.emptyAddons),
  }
}

/** x86_64 fallback: Xen, its toolstack, busybox and a dom0 kernel installed on this machine (Debian's packages). */
async function installedPieces(): Promise<BootPieces> {
  const busybox = '/bin/busybox'
  if (!existsSync(busybox) || !(await isStatic(busybox))) throw new MissingTool('a static /bin/busybox', 'busybox-static')
  const xen = await unpackedXen()
  const xenBinDir = await findXenBinDir()
  const xenPrograms = XEN_PROGRAMS.map((p) => path.join(xenBinDir, p))
  const xenstoreClient = '/usr/bin/xenstore-write'
  if (!existsSync(xenstoreClient)) throw new MissingTool('xenstore-write', 'xenstore-utils')
  const { kernel: dom0Kernel, modules: dom0Modules } = await installedDom0Kernel()
  const libraries = (await sharedLibraries([...xenPrograms, xenstoreClient])).map((l) => ({ name: l, source: l }))
  return { xen, dom0Kernel, dom0Modules, xenBinDir, xenPrograms, xenstoreClient, libraries, busybox }
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

/** An installed kernel that can be dom0: the newest /boot/vmlinuz-<version> whose /lib/modules/<version> has every backend. */
async function installedDom0Kernel(): Promise<{ kernel: string; modules: Record<Dom0Module, string> }> {
  const kernels = (await readdir('/boot').catch(() => [] as string[]))
    .filter((f) => f.startsWith('vmlinuz-'))
    .sort()
    .reverse()
  for (const k of kernels) {
    const found = await kernelModulesBelow([path.join('/lib/modules', k.slice('vmlinuz-'.length))])
    if (DOM0_MODULES.every((m) => found.has(m))) {
      return { kernel: path.join('/boot', k), modules: Object.fromEntries(DOM0_MODULES.map((m) => [m, found.get(m)!])) as Record<Dom0Module, string> }
    }
  }
  throw new MissingTool(`a dom0 kernel (/boot/vmlinuz-* with uncompressed ${DOM0_MODULES.join(', ')} modules in /lib/modules)`, 'linux-image-amd64')
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
