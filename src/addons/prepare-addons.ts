// The addons half of a publish, run before anything is booted, written or pushed: build addons.squashfs from
// `modules` when given, then check the addons (given or built) against the kernel image's release.
import path from 'node:path'
import { promises as fs } from 'node:fs'
import { InternalError } from '../errors.js'
import { inspectKernelImage } from '../describe/kernel-image.js'
import { buildAddons } from './build-addons.js'
import { checkAddonsTree, type AddonsReport } from './check-addons.js'
import { openAddons, type AddonsReader } from './open-addons.js'

export interface PrepareAddonsRequest {
  /** The kernel image: its release is what the modules must have been built for. */
  image: string
  /** Input `addons`: an addons.squashfs to check. */
  addons?: string
  /** Input `modules`: the INSTALL_MOD_PATH to build addons.squashfs from (never with `addons`). */
  modules?: string
  /** CONFIG_MODULES=y in the kernel's config: without it, addons without modules/ are fine. */
  modular: boolean
  /** Where addons.squashfs built from `modules` is written (its folder is made when missing). */
  output: string
  reader?: AddonsReader
}

export interface PreparedAddons {
  /** The addons.squashfs to boot and publish. */
  file: string
  /** The release tree it was built from (then `file` is the request's output), rather than given. */
  builtFrom?: string
  release: string
  report: AddonsReport
  /** How long the check took (opening the image to the last module read), in milliseconds. */
  checkMs: number
}

/** Builds (from `modules`) and checks the addons; undefined when neither input is given. */
export async function prepareAddons(request: PrepareAddonsRequest): Promise<PreparedAddons | undefined> {
  if (!request.addons && !request.modules) return undefined
  if (request.addons && request.modules) throw new InternalError('prepareAddons: both addons and modules given (getInputs refuses that)')
  const { release, arch } = await inspectKernelImage(request.image)
  let file = request.addons ?? ''
  let builtFrom: string | undefined
  if (request.modules) {
    await fs.mkdir(path.dirname(request.output), { recursive: true })
    file = request.output
    builtFrom = (await buildAddons({ modules: request.modules, release, image: request.image, output: file })).tree
  }
  const started = performance.now()
  // A built image is named by the tree it came from: that is what the user gave and can fix.
  const input = builtFrom ? 'modules' : 'addons'
  const tree = await openAddons(file, input, request.reader)
  try {
    const report = await checkAddonsTree(tree, { input, file: builtFrom ?? file, release, arch, image: request.image, modular: request.modular })
    return { file, ...(builtFrom ? { builtFrom } : {}), release, report, checkMs: performance.now() - started }
  } catch (error) {
    if (builtFrom) await fs.rm(file, { force: true })
    throw error
  } finally {
    await tree.close()
  }
}

/** One line for the log: what the addons hold and how that was checked. */
export function describeAddons(prepared: PreparedAddons): string {
  const { report, release } = prepared
  const source = prepared.builtFrom ? `${prepared.file}, built from ${prepared.builtFrom},` : prepared.file
  const how = `read ${report.how} in ${Math.round(prepared.checkMs)} ms`
  if (report.modules === undefined) return `addons: ${source} holds no modules/, as a kernel without CONFIG_MODULES may; ${how}`
  const checked = report.checked.filter((module) => module.vermagic !== undefined)
  const skipped = report.checked.filter((module) => module.skipped !== undefined)
  const vermagic = checked[0]?.vermagic?.trim()
  const modules = `${report.modules} module${report.modules === 1 ? '' : 's'} in modules.dep`
  const sample =
    checked.length > 0 ? `; vermagic "${vermagic}" in the ${checked.length} checked (first, middle and last of modules.dep, first in the tree)` : ''
  const notChecked = skipped.map((module) => `; ${module.path} not checked (${module.skipped})`).join('')
  return `addons: ${source} holds modules/ for ${release}: ${modules}${sample}${notChecked}; ${how}`
}
