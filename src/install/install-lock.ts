// One install at a time per root: a lock file in the zone folder, created with O_EXCL and holding its owner's tag
// (host hash, pid). A second install waits for the first instead of staging into, or rolling back, the same files. A
// lock whose owner died on this host (SIGKILL, power loss) is broken; a lock that is not a small regular file (a link
// or FIFO planted there) is refused, not followed.
import { randomUUID } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileError, InputError } from '../errors.js'
import { readInputFile } from '../input-file.js'
import { ownerTag } from '../oci/layout-files.js'
import { CREATE_NEW } from './confined-root.js'

const INSTALL_LOCK = '.kernel-action-install.lock'

/** How long an install waits for another one on the same root (a large kernel over a slow link takes minutes). */
const WAIT_MS = 15 * 60_000
/** A lock file still empty after this long was left by a run killed between creating and writing it. */
const EMPTY_STALE_MS = 10_000

export async function withInstallLock<T>(zoneDir: string, log: (line: string) => void, critical: () => Promise<T>): Promise<T> {
  const lock = path.join(zoneDir, INSTALL_LOCK)
  const mine = `${ownerTag()}-${randomUUID()}\n`
  const deadline = Date.now() + WAIT_MS
  let told = false
  for (let attempt = 0; ; attempt++) {
    if (await tryCreate(lock, mine)) break
    const owner = await readLock(lock)
    if (owner === undefined || (await breakIfStale(lock, owner))) continue
    if (Date.now() > deadline)
      throw new InputError(`--root: ${lock} held by another install (${owner.trim()}) for more than ${WAIT_MS / 60_000} minutes`)
    if (!told) log(`${zoneDir}: another install (${describeOwner(owner)}) is running; waiting for it to finish`)
    told = true
    await sleep(Math.min(20 + attempt * 20, 250))
  }
  try {
    return await critical()
  } finally {
    // Removed only while it is still ours (a stale-lock breaker never takes a live one, but be sure).
    if ((await readLock(lock)) === mine) await fs.rm(lock, { force: true })
  }
}

async function tryCreate(lock: string, content: string): Promise<boolean> {
  let handle
  try {
    handle = await fs.open(lock, CREATE_NEW, 0o644)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw fileError('--root', lock, error, 'written')
  }
  try {
    await handle.writeFile(content)
  } finally {
    await handle.close()
  }
  return true
}

/** The lock's content, or undefined when it is gone; a lock that is not a small regular file is refused. */
async function readLock(lock: string): Promise<string | undefined> {
  try {
    return (await readInputFile(lock, '--root', 4096, 'install lock', { noFollow: true })).toString('utf8')
  } catch (error) {
    if ((await fs.lstat(lock).catch(() => undefined)) === undefined) return undefined
    throw error
  }
}

/** Breaks the lock when its owner is gone; true when the caller should try again at once. */
async function breakIfStale(lock: string, owner: string): Promise<boolean> {
  if (owner === '') {
    const stat = await fs.lstat(lock).catch(() => undefined)
    if (stat !== undefined && Date.now() - stat.mtimeMs < EMPTY_STALE_MS) return false
  } else if (ownerAlive(owner)) {
    return false
  }
  // Renamed aside first (atomic): of two runs breaking it at once, one wins; a lock that changed meanwhile goes back.
  const aside = `${lock}.${ownerTag()}-${randomUUID()}.broken`
  try {
    await fs.rename(lock, aside)
  } catch {
    return true
  }
  const taken = await readInputFile(aside, '--root', 4096, 'install lock', { noFollow: true }).then(
    (bytes) => bytes.toString('utf8'),
    () => '',
  )
  if (taken !== owner) await fs.link(aside, lock).catch(() => undefined)
  await fs.rm(aside, { force: true })
  return true
}

const TAG = /^([0-9a-f]{8})-(\d+)-/

/** False only when the owner is a process of this host that no longer exists (or the tag is not one of ours). */
function ownerAlive(owner: string): boolean {
  const match = TAG.exec(owner)
  if (!match) return false
  if (`${match[1]}-` !== ownerTag().replace(/\d+$/, '')) return true // another host: it cannot be asked
  try {
    process.kill(Number(match[2]), 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function describeOwner(owner: string): string {
  const match = TAG.exec(owner)
  return match ? `pid ${match[2]}` : 'owner unknown'
}
