// Writes one image to a registry in the only safe order: blobs, manifest by digest, tags, then a read-back.
import { InputError } from '../../errors.js'
import { isValidTag } from '../reference.js'
import type { Blob, ImageToWrite } from '../types.js'
import { TagMismatchError } from './errors.js'
import type { RegistryWriter, UploadProgress } from './writer.js'

export interface PushOptions {
  /** A repository on the same registry that may already hold the blobs (asked for a cross-repo mount). */
  mountFrom?: string
  /** Blobs handled at once. */
  concurrency?: number
  /** Raw upload progress, per chunk. The client's `log` gets a throttled line anyway. */
  onProgress?: (progress: UploadProgress) => void
  /** Seconds between progress lines in the log for one blob. */
  progressIntervalSeconds?: number
  /** Runs once the manifest exists by digest and before any tag is written; a throw leaves the image untagged. */
  beforeTags?: (digest: string) => Promise<void>
}

export interface PushResult {
  digest: string
  bytesUploaded: number
  blobsSkipped: number
  blobsMounted: number
  blobsUploaded: number
}

/** Blobs (skipping those present), then the manifest by digest, then tags, then reads every tag back. */
export async function pushImage(client: RegistryWriter, image: ImageToWrite, tags: string[], options: PushOptions = {}): Promise<PushResult> {
  for (const tag of tags) {
    if (!isValidTag(tag)) throw new InputError(`tags: "${tag}" is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})`)
  }
  const log = client.log
  const where = `${client.registry}/${client.repository}`
  const result: PushResult = { digest: image.manifest.descriptor.digest, bytesUploaded: 0, blobsSkipped: 0, blobsMounted: 0, blobsUploaded: 0 }

  const unique = [...new Map(image.blobs.map((blob) => [blob.descriptor.digest, blob])).values()]
  await eachConcurrently(unique, options.concurrency ?? 3, async (blob) => {
    const outcome = await placeBlob(client, blob, options)
    if (outcome === 'skipped') result.blobsSkipped++
    else if (outcome === 'mounted') result.blobsMounted++
    else {
      result.blobsUploaded++
      result.bytesUploaded += outcome
    }
  })

  // Only now may the manifest exist, and only once it exists by digest may a tag point at it.
  const digest = await client.putManifest(image.manifest, image.manifest.descriptor.digest)
  log(`${where}@${digest}: manifest pushed`)
  await options.beforeTags?.(digest)
  for (const tag of tags) await client.putManifest(image.manifest, tag)
  for (const tag of tags) {
    const resolved = await client.resolve(tag)
    if (resolved !== digest) {
      const message = `registry ${client.registry}: tag ${tag} resolves to ${resolved ?? 'nothing'} after push, expected ${digest}`
      throw new TagMismatchError(message, tag, digest, resolved)
    }
    log(`${where}:${tag} → ${digest}`)
  }
  return result
}

/** Makes one blob present in the repository; returns how, or the bytes uploaded. */
async function placeBlob(client: RegistryWriter, blob: Blob, options: PushOptions): Promise<'skipped' | 'mounted' | number> {
  const { digest, size } = blob.descriptor
  if (await client.blobExists(digest)) {
    client.log(`blob ${digest}: already present`)
    return 'skipped'
  }
  const intervalMs = (options.progressIntervalSeconds ?? 10) * 1000
  let lastLine = Date.now()
  const startedAt = Date.now()
  const outcome = await client.uploadBlob(blob, {
    mountFrom: options.mountFrom,
    onProgress: (progress) => {
      options.onProgress?.(progress)
      if (Date.now() - lastLine < intervalMs || progress.bytes === progress.total) return
      lastLine = Date.now()
      client.log(`blob ${digest}: ${formatBytes(progress.bytes)} of ${formatBytes(progress.total)} (${formatBytes(progress.bytesPerSecond)}/s)`)
    },
  })
  if (outcome.mounted) {
    client.log(`blob ${digest}: mounted from ${options.mountFrom}`)
    return 'mounted'
  }
  const seconds = (Date.now() - startedAt) / 1000
  client.log(`blob ${digest}: uploaded ${formatBytes(size)} in ${seconds.toFixed(1)} s`)
  return outcome.bytes
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects (others finish quietly). */
async function eachConcurrently<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  let failed = false
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++]!
      try {
        await work(item)
      } catch (error) {
        failed = true
        throw error
      }
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker)
  const settled = await Promise.allSettled(workers)
  const rejected = settled.find((outcome) => outcome.status === 'rejected')
  if (rejected !== undefined) throw rejected.reason
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`
}
