// The boot kit on this machine: pulled once by its manifest digest, every blob checked, unpacked into the cache folder
// (<cache>/boot-kit/<digest hex>/, which actions/cache can keep); a second use with the same digest reads no blob.
import { createWriteStream, existsSync } from 'node:fs'
import { mkdir, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { ociArch, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'
import { cacheDir } from './places.js'
import { KIT_INDEX, kitFiles, parseKitIndex, type KitIndex } from './kit-contents.js'
import { pinnedDigest, resolveKit } from './kit-oci-adapter.js'

export interface LocalKit {
  /** The unpacked kit folder. */
  dir: string
  digest: string
  kit: KitIndex
  /** True when it was already in the cache (no blob was read). */
  cached: boolean
}

const COMPLETE = '.complete'
// Entry paths as the builder writes them: plain relative names, no `.`/`..` parts.
const ENTRY = /^(?!\/)(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9._+/-]+\/?$/
const KIT_INDEX_MAX_BYTES = 1 << 20

export function kitCacheDir(digest: string): string {
  return path.join(cacheDir(), 'boot-kit', digest.replace(/^sha256:/, ''))
}

/** The kit `reference` names, for `arch`, from the cache or pulled into it. */
export async function localKit(reference: string, arch: KernelArch, log: (line: string) => void = () => undefined): Promise<LocalKit> {
  const pinned = pinnedDigest(reference)
  if (pinned !== undefined && existsSync(path.join(kitCacheDir(pinned), COMPLETE))) return readLocal(pinned, arch, true)
  const resolved = await resolveKit(reference, arch, log)
  const dir = kitCacheDir(resolved.digest)
  if (existsSync(path.join(dir, COMPLETE))) return readLocal(resolved.digest, arch, true)
  const opened = await resolved.open()
  if (opened.architecture !== ociArch(arch)) {
    throw new InputError(`boot-kit: ${reference} is a kit for ${String(opened.architecture)}, not ${ociArch(arch)}`)
  }
  const started = Date.now()
  const partial = `${dir}.${process.pid}.partial`
  await rm(partial, { recursive: true, force: true })
  await mkdir(partial, { recursive: true })
  try {
    await opened.walk((entry) => {
      if (!ENTRY.test(entry.path))
        throw new InputError(`boot-kit ${reference}: layer entry ${JSON.stringify(entry.path)} is not a plain relative path`)
      const target = path.join(partial, entry.path)
      if (entry.type === 'Directory') {
        return async (body) => {
          body.resume()
          await mkdir(target, { recursive: true })
        }
      }
      if (entry.type !== 'File' && entry.type !== 'OldFile') {
        throw new InputError(`boot-kit ${reference}: layer entry ${entry.path} is a ${entry.type}; a kit holds only files and folders`)
      }
      return async (body) => {
        await mkdir(path.dirname(target), { recursive: true })
        await pipeline(body, createWriteStream(target, { flags: 'wx', mode: 0o644 }))
      }
    })
    await rm(dir, { recursive: true, force: true })
    await rename(partial, dir)
  } catch (error) {
    await rm(partial, { recursive: true, force: true })
    throw error
  }
  // A kit whose kit.json does not hold up is not kept: the next run pulls it again rather than trusting it.
  const local = await readLocal(opened.digest, arch, false).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true })
    throw error
  })
  await createComplete(dir)
  log(`boot test: boot kit ${opened.digest} pulled and unpacked in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return local
}

async function createComplete(dir: string): Promise<void> {
  const out = createWriteStream(path.join(dir, COMPLETE))
  await new Promise<void>((resolve, reject) => out.on('error', reject).end(resolve))
}

/** The unpacked kit: kit.json read and checked, every file it names present. */
async function readLocal(digest: string, arch: KernelArch, cached: boolean): Promise<LocalKit> {
  const dir = kitCacheDir(digest)
  const where = `boot kit ${dir}`
  const text = await readFile(path.join(dir, KIT_INDEX), 'utf8').catch(() => {
    throw new InputError(`${where}: no ${KIT_INDEX}; not a boot kit`)
  })
  if (text.length > KIT_INDEX_MAX_BYTES) throw new InputError(`${where}: ${KIT_INDEX} is larger than ${KIT_INDEX_MAX_BYTES} bytes`)
  const kit = parseKitIndex(text, where)
  if (kit.arch !== arch) throw new InputError(`${where}: a kit for ${kit.arch}, not ${arch}`)
  for (const f of kitFiles(kit))
    if (!existsSync(path.join(dir, f))) throw new InputError(`${where}: ${KIT_INDEX} names ${f}, which the kit does not hold`)
  return { dir, digest, kit, cached }
}
