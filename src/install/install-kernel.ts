// `kernel-action install`: makes a published kernel krata's system-wide default, i.e. the files krata's daemon
// finds at start (krata-formats.md §2.3): <store>/zone/kernel and <store>/zone/addons.squashfs, plus the metadata.
// Files are streamed beside their targets, fsynced, then renamed in; the old ones stay as *.previous, and a
// journal lets the next run roll back an install that was killed between two renames. Everything is written below
// `--root` only (confined-root.ts), one install at a time per root (install-lock.ts).
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { KernelArch } from '../arch.js'
import { inspectKernelImage, type KernelImageInfo } from '../describe/kernel-image.js'
import { parseKernelMetadata } from '../describe/metadata.js'
import { fileError, InputError, IntegrityError, InternalError, ToolError } from '../errors.js'
import { readInputFile } from '../input-file.js'
import { hostKernelArch, openKernelImage, type OpenImageOptions, type OpenedImage } from '../pull/image-source.js'
import { KRATA_LAYER_TYPES, isRegularEntry } from '../oci/image-format.js'
import { readLayer } from '../pull/layer-reader.js'
import { formatBytes } from '../oci/registry/push.js'
import { checkRoot, confinedDir, CREATE_NEW, fsyncPath, regularOrAbsent, writeNewFile } from './confined-root.js'
import { withInstallLock } from './install-lock.js'
import { JOURNAL, JOURNAL_MAX_BYTES, parseJournal, type Journal } from './journal.js'

/** Installed metadata is a few lines of KEY=value; more is not a krata metadata file. */
const METADATA_MAX_BYTES = 64 * 1024

/** krata's default store (`kratad --store`), under which `zone/` holds the default kernel. */
const KRATA_ZONE_DIR = 'var/lib/krata/zone'

/** Installed file name → the file in the image it comes from. Order matters: the kernel goes in last. */
const INSTALLED: readonly { target: string; source: string; required: boolean }[] = [
  { target: 'addons.squashfs', source: 'kernel/addons.squashfs', required: true },
  { target: 'metadata', source: 'kernel/metadata', required: false },
  { target: 'kernel', source: 'kernel/image', required: true },
]
const TARGETS = INSTALLED.map(({ target }) => target)
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
  try {
    return await install(reference, options)
  } catch (error) {
    // A file-system call's own error (EEXIST, EPERM, ENOSPC...) gets the one wording, naming the file.
    if (isFileSystemError(error) && isUnder(error.path, path.resolve(options.root || '.'))) throw fileError('--root', error.path, error, 'written')
    throw error
  }
}

async function install(reference: string, options: InstallOptions): Promise<InstallOutcome> {
  const arch = options.arch ?? hostKernelArch()
  const root = await checkRoot(options.root)
  // Checked before anything is read or written: a link below the root is refused, not followed.
  const { dir: zoneDir, exists } = await confinedDir(root, KRATA_ZONE_DIR, false)
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
      const current = exists ? await describeInstalled(path.join(zoneDir, target), target) : undefined
      lines.push(`would install ${path.join(zoneDir, target)}${current ? ` (replacing ${current}, kept as ${target}.previous)` : ''}`)
    }
    return { digest: image.digest, zoneDir, lines }
  }

  await confinedDir(root, KRATA_ZONE_DIR, true)
  return withInstallLock(zoneDir, options.log, async () => {
    await rollBackInterrupted(zoneDir, options.log)
    await checkTargets(zoneDir)
    await removeLeftovers(zoneDir)
    const staging = path.join(zoneDir, `${STAGING_PREFIX}${randomUUID()}`)
    await fs.promises.mkdir(staging, { mode: 0o700 })
    try {
      return await installStaged(image, { root, zoneDir, staging, arch, from }, options.beforeCommit)
    } finally {
      await fs.promises.rm(staging, { recursive: true, force: true })
    }
  })
}

interface Place {
  root: string
  zoneDir: string
  staging: string
  arch: KernelArch
  from: string
}

async function installStaged(image: OpenedImage, place: Place, beforeCommit?: (target: string) => void | Promise<void>): Promise<InstallOutcome> {
  const { root, zoneDir, staging, arch, from } = place
  const staged = await stageFiles(image, staging, from)
  const kernel = await checkStaged(staged, staging, arch, from)
  const previous = new Map<string, string | undefined>()
  for (const { target } of INSTALLED) previous.set(target, await describeInstalled(path.join(zoneDir, target), target))
  // The zone folder is checked again just before it changes: a link planted while the image was read is refused.
  await confinedDir(root, KRATA_ZONE_DIR, false)
  await commit(zoneDir, staging, staged, beforeCommit)
  const lines = INSTALLED.map(({ target }) => {
    const file = path.join(zoneDir, target)
    const now = target === 'kernel' ? describeKernel(kernel) : staged.has(target) ? 'from the image' : 'removed (the image has none)'
    const was = previous.get(target)
    return `${file}: ${now}${was ? `; replaced ${was} (kept as ${target}.previous)` : ''}`
  })
  return { digest: image.digest, zoneDir, lines: [`installed ${from}`, ...lines] }
}

function isUnder(file: string, root: string): boolean {
  const relative = path.relative(root, path.resolve(file))
  return !relative.startsWith('..') && !path.isAbsolute(relative)
}

/** An error from a file-system call (it names its path), as opposed to one of ours or a registry's. */
function isFileSystemError(error: unknown): error is NodeJS.ErrnoException & { path: string } {
  if (error instanceof InputError || error instanceof IntegrityError || error instanceof ToolError || error instanceof InternalError) return false
  const { code, path: file } = error as NodeJS.ErrnoException
  return typeof code === 'string' && typeof file === 'string'
}

/**
 * Streams every layer once, one after another (each into its own folder), then keeps, for each file, the copy from the
 * last layer that has it: the one krata would see once the layers are stacked. One at a time, so a refused layer stops
 * the install before the next is fetched, and nothing is still writing into the staging folder when a failure
 * removes it.
 */
async function stageFiles(image: OpenedImage, staging: string, from: string): Promise<Set<string>> {
  const perLayer: Set<string>[] = []
  for (const [position, layer] of image.layers.entries()) {
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
          const handle = await fs.promises.open(file, CREATE_NEW, 0o644)
          await pipeline(body, handle.createWriteStream({ highWaterMark: 1 << 20 }))
          await fsyncPath(file)
          found.add(wanted.target)
        }
      },
      from,
    )
    perLayer.push(found)
  }
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
    const text = await readInputFile(path.join(staging, 'metadata'), from, METADATA_MAX_BYTES, 'kernel metadata', { noFollow: true })
    const metadata = parseKernelMetadata(text.toString('utf8'))
    if (metadata.KERNEL_ARCH !== undefined && metadata.KERNEL_ARCH !== arch) {
      throw new InputError(`${from}: kernel/metadata says KERNEL_ARCH=${metadata.KERNEL_ARCH}, not ${arch}`)
    }
  }
  return kernel
}

/**
 * Puts the staged files in place, the kernel last. Each target always holds a whole file (a rename replaces it);
 * the old one is first hard-linked to <target>.previous. On failure every target already replaced is restored.
 */
async function commit(zoneDir: string, staging: string, staged: Set<string>, beforeCommit?: (target: string) => void | Promise<void>): Promise<void> {
  const journal: Journal = { targets: [] }
  for (const { target } of INSTALLED) {
    journal.targets.push({ target, existed: (await regularOrAbsent(path.join(zoneDir, target))) === 'file' })
  }
  // Keep the old pair first, so the journal never points at a .previous that is not yet the old file.
  for (const { target, existed } of journal.targets) {
    if (existed) await linkReplacing(path.join(zoneDir, target), path.join(zoneDir, `${target}.previous`))
  }
  await writeJournal(zoneDir, journal)
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

/**
 * An install killed between its renames left a journal: undo its half before anything else. The journal and every
 * file it names are checked first (known targets only, regular files, no links), so a planted journal changes nothing.
 */
async function rollBackInterrupted(zoneDir: string, log: (line: string) => void): Promise<void> {
  const file = path.join(zoneDir, JOURNAL)
  if ((await regularOrAbsent(file)) === 'absent') return
  const text = await readInputFile(file, '--root', JOURNAL_MAX_BYTES, 'install journal', { noFollow: true })
  const journal = parseJournal(text.toString('utf8'), file, TARGETS)
  for (const { target, existed } of journal.targets) {
    await regularOrAbsent(path.join(zoneDir, target))
    const previous = path.join(zoneDir, `${target}.previous`)
    if (existed && (await regularOrAbsent(previous)) === 'absent') {
      throw new InputError(
        `${file}: says ${target} existed, but ${previous} does not; nothing was changed (restore it by hand, then remove the journal)`,
      )
    }
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

/** Written beside, then renamed in: a journal is whole or absent, never half-written. */
async function writeJournal(zoneDir: string, journal: Journal): Promise<void> {
  const temp = path.join(zoneDir, `${JOURNAL}.${randomUUID()}.tmp`)
  await writeNewFile(temp, JSON.stringify(journal))
  await fs.promises.rename(temp, path.join(zoneDir, JOURNAL))
  await fsyncPath(zoneDir)
}

/** Install's temporary names: staging folders, linkReplacing's `<target>.<uuid>.tmp`, writeJournal's `<JOURNAL>.<uuid>.tmp`. */
const LEFT_BEHIND =
  /^\.kernel-action-incoming-|^(?:kernel|addons\.squashfs|metadata)(?:\.previous)?\.[0-9a-f-]{36}\.tmp$|^\.kernel-action-install\.json\.[0-9a-f-]{36}\.tmp$/

/** Under the lock no other install is at work here: whatever a killed one left half-made goes. */
async function removeLeftovers(zoneDir: string): Promise<void> {
  for (const name of await fs.promises.readdir(zoneDir)) {
    if (LEFT_BEHIND.test(name)) await fs.promises.rm(path.join(zoneDir, name), { recursive: true, force: true })
  }
}

/** `to` becomes another name for `from`'s file, atomically replacing whatever `to` was. */
async function linkReplacing(from: string, to: string): Promise<void> {
  // rename() between two names of one file does nothing and would leave the temporary name behind.
  const [source, target] = await Promise.all([fs.promises.lstat(from), fs.promises.lstat(to).catch(() => undefined)])
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

/** Every name install replaces is a regular file or absent: a link, folder or FIFO there is refused before any work. */
async function checkTargets(zoneDir: string): Promise<void> {
  for (const { target } of INSTALLED) {
    await regularOrAbsent(path.join(zoneDir, target))
    await regularOrAbsent(path.join(zoneDir, `${target}.previous`))
  }
}

async function describeInstalled(file: string, target: string): Promise<string | undefined> {
  if ((await regularOrAbsent(file)) === 'absent') return undefined
  const stat = await fs.promises.lstat(file)
  if (target === 'kernel') {
    const kernel = await inspectKernelImage(file).catch(() => undefined)
    if (kernel !== undefined) return describeKernel(kernel)
  }
  if (target === 'metadata') {
    const text = await readInputFile(file, '--root', METADATA_MAX_BYTES, 'kernel metadata', { noFollow: true }).then(
      (bytes) => bytes.toString('utf8'),
      () => '',
    )
    const release = /^KERNEL_UNAME_R=(.*)$/m.exec(text)?.[1] ?? /^KERNEL_VERSION=(.*)$/m.exec(text)?.[1]
    if (release) return `metadata of ${release}`
  }
  return formatBytes(stat.size)
}

function describeKernel(kernel: KernelImageInfo): string {
  return `Linux ${kernel.release ?? '(release unknown)'} (${kernel.arch} ${kernel.format}, ${formatBytes(kernel.size)})`
}
