// The addons rule (issue 20): krata's zone init bind-mounts /addons/modules onto /lib/modules/$(uname -r)
// (krata-formats.md §1.5), so addons.squashfs must hold modules/ at its top, with modules.dep in it, and its modules
// must have been built for the kernel's own release. Any other layout is one line naming what was found.
import { InputError } from '../errors.js'
import { MissingProgramError, moduleDecompressor } from './decompress.js'
import type { KernelArch } from '../arch.js'
import { archOfMachine, ELF_MACHINES, moduleVermagic, releaseOfVermagic, vermagicMatches } from './modinfo.js'
import { parseModulesDep } from './modules-dep.js'
import type { AddonsTree, TreeEntry } from './tree.js'

export interface AddonsExpectation {
  /** The input that named the file, and the file, for messages. */
  input: string
  file: string
  /** The kernel's `uname -r`, read from its image. */
  release: string
  /** The kernel's architecture, read from its image: the modules' ELF machine must be the same. */
  arch?: KernelArch
  /** The image it was read from, for messages. */
  image: string
  /** CONFIG_MODULES is set (or unknown): a kernel without module support may have addons without modules/. */
  modular: boolean
}

export interface CheckedModule {
  path: string
  /** The module's vermagic, or why it was not read (an xz module without the xz program). */
  vermagic?: string
  skipped?: string
}

export interface AddonsReport {
  how: string
  /** Modules listed in modules.dep; undefined when the addons hold no modules/ (allowed without CONFIG_MODULES). */
  modules?: number
  checked: CheckedModule[]
}

const MODULES_DEP_MAX_BYTES = 64 << 20
/** Debian's largest module (amdgpu) is ~15 MiB unstripped; a .ko larger than this is not one. */
const MODULE_MAX_BYTES = 256 << 20
/** How deep the walk to the first module in the tree goes (modules/kernel/drivers/net/ethernet/intel/ice/ice.ko is 7). */
const WALK_DEPTH = 12
/** How many directories that walk may list before it gives up (a tree of empty directories is not worth more). */
const WALK_LISTINGS = 64
const RELEASE_LIKE = /^\d+\.\d+/

/** Checks the tree of an addons image against the kernel it goes with; a mismatch is one InputError line. */
export async function checkAddonsTree(tree: AddonsTree, expected: AddonsExpectation): Promise<AddonsReport> {
  const where = `${expected.input}: ${expected.file}`
  const top = (await tree.list('')) ?? []
  const modulesEntry = top.find((entry) => entry.name === 'modules')
  if (modulesEntry === undefined) {
    const nested = await nestedRelease(tree, 'lib/modules')
    if (nested !== undefined) {
      throw new InputError(
        `${where} holds lib/modules/${nested}/ at its top; krata mounts modules/ from it (move lib/modules/${nested}/* to modules/)`,
      )
    }
    if (!expected.modular) return { how: tree.how, checked: [] }
    throw new InputError(
      `${where} has no modules/ at its top (${holds(top)}); krata bind-mounts modules/ onto /lib/modules/${expected.release} (put the contents of lib/modules/${expected.release}/ there)`,
    )
  }
  if (modulesEntry.kind !== 'directory') throw new InputError(`${where} has modules at its top, but as a ${modulesEntry.kind}, not a directory`)
  const inModules = (await tree.list('modules')) ?? []
  if (!inModules.some((entry) => entry.name === 'modules.dep' && entry.kind === 'file')) {
    const nested = inModules.find((entry) => entry.kind === 'directory' && RELEASE_LIKE.test(entry.name))?.name
    if (nested !== undefined) {
      throw new InputError(
        `${where} holds modules/${nested}/ at its top; krata bind-mounts modules/ itself onto /lib/modules/$(uname -r) (move modules/${nested}/* to modules/)`,
      )
    }
    throw new InputError(`${where} has modules/ but no modules/modules.dep, which modprobe needs (make modules_install writes it; or run depmod)`)
  }
  const dep = (await tree.read('modules/modules.dep', MODULES_DEP_MAX_BYTES)) ?? Buffer.alloc(0)
  const listed = parseModulesDep(dep.toString('latin1')).entries.map((entry) => entry.path)
  const samples = sampleModules(listed)
  const walked = await firstModuleInTree(tree, 'modules', WALK_DEPTH, { listings: WALK_LISTINGS })
  if (walked !== undefined && !samples.includes(walked)) samples.push(walked)
  const checked: CheckedModule[] = []
  for (const path of samples) {
    const fromDep = listed.includes(path)
    checked.push(await checkModule(tree, path, fromDep, expected))
  }
  return { how: tree.how, modules: listed.length, checked }
}

/** The first, middle and last module of modules.dep: three different corners of the tree. */
function sampleModules(listed: readonly string[]): string[] {
  if (listed.length === 0) return []
  const picks = [listed[0]!, listed[Math.floor(listed.length / 2)]!, listed[listed.length - 1]!]
  return [...new Set(picks)]
}

async function checkModule(tree: AddonsTree, path: string, fromDep: boolean, expected: AddonsExpectation): Promise<CheckedModule> {
  const where = `${expected.input}: ${expected.file}`
  let bytes = await tree.read(`modules/${path}`, MODULE_MAX_BYTES)
  if (bytes === undefined) throw new InputError(`${where}: modules/modules.dep names ${path}, which is not a file in modules/`)
  const decompressor = moduleDecompressor(path)
  if (decompressor) {
    try {
      bytes = await decompressor.decompress(bytes, MODULE_MAX_BYTES)
    } catch (error) {
      if (error instanceof MissingProgramError) return { path, skipped: error.message }
      throw new InputError(`${where}: modules/${path} does not decompress (${(error as Error).message})`)
    }
  }
  const found = moduleVermagic(bytes)
  if ('problem' in found) throw new InputError(`${where}: modules/${path} ${found.problem}`)
  if (!vermagicMatches(found.vermagic, expected.release)) {
    const release = releaseOfVermagic(found.vermagic)
    const which = fromDep ? `modules/${path}, listed in modules.dep` : `modules/${path}`
    throw new InputError(
      `${where} holds modules built for ${release} (vermagic of ${which}), but ${expected.image} is ${expected.release}; modprobe refuses modules of another release`,
    )
  }
  // One release, two builds: a multi-arch matrix can hand one leg the other's addons (the samples share 6.1.192-sample).
  if (expected.arch !== undefined && found.machine !== ELF_MACHINES[expected.arch]) {
    const which = fromDep ? `modules/${path}, listed in modules.dep` : `modules/${path}`
    throw new InputError(
      `${where} holds modules built for ${archOfMachine(found.machine)} (ELF machine of ${which}), but ${expected.image} is an ${expected.arch} kernel; the kernel refuses modules of another architecture`,
    )
  }
  return { path, vermagic: found.vermagic }
}

/** The release directory under `dir` (as in lib/modules/6.1.0-1/), when the tree has one. */
async function nestedRelease(tree: AddonsTree, dir: string): Promise<string | undefined> {
  const entries = await tree.list(dir)
  return entries?.find((entry) => entry.kind === 'directory')?.name
}

/** Walks down in name order (a level's files before its directories) to the first `.ko*` file. */
async function firstModuleInTree(tree: AddonsTree, dir: string, depth: number, budget: { listings: number }): Promise<string | undefined> {
  if (depth === 0 || budget.listings-- <= 0) return undefined
  const entries = (await tree.list(dir)) ?? []
  const module = entries.find((entry) => entry.kind === 'file' && /\.ko(\.(gz|xz|zst))?$/.test(entry.name))
  if (module) return `${dir}/${module.name}`.slice('modules/'.length)
  for (const entry of entries) {
    if (entry.kind !== 'directory') continue
    const found = await firstModuleInTree(tree, `${dir}/${entry.name}`, depth - 1, budget)
    if (found !== undefined) return found
  }
  return undefined
}

function holds(entries: readonly TreeEntry[]): string {
  if (entries.length === 0) return 'it is empty'
  const names = entries.slice(0, 5).map((entry) => (entry.kind === 'directory' ? `${entry.name}/` : entry.name))
  return `it holds ${names.join(', ')}${entries.length > 5 ? `, and ${entries.length - 5} more` : ''}`
}
