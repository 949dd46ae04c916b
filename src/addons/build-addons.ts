// Input `modules`: builds addons.squashfs from the INSTALL_MOD_PATH of `make modules_install` the way Edera's
// hack/build/build.sh does (krata-formats.md §1.5): the release's tree becomes modules/, its build (and source) link
// is dropped, mksquashfs -all-root. Reproducibly: fixed times, no xattrs, gzip with 128 KiB blocks whatever the
// distribution's defaults, so the same tree gives the same bytes. The user's tree is never written to: it is mirrored
// (hard links where the file system allows, copies elsewhere) into a staging folder that is removed afterwards.
import { execFile } from 'node:child_process'
import { promises as fs, type Dirent } from 'node:fs'
import path from 'node:path'
import { fileError, InputError, ToolError } from '../errors.js'

export interface BuildAddonsRequest {
  /** The INSTALL_MOD_PATH: holds lib/modules/<release>/. */
  modules: string
  /** The kernel's release (from its image): the tree to take when there are several, and the one there must be. */
  release: string
  /** The image the release was read from, for messages. */
  image: string
  /** Where addons.squashfs goes; its folder is used for staging too. */
  output: string
  input?: string
}

/** The links of lib/modules/<release>/ that point back into the build machine's source tree. */
const DROPPED_LINKS = new Set(['build', 'source'])

/** mksquashfs options: Edera's -all-root, plus what makes the output depend on the tree alone. */
const MKSQUASHFS_OPTIONS = ['-noappend', '-all-root', '-no-xattrs', '-comp', 'gzip', '-b', '131072', '-mkfs-time', '0', '-all-time', '0']

/** Builds `request.output` from the tree; returns the release directory it took. */
export async function buildAddons(request: BuildAddonsRequest): Promise<{ tree: string }> {
  const input = request.input ?? 'modules'
  const tree = await releaseTree(request, input)
  const staging = await fs.mkdtemp(path.join(path.dirname(request.output), '.addons-staging-'))
  try {
    const modules = path.join(staging, 'modules')
    await mirror(tree, modules, input, true)
    // The root and modules/ directories get fixed modes: the staging folder's come from mkdtemp and the umask.
    await fs.chmod(staging, 0o755)
    await fs.chmod(modules, 0o755)
    // Absolute paths: an output named "-x" is never read as an option.
    await mksquashfs(staging, path.resolve(request.output), input)
    return { tree }
  } catch (error) {
    await fs.rm(request.output, { force: true })
    throw error
  } finally {
    await fs.rm(staging, { recursive: true, force: true })
  }
}

/** `<modules>/lib/modules/<release>`, or a one-line InputError saying what is there instead. */
async function releaseTree(request: BuildAddonsRequest, input: string): Promise<string> {
  const stat = await fs.stat(request.modules).catch((error: unknown) => {
    throw fileError(input, request.modules, error)
  })
  if (!stat.isDirectory()) throw new InputError(`${input}: ${request.modules} is not a directory (give the INSTALL_MOD_PATH of make modules_install)`)
  const libModules = path.join(request.modules, 'lib', 'modules')
  const releases = (await fs.readdir(libModules, { withFileTypes: true }).catch(() => []))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  if (releases.length === 0) {
    throw new InputError(`${input}: ${request.modules} has no lib/modules/<release>/ (give the INSTALL_MOD_PATH of make modules_install)`)
  }
  if (!releases.includes(request.release)) {
    const found = releases.map((name) => `lib/modules/${name}/`).join(', ')
    throw new InputError(`${input}: ${request.modules} holds ${found}, but ${request.image} is ${request.release}`)
  }
  const tree = path.join(libModules, request.release)
  // make modules_install runs depmod, which writes it; without kmod installed it silently does not.
  const dep = await fs.stat(path.join(tree, 'modules.dep')).catch(() => undefined)
  if (!dep?.isFile())
    throw new InputError(
      `${input}: ${request.modules} has no lib/modules/${request.release}/modules.dep (make modules_install writes it with depmod: is kmod installed?)`,
    )
  return tree
}

/** Mirrors directory `from` into `to`: directories with their modes, files hard-linked (or copied), links as links. */
async function mirror(from: string, to: string, input: string, top: boolean): Promise<void> {
  const stat = await fs.stat(from)
  await fs.mkdir(to)
  await fs.chmod(to, stat.mode & 0o7777)
  const entries: Dirent[] = await fs.readdir(from, { withFileTypes: true })
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (top && DROPPED_LINKS.has(entry.name)) continue
    if (entry.isDirectory()) await mirror(source, target, input, false)
    else if (entry.isSymbolicLink()) await fs.symlink(await fs.readlink(source), target)
    else if (entry.isFile()) await fs.link(source, target).catch(() => fs.copyFile(source, target))
    else throw new InputError(`${input}: ${source} is neither a file, a directory nor a symbolic link; a module tree holds only those`)
  }
}

async function mksquashfs(source: string, output: string, input: string): Promise<void> {
  // mksquashfs 4.6 refuses SOURCE_DATE_EPOCH beside explicit times; the explicit ones say more.
  const env = { ...process.env }
  delete env.SOURCE_DATE_EPOCH
  await new Promise<void>((resolve, reject) => {
    execFile(
      'mksquashfs',
      [source, output, ...MKSQUASHFS_OPTIONS, '-quiet', '-no-progress'],
      { env, maxBuffer: 4 << 20 },
      (error, _stdout, stderr) => {
        if (!error) return resolve()
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(new ToolError(`${input}: building addons.squashfs needs mksquashfs (apt-get install squashfs-tools)`))
        }
        reject(new ToolError(`${input}: mksquashfs failed: ${stderr.trim().split('\n').pop() || error.message}`))
      },
    )
  })
}
