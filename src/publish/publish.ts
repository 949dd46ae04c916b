import { promises as fs } from 'node:fs'
import path from 'node:path'
import { InputError } from '../errors.js'
import { ociArch, type KernelArch } from '../arch.js'
import type { KernelConfig } from '../check/kernel-config.js'
import { inspectKernelImage, type KernelImageInfo } from '../describe/kernel-image.js'
import { crossCheckKernel, renderKernelMetadata } from '../describe/metadata.js'
import { assertSquashfs } from '../describe/squashfs.js'
import { sha256Digest } from '../oci/digest.js'
import { buildKernelImage, gzipDeterministic, type KernelFile } from '../oci/kernel-image.js'
import type { LayerCompression } from '../oci/layer.js'
import { OciLayout } from '../oci/layout.js'
import { parseRepository } from '../oci/reference.js'
import { RegistryClient } from '../oci/registry/client.js'
import type { Credentials } from '../oci/registry/auth.js'
import { pushImage, type PushResult } from '../oci/registry/push.js'
import { kernelAnnotations } from './annotations.js'
import { expandTags } from './tags.js'
import { verifyPushed, type ReadBackVerify } from './verify-pushed.js'

export interface PublishRequest {
  config: KernelConfig
  configBytes: Buffer
  arch: KernelArch
  image: string
  addons: string
  flavor: string
  version: string
  tagTemplates: readonly string[]
  repository: string
  ociLayout: string
  credentials?: Credentials
  annotations: Record<string, string>
  compression: LayerCompression
  insecureRegistry: boolean
  pushByDigest: boolean
  /** Read the pushed image back as krata would before tagging it (input `verify`; `light` when not given). */
  verify?: ReadBackVerify
  /** krata's boot rules apply (zone target): an x86_64 kernel must be a gzip or xz bzImage. */
  bootRules: boolean
  created: string
  source?: string
  revision?: string
  /** Folder for the metadata file (the runner's temp folder). */
  workDir: string
  log: (line: string) => void
  warn: (line: string) => void
  onSecret: (value: string) => void
}

export interface PublishOutcome {
  kernel: KernelImageInfo
  metadataPath: string
  metadata: string
  configDigest: string
  digest: string
  imageRef: string
  tags: string[]
  layout: string
  push?: PushResult
}

/**
 * Describe and publish: read the kernel image, check it is the kernel the config describes, write /kernel/metadata,
 * build the image into the local OCI layout, then push it (blobs, manifest by digest, tags last) when asked.
 */
export async function publishKernel(request: PublishRequest): Promise<PublishOutcome> {
  // Everything is checked before anything is written: a bad input leaves no metadata file and no layout change.
  const kernel = await inspectKernelImage(request.image)
  const headerVersion = request.config.header?.version
  const mismatches = crossCheckKernel(kernel, { arch: request.arch, version: headerVersion, file: request.config.file }, request.version)
  if (request.bootRules) assertKrataCanLoad(kernel)
  const version = request.version || headerVersion
  if (!version)
    throw new InputError(`version: ${request.config.file} has no "# Linux/<arch> <version> Kernel Configuration" header; set input version`)
  const repository = request.repository ? parseRepository(request.repository) : undefined
  const tags = expandTags(request.tagTemplates, { version, flavor: request.flavor, arch: request.arch })
  const configDigest = sha256Digest(request.configBytes)
  if (request.addons) await assertSquashfs(request.addons, 'addons')
  const metadata = renderKernelMetadata({
    arch: request.arch,
    version,
    unameR: kernel.release,
    flavor: request.flavor,
    configDigest,
    tags,
  })
  for (const warning of mismatches) request.warn(warning)
  const layout = await OciLayout.open(request.ociLayout)

  const metadataPath = path.join(request.workDir, 'metadata')
  // Defined when this run created the folder: only then is it ours to remove again (when it is left empty).
  const made = await fs.mkdir(request.workDir, { recursive: true })
  try {
    await fs.writeFile(metadataPath, metadata)
    return await buildAndPush(request, { kernel, version, repository, tags, configDigest, metadata, metadataPath, layout })
  } catch (error) {
    // A failed step leaves no metadata behind (and no folder it made for it).
    await fs.rm(metadataPath, { force: true })
    if (made !== undefined) await fs.rmdir(request.workDir).catch(() => undefined)
    throw error
  }
}

interface CheckedKernel {
  kernel: KernelImageInfo
  version: string
  repository?: ReturnType<typeof parseRepository>
  tags: string[]
  configDigest: string
  metadata: string
  metadataPath: string
  layout: OciLayout
}

async function buildAndPush(request: PublishRequest, checked: CheckedKernel): Promise<PublishOutcome> {
  const { kernel, version, repository, tags, configDigest, metadata, metadataPath, layout } = checked
  request.log(`kernel: ${kernel.format} ${kernel.arch}, release ${kernel.release}, payload ${kernel.payloadCompression ?? 'unknown'}`)
  for (const line of metadata.trimEnd().split('\n')) request.log(`metadata: ${line}`)

  const files: KernelFile[] = [{ name: 'image', source: request.image }]
  if (request.addons) {
    files.push({ name: 'addons.squashfs', source: request.addons })
  } else {
    request.warn('addons: no addons.squashfs given; the image has no kernel modules (krata mounts the system addons for -k kernels anyway)')
  }
  files.push({ name: 'config.gz', source: gzipDeterministic(request.configBytes) }, { name: 'metadata', source: Buffer.from(metadata) })

  const annotations = kernelAnnotations(
    {
      version,
      flavor: request.flavor,
      arch: request.arch,
      configDigest,
      tags,
      created: request.created,
      source: request.source,
      revision: request.revision,
      title: repository?.repository.split('/').pop() ?? `${request.flavor}-kernel`,
    },
    request.annotations,
  )
  const built = await buildKernelImage(
    { files, architecture: ociArch(request.arch), created: request.created, compression: request.compression, annotations },
    layout,
  )
  const writtenTags = request.pushByDigest ? [] : tags
  // By digest, the manifest is still listed in index.json (without a ref name), so the layout holds a real image.
  if (writtenTags.length) await layout.tag(built.manifest.descriptor, writtenTags)
  else await layout.addUntagged(built.manifest.descriptor)
  request.log(`oci layout ${request.ociLayout}: ${built.digest}${writtenTags.length ? ` tagged ${writtenTags.join(', ')}` : ''}`)

  let push: PushResult | undefined
  if (repository) {
    const client = new RegistryClient(repository, {
      credentials: request.credentials,
      insecure: request.insecureRegistry,
      onSecret: request.onSecret,
      log: request.log,
    })
    push = await pushImage(client, built, writtenTags, {
      beforeTags: (digest) =>
        verifyPushed(`${repository.registry}/${repository.repository}@${digest}`, { ...request, verify: request.verify ?? 'light' }),
    })
  }
  return {
    kernel,
    metadataPath,
    metadata,
    configDigest,
    digest: built.digest,
    imageRef: repository ? `${request.repository}@${built.digest}` : `oci:${request.ociLayout}@${built.digest}`,
    tags: writtenTags,
    layout: request.ociLayout,
    push,
  }
}

// krata's x86 loader scans the bzImage for a gzip or an xz stream and fails on anything else.
const LOADABLE_PAYLOADS: ReadonlySet<string> = new Set(['gzip', 'xz'])

/** The image half of the boot rules: the config may say gzip while the bzImage given is another build. */
function assertKrataCanLoad(kernel: KernelImageInfo): void {
  if (kernel.format !== 'bzImage' || kernel.payloadCompression === undefined) return
  if (LOADABLE_PAYLOADS.has(kernel.payloadCompression)) return
  if (kernel.payloadCompression === 'unknown') {
    throw new InputError(
      `image: ${kernel.path} is a bzImage whose payload has no known compression magic; krata's loader only finds gzip or xz kernels (boot-rules: false to publish anyway)`,
    )
  }
  throw new InputError(
    `image: ${kernel.path} is a ${kernel.payloadCompression}-compressed bzImage; krata's loader only finds gzip or xz kernels (CONFIG_KERNEL_GZIP=y or CONFIG_KERNEL_XZ=y; boot-rules: false to publish anyway)`,
  )
}
