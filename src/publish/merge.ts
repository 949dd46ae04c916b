// Merge per-architecture kernel images into one multi-arch index: read every image, check them all, and only then
// write the index by digest, then the tags, then read each tag back — in a registry or in a local OCI layout.
import fs from 'node:fs'
import path from 'node:path'
import { InputError, IntegrityError } from '../errors.js'
import { OciLayout } from '../oci/layout.js'
import { isIndexDocument } from '../oci/image-format.js'
import { parseRepository } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import { RegistryError } from '../oci/registry/client.js'
import { pushImage } from '../oci/registry/push.js'
import { RegistryStore } from '../oci/stores/registry-store.js'
import { checkManifestDocument, CONFIG_MAX_BYTES, parseDocument, type ImageStore } from '../oci/store.js'
import type { ImageManifest } from '../oci/types.js'
import { verifyPushed, type ReadBackVerify } from './verify-pushed.js'
import { parseMergeSources, planKernelIndex, type MergeImage, type MergePlan, type MergeTarget } from './merge-index.js'

export interface MergeRequest {
  /** The `merge` input: digests, `REPOSITORY@digest` or `oci:LAYOUT@digest`, one each. */
  sources: readonly string[]
  /** Where the images are and the index goes; empty means the local OCI layout. */
  repository: string
  ociLayout: string
  tagTemplates: readonly string[]
  pushByDigest: boolean
  annotations: Record<string, string>
  version?: string
  flavor?: string
  credentials?: Credentials
  insecureRegistry: boolean
  /** Read the index back (and its children, their layers with `full`) as krata would, before any tag is written. */
  verify?: ReadBackVerify
  log: (line: string) => void
  onSecret: (value: string) => void
}

export interface MergeOutcome extends MergePlan {
  digest: string
  /** `repository@digest`, or `oci:<layout>@digest`. */
  imageRef: string
  /** The layout folder, when the merge went to a local layout. */
  layout?: string
}

const INPUT = 'merge'

export async function mergeKernelImages(request: MergeRequest): Promise<MergeOutcome> {
  return request.repository ? mergeInRegistry(request) : mergeInLayout(request)
}

async function mergeInRegistry(request: MergeRequest): Promise<MergeOutcome> {
  const ref = parseRepository(request.repository)
  const name = `${ref.registry}/${ref.repository}`
  const digests = parseMergeSources(request.sources, { kind: 'registry', ref, name: request.repository })
  // One client reads the images, pushes the index and reads it back.
  const store = RegistryStore.open(ref, {
    credentials: request.credentials,
    insecure: request.insecureRegistry,
    onSecret: request.onSecret,
    log: request.log,
  })
  const images = await readImages(store, digests, name, request.log)
  const plan = planKernelIndex(images, request)
  for (const p of plan.platforms) request.log(`linux/${p.architecture}: ${p.digest}`)
  // The children are in the repository already, so the index is the only thing to push: by digest, verify, tags, read-back.
  // Boot rules were the per-architecture jobs' to apply: they knew the target; the index is checked as krata reads it.
  const readBack = { verify: request.verify ?? 'light', bootRules: false, log: request.log }
  await pushImage(store.client, { manifest: plan.index, blobs: [] }, plan.tags, { beforeTags: (digest) => verifyPushed(store, digest, readBack) })
  const digest = plan.index.descriptor.digest
  return { ...plan, digest, imageRef: `${request.repository}@${digest}` }
}

async function mergeInLayout(request: MergeRequest): Promise<MergeOutcome> {
  const dir = request.ociLayout
  const target: MergeTarget = { kind: 'layout', dir }
  const digests = parseMergeSources(request.sources, target)
  // OciLayout.open would create a missing layout; a merge must find one, so look before opening.
  if (!fs.existsSync(path.join(dir, 'oci-layout'))) {
    throw new InputError(`${INPUT}: ${dir} is not an OCI image layout, so it holds none of the images (set repository to merge in a registry)`)
  }
  const layout = await OciLayout.open(dir)
  const images = await readImages(layout, digests, `the OCI layout ${dir}`, () => undefined)
  const plan = planKernelIndex(images, request)
  for (const p of plan.platforms) request.log(`linux/${p.architecture}: ${p.digest}`)
  const digest = plan.index.descriptor.digest
  await layout.writeJsonBlob(plan.index)
  if (plan.tags.length > 0) await layout.tag(plan.index.descriptor, plan.tags)
  else await layout.addUntagged(plan.index.descriptor) // by digest: still a root of the layout
  for (const tag of plan.tags) {
    const resolved = (await layout.resolve(tag))?.digest
    if (resolved !== digest)
      throw new IntegrityError(`oci layout ${dir}: tag ${tag} resolves to ${resolved ?? 'nothing'} after writing, expected ${digest}`)
    request.log(`oci layout ${dir}:${tag} → ${digest}`)
  }
  return { ...plan, digest, imageRef: `oci:${dir}@${digest}`, layout: dir }
}

/** Each image's manifest and config, read from the store by the same rules as every other reader. */
async function readImages(store: ImageStore, digests: readonly string[], where: string, log: (line: string) => void): Promise<MergeImage[]> {
  const images: MergeImage[] = []
  for (const digest of digests) {
    const fetched = await store.fetchManifest(digest)
    if (fetched === undefined) throw new InputError(`${INPUT}: ${digest} is not in ${where}`)
    const document = parseDocument(fetched, `${INPUT}: ${digest} in ${where}`)
    const mediaType = fetched.mediaType || (typeof document.mediaType === 'string' ? document.mediaType : '')
    let config: unknown
    // An index is named as such by planKernelIndex; only an image manifest has a config to read.
    if (!isIndexDocument(mediaType, document)) {
      const manifest = checkManifestDocument(document, `${INPUT}: ${digest} in ${where}`)
      config = parseJson(await readConfig(store, manifest, digest, where), `image config ${manifest.config.digest} of ${digest}`)
    }
    images.push({ descriptor: { mediaType, digest, size: fetched.bytes.length }, manifest: document as unknown as ImageManifest, config })
    log(`${store.name}@${digest}: read`)
  }
  return images
}

async function readConfig(store: ImageStore, manifest: ImageManifest, digest: string, where: string): Promise<Buffer> {
  return store.readSmallBlob(manifest.config, CONFIG_MAX_BYTES).catch((error: unknown) => {
    const missing =
      (error instanceof RegistryError && error.status === 404) || (error instanceof InputError && error.message.includes(' has no blob '))
    if (missing) throw new InputError(`${INPUT}: ${digest}: its image config ${manifest.config.digest} is not in ${where}`)
    throw error
  })
}

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InputError(`${INPUT}: ${what} is not valid JSON`)
  }
}
