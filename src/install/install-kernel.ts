// `kernel-action install`: makes a published kernel krata's system-wide default, i.e. the files krata's daemon
// finds at start (krata-formats.md §2.3): <store>/zone/kernel and <store>/zone/addons.squashfs, plus the metadata.
// Files are streamed beside their targets, fsynced, then renamed in; the old ones stay as *.previous, and a
// journal lets the next run roll back an install that was killed between two renames.
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { KernelArch } from '../arch.js'
import { inspectKernelImage, type KernelImageInfo } from '../describe/kernel-image.js'
import { parseKernelMetadata } from '../describe/metadata.js'
import { InputError } from '../errors.js'
import { hostKernelArch, openKernelImage, type OpenImageOptions, type OpenedImage } from '../pull/image-source.js'
import { KRATA_LAYER_TYPES, isRegularEntry, readLayer } from '../pull/layer-reader.js'
import { formatBytes } from '../oci/registry/push.js'

/** krata's default store (`kratad --store`), under which `zone/` holds the default kernel. */
export const KRATA_ZONE_DIR = 'var/lib/krata/zone'

/** Installed file name → the file in the image it comes from. Order matters: the kernel goes in last. */
const INSTALLED: readonly { target: string; source: string; required: boolean }[] = [
  { target: 'addons.squashfs', source: 'kernel/addons.squashfs', required: true },
  { target: 'metadata', source: 'kernel/metadata', required: false },
  { target: 'kernel', source: 'kernel/image', required: true },
]
const JOURNAL = '.kernel-action-install.json'
const STAGING_PREFIX = '.kernel-action-incoming-'

export interface InstallOptions extends OpenImageOptions {
  /** The file system root to install under (`/` on the host). */
  root: string
  dryRun?: boolean
  log: (line: string) => void
  /** Called before each file is renamed into place (tests inject a failure here). */
  beforeCommit?: (target: string) => void | Promise<void>
}

export interface InstallOutcome {
  digest: string
  zoneDir: string
  /** One line per installed file: what it is now and what it was. */
  lines: string[]
}

export async function installKernel(reference: string, options: InstallOptions): Promise<InstallOutcome> {
  const arch = options.arch ?? hostKernelArch()
  const zoneDir = path.join(options.root, KRATA_ZONE_DIR)
  const image = await openKernelImage(reference, { ...options, arch })
  if (image === undefined) throw new InputError(`${reference}: not found`)
  const from = `${reference}${reference.includes('@') ? '' : `@${image.digest}`}`
  for (const layer of image.layers) {
    if (!KRATA_LAYER_TYPES.has(layer.mediaType))
      throw new InputError(`${from}: layer ${layer.digest} has media type ${layer.mediaType}, which krata cannot read`)
  }

  if (options.dryRun) {
    const total = image.layers.reduce((sum, layer) => sum + layer.size, 0)
    const lines = [`would read ${image.layers.length} layers (${formatBytes(total)}) of ${from}`]
    for (const { target } of INSTALLED) {
      const current = await describeInstalled(path.join(zoneDir, target), target)
      lines.push(`would install ${path.join(zoneDir, target)}${current ? ` (replacing ${current}, kept as ${target}.previous)` : ''}`)
    }
    return { digest: image.digest, zoneDir, lines }
  }

  await fs.promises.mkdir(zoneDir, { recursive: true })
  await rollBackInterrupted(zoneDir, options.log)
  await removeStaleStaging(zoneDir)
  const staging = path.join(zoneDir, `${STAGING_PREFIX}${randomUUID()}`)
  await fs.promises.mkdir(staging)
  try {
    const staged = await stageFiles(image, staging, from)
    const kernel = await checkStaged(staged, staging, arch, from)
    const previous = new Map<string, string | undefined>()
    for (const { target } of INSTALLED) previous.set(target, await describeInstalled(path.join(zoneDir, target), target))
    await commit(zoneDir, staging, staged, options.beforeCommit)
    const lines = INSTALLED.map(({ target }) => {
      const file = path.join(zoneDir, target)
      const now = target === 'kernel' ? describeKernel(kernel) : staged.has(target) ? 'from the image' : 'removed (the image has none)'
      const was = previous.get(target)
      return `${file}: ${now}${was ? `; replaced ${was} (kept as ${target}.previous)` : ''}`
    })
    return { digest: image.digest, zoneDir, lines: [`installed ${from}`, ...lines] }
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true })
  }
}

/**
 * Streams every layer once, all at once (each into its own folder), then keeps, for each file, the copy from the last
 * layer that has it: the one krata would see once the layers are stacked.
 */
async function stageFiles(image: OpenedImage, staging: string, from: string): Promise<Set<string>> {
  // allSettled: no layer may still be writing into the staging folder when a failure removes it.
  const settled = await Promise.allSettled(
    image.layers.map(async (layer, position) => {
      const dir = path.join(staging, String(position))
      await fs.promises.mkdir(dir)
      const found = new Set<string>()
      await readLayer(
        image,
        layer,
        (entry) => {
          const wanted = INSTALLED.find(({ source }) => source === entry.path)
          if (wanted === undefined) return undefined
          if (!isRegularEntry(entry.type)) {
            throw new InputError(`${from}: ${entry.path} is a ${entry.type} entry, not a regular file`)
          }
          return async (body) => {
            const file = path.join(dir, wanted.target)
            await pipeline(body, fs.createWriteStream(file, { mode: 0o644, highWaterMark: 1 << 20 }))
            await fsyncPath(file)
            found.add(wanted.target)
          }
        },
        from,
      )
      return found
    }),
  )
  const failed = settled.find((outcome) => outcome.status === 'rejected')
  if (failed !== undefined) throw failed.reason
  const perLayer = settled.map((outcome) => (outcome as PromiseFulfilledResult<Set<string>>).value)
  const staged = new Set<string>()
  for (const { target } of INSTALLED) {
    const last = perLayer.findLastIndex((found) => found.has(target))
    if (last < 0) continue
    await fs.promises.rename(path.join(staging, String(last), target), path.join(staging, target))
    staged.add(target)
  }
  return staged
}

/** The staged kernel must be a kernel for the asked architecture, and the metadata must agree with it. */
async function checkStaged(staged: Set<string>, staging: string, arch: KernelArch, from: string): Promise<KernelImageInfo> {
  for (const { target, source, required } of INSTALLED) {
    if (required && !staged.has(target)) throw new InputError(`${from}: has no ${source}; krata needs both a kernel and an addons.squashfs`)
  }
  const kernel = await inspectKernelImage(path.join(staging, 'kernel')).catch((error: Error) => {
    throw new InputError(`${from}: kernel/image ${error.message.replace(/^image: \S+ /, '')}`)
  })
  if (kernel.arch !== arch) throw new InputError(`${from}: kernel/image is an ${kernel.arch} kernel, not ${arch}`)
  if (staged.has('metadata')) {
    const metadata = parseKernelMetadata(await fs.promises.readFile(path.join(staging, 'metadata'), 'utf8'))
    if (metadata.KERNEL_ARCH !== undefined && metadata.KERNEL_ARCH !== arch) {
      throw new InputError(`${from}: kernel/metadata says KERNEL_ARCH=${metadata.KERNEL_ARCH}, not ${arch}`)
    }
  }
  return kernel
}

interface Journal {
  /** Targets being replaced, and whether each existed before (then its old content is in <target>.previous). */
  targets: { target: string; existed: boolean }[]
}

/**
 * Puts the staged files in place, the kernel last. Each target always holds a whole file (a rename replaces it);
 * the old one is first hard-linked to <target>.previous. On failure every target already replaced is restored.
 */
async function commit(zoneDir: string, staging: string, staged: Set<string>, beforeCommit?: (target: string) => void | Promise<void>): Promise<void> {
  const journal: Journal = { targets: [] }
  for (const { target } of INSTALLED) {
    journal.targets.push({ target, existed: await exists(path.join(zoneDir, target)) })
  }
  // Keep the old pair first, so the journal never points at a .previous that is not yet the old file.
  for (const { target, existed } of journal.targets) {
    if (existed) await linkReplacing(path.join(zoneDir, target), path.join(zoneDir, `${target}.previous`))
  }
  await writeDurably(path.join(zoneDir, JOURNAL), JSON.stringify(journal))
  await fsyncPath(zoneDir)
  try {
    for (const { target, existed } of journal.targets) {
      await beforeCommit?.(target)
      const destination = path.join(zoneDir, target)
      if (staged.has(target)) await fs.promises.rename(path.join(staging, target), destination)
      else if (existed) await fs.promises.rm(destination, { force: true })
    }
    await fsyncPath(zoneDir)
  } catch (error) {
    await restore(zoneDir, journal)
    throw error
  }
  await fs.promises.rm(path.join(zoneDir, JOURNAL), { force: true })
  await fsyncPath(zoneDir)
}

/** Puts every journalled target back as it was before the install began. */
async function restore(zoneDir: string, journal: Journal): Promise<void> {
  for (const { target, existed } of journal.targets) {
    const destination = path.join(zoneDir, target)
    if (existed) await linkReplacing(path.join(zoneDir, `${target}.previous`), destination)
    else await fs.promises.rm(destination, { force: true })
  }
  await fs.promises.rm(path.join(zoneDir, JOURNAL), { force: true })
  await fsyncPath(zoneDir)
}

/** An install killed between its renames left a journal: undo its half before anything else. */
async function rollBackInterrupted(zoneDir: string, log: (line: string) => void): Promise<void> {
  const file = path.join(zoneDir, JOURNAL)
  const text = await fs.promises.readFile(file, 'utf8').catch(() => undefined)
  if (text === undefined) return
  let journal: Journal
  try {
    journal = JSON.parse(text) as Journal
  } catch {
    throw new InputError(`${file}: an interrupted install left a journal that cannot be read; restore the *.previous files by hand`)
  }
  await restore(zoneDir, journal)
  log(
    `${zoneDir}: rolled back an interrupted install (restored ${
      journal.targets
        .filter((t) => t.existed)
        .map((t) => t.target)
        .join(', ') || 'nothing'
    })`,
  )
}

async function removeStaleStaging(zoneDir: string): Promise<void> {
  for (const name of await fs.promises.readdir(zoneDir)) {
    if (name.startsWith(STAGING_PREFIX)) await fs.promises.rm(path.join(zoneDir, name), { recursive: true, force: true })
  }
}

/** `to` becomes another name for `from`'s file, atomically replacing whatever `to` was. */
async function linkReplacing(from: string, to: string): Promise<void> {
  // rename() between two names of one file does nothing and would leave the temporary name behind.
  const [source, target] = await Promise.all([fs.promises.stat(from), fs.promises.stat(to).catch(() => undefined)])
  if (target !== undefined && target.ino === source.ino && target.dev === source.dev) return
  const temp = `${to}.${randomUUID()}.tmp`
  await fs.promises.link(from, temp)
  try {
    await fs.promises.rename(temp, to)
  } catch (error) {
    await fs.promises.rm(temp, { force: true })
    throw error
  }
}

async function writeDurably(file: string, text: string): Promise<void> {
  const handle = await fs.promises.open(file, 'w', 0o644)
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function fsyncPath(file: string): Promise<void> {
  const handle = await fs.promises.open(file, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.lstat(file).then(
    () => true,
    () => false,
  )
}

async function describeInstalled(file: string, target: string): Promise<string | undefined> {
  const stat = await fs.promises.stat(file).catch(() => undefined)
  if (stat === undefined) return undefined
  if (target === 'kernel') {
    const kernel = await inspectKernelImage(file).catch(() => undefined)
    if (kernel !== undefined) return describeKernel(kernel)
  }
  if (target === 'metadata') {
    const text = await fs.promises.readFile(file, 'utf8').catch(() => '')
    const release = /^KERNEL_UNAME_R=(.*)$/m.exec(text)?.[1] ?? /^KERNEL_VERSION=(.*)$/m.exec(text)?.[1]
    if (release) return `metadata of ${release}`
  }
  return formatBytes(stat.size)
}

function describeKernel(kernel: KernelImageInfo): string {
  return `Linux ${kernel.release ?? '(release unknown)'} (${kernel.arch} ${kernel.format}, ${formatBytes(kernel.size)})`
}
