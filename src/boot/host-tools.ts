import { execFile } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, open, readdir, rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { createGunzip } from 'node:zlib'
import { DOM0_MODULES, type Dom0Module, type LibraryFile } from './plan.js'
import { archNames, type KernelArch } from '../arch.js'
import { InternalError, ToolError } from '../errors.js'

const run = promisify(execFile)

/** Where downloads and unpacked pieces are kept between runs (the same cache as scripts/debian-package.sh). */
export function cacheDir(): string {
  if (process.env.KERNEL_ACTION_CACHE) return process.env.KERNEL_ACTION_CACHE
  // A runner's user cannot write /var/cache; its home can be kept between jobs with actions/cache.
  return process.getuid?.() === 0 ? '/var/cache/kernel-action' : path.join(homedir(), '.cache', 'kernel-action')
}

/**
 * What dom0 is made of, for one architecture: Xen, dom0's kernel and modules, the toolstack with its shared libraries,
 * and a static busybox (dom0's and the guest's shell). Today found on this machine or fetched from Debian; a packaged
 * boot kit can provide the same.
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
}

/** The pieces, and the host programs that run the test. */
export interface BootHost extends BootPieces {
  mksquashfs: string
  qemu: string
}

const XEN_PROGRAMS = ['xl', 'xenstored', 'xenconsoled', 'xen-init-dom0', 'libxl-save-helper', 'xenconsole']

/** The one line to show when a piece is missing: what to install (scripts/install-boot-tools.sh does it all). */
class MissingTool extends Error {
  constructor(what: string, pkg: string) {
    super(`boot test: ${what} not found; install ${pkg} (scripts/install-boot-tools.sh installs everything the boot test needs)`)
  }
}

export async function findBootHost(arch: KernelArch): Promise<BootHost> {
  const { program, pkg } = qemuFor(arch)
  const qemu = which(program, pkg)
  const mksquashfs = which('mksquashfs', 'squashfs-tools')
  const pieces = arch === 'x86_64' ? await installedPieces() : await debianPieces(arch)
  return { ...pieces, mksquashfs, qemu }
}

/** x86_64: Xen, its toolstack and busybox from this machine's packages; dom0's kernel from Debian (cached). */
async function installedPieces(): Promise<BootPieces> {
  const busybox = '/bin/busybox'
  if (!existsSync(busybox) || !(await isStatic(busybox))) throw new MissingTool('a static /bin/busybox', 'busybox-static')
  const xen = await unpackedXen()
  const xenBinDir = await findXenBinDir()
  const xenPrograms = XEN_PROGRAMS.map((p) => path.join(xenBinDir, p))
  const xenstoreClient = '/usr/bin/xenstore-write'
  if (!existsSync(xenstoreClient)) throw new MissingTool('xenstore-write', 'xenstore-utils')
  const { kernel: dom0Kernel, modules: dom0Modules } = await dom0KernelPackage('linux-image-amd64')
  const libraries = (await sharedLibraries([...xenPrograms, xenstoreClient])).map((l) => ({ name: l, source: l }))
  return { xen, dom0Kernel, dom0Modules, xenBinDir, xenPrograms, xenstoreClient, libraries, busybox }
}

/**
 * The Debian packages of another architecture's dom0 (xen-arm64-in-qemu.md): the hypervisor, the toolstack, and the
 * libraries its programs need, which no `ldd` on this host can list.
 */
const FOREIGN_PACKAGES = [
  'xen-utils-4.17',
  'xenstore-utils',
  'busybox-static',
  'libxencall1',
  'libxendevicemodel1',
  'libxenevtchn1',
  'libxenforeignmemory1',
  'libxengnttab1',
  'libxenhypfs1',
  'libxenmisc4.17',
  'libxenstore4',
  'libxentoolcore1',
  'libxentoollog1',
  'libyajl2',
  'libfdt1',
  'libc6',
  'libgcc-s1',
  'libuuid1',
  'zlib1g',
] as const

/** aarch64: every piece from Debian's arm64 packages, fetched and unpacked into the cache (nothing is installed). */
async function debianPieces(arch: KernelArch): Promise<BootPieces> {
  const deb = archNames(arch).oci
  const kernelPackage = `linux-image-${deb}`
  const hypervisorPackage = `xen-hypervisor-4.17-${deb}`
  const names = [kernelPackage, hypervisorPackage, ...FOREIGN_PACKAGES]
  const dirs = await debianPackages(names.map((n) => `${n}:${deb}`))
  const unpacked = new Map(names.map((n, i) => [n, dirs[i]]))
  const dir = (name: string): string => unpacked.get(name) as string
  // Debian's arm64 Xen is already an Image, which QEMU's -kernel boots as it is.
  const xen = await firstFile(path.join(dir(hypervisorPackage), 'boot'), new RegExp(`^xen-4\\.\\d+-${deb}$`), 'the Xen hypervisor', hypervisorPackage)
  const utils = dir('xen-utils-4.17')
  const xenBin = await findXenBinDir(path.join(utils, 'usr', 'lib'))
  const xenPrograms = XEN_PROGRAMS.map((p) => path.join(xenBin, p))
  const xenstoreClient = path.join(dir('xenstore-utils'), 'usr', 'bin', 'xenstore-write')
  const busybox = path.join(dir('busybox-static'), 'bin', 'busybox')
  for (const f of [xenstoreClient, busybox]) if (!existsSync(f)) throw new ToolError(`boot test: ${f} is missing from its unpacked package`)
  const { kernel: dom0Kernel, modules: dom0Modules } = await dom0KernelIn(dir(kernelPackage))
  const libraries = await neededLibraries([...xenPrograms, xenstoreClient], FOREIGN_PACKAGES.map(dir))
  return { xen, dom0Kernel, dom0Modules, xenBinDir: `/${path.relative(utils, xenBin)}`, xenPrograms, xenstoreClient, libraries, busybox }
}

/** QEMU's program for an architecture's guests, and the Debian package holding it. */
export function qemuFor(arch: KernelArch): { program: string; pkg: string } {
  return arch === 'x86_64' ? { program: 'qemu-system-x86_64', pkg: 'qemu-system-x86' } : { program: 'qemu-system-aarch64', pkg: 'qemu-system-arm' }
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

async function findXenBinDir(lib = '/usr/lib'): Promise<string> {
  const dirs = (await readdir(lib).catch(() => [] as string[])).filter((d) => /^xen-4\.\d+$/.test(d)).sort()
  for (const d of dirs.reverse()) {
    const bin = path.join(lib, d, 'bin')
    if (XEN_PROGRAMS.every((p) => existsSync(path.join(bin, p)))) return bin
  }
  throw new MissingTool(`Xen's toolstack (${lib}/xen-4.*/bin/xl, xenstored, xenconsoled)`, 'xen-utils-4.17')
}

async function firstFile(dir: string, name: RegExp, what: string, pkg: string): Promise<string> {
  const found = (await readdir(dir).catch(() => [] as string[])).filter((f) => name.test(f)).sort()
  if (found.length === 0) throw new MissingTool(`${what} (${dir}/${name.source})`, pkg)
  return path.join(dir, found[found.length - 1])
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

/** `scripts/debian-package.sh PACKAGE[:ARCH]...`: the directories it unpacked the packages to (cached between runs). */
async function debianPackages(specs: readonly string[]): Promise<string[]> {
  let stdout: string
  try {
    stdout = (
      await run('bash', [actionScript('debian-package.sh'), ...specs], {
        maxBuffer: 1 << 20,
        env: { ...process.env, KERNEL_ACTION_CACHE: cacheDir() },
      })
    ).stdout
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n').pop() ?? String(error)
    throw new ToolError(`boot test: cannot fetch Debian's ${specs.join(' ')}: ${stderr}`)
  }
  const dirs = stdout.trim().split('\n')
  if (dirs.length !== specs.length) throw new InternalError(`debian-package.sh printed ${dirs.length} directories for ${specs.length} packages`)
  return dirs
}

/** Debian's distribution kernel supports dom0 and ships every Xen backend as a module; it is fetched and cached. */
async function dom0KernelPackage(spec: string): Promise<{ kernel: string; modules: Record<Dom0Module, string> }> {
  return dom0KernelIn((await debianPackages([spec]))[0])
}

/** The kernel and dom0's modules in an unpacked linux-image package. */
async function dom0KernelIn(dir: string): Promise<{ kernel: string; modules: Record<Dom0Module, string> }> {
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

/**
 * Another architecture's shared libraries: the DT_NEEDED closure of `programs` (readelf reads any ELF), looked up in
 * the unpacked packages, plus the dynamic loader and libgcc_s (glibc loads it at run time for pthread_cancel; without
 * it `xl create` aborts). All go to /lib/<triplet>/, which the loader searches by default.
 */
async function neededLibraries(programs: readonly string[], packages: readonly string[]): Promise<LibraryFile[]> {
  const bySoname = new Map<string, { dir: string; file: string }>()
  const index = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) await index(p)
      else if (/\.so(\.\d+)*$/.test(e.name) && !bySoname.has(e.name)) bySoname.set(e.name, { dir: path.basename(dir), file: p })
    }
  }
  for (const pkg of packages) for (const lib of ['lib', 'usr/lib']) await index(path.join(pkg, lib))
  const needed = new Set<string>()
  const pending = [...programs]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    for (const soname of await dtNeeded(file)) {
      if (needed.has(soname)) continue
      const found = bySoname.get(soname)
      if (!found) throw new ToolError(`boot test: ${path.basename(file)} needs ${soname}, which none of the fetched Debian packages holds`)
      needed.add(soname)
      pending.push(found.file)
    }
  }
  const interpreter = [...bySoname.keys()].find((n) => /^ld-linux-.*\.so\.\d+$/.test(n))
  if (!interpreter) throw new ToolError('boot test: no dynamic loader (ld-linux-*.so) in the fetched libc6 package')
  needed.add(interpreter).add('libgcc_s.so.1')
  const triplet = bySoname.get('libc.so.6')?.dir ?? 'lib'
  const files = [...needed].sort().map((soname) => {
    const found = bySoname.get(soname)
    if (!found) throw new ToolError(`boot test: ${soname} is in none of the fetched Debian packages`)
    return { name: `/lib/${triplet}/${soname}`, source: found.file }
  })
  // Programs name the loader by its path in /lib (PT_INTERP), e.g. /lib/ld-linux-aarch64.so.1.
  return [...files, { name: `/lib/${interpreter}`, source: (bySoname.get(interpreter) as { file: string }).file }]
}

/** The DT_NEEDED entries of an ELF file, from binutils' readelf. */
async function dtNeeded(file: string): Promise<string[]> {
  let stdout: string
  try {
    stdout = (await run('readelf', ['-d', '-W', file], { maxBuffer: 4 << 20 })).stdout
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MissingTool('readelf', 'binutils')
    throw new ToolError(`boot test: readelf -d ${file} failed: ${String((error as { stderr?: string }).stderr ?? error).trim()}`)
  }
  return [...stdout.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1])
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
