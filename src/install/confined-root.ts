// Install writes only below `--root`, and a symbolic link there must not take it elsewhere: `<root>/var/lib/krata ->
// /etc` would put the kernel in /etc. So the root itself is taken as given (it is the caller's to name), and every
// folder below it is walked one component at a time, refused when it is a link, created when missing (mkdir does not
// follow a link in its last component: a link planted meanwhile makes it fail, not follow).
import { constants, promises as fs } from 'node:fs'
import path from 'node:path'
import { fileError, InputError } from '../errors.js'

/** The `--root` value as an absolute path, or an InputError when it is empty or not an existing folder. */
export async function checkRoot(root: string): Promise<string> {
  if (root.trim() === '') throw new InputError('--root: must name an existing folder (got an empty value)')
  const absolute = path.resolve(root)
  const stat = await fs.stat(absolute).catch((error: unknown) => {
    throw fileError('--root', root, error)
  })
  if (!stat.isDirectory()) throw new InputError(`--root: ${root} is not a folder`)
  return absolute
}

/**
 * `<root>/<relative>`, checked to hold no symbolic link (nor anything but folders) in any component below `root`.
 * With `create`, missing folders are made one at a time; without, a missing one ends the walk (returns `exists: false`).
 */
export async function confinedDir(root: string, relative: string, create: boolean): Promise<{ dir: string; exists: boolean }> {
  let dir = root
  for (const name of relative.split('/').filter((part) => part !== '')) {
    dir = path.join(dir, name)
    let stat = await lstatOrUndefined(dir)
    if (stat === undefined) {
      if (!create) return { dir: path.join(root, relative), exists: false }
      await fs.mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw fileError('--root', dir, error, 'written')
      })
      stat = await lstatOrUndefined(dir)
    }
    if (stat?.isSymbolicLink()) throw new InputError(`--root: ${dir} is a symbolic link; install follows no link below ${root}`)
    if (stat === undefined || !stat.isDirectory()) throw new InputError(`--root: ${dir} is not a folder`)
  }
  return { dir, exists: true }
}

/** What `file` is without following it: absent, a regular file, or a one-line refusal naming what else it is. */
export async function regularOrAbsent(file: string): Promise<'absent' | 'file'> {
  const stat = await lstatOrUndefined(file)
  if (stat === undefined) return 'absent'
  if (stat.isFile()) return 'file'
  if (stat.isSymbolicLink()) throw new InputError(`--root: ${file} is a symbolic link, which install does not follow`)
  throw new InputError(`--root: ${file} is ${stat.isDirectory() ? 'a folder' : 'a special file'}, not a regular file`)
}

/** Flags for every file install creates: a new file, never through a link, never over one that exists. */
export const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW

/** Writes `text` to `file`, which must not exist yet (O_EXCL, O_NOFOLLOW), and flushes it to disk. */
export async function writeNewFile(file: string, text: string): Promise<void> {
  const handle = await fs.open(file, CREATE_NEW, 0o644).catch((error: unknown) => {
    throw fileError('--root', file, error, 'written')
  })
  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** fsync of a file or folder install made, opened without following a link. */
export async function fsyncPath(file: string): Promise<void> {
  const handle = await fs.open(file, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function lstatOrUndefined(file: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.lstat(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw fileError('--root', file, error)
  }
}
