// What dom0 must bring up before xl can run a zone, stage by stage, and which kernel modules each stage loads first.
// Pure: modules.dep and modules.builtin come in as text, load lists go out. The kit's own dom0 kernel and a user's host
// kernel (issue 20: `target: host`) go through the same stages; only where the modules come from differs.
import { moduleNameOf, type ModulesDep } from '../addons/modules-dep.js'

/** The bring-up stages dom0's init reports, in order (stage ids shared with stages.ts). */
/** The kit's dom0 kernel's Xen modules, in load order (xenfs uses xen-privcmd), with loop and blkback for the disks. */
export const DOM0_MODULES = ['xen-evtchn', 'xen-gntdev', 'xen-gntalloc', 'xen-privcmd', 'xenfs', 'loop', 'xen-blkback'] as const
export type Dom0Module = (typeof DOM0_MODULES)[number]

export type BringUpStage = 'evtchn' | 'gntdev' | 'privcmd' | 'xenfs' | 'xenstored' | 'blkback' | 'netback'

export interface Dom0Driver {
  stage: BringUpStage
  /** Modules the stage needs, in load order, when they are not built in. */
  modules: readonly string[]
  /** Modules loaded when the addons hold them, never missed (xl works without gntalloc). */
  optional?: readonly string[]
}

/** The drivers of each stage (xenstored has none: it needs the three devices before it). */
const DOM0_DRIVERS: readonly Dom0Driver[] = [
  { stage: 'evtchn', modules: ['xen-evtchn'] },
  { stage: 'gntdev', modules: ['xen-gntdev'], optional: ['xen-gntalloc'] },
  { stage: 'privcmd', modules: ['xen-privcmd'] },
  { stage: 'xenfs', modules: ['xenfs'] },
  // Loop devices carry the zone's disk images (as krata's own loopdev does); blkback serves them.
  { stage: 'blkback', modules: ['loop', 'xen-blkback'] },
  { stage: 'netback', modules: ['xen-netback'] },
]

/** A module file dom0 loads: its file name in dom0's initramfs and the host file holding it (uncompressed). */
export interface Dom0ModuleFile {
  name: string
  source: string
}

/** What dom0's init loads: the files, and per stage the file names to insmod in order and why a driver cannot be had. */
export interface Dom0Loads {
  files: Dom0ModuleFile[]
  byStage: Partial<Record<BringUpStage, string[]>>
  /** One phrase per stage whose driver is neither built in nor in the addons, for its failure line. */
  absent: Partial<Record<BringUpStage, string>>
}

/** The kit's dom0 kernel: its seven modules, by stage (it brings no netback, and its zone boots need none). */
export function kitDom0Loads(modules: Readonly<Record<Dom0Module, string>>): Dom0Loads {
  const files = Object.entries(modules).map(([name, source]) => ({ name: `${moduleNameOf(name)}.ko`, source }))
  const byStage: Partial<Record<BringUpStage, string[]>> = {}
  for (const driver of DOM0_DRIVERS) {
    const names = [...driver.modules, ...(driver.optional ?? [])].filter((m) => m in modules).map((m) => `${moduleNameOf(m)}.ko`)
    if (names.length > 0) byStage[driver.stage] = names
  }
  return { files, byStage, absent: {} }
}

/** A module path below modules/ and the file name dom0 loads it as. */
export interface PlannedModule {
  path: string
  file: string
}

export interface HostDom0Plan {
  /** Every module to take out of the addons, each once. */
  modules: PlannedModule[]
  byStage: Partial<Record<BringUpStage, string[]>>
  absent: Partial<Record<BringUpStage, string>>
}

/**
 * Which modules a host kernel's dom0 loads from its addons: for each stage's drivers that modules.dep lists, the
 * module after everything it depends on (modules.dep lists a module's dependencies, and theirs, on its line; they load
 * in reverse of that order), each module once over all stages. A driver neither in modules.dep nor in modules.builtin is
 * absent: its stage fails naming it. Without modules.builtin (or without addons) a driver not in modules.dep is taken to
 * be built in, and the boot says whether it is.
 */
export function planHostDom0(dep: ModulesDep | undefined, builtin: Set<string> | undefined): HostDom0Plan {
  const modules: PlannedModule[] = []
  const taken = new Set<string>()
  const byStage: Partial<Record<BringUpStage, string[]>> = {}
  const absent: Partial<Record<BringUpStage, string>> = {}
  // One file per module name: `kernel//x.ko` and `kernel/x.ko` are one module, loaded once.
  const take = (path: string): string => {
    const file = `${moduleNameOf(path)}.ko`
    if (!taken.has(file)) {
      taken.add(file)
      modules.push({ path, file })
    }
    return file
  }
  for (const driver of DOM0_DRIVERS) {
    const load: string[] = []
    const missing: string[] = []
    for (const [name, required] of [...driver.modules.map((m) => [m, true] as const), ...(driver.optional ?? []).map((m) => [m, false] as const)]) {
      const key = moduleNameOf(name)
      const entry = dep?.byName.get(key)
      if (entry) {
        for (const path of [...entry.deps].reverse()) load.push(take(path))
        load.push(take(entry.path))
      } else if (required && !builtin?.has(key)) {
        missing.push(`${name}.ko`)
      }
    }
    const unique = [...new Set(load)]
    if (unique.length > 0) byStage[driver.stage] = unique
    // Shown only when the stage fails: then a module that could not be had is the likely cause, and the line says so.
    if (missing.length > 0) {
      const are = missing.length === 1 ? 'is' : 'are'
      absent[driver.stage] =
        dep === undefined
          ? `${missing.join(', ')} cannot be loaded: no addons (or no modules.dep in them) to load ${missing.length === 1 ? 'it' : 'them'} from;`
          : builtin === undefined
            ? `${missing.join(', ')} ${are} not in the addons' modules.dep (and the addons have no modules.builtin to say what is built in);`
            : `${missing.join(', ')} ${are} neither built in (modules.builtin) nor in the addons' modules.dep;`
    }
  }
  return { modules, byStage, absent }
}
