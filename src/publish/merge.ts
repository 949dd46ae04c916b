// Merge per-architecture kernel images into one multi-arch index: read every image, check them all, and only then
// write the index by digest, then the tags, then read each tag back — in a registry or in a local OCI layout.
import fs from 'node:fs'
import path from 'node:path'
import { InputError, IntegrityError } from '../errors.js'
import { OciLayout } from '../oci/layout.js'
import { parseRepository } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import { RegistryClient, RegistryError } from '../oci/registry/client.js'
import { pushImage } from '../oci/registry/push.js'
import { verifyPushed, type ReadBackVerify } from './verify-pushed.js'
import type { ImageManifest } from '../oci/types.js'
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
  const client = new RegistryClient(ref, {
    credentials: request.credentials,
    insecure: request.insecureRegistry,
    onSecret: request.onSecret,
    log: request.log,
  })
  const images: MergeImage[] = []
  for (const digest of digests) {
    const fetched = await client.getManifest(digest).catch((error: unknown) => {
      if (error instanceof RegistryError && error.status === 404) throw new InputError(`${INPUT}: ${digest} is not in ${name}`)
      throw error
    })
    const manifest = parseJson(fetched.bytes, `${digest} in ${name}`) as ImageManifest
    const config = await readRegistryConfig(client, manifest, digest, name)
    images.push({
      descriptor: { mediaType: fetched.mediaType || String(manifest.mediaType ?? ''), digest, size: fetched.bytes.length },
      manifest,
      config,
    })
    request.log(`${name}@${digest}: read`)
  }
  const plan = planKernelIndex(images, request)
  for (const p of plan.platforms) request.log(`linux/${p.architecture}: ${p.digest}`)
  // The children are in the repository already, so the index is the only thing to push: by digest, verify, tags, read-back.
  // Boot rules were the per-architecture jobs' to apply: they knew the target; the index is checked as krata reads it.
  await pushImage(client, { manifest: plan.index, blobs: [] }, plan.tags, {
    beforeTags: (digest) => verifyPushed(`${name}@${digest}`, { ...request, verify: request.verify ?? 'light', bootRules: false }),
  })
  const digest = plan.index.descriptor.digest
  return { ...plan, digest, imageRef: `${request.repository}@${digest}` }
}

async function readRegistryConfig(client: RegistryClient, manifest: ImageManifest, digest: string, name: string): Promise<unknown> {
  const configDigest = manifest.config?.digest
  if (typeof configDigest !== 'string') return undefined // planKernelIndex reports the missing architecture
  const bytes = await client.getBlob(configDigest).catch((error: unknown) => {
    if (error instanceof RegistryError && error.status === 404) {
      throw new InputError(`${INPUT}: ${digest}: its image config ${configDigest} is not in ${name}`)
    }
    throw error
  })
  return parseJson(bytes, `image config ${configDigest} of ${digest}`)
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
  const images: MergeImage[] = []
  for (const digest of digests) {
    if (!(await layout.hasBlob(digest))) throw new InputError(`${INPUT}: ${digest} is not in the OCI layout ${dir}`)
    const bytes = await layout.readBlob(digest)
    const manifest = parseJson(bytes, `${digest} in ${dir}`) as ImageManifest
    let config: unknown
    const configDigest = manifest.config?.digest
    if (typeof configDigest === 'string') {
      if (!(await layout.hasBlob(configDigest))) {
        throw new InputError(`${INPUT}: ${digest}: its image config ${configDigest} is not in the OCI layout ${dir}`)
      }
      config = parseJson(await layout.readBlob(configDigest), `image config ${configDigest} of ${digest}`)
    }
    images.push({ descriptor: { mediaType: String(manifest.mediaType ?? ''), digest, size: bytes.length }, manifest, config })
  }
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

function parseJson(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new InputError(`${INPUT}: ${what} is not valid JSON`)
  }
}
