// krata v0.0.21's puller, as rules over plain data (krata-formats.md §2.4): each returns the lines of what it
// would refuse or misread, empty when it is fine. No I/O here.
import { KRATA_LAYER_TYPES, isRegularEntry, platformText, type ImageConfigJson } from '../oci/image-format.js'
import { MediaType, type Descriptor, type ImageIndex } from '../oci/types.js'
import type { KernelImageInfo } from '../describe/kernel-image.js'
import { archOfOci, KERNEL_ARCHES, OCI_ARCHES } from '../arch.js'

/** krata matches an index entry by these architecture strings only (`aarch64` parses as Other and is never picked). */
const KRATA_PLATFORM_ARCHES: ReadonlySet<string> = new Set(OCI_ARCHES)
const REQUIRED_ANNOTATIONS = ['dev.edera.kernel.format', 'dev.edera.kernel.version', 'dev.edera.kernel.flavor'] as const
const LOADABLE_PAYLOADS = new Set(['gzip', 'xz'])

export function indexViolations(index: ImageIndex): string[] {
  const lines: string[] = []
  const entries = Array.isArray(index.manifests) ? index.manifests : []
  entries.forEach((entry, position) => {
    const at = `index entry ${position + 1} (${entry.digest})`
    if (entry.platform === undefined) lines.push(`${at}: has no platform; krata skips it`)
    else if (entry.platform.os !== 'linux') lines.push(`${at}: platform ${platformText(entry)}; krata picks only linux`)
    else if (!KRATA_PLATFORM_ARCHES.has(entry.platform.architecture)) {
      lines.push(`${at}: platform ${platformText(entry)}; krata matches only amd64 or arm64, so it never picks this one`)
    }
  })
  if (!entries.some((entry) => entry.platform?.os === 'linux' && KRATA_PLATFORM_ARCHES.has(entry.platform.architecture))) {
    lines.push('index: no linux/amd64 or linux/arm64 entry; krata can pick nothing from it')
  }
  return lines
}

/** A registry's Content-Type is how krata tells an index from a manifest. */
export function servedTypeViolations(servedAs: string, isIndex: boolean, fromRegistry: boolean): string[] {
  if (!fromRegistry) return []
  const indexTypes: readonly string[] = [MediaType.index, MediaType.dockerManifestList]
  if (isIndex && !indexTypes.includes(servedAs)) return [`index served as "${servedAs}"; krata detects an index only by its Content-Type`]
  return []
}

export function layerTypeViolations(layers: readonly Descriptor[]): string[] {
  return layers.flatMap((layer, position) =>
    KRATA_LAYER_TYPES.has(layer.mediaType)
      ? []
      : [
          `layer ${position + 1} (${layer.digest}): media type ${layer.mediaType}; krata reads only tar, tar+gzip, tar+zstd or docker rootfs.diff.tar.gzip layers`,
        ],
  )
}

/** The three `dev.edera.kernel.*` keys krata's fetch tool requires, on the manifest (or the index above it). */
export function annotationViolations(manifest?: Record<string, string>, index?: Record<string, string>): string[] {
  const missing = REQUIRED_ANNOTATIONS.filter((key) => !manifest?.[key] && !index?.[key])
  return missing.length === 0 ? [] : [`manifest: annotation${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`]
}

/** oci-spec 0.6.8's ImageConfiguration: architecture, os, rootfs{type, diff_ids} and history are all required. */
export function configViolations(config: ImageConfigJson, platformArch?: string): string[] {
  const lines: string[] = []
  if (!Array.isArray(config.history)) lines.push('config: no "history" array; krata cannot parse the image config without it')
  if (typeof config.architecture !== 'string') lines.push('config: no "architecture"; krata cannot parse the image config without it')
  if (typeof config.os !== 'string') lines.push('config: no "os"; krata cannot parse the image config without it')
  const rootfs = config.rootfs as { type?: unknown; diff_ids?: unknown } | undefined
  if (rootfs === null || typeof rootfs !== 'object' || typeof rootfs.type !== 'string' || !Array.isArray(rootfs.diff_ids)) {
    lines.push('config: no "rootfs" with "type" and "diff_ids"; krata cannot parse the image config without it')
  }
  if (platformArch !== undefined && typeof config.architecture === 'string' && config.architecture !== platformArch) {
    lines.push(`config: architecture ${config.architecture}, but the index lists this image as ${platformArch}`)
  }
  return lines
}

/** Entry lines kept before the rest are counted in one line: a layer of 60,000 bad entries must stay readable. */
export const TAR_RULE_LINES_MAX = 20

/** Tar entry rules, fed one entry at a time across all layers in order (krata unpacks them into one tree). */
export class TarRules {
  /** What is wrong: at most TAR_RULE_LINES_MAX entry lines, then one line counting the rest (kept up to date). */
  readonly lines: string[] = []
  #reported = 0
  #summaryAt = -1
  readonly #directories = new Set<string>([''])

  #report(line: string): void {
    this.#reported++
    if (this.#reported <= TAR_RULE_LINES_MAX) {
      this.lines.push(line)
      return
    }
    if (this.#summaryAt < 0) this.#summaryAt = this.lines.push('') - 1
    this.lines[this.#summaryAt] = `… and ${this.#reported - TAR_RULE_LINES_MAX} more tar entries that break these rules`
  }

  entry(layer: number, path: string, type: string, linkpath?: string): void {
    const at = `layer ${layer}: "${path}"`
    let name = path
    if (name.startsWith('./') || name.startsWith('/')) {
      this.#report(
        `${at}: path starts with "${name.startsWith('/') ? '/' : './'}"; krata compares paths as stored, so it is not ${stripPrefix(name)}`,
      )
      name = stripPrefix(name)
    } else {
      const parent = parentOf(name.replace(/\/+$/, ''))
      if (!this.#directories.has(parent))
        this.#report(`${at}: no "${parent}/" directory entry before it; krata fails "unable to find parent of entry"`)
    }
    const bare = name.replace(/\/+$/, '')
    if (type === 'Directory') this.#directories.add(bare)
    if (bare.startsWith('kernel/') && !isRegularEntry(type) && type !== 'Directory') {
      const what =
        type === 'SymbolicLink' ? `a symbolic link to ${linkpath ?? '?'}` : type === 'Link' ? `a hard link to ${linkpath ?? '?'}` : `a ${type} entry`
      this.#report(`${at}: is ${what}; krata reads only regular files (it would find it empty)`)
    }
  }
}

function stripPrefix(path: string): string {
  return path.replace(/^(?:\.\/|\/)+/, '')
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : path.slice(0, slash)
}

export interface KernelFacts {
  /** Undefined when kernel/image could not be inspected (that is its own violation). */
  kernel?: KernelImageInfo
  metadata?: Record<string, string>
  /** sha256 of the uncompressed kernel/config.gz, when the image holds one. */
  configDigest?: string
  configArchitecture?: unknown
  annotations?: Record<string, string>
  /** Check that krata's loader can find the kernel's payload (gzip or xz). */
  bootRules?: boolean
}

/** The metadata checked against the kernel it describes, the stored config, the image config and the annotations. */
export function metadataViolations(facts: KernelFacts): string[] {
  const { kernel, metadata } = facts
  const lines: string[] = []
  if (
    facts.bootRules !== false &&
    kernel?.format === 'bzImage' &&
    kernel.payloadCompression !== undefined &&
    !LOADABLE_PAYLOADS.has(kernel.payloadCompression)
  ) {
    lines.push(`kernel/image: a ${kernel.payloadCompression}-compressed bzImage; krata's loader finds only gzip or xz kernels`)
  }
  if (metadata === undefined) return lines
  const arch = metadata.KERNEL_ARCH
  if (arch === undefined) lines.push('kernel/metadata: no KERNEL_ARCH')
  else if (!(KERNEL_ARCHES as readonly string[]).includes(arch)) lines.push(`kernel/metadata: KERNEL_ARCH=${arch} is not x86_64 or aarch64`)
  else {
    if (kernel !== undefined && kernel.arch !== arch)
      lines.push(`kernel/metadata: KERNEL_ARCH=${arch}, but kernel/image is an ${kernel.arch} ${kernel.format}`)
    const fromConfig = archOfOci(facts.configArchitecture)
    if (fromConfig !== undefined && fromConfig !== arch)
      lines.push(`kernel/metadata: KERNEL_ARCH=${arch}, but the image config says ${String(facts.configArchitecture)}`)
  }
  const unameR = metadata.KERNEL_UNAME_R
  if (unameR !== undefined && kernel?.release !== undefined && unameR !== kernel.release) {
    lines.push(`kernel/metadata: KERNEL_UNAME_R=${unameR}, but kernel/image is Linux ${kernel.release}`)
  }
  const configDigest = metadata.KERNEL_CONFIG
  if (configDigest === undefined) lines.push('kernel/metadata: no KERNEL_CONFIG')
  else if (facts.configDigest === undefined) lines.push('kernel/metadata: KERNEL_CONFIG cannot be checked: the image has no kernel/config.gz')
  else if (configDigest !== facts.configDigest) {
    lines.push(`kernel/metadata: KERNEL_CONFIG=${configDigest}, but the uncompressed kernel/config.gz is ${facts.configDigest}`)
  }
  for (const [key, annotation] of [
    ['KERNEL_VERSION', 'dev.edera.kernel.version'],
    ['KERNEL_FLAVOR', 'dev.edera.kernel.flavor'],
  ] as const) {
    const said = facts.annotations?.[annotation]
    if (metadata[key] !== undefined && said !== undefined && said !== metadata[key]) {
      lines.push(`kernel/metadata: ${key}=${metadata[key]}, but annotation ${annotation} is ${said}`)
    }
  }
  return lines
}
