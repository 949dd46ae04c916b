// krata's puller rules as a table: one row per rule, each with the smallest input that breaks it and the exact line
// verify prints, beside a row that keeps it. Deleting any rule in src/verify/rules.ts fails its row here.
import { describe, expect, it } from '@jest/globals'
import type { KernelImageInfo } from '../src/describe/kernel-image.js'
import type { Descriptor, ImageIndex } from '../src/oci/types.js'
import {
  TAR_RULE_LINES_MAX,
  TarRules,
  annotationViolations,
  configViolations,
  indexViolations,
  layerTypeViolations,
  metadataViolations,
  servedTypeViolations,
  type KernelFacts,
} from '../src/verify/rules.js'

const D = `sha256:${'a'.repeat(64)}`
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const entry = (platform?: { os: string; architecture: string }): Descriptor => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: D,
  size: 100,
  ...(platform ? { platform } : {}),
})
const index = (...manifests: Descriptor[]): ImageIndex => ({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })

describe('indexViolations: what krata can pick from an index', () => {
  it.each([
    [
      'linux/amd64 and linux/arm64 are picked',
      index(entry({ os: 'linux', architecture: 'amd64' }), entry({ os: 'linux', architecture: 'arm64' })),
      [],
    ],
    [
      'an entry without a platform is skipped',
      index(entry(), entry({ os: 'linux', architecture: 'amd64' })),
      [`index entry 1 (${D}): has no platform; krata skips it`],
    ],
    [
      'an entry for another os is never picked',
      index(entry({ os: 'windows', architecture: 'amd64' }), entry({ os: 'linux', architecture: 'arm64' })),
      [`index entry 1 (${D}): platform windows/amd64; krata picks only linux`],
    ],
    [
      'the kernel name aarch64 is not an OCI architecture krata matches',
      index(entry({ os: 'linux', architecture: 'aarch64' }), entry({ os: 'linux', architecture: 'amd64' })),
      [`index entry 1 (${D}): platform linux/aarch64; krata matches only amd64 or arm64, so it never picks this one`],
    ],
    [
      'an index with nothing krata can pick',
      index(entry({ os: 'linux', architecture: 'x86_64' })),
      [
        `index entry 1 (${D}): platform linux/x86_64; krata matches only amd64 or arm64, so it never picks this one`,
        'index: no linux/amd64 or linux/arm64 entry; krata can pick nothing from it',
      ],
    ],
    ['an empty index', index(), ['index: no linux/amd64 or linux/arm64 entry; krata can pick nothing from it']],
  ])('%s', (_name, given, lines) => {
    expect(indexViolations(given)).toEqual(lines)
  })
})

describe("servedTypeViolations: a registry's Content-Type is how krata tells an index", () => {
  it.each([
    ['an OCI index served as an index', OCI_INDEX, true, true, []],
    ['a Docker manifest list served as one', 'application/vnd.docker.distribution.manifest.list.v2+json', true, true, []],
    [
      'an index served as a manifest',
      'application/vnd.oci.image.manifest.v1+json',
      true,
      true,
      ['index served as "application/vnd.oci.image.manifest.v1+json"; krata detects an index only by its Content-Type'],
    ],
    [
      'an index served as application/json',
      'application/json',
      true,
      true,
      ['index served as "application/json"; krata detects an index only by its Content-Type'],
    ],
    ['a manifest served as a manifest', 'application/vnd.oci.image.manifest.v1+json', false, true, []],
    ['a layout has no Content-Type to get wrong', 'application/json', true, false, []],
  ])('%s', (_name, servedAs, isIndex, fromRegistry, lines) => {
    expect(servedTypeViolations(servedAs, isIndex, fromRegistry)).toEqual(lines)
  })
})

describe('layerTypeViolations: the layer media types krata reads', () => {
  it.each([
    ['tar', 'application/vnd.oci.image.layer.v1.tar', []],
    ['tar+gzip', 'application/vnd.oci.image.layer.v1.tar+gzip', []],
    ['tar+zstd', 'application/vnd.oci.image.layer.v1.tar+zstd', []],
    ['docker rootfs gzip', 'application/vnd.docker.image.rootfs.diff.tar.gzip', []],
    [
      'a non-distributable layer',
      'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
      [
        `layer 1 (${D}): media type application/vnd.oci.image.layer.nondistributable.v1.tar+gzip; krata reads only tar, tar+gzip, tar+zstd or docker rootfs.diff.tar.gzip layers`,
      ],
    ],
  ])('%s', (_name, mediaType, lines) => {
    expect(layerTypeViolations([{ mediaType, digest: D, size: 1 }])).toEqual(lines)
  })
})

describe('annotationViolations: the three dev.edera.kernel.* keys', () => {
  const all = { 'dev.edera.kernel.format': '1', 'dev.edera.kernel.version': '6.1', 'dev.edera.kernel.flavor': 'zone' }
  it.each([
    ['all on the manifest', all, undefined, []],
    ['all on the index above it', undefined, all, []],
    ['split between the two', { 'dev.edera.kernel.format': '1' }, { 'dev.edera.kernel.version': '6.1', 'dev.edera.kernel.flavor': 'zone' }, []],
    ['one missing', { ...all, 'dev.edera.kernel.flavor': '' }, undefined, ['manifest: annotation dev.edera.kernel.flavor missing']],
    [
      'none at all',
      undefined,
      undefined,
      ['manifest: annotations dev.edera.kernel.format, dev.edera.kernel.version, dev.edera.kernel.flavor missing'],
    ],
  ])('%s', (_name, manifest, onIndex, lines) => {
    expect(annotationViolations(manifest, onIndex)).toEqual(lines)
  })
})

describe('configViolations: what oci-spec needs to parse the image config', () => {
  const good = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, history: [] }
  const without = (key: string): Record<string, unknown> => Object.fromEntries(Object.entries(good).filter(([k]) => k !== key))
  it.each([
    ['a whole config', good, undefined, []],
    ['no history', without('history'), undefined, ['config: no "history" array; krata cannot parse the image config without it']],
    ['no architecture', without('architecture'), undefined, ['config: no "architecture"; krata cannot parse the image config without it']],
    ['no os', without('os'), undefined, ['config: no "os"; krata cannot parse the image config without it']],
    ['os not a string', { ...good, os: 1 }, undefined, ['config: no "os"; krata cannot parse the image config without it']],
    ['no rootfs', without('rootfs'), undefined, ['config: no "rootfs" with "type" and "diff_ids"; krata cannot parse the image config without it']],
    [
      'rootfs without diff_ids',
      { ...good, rootfs: { type: 'layers' } },
      undefined,
      ['config: no "rootfs" with "type" and "diff_ids"; krata cannot parse the image config without it'],
    ],
    ['architecture matching the index platform', good, 'amd64', []],
    ['architecture against the index platform', good, 'arm64', ['config: architecture amd64, but the index lists this image as arm64']],
  ])('%s', (_name, config, platformArch, lines) => {
    expect(configViolations(config, platformArch)).toEqual(lines)
  })
})

describe('TarRules: entries as krata unpacks them', () => {
  const run = (entries: [string, string, string?][]): string[] => {
    const rules = new TarRules()
    for (const [path, type, linkpath] of entries) rules.entry(1, path, type, linkpath)
    return rules.lines
  }
  it.each([
    [
      'a directory, then its files',
      [
        ['kernel/', 'Directory'],
        ['kernel/image', 'File'],
      ],
      [],
    ],
    [
      'a "./" prefix',
      [
        ['./kernel/', 'Directory'],
        ['./kernel/image', 'File'],
      ],
      [
        'layer 1: "./kernel/": path starts with "./"; krata compares paths as stored, so it is not kernel/',
        'layer 1: "./kernel/image": path starts with "./"; krata compares paths as stored, so it is not kernel/image',
      ],
    ],
    [
      'a "/" prefix',
      [['/kernel/image', 'File']],
      ['layer 1: "/kernel/image": path starts with "/"; krata compares paths as stored, so it is not kernel/image'],
    ],
    [
      'a file before its directory',
      [['kernel/image', 'File']],
      ['layer 1: "kernel/image": no "kernel/" directory entry before it; krata fails "unable to find parent of entry"'],
    ],
    [
      'a symbolic link as a kernel file',
      [
        ['kernel/', 'Directory'],
        ['kernel/image', 'SymbolicLink', '/boot/vmlinuz'],
      ],
      ['layer 1: "kernel/image": is a symbolic link to /boot/vmlinuz; krata reads only regular files (it would find it empty)'],
    ],
    [
      'a hard link as a kernel file',
      [
        ['kernel/', 'Directory'],
        ['kernel/image', 'Link', 'kernel/other'],
      ],
      ['layer 1: "kernel/image": is a hard link to kernel/other; krata reads only regular files (it would find it empty)'],
    ],
    [
      'a FIFO as a kernel file',
      [
        ['kernel/', 'Directory'],
        ['kernel/metadata', 'FIFO'],
      ],
      ['layer 1: "kernel/metadata": is a FIFO entry; krata reads only regular files (it would find it empty)'],
    ],
    ['a symbolic link outside kernel/ is not its business', [['lib', 'SymbolicLink', 'usr/lib']], []],
  ] as [string, [string, string, string?][], string[]][])('%s', (_name, entries, lines) => {
    expect(run(entries)).toEqual(lines)
  })

  it(`keeps ${TAR_RULE_LINES_MAX} entry lines and counts the rest in one line`, () => {
    const lines = run(Array.from({ length: 60_000 }, (_, i) => [`orphan/${i}`, 'File'] as [string, string]))
    expect(lines).toHaveLength(TAR_RULE_LINES_MAX + 1)
    expect(lines.at(-1)).toBe(`… and ${60_000 - TAR_RULE_LINES_MAX} more tar entries that break these rules`)
  })
})

describe('metadataViolations: the metadata against the kernel, the config and the annotations', () => {
  const CONFIG = `sha256:${'c'.repeat(64)}`
  const kernel: KernelImageInfo = {
    path: 'kernel/image',
    format: 'bzImage',
    arch: 'x86_64',
    release: '6.1.192-zone',
    versionString: '6.1.192-zone #1',
    payloadCompression: 'gzip',
    size: 1000,
  }
  const metadata = { KERNEL_ARCH: 'x86_64', KERNEL_UNAME_R: '6.1.192-zone', KERNEL_CONFIG: CONFIG, KERNEL_VERSION: '6.1.192', KERNEL_FLAVOR: 'zone' }
  const whole: KernelFacts = {
    kernel,
    metadata,
    configDigest: CONFIG,
    configArchitecture: 'amd64',
    annotations: { 'dev.edera.kernel.version': '6.1.192', 'dev.edera.kernel.flavor': 'zone' },
  }
  it.each([
    ['all agree', whole, []],
    ['no metadata: nothing to compare', { kernel }, []],
    ['an xz bzImage loads', { ...whole, kernel: { ...kernel, payloadCompression: 'xz' } }, []],
    [
      'a zstd bzImage does not load',
      { ...whole, kernel: { ...kernel, payloadCompression: 'zstd' } },
      ["kernel/image: a zstd-compressed bzImage; krata's loader finds only gzip or xz kernels"],
    ],
    ['boot-rules off allows it', { ...whole, bootRules: false, kernel: { ...kernel, payloadCompression: 'zstd' } }, []],
    ['no KERNEL_ARCH', { ...whole, metadata: { ...metadata, KERNEL_ARCH: undefined } }, ['kernel/metadata: no KERNEL_ARCH']],
    [
      'an unknown KERNEL_ARCH',
      { ...whole, metadata: { ...metadata, KERNEL_ARCH: 'riscv64' } },
      ['kernel/metadata: KERNEL_ARCH=riscv64 is not x86_64 or aarch64'],
    ],
    [
      'KERNEL_ARCH against the kernel',
      { ...whole, configArchitecture: 'arm64', metadata: { ...metadata, KERNEL_ARCH: 'aarch64' } },
      ['kernel/metadata: KERNEL_ARCH=aarch64, but kernel/image is an x86_64 bzImage'],
    ],
    [
      'KERNEL_ARCH against the image config',
      { ...whole, configArchitecture: 'arm64' },
      ['kernel/metadata: KERNEL_ARCH=x86_64, but the image config says arm64'],
    ],
    [
      'KERNEL_UNAME_R against the kernel',
      { ...whole, metadata: { ...metadata, KERNEL_UNAME_R: '6.1.191-zone' } },
      ['kernel/metadata: KERNEL_UNAME_R=6.1.191-zone, but kernel/image is Linux 6.1.192-zone'],
    ],
    ['no KERNEL_CONFIG', { ...whole, metadata: { ...metadata, KERNEL_CONFIG: undefined } }, ['kernel/metadata: no KERNEL_CONFIG']],
    [
      'no config.gz to check it against',
      { ...whole, configDigest: undefined },
      ['kernel/metadata: KERNEL_CONFIG cannot be checked: the image has no kernel/config.gz'],
    ],
    [
      'KERNEL_CONFIG against config.gz',
      { ...whole, configDigest: `sha256:${'d'.repeat(64)}` },
      [`kernel/metadata: KERNEL_CONFIG=${CONFIG}, but the uncompressed kernel/config.gz is sha256:${'d'.repeat(64)}`],
    ],
    [
      'KERNEL_VERSION against its annotation',
      { ...whole, annotations: { ...whole.annotations, 'dev.edera.kernel.version': '6.1.193' } },
      ['kernel/metadata: KERNEL_VERSION=6.1.192, but annotation dev.edera.kernel.version is 6.1.193'],
    ],
    [
      'KERNEL_FLAVOR against its annotation',
      { ...whole, annotations: { ...whole.annotations, 'dev.edera.kernel.flavor': 'host' } },
      ['kernel/metadata: KERNEL_FLAVOR=zone, but annotation dev.edera.kernel.flavor is host'],
    ],
  ] as [string, KernelFacts, string[]][])('%s', (_name, facts, lines) => {
    const clean = facts.metadata
      ? { ...facts, metadata: Object.fromEntries(Object.entries(facts.metadata).filter(([, v]) => v !== undefined)) }
      : facts
    expect(metadataViolations(clean)).toEqual(lines)
  })
})
