// The two index files depmod writes that kernel-action reads: modules.dep (what modprobe loads, in what order) and
// modules.builtin (what needs no loading). Pure text in, data out.
import { InputError } from '../errors.js'

/** A module's line of modules.dep: its path below modules/ and the paths it depends on. */
export interface ModuleDep {
  path: string
  deps: string[]
}

export interface ModulesDep {
  /** Every line, in the file's order. */
  entries: ModuleDep[]
  /** By the name the kernel knows each module by (underscores: xen_blkback). */
  byName: Map<string, ModuleDep>
}

/** The name the kernel knows a module by: `xen_blkback` for kernel/drivers/block/xen-blkback/xen-blkback.ko.xz. */
export function moduleNameOf(file: string): string {
  return (file.split('/').pop() ?? file).replace(/\.ko(\.(gz|xz|zst))?$/, '').replace(/-/g, '_')
}

// depmod before kmod 10 wrote absolute paths: /lib/modules/<release>/kernel/...
const relative = (path: string): string => path.replace(/^\/lib\/modules\/[^/]+\//, '')

/** modules.dep as depmod writes it: `kernel/fs/x.ko: kernel/lib/y.ko ...`, a module's dependencies (and theirs) on its line. */
export function parseModulesDep(text: string): ModulesDep {
  const entries: ModuleDep[] = []
  const byName = new Map<string, ModuleDep>()
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':')
    if (colon <= 0) continue
    const entry = {
      path: relative(line.slice(0, colon).trim()),
      deps: line
        .slice(colon + 1)
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(relative),
    }
    entries.push(entry)
    if (!byName.has(moduleNameOf(entry.path))) byName.set(moduleNameOf(entry.path), entry)
  }
  return { entries, byName }
}

/** The module names modules.builtin lists (one path per line). */
export function parseModulesBuiltin(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map(moduleNameOf),
  )
}

/**
 * Modules that load in any Xen guest without touching hardware (they bind only to Xen's own bus, or to nothing):
 * xen-fbfront first, because krata's zone list asks for it as a module (CONFIG_XEN_FBDEV_FRONTEND=m) and it has
 * dependencies, so loading it also proves modules.dep.
 */
const SAFE_IN_A_ZONE = ['xen_fbfront', 'xen_kbdfront', 'xen_gntalloc', 'xen_gntdev']

/** The module the guest loads, or why none is (the guest says it, and the stage passes). */
export type ModuleChoice = { module: string } | { none: string }

/** busybox's modprobe (the guest's) reads plain, gzip and xz modules; it has no zstd. */
const BUSYBOX_READS = /\.ko(\.(gz|xz))?$/

/**
 * The module a guest loads to prove its addons work (issue 20: `modprobe` by name, from modules.dep): the first of
 * SAFE_IN_A_ZONE the addons hold, else the first pure library module (lib/, crypto/, not a test_ one) by name, of
 * those busybox's modprobe can read with all their dependencies. None when the addons hold no such module: loading an
 * arbitrary driver in a zone could hang it (xen-acpi-processor refuses to load in one).
 */
export function moduleToLoad(dep: ModulesDep): ModuleChoice {
  const readable = (e: ModuleDep): boolean => [e.path, ...e.deps].every((p) => BUSYBOX_READS.test(p))
  const known = SAFE_IN_A_ZONE.map((name) => dep.byName.get(name)).filter((e): e is ModuleDep => e !== undefined)
  const library = dep.entries
    .filter((e) => /^kernel\/(lib|crypto)\//.test(e.path) && !/^test_/.test(moduleNameOf(e.path)))
    .sort((a, b) => moduleNameOf(a.path).localeCompare(moduleNameOf(b.path)))
  const chosen = [...known, ...library].find(readable)
  if (chosen !== undefined) return { module: moduleNameOf(chosen.path) }
  if ([...known, ...library].length > 0) return { none: "none loaded: busybox's modprobe (the boot test's) cannot read zstd modules" }
  return { none: 'none loaded: the addons hold no module known to be safe to load in a zone' }
}

/** A module name as a user gives it (`xen-fbfront`), checked and written the kernel's way (`xen_fbfront`); '' stays ''. */
export function checkModuleName(input: string, value: string): string {
  if (value === '') return ''
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(value)) {
    throw new InputError(`${input}: ${JSON.stringify(value)} is not a module name (letters, digits, - and _, e.g. xen-fbfront)`)
  }
  return moduleNameOf(value)
}
