// The drift report: one kernel (the reference, usually what a tag holds today) against another (this build), as data.
import type { KernelConfig } from '../check/kernel-config.js'
import { diffConfigs, type OptionChange, type OptionClass } from './config-diff.js'

/** The files whose size is tracked, as named inside the image. */
const SIZED_FILES = ['kernel/image', 'kernel/addons.squashfs'] as const
export type SizedFile = (typeof SIZED_FILES)[number]

/** One side of the comparison: what its metadata (or annotations) say, and the sizes of its layers. */
export interface KernelSide {
  /** How the user named it (`ghcr.io/org/k:latest`, `oci:layout:6.1`, a file path), or `this build`. */
  ref: string
  /** The image manifest digest, when the side is an image. */
  digest: string | null
  /** `sha256:` of the uncompressed `.config`. */
  configDigest: string
  version: string | null
  unameR: string | null
  flavor: string | null
  tags: string[]
  /**
   * The size of the layer that holds each file, from the manifest's descriptors (the blob as stored, so compressed
   * when the layer is); null when the side is not an image or the image has no such file.
   */
  sizes: Record<SizedFile, number | null>
}

export interface SizeChange {
  file: SizedFile
  before: number | null
  after: number | null
  /** after − before, null unless both are known. */
  bytes: number | null
  /** The change in percent of before, to one decimal; null unless both are known and before is not 0. */
  percent: number | null
}

export interface DriftReport {
  before: KernelSide
  after: KernelSide
  /** The two configs are byte for byte the same (equal KERNEL_CONFIG digests): no option was compared. */
  sameConfig: boolean
  /** How many options changed (added + removed + changed): the `config-changed` output. */
  configChanged: number
  counts: Record<OptionChange['kind'] | OptionClass, number>
  /** Requirement changes first, then Xen, then the rest; each group by option name. */
  changes: OptionChange[]
  sizes: SizeChange[]
}

export interface DriftInput {
  side: KernelSide
  config: KernelConfig
}

/** Pure: two sides and their parsed configs in, the report out. */
export function buildDrift(before: DriftInput, after: DriftInput, requirementOptions: ReadonlySet<string>): DriftReport {
  const sameConfig = before.side.configDigest === after.side.configDigest
  const changes = sameConfig ? [] : diffConfigs(before.config, after.config, requirementOptions)
  const counts = { added: 0, removed: 0, changed: 0, requirement: 0, xen: 0, other: 0 }
  for (const change of changes) {
    counts[change.kind]++
    counts[change.class]++
  }
  return {
    before: before.side,
    after: after.side,
    sameConfig,
    configChanged: changes.length,
    counts,
    changes,
    sizes: SIZED_FILES.map((file) => sizeChange(file, before.side.sizes[file], after.side.sizes[file])),
  }
}

export function sizeChange(file: SizedFile, before: number | null, after: number | null): SizeChange {
  const known = before !== null && after !== null
  const bytes = known ? after - before : null
  const percent = known && before !== 0 ? Math.round(((after - before) / before) * 1000) / 10 : null
  return { file, before, after, bytes, percent }
}

/** A side that has only a config (a check-only run, or a `.config` given to the CLI). */
export function configOnlySide(ref: string, configDigest: string, config: KernelConfig): KernelSide {
  return {
    ref,
    digest: null,
    configDigest,
    version: config.header?.version ?? null,
    unameR: null,
    flavor: null,
    tags: [],
    sizes: { 'kernel/image': null, 'kernel/addons.squashfs': null },
  }
}
