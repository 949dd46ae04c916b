// The file-system side of sharing one OCI layout between runs: files created once by whichever run comes first, a
// lock file around index.json updates (with recovery from a lock whose owner died), and the removal of staging files
// that a killed run left behind. A run's files are named after their owner (host and pid) so a live one is never
// taken for abandoned.
import { createHash, randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { InputError } from '../errors.js'

export const INCOMING_PREFIX = '.incoming-'

const HOST = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8)

/** "<host hash>-<pid>": who owns a staging or lock file. */
export function ownerTag(): string {
  return `${HOST}-${process.pid}`
}

/** Names a layout creator makes in the layout's top folder (so a racing creator does not call them foreign). */
export function isLayoutEntry(name: string): boolean {
  return /^(?:oci-layout|index\.json|blobs)$/.test(name) || /^(?:oci-layout|index\.json)\..+\.(?:tmp|lock|broken)$|^index\.json\.lock$/.test(name)
}

/**
 * Creates `file` with `bytes` unless it exists, so that readers never see it partly written: the bytes go to a temp
 * file first, which is then hard-linked into place (link fails, instead of replacing, when another run was first).
 */
export async function createFileOnce(file: string, bytes: Buffer): Promise<void> {
  if (fs.existsSync(file)) return
  const temp = `${file}.${ownerTag()}-${randomUUID()}.tmp`
  try {
    await fs.promises.writeFile(temp, bytes, { flag: 'wx' })
    await fs.promises.link(temp, file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    })
  } finally {
    await fs.promises.rm(temp, { force: true })
  }
}

/** Staging files without a live owner older than this are removed even when their owner cannot be asked (another host). */
const FOREIGN_STALE_MS = 24 * 60 * 60 * 1000

/** Removes the files named `<prefix><host>-<pid>-...` in `dir` whose owner process is gone. */
export async function removeAbandonedFiles(dir: string, prefix: string): Promise<void> {
  const names = await fs.promises.readdir(dir).catch(() => [] as string[])
  const now = Date.now()
  for (const name of names) {
    if (!name.startsWith(prefix)) continue
    const file = path.join(dir, name)
    if (ownerIsAlive(name.slice(prefix.length))) continue
    if (!ownedHere(name.slice(prefix.length))) {
      const stat = await fs.promises.stat(file).catch(() => undefined)
      if (!stat || now - stat.mtimeMs < FOREIGN_STALE_MS) continue
    }
    await fs.promises.rm(file, { force: true })
  }
}

/** True unless the tag names a process on this host that no longer exists. */
function ownerIsAlive(tag: string): boolean {
  const match = /^([0-9a-f]{8})-(\d+)-/.exec(tag)
  if (!match) return false // a staging file from before owners were named: only its age says (see ownedHere)
  if (match[1] !== HOST) return true
  return processExists(Number(match[2]))
}

function ownedHere(tag: string): boolean {
  return tag.startsWith(`${HOST}-`)
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' // it exists, it is just not ours to signal
  }
}

/** How long to wait for another run's index.json update before giving up. */
const LOCK_TIMEOUT_MS = 60_000

/**
 * Runs `critical` while holding the lock file `lock` (created with O_EXCL, holding its owner's tag). A lock whose owner
 * died (SIGKILL between create and remove) is broken; one held longer than LOCK_TIMEOUT_MS by another host too.
 */
export async function withLockFile<T>(lock: string, critical: () => Promise<T>): Promise<T> {
  const mine = `${ownerTag()}-${randomUUID()}\n`
  const deadline = Date.now() + LOCK_TIMEOUT_MS
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.promises.writeFile(lock, mine, { flag: 'wx' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (await breakStaleLock(lock)) continue
    if (Date.now() > deadline) throw new InputError(`oci-layout: ${lock} held by another run for more than ${LOCK_TIMEOUT_MS / 1000} s`)
    await sleep(Math.min(5 + attempt * 5, 100))
  }
  try {
    return await critical()
  } finally {
    // Remove the lock only while it is still ours.
    if ((await fs.promises.readFile(lock, 'utf8').catch(() => '')) === mine) await fs.promises.rm(lock, { force: true })
  }
}

/**
 * Breaks `lock` when its owner is gone. It is renamed aside first (atomic), so that of two runs breaking it at once
 * only one succeeds; should the renamed lock turn out to be live after all, it is linked back.
 */
async function breakStaleLock(lock: string): Promise<boolean> {
  const owner = await fs.promises.readFile(lock, 'utf8').catch(() => undefined)
  if (owner === undefined) return true // released meanwhile: try again at once
  const stat = await fs.promises.stat(lock).catch(() => undefined)
  const tooOld = stat !== undefined && Date.now() - stat.mtimeMs > LOCK_TIMEOUT_MS
  if (owner !== '' && ownerIsAlive(owner) && !tooOld) return false
  if (owner === '' && !tooOld) return false // being written right now
  const aside = `${lock}.${ownerTag()}-${randomUUID()}.broken`
  try {
    await fs.promises.rename(lock, aside)
  } catch {
    return true
  }
  const taken = await fs.promises.readFile(aside, 'utf8').catch(() => '')
  if (taken !== owner) await fs.promises.link(aside, lock).catch(() => undefined) // a live lock: put it back
  await fs.promises.rm(aside, { force: true })
  return true
}
