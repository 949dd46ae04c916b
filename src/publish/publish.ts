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
import type { KernelFileName } from '../oci/image-format.js'
import { parseRepository } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import { pushImage, type PushResult } from '../oci/registry/push.js'
import { RegistryStore } from '../oci/stores/registry-store.js'
import type { Descriptor, ImageManifest } from '../oci/types.js'
import { kernelAnnotations } from './annotations.js'
import { expandTags } from './tags.js'
import { verifyPushed, type ReadBackVerify } from './verify-pushed.js'

/** The checked kernel: its config (as parsed and as bytes), its architecture, and the files given for it. */
export interface KernelToPublish {
  config: KernelConfig
  configBytes: Buffer
  arch: KernelArch
  /** The kernel image file (input `image`). */
  image: string
  /** The addons squashfs file, or '' (input `addons`). */
  addons: string
}

/** What the image is called and where it goes locally (the action's image settings, as they are). */
export interface PublishOutput {
  version: string
  flavor: string
  tags: readonly string[]
  pushByDigest: boolean
  ociLayout: string
}

/** The registry it is pushed to ('' repository: the local layout only). */
export interface PublishRegistry {
  repository: string
  credentials?: Credentials
  insecureRegistry: boolean
}

/** How the image is built and read back. */
export interface PublishBuild {
  compression: LayerCompression
  /** Read the pushed image back as krata would before tagging it (input `verify`; `light` when not given). */
  verify?: ReadBackVerify
  /** krata's boot rules apply (zone target): an x86_64 kernel must be a gzip or xz bzImage. */
  bootRules: boolean
  created: string
  source?: string
  revision?: string
}

/** The one request a publish takes: each group as the step has it, nothing flattened. */
export interface PublishRequest {
  kernel: KernelToPublish
  output: PublishOutput
  /** The user's `annotations`, parsed. */
  annotations: Record<string, string>
  registry: PublishRegistry
  build: PublishBuild
  /** Folder for the metadata file (the runner's temp folder). */
  workDir: string
  log: (line: string) => void
  warn: (line: string) => void
  onSecret: (value: string) => void
}

/**
 * The facts of what was published, so that drift and read-back use them instead of reading the image back: the
 * manifest (with its annotations and layers), the config blob, and the kernel's metadata and config digest.
 */
export interface PublishOutcome {
  kernel: KernelImageInfo
  metadataPath: string
  /** The text of kernel/metadata as written. */
  metadata: string
  /** sha256 of the kernel's .config (the KERNEL_CONFIG of the metadata). */
  configDigest: string
  /** Digest of the image manifest. */
  digest: string
  imageRef: string
  tags: string[]
  layout: string
  manifest: ImageManifest
  /** Size of the manifest in bytes. */
  manifestSize: number
  /** The image config blob's descriptor. */
  imageConfig: Descriptor
  /** Each kernel file's layer, by file name. */
  layers: Partial<Record<KernelFileName, Descriptor>>
  push?: PushResult
}

/**
 * Describe and publish: read the kernel image, check it is the kernel the config describes, write /kernel/metadata,
 * build the image into the local OCI layout, then push it (blobs, manifest by digest, tags last) when asked.
 */
export async function publishKernel(request: PublishRequest): Promise<PublishOutcome> {
  const { kernel: given, output } = request
  // Everything is checked before anything is written: a bad input leaves no metadata file and no layout change.
  const kernel = await inspectKernelImage(given.image)
  const headerVersion = given.config.header?.version
  const mismatches = crossCheckKernel(kernel, { arch: given.arch, version: headerVersion, file: given.config.file }, output.version)
  if (request.build.bootRules) assertKrataCanLoad(kernel)
  const version = output.version || headerVersion
  if (!version) throw new InputError(`version: ${given.config.file} has no "# Linux/<arch> <version> Kernel Configuration" header; set input version`)
  const repository = request.registry.repository ? parseRepository(request.registry.repository) : undefined
  const tags = expandTags(output.tags, { version, flavor: output.flavor, arch: given.arch })
  const configDigest = sha256Digest(given.configBytes)
  if (given.addons) await assertSquashfs(given.addons, 'addons')
  const metadata = renderKernelMetadata({
    arch: given.arch,
    version,
    unameR: kernel.release,
    flavor: output.flavor,
    configDigest,
    tags,
  })
  for (const warning of mismatches) request.warn(warning)
  const layout = await OciLayout.open(output.ociLayout)

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
  const { kernel: given, output, build } = request
  request.log(`kernel: ${kernel.format} ${kernel.arch}, release ${kernel.release}, payload ${kernel.payloadCompression ?? 'unknown'}`)
  for (const line of metadata.trimEnd().split('\n')) request.log(`metadata: ${line}`)

  const files: KernelFile[] = [{ name: 'image', source: given.image }]
  if (given.addons) {
    files.push({ name: 'addons.squashfs', source: given.addons })
  } else {
    request.warn('addons: no addons.squashfs given; the image has no kernel modules (krata mounts the system addons for -k kernels anyway)')
  }
  files.push({ name: 'config.gz', source: gzipDeterministic(given.configBytes) }, { name: 'metadata', source: Buffer.from(metadata) })

  const annotations = kernelAnnotations(
    {
      version,
      flavor: output.flavor,
      arch: given.arch,
      configDigest,
      tags,
      created: build.created,
      source: build.source,
      revision: build.revision,
      title: repository?.repository.split('/').pop() ?? `${output.flavor}-kernel`,
    },
    request.annotations,
  )
  const built = await buildKernelImage(
    { files, architecture: ociArch(given.arch), created: build.created, compression: build.compression, annotations },
    layout,
  )
  const writtenTags = output.pushByDigest ? [] : tags
  // By digest, the manifest is still listed in index.json (without a ref name), so the layout holds a real image.
  if (writtenTags.length) await layout.tag(built.manifest.descriptor, writtenTags)
  else await layout.addUntagged(built.manifest.descriptor)
  request.log(`oci layout ${output.ociLayout}: ${built.digest}${writtenTags.length ? ` tagged ${writtenTags.join(', ')}` : ''}`)

  let push: PushResult | undefined
  if (repository) {
    // One client pushes and reads back.
    const store = RegistryStore.open(repository, {
      credentials: request.registry.credentials,
      insecure: request.registry.insecureRegistry,
      onSecret: request.onSecret,
      log: request.log,
    })
    const readBack = { verify: build.verify ?? 'light', bootRules: build.bootRules, log: request.log }
    push = await pushImage(store.client, built, writtenTags, { beforeTags: (digest) => verifyPushed(store, digest, readBack) })
  }
  return {
    kernel,
    metadataPath,
    metadata,
    configDigest,
    digest: built.digest,
    imageRef: repository ? `${request.registry.repository}@${built.digest}` : `oci:${output.ociLayout}@${built.digest}`,
    tags: writtenTags,
    layout: output.ociLayout,
    manifest: JSON.parse(built.manifest.bytes.toString('utf8')) as ImageManifest,
    manifestSize: built.manifest.bytes.length,
    imageConfig: built.config,
    layers: Object.fromEntries(files.map((file, position) => [file.name, built.layers[position]!])),
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
