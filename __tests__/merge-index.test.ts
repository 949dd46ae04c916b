import { describe, expect, it } from '@jest/globals'
import path from 'node:path'
import { InputError } from '../src/errors.js'
import { serializeJson } from '../src/oci/image.js'
import { MediaType, type ImageManifest } from '../src/oci/types.js'
import { parseMergeSources, planKernelIndex, type MergeImage, type MergeOptions, type MergeTarget } from '../src/publish/merge-index.js'
import { parseJson, type OciJson } from './support/json.js'

const hex = (c: string) => c.repeat(64)
const CONFIG_DIGEST = { amd64: `sha256:${hex('1')}`, arm64: `sha256:${hex('2')}` }

/** An image as kernel-action publishes it: the manifest's annotations and an image config with os/architecture. */
function image(
  architecture: string,
  annotations: Record<string, string> = {},
  extra: { os?: string; mediaType?: string; variant?: string } = {},
): MergeImage {
  const kernelArch = architecture === 'amd64' ? 'x86_64' : architecture === 'arm64' ? 'aarch64' : architecture
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.manifest,
    config: { mediaType: MediaType.config, digest: `sha256:${hex('c')}`, size: 100 },
    layers: [{ mediaType: MediaType.layerTar, digest: `sha256:${hex(architecture === 'amd64' ? 'a' : 'b')}`, size: 2048 }],
    annotations: {
      'dev.edera.kernel.format': '1',
      'dev.edera.kernel.version': '6.1.192',
      'dev.edera.kernel.flavor': 'zone',
      'dev.edera.kernel.arch': kernelArch,
      'dev.edera.kernel.config': CONFIG_DIGEST[architecture as 'amd64'] ?? `sha256:${hex('3')}`,
      'dev.edera.kernel.tags': '',
      'org.opencontainers.image.version': '6.1.192',
      'org.opencontainers.image.title': 'zone-kernel',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      ...annotations,
    },
  }
  const serialized = serializeJson(manifest, MediaType.manifest)
  return {
    descriptor: { ...serialized.descriptor, mediaType: extra.mediaType ?? MediaType.manifest },
    manifest,
    config: {
      architecture,
      os: extra.os ?? 'linux',
      ...(extra.variant ? { variant: extra.variant } : {}),
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    },
  }
}

const options = (more: Partial<MergeOptions> = {}): MergeOptions => ({ tagTemplates: [], pushByDigest: false, annotations: {}, ...more })
const amd64 = image('amd64')
const arm64 = image('arm64')

function inputError(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error('expected an InputError')
}

describe('planKernelIndex: the multi-arch index krata picks a platform from', () => {
  it('lists each image with platform linux/amd64 or linux/arm64 and puts the shared kernel annotations on the index', () => {
    const plan = planKernelIndex([amd64, arm64], options({ tagTemplates: ['{{version}}', '{{major}}.{{minor}}', '{{flavor}}', 'latest'] }))
    expect(plan.tags).toEqual(['6.1.192', '6.1', 'zone', 'latest'])
    expect(plan.version).toBe('6.1.192')
    expect(plan.flavor).toBe('zone')
    expect(JSON.parse(plan.index.bytes.toString('utf8'))).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.index,
      manifests: [
        {
          mediaType: MediaType.manifest,
          digest: amd64.descriptor.digest,
          size: amd64.descriptor.size,
          platform: { os: 'linux', architecture: 'amd64' },
        },
        {
          mediaType: MediaType.manifest,
          digest: arm64.descriptor.digest,
          size: arm64.descriptor.size,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
      // Per-image facts (arch, the config digest) are left to the manifests; the index gets its own tags.
      annotations: {
        'dev.edera.kernel.format': '1',
        'dev.edera.kernel.version': '6.1.192',
        'dev.edera.kernel.flavor': 'zone',
        'dev.edera.kernel.tags': '6.1.192,6.1,zone,latest',
        'org.opencontainers.image.version': '6.1.192',
        'org.opencontainers.image.title': 'zone-kernel',
        'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      },
    })
    expect(plan.index.descriptor.mediaType).toBe(MediaType.index)
    expect(plan.platforms).toEqual([
      { architecture: 'amd64', digest: amd64.descriptor.digest },
      { architecture: 'arm64', digest: arm64.descriptor.digest },
    ])
  })

  it('gives the same index whichever order the matrix jobs report their digests in', () => {
    const a = planKernelIndex([amd64, arm64], options())
    const b = planKernelIndex([arm64, amd64], options())
    expect(b.index.bytes.equals(a.index.bytes)).toBe(true)
    expect(b.index.descriptor.digest).toBe(a.index.descriptor.digest)
  })

  it('defaults the tags to the version, writes none when pushing by digest, and lets user annotations win', () => {
    expect(planKernelIndex([amd64, arm64], options()).tags).toEqual(['6.1.192'])
    const byDigest = planKernelIndex(
      [amd64, arm64],
      options({ tagTemplates: ['latest'], pushByDigest: true, annotations: { 'org.opencontainers.image.title': 'kernels' } }),
    )
    expect(byDigest.tags).toEqual([])
    const annotations = parseJson<OciJson>(byDigest.index.bytes).annotations
    expect(annotations['dev.edera.kernel.tags']).toBeUndefined()
    expect(annotations['org.opencontainers.image.title']).toBe('kernels')
  })

  it('drops an annotation the images disagree on and keeps an arm64 variant on the platform', () => {
    const plan = planKernelIndex(
      [amd64, image('arm64', { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' }, { variant: 'v8' })],
      options(),
    )
    const index = parseJson<OciJson>(plan.index.bytes)
    expect(index.annotations['org.opencontainers.image.created']).toBeUndefined()
    expect(index.manifests[1].platform).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' })
  })

  it('expands {{arch}} for a one-image index and refuses it when there are two architectures', () => {
    expect(planKernelIndex([arm64], options({ tagTemplates: ['{{version}}-{{arch}}'] })).tags).toEqual(['6.1.192-aarch64'])
    expect(inputError(() => planKernelIndex([amd64, arm64], options({ tagTemplates: ['{{version}}-{{arch}}'] })))).toBe(
      'merge: tags: {{arch}} in "{{version}}-{{arch}}" has no one value for an index of amd64 and arm64',
    )
  })

  it('refuses images of different kernel versions or flavors', () => {
    const newer = image('arm64', { 'dev.edera.kernel.version': '6.1.193' })
    expect(inputError(() => planKernelIndex([amd64, newer], options()))).toBe(
      `merge: images of different kernel versions: ${amd64.descriptor.digest} is 6.1.192, ${newer.descriptor.digest} is 6.1.193`,
    )
    const host = image('arm64', { 'dev.edera.kernel.flavor': 'host' })
    expect(inputError(() => planKernelIndex([amd64, host], options()))).toBe(
      `merge: images of different kernel flavors: ${amd64.descriptor.digest} is zone, ${host.descriptor.digest} is host`,
    )
  })

  it('refuses two images of the same platform', () => {
    const other = image('amd64', { 'org.opencontainers.image.title': 'another' })
    expect(inputError(() => planKernelIndex([amd64, arm64, other], options()))).toBe(
      `merge: ${amd64.descriptor.digest} and ${other.descriptor.digest} are both linux/amd64; an index holds one image per platform`,
    )
  })

  it('refuses an architecture krata cannot pick (aarch64 is not arm64), another os, an index and a missing annotation', () => {
    const aarch64 = image('aarch64')
    expect(inputError(() => planKernelIndex([amd64, aarch64], options()))).toBe(
      `merge: ${aarch64.descriptor.digest} has architecture "aarch64" in its image config; krata picks only amd64 or arm64 from an index`,
    )
    const windows = image('amd64', {}, { os: 'windows' })
    expect(inputError(() => planKernelIndex([windows], options()))).toBe(
      `merge: ${windows.descriptor.digest} has os "windows" in its image config; krata runs linux images only`,
    )
    const index = image('amd64', {}, { mediaType: MediaType.index })
    expect(inputError(() => planKernelIndex([index], options()))).toBe(
      `merge: ${index.descriptor.digest} is an image index, not one image: list the per-architecture digests`,
    )
    const bare = image('amd64', { 'dev.edera.kernel.flavor': '' })
    expect(inputError(() => planKernelIndex([bare], options()))).toBe(
      `merge: ${bare.descriptor.digest} has no dev.edera.kernel.flavor annotation; merge takes kernel images published by this action`,
    )
    const lying = image('amd64', { 'dev.edera.kernel.arch': 'aarch64' })
    expect(inputError(() => planKernelIndex([lying], options()))).toBe(
      `merge: ${lying.descriptor.digest} says dev.edera.kernel.arch=aarch64, but its image config says amd64`,
    )
  })

  it('checks the images against inputs version and flavor when they are given', () => {
    expect(planKernelIndex([amd64, arm64], options({ version: '6.1.192', flavor: 'zone' })).version).toBe('6.1.192')
    expect(inputError(() => planKernelIndex([amd64, arm64], options({ version: '6.1.193' })))).toBe(
      'merge: the images are kernel 6.1.192, but input version is 6.1.193',
    )
  })

  it('refuses a bad tag, naming input merge and the tag', () => {
    expect(inputError(() => planKernelIndex([amd64, arm64], options({ tagTemplates: ['-latest'] })))).toBe(
      'merge: tags: "-latest" is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)',
    )
  })
})

describe('parseMergeSources: the lines of input merge', () => {
  const registry: MergeTarget = {
    kind: 'registry',
    ref: { registry: '127.0.0.1:5000', repository: 'kernels/zone-kernel' },
    name: '127.0.0.1:5000/kernels/zone-kernel',
  }
  const layout: MergeTarget = { kind: 'layout', dir: 'kernel-oci' }
  const a = `sha256:${hex('a')}`
  const b = `sha256:${hex('b')}`

  it('takes bare digests, repository@digest of the same repository, and the oci:LAYOUT@digest image-ref of the layout', () => {
    expect(parseMergeSources([a, `127.0.0.1:5000/kernels/zone-kernel@${b}`], registry)).toEqual([a, b])
    expect(parseMergeSources([`oci:kernel-oci@${a}`, `oci:${path.resolve('kernel-oci')}@${b}`], layout)).toEqual([a, b])
  })

  it('refuses what is not a digest, a digest given twice, and an image outside the target', () => {
    expect(inputError(() => parseMergeSources(['latest'], registry))).toBe('merge: "latest" is not a sha256 digest or REPOSITORY@sha256:<64 hex>')
    expect(inputError(() => parseMergeSources([a, `127.0.0.1:5000/kernels/zone-kernel@${a}`], registry))).toBe(`merge: ${a} is listed twice`)
    expect(inputError(() => parseMergeSources([`127.0.0.1:5000/kernels/other@${a}`], registry))).toBe(
      `merge: 127.0.0.1:5000/kernels/other@${a} is in 127.0.0.1:5000/kernels/other, not in 127.0.0.1:5000/kernels/zone-kernel; every image of an index must be in the repository the index goes to`,
    )
    expect(inputError(() => parseMergeSources([`ghcr.io/org/zone-kernel@${a}`], layout))).toBe(
      `merge: ghcr.io/org/zone-kernel@${a} names a registry repository, but input repository is empty (merging into the OCI layout kernel-oci); set repository`,
    )
    expect(inputError(() => parseMergeSources([`oci:elsewhere@${a}`], layout))).toBe(
      `merge: oci:elsewhere@${a} is in the OCI layout elsewhere, but the index goes to the OCI layout kernel-oci; the images must be where the index goes`,
    )
  })
})
