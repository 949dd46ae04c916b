// What a boot kit holds and how its index file (kit.json) names the pieces: pure data and checks, no I/O. The kit is
// one OCI image per architecture whose single layer unpacks to the files kit.json lists, relative to the kit folder.
import { archNames, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'
import { DOM0_MODULES, type Dom0Module } from './dom0-bringup.js'

/** The kit's index file, at the top of its layer. */
export const KIT_INDEX = 'kit.json'
/** Bumped when kit.json changes shape; a kit of another version is refused with what to do. */
export const KIT_FORMAT = 1
/** The image annotation naming each Debian package the kit was made from (value: `name=version`, one per line). */
export const PACKAGES_ANNOTATION = 'dev.krata.kernel-action.boot-kit.debian-packages'
export const KIT_TITLE = 'kernel-action boot kit'

/** The toolstack programs dom0 runs (xen-in-qemu.md), from xen-utils. */
export const XEN_PROGRAMS = ['xl', 'xenstored', 'xenconsoled', 'xen-init-dom0', 'libxl-save-helper', 'xenconsole'] as const

/** A shared library: where dom0's loader looks for it, and the kit file holding it. */
export interface KitLibrary {
  name: string
  file: string
}

/** kit.json: every path is relative to the kit folder, except `xenBinDir` and library names, which are dom0 paths. */
export interface KitIndex {
  format: number
  arch: KernelArch
  xen: string
  dom0Kernel: string
  dom0Modules: Record<Dom0Module, string>
  xenBinDir: string
  xenPrograms: string[]
  xenstoreClient: string
  libraries: KitLibrary[]
  busybox: string
  /** The guest's root image (the directories krata's init mounts on), made with mksquashfs when the kit is built. */
  rootImage: string
  /** An addons image with nothing in it, for kernels given without addons. */
  emptyAddons: string
}

/**
 * The Debian packages a kit is made from, per architecture: the hypervisor, dom0's kernel (a metapackage, followed to
 * the versioned package), the toolstack and every library its programs need (the build fails, naming the library,
 * when one is missing), and the static busybox.
 */
export function kitPackages(arch: KernelArch): string[] {
  const deb = archNames(arch).oci
  return [
    `xen-hypervisor-4.17-${deb}`,
    `linux-image-${deb}`,
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
    'libc6',
    'libgcc-s1',
    'libuuid1',
    'zlib1g',
    'liblzma5',
    'libzstd1',
    'libfdt1',
  ]
}

/** The layout tag of an architecture's kit: `x86_64` or `aarch64`. */
export function kitTag(arch: KernelArch): string {
  return arch
}

/** The annotation value: `name=version` lines, sorted, so the same packages always give the same manifest. */
export function packagesAnnotation(packages: readonly { name: string; version: string }[]): string {
  return [...new Set(packages.map((p) => `${p.name}=${p.version}`))].sort().join('\n')
}

const RELATIVE = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+/-]+$/
const ABSOLUTE = /^\/(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+/-]+$/

/** Reads kit.json as found: every path is checked to stay inside the kit folder before anything uses it. */
export function parseKitIndex(text: string, where: string): KitIndex {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    throw new InputError(`${where}: ${KIT_INDEX} is not JSON`)
  }
  const bad = (what: string): never => {
    throw new InputError(`${where}: ${KIT_INDEX} ${what}`)
  }
  if (data === null || typeof data !== 'object') return bad('is not an object')
  const kit = data as Record<string, unknown>
  if (kit.format !== KIT_FORMAT)
    bad(`has format ${JSON.stringify(kit.format)}; this kernel-action reads format ${KIT_FORMAT} (use the kit its boot-kit default names)`)
  if (kit.arch !== 'x86_64' && kit.arch !== 'aarch64') bad(`names no known arch (${JSON.stringify(kit.arch)})`)
  const rel = (key: string, value: unknown): string =>
    typeof value === 'string' && RELATIVE.test(value) ? value : bad(`${key}: ${JSON.stringify(value)} is not a path inside the kit`)
  const abs = (key: string, value: unknown): string =>
    typeof value === 'string' && ABSOLUTE.test(value) ? value : bad(`${key}: ${JSON.stringify(value)} is not an absolute dom0 path`)
  const modules = (kit.dom0Modules ?? {}) as Record<string, unknown>
  const programs = Array.isArray(kit.xenPrograms) ? kit.xenPrograms : bad('xenPrograms is not a list')
  const libraries = Array.isArray(kit.libraries) ? kit.libraries : bad('libraries is not a list')
  return {
    format: KIT_FORMAT,
    arch: kit.arch as KernelArch,
    xen: rel('xen', kit.xen),
    dom0Kernel: rel('dom0Kernel', kit.dom0Kernel),
    dom0Modules: Object.fromEntries(DOM0_MODULES.map((m) => [m, rel(`dom0Modules.${m}`, modules[m])])) as Record<Dom0Module, string>,
    xenBinDir: abs('xenBinDir', kit.xenBinDir),
    xenPrograms: programs.map((p, i) => rel(`xenPrograms[${i}]`, p)),
    xenstoreClient: rel('xenstoreClient', kit.xenstoreClient),
    libraries: libraries.map((l: unknown, i) => {
      const lib = (l ?? {}) as Record<string, unknown>
      return { name: abs(`libraries[${i}].name`, lib.name), file: rel(`libraries[${i}].file`, lib.file) }
    }),
    busybox: rel('busybox', kit.busybox),
    rootImage: rel('rootImage', kit.rootImage),
    emptyAddons: rel('emptyAddons', kit.emptyAddons),
  }
}

/** Every file kit.json names, relative to the kit folder: what an unpacked kit must hold. */
export function kitFiles(kit: KitIndex): string[] {
  return [
    kit.xen,
    kit.dom0Kernel,
    ...Object.values(kit.dom0Modules),
    ...kit.xenPrograms,
    kit.xenstoreClient,
    ...kit.libraries.map((l) => l.file),
    kit.busybox,
    kit.rootImage,
    kit.emptyAddons,
  ]
}
