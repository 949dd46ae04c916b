// Reads what a boot needs from an addons image, in-process (src/addons/): the module a guest loads to prove its addons,
// and, for a host kernel, the modules dom0 loads from its own addons, taken out uncompressed into the work folder.
import { writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { InputError } from '../errors.js'
import { DecompressError, moduleDecompressor } from '../addons/decompress.js'
import { moduleToLoad, parseModulesBuiltin, parseModulesDep, type ModuleChoice, type ModulesDep } from '../addons/modules-dep.js'
import { openAddons } from '../addons/open-addons.js'
import type { AddonsTree } from '../addons/tree.js'
import { planHostDom0, type Dom0Loads } from './dom0-bringup.js'

const INDEX_MAX_BYTES = 64 << 20
const MODULE_MAX_BYTES = 256 << 20
/** All of dom0's modules together (Debian's Xen drivers with their dependencies: about 1 MiB); they live in its RAM. */
const DOM0_MODULES_MAX_BYTES = 64 << 20

interface AddonsIndex {
  dep?: ModulesDep
  builtin?: Set<string>
}

async function readIndex(tree: AddonsTree): Promise<AddonsIndex> {
  const dep = await tree.read('modules/modules.dep', INDEX_MAX_BYTES)
  const builtin = await tree.read('modules/modules.builtin', INDEX_MAX_BYTES)
  return {
    dep: dep && parseModulesDep(dep.toString('latin1')),
    builtin: builtin && parseModulesBuiltin(builtin.toString('latin1')),
  }
}

async function withAddons<T>(file: string, input: string, use: (tree: AddonsTree) => Promise<T>): Promise<T> {
  const tree = await openAddons(file, input)
  try {
    return await use(tree)
  } finally {
    await tree.close()
  }
}

/**
 * The module the guest loads with modprobe from these addons: `named` (input `named.input`) when given, which
 * modules.dep must list; else one chosen by moduleToLoad, or undefined when they hold none safe to load.
 */
export async function guestModuleOf(addons: string, input: string, named?: { module: string; input: string }): Promise<ModuleChoice> {
  return withAddons(addons, input, async (tree) => {
    const { dep } = await readIndex(tree)
    if (named === undefined) return dep ? moduleToLoad(dep) : { none: 'none loaded: the addons hold no modules.dep' }
    if (!dep?.byName.has(named.module)) {
      throw new InputError(`${named.input}: ${named.module} is not in ${input} ${addons} (its modules/modules.dep does not list it)`)
    }
    return { module: named.module }
  })
}

/**
 * What a host kernel's dom0 loads from its addons (none given: everything is taken to be built in), each module
 * written uncompressed to `dir` (busybox's insmod takes plain .ko files).
 */
export async function hostDom0Loads(addons: string | undefined, input: string, dir: string): Promise<Dom0Loads> {
  if (addons === undefined) return { files: [], ...planHostDom0(undefined, undefined) }
  return withAddons(addons, input, async (tree) => {
    const { dep, builtin } = await readIndex(tree)
    const plan = planHostDom0(dep, builtin)
    await mkdir(dir, { recursive: true })
    const files = []
    let total = 0
    for (const module of plan.modules) {
      // Each module within its own bound and all of them within dom0's: a tiny image of hard links or sparse files must
      // not be able to fill the disk (or dom0's RAM) with copies.
      const room = Math.min(MODULE_MAX_BYTES, DOM0_MODULES_MAX_BYTES - total)
      let bytes = await tree.read(`modules/${module.path}`, room)
      if (bytes === undefined) throw new InputError(`${input}: ${addons}: modules/modules.dep names ${module.path}, which is not a file in modules/`)
      const decompressor = moduleDecompressor(module.path)
      if (decompressor) {
        bytes = await decompressor.decompress(bytes, room).catch((error: Error) => {
          throw error instanceof DecompressError
            ? new InputError(`${input}: ${addons}: modules/${module.path} does not decompress (${error.message})`)
            : error
        })
      }
      total += bytes.length
      const source = path.join(dir, module.file)
      await writeFile(source, bytes)
      files.push({ name: module.file, source })
    }
    return { files, byStage: plan.byStage, absent: plan.absent }
  })
}
