import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { canonicalJson, imageConfig, imageIndex, imageManifest, serializeJson } from '../src/oci/image.js'
import { MediaType } from '../src/oci/types.js'

const DIFF_A = `sha256:${'a'.repeat(64)}`
const DIFF_B = `sha256:${'b'.repeat(64)}`

describe('imageConfig', () => {
  it('gives krata everything its parser requires, history included, one entry per layer', () => {
    const config = imageConfig({
      architecture: 'amd64',
      created: '2024-09-03T00:00:00Z',
      diffIds: [DIFF_A, DIFF_B],
      history: ['add /kernel/image', 'add /kernel/metadata'],
    })
    expect(config).toEqual({
      created: '2024-09-03T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [DIFF_A, DIFF_B] },
      history: [
        { created: '2024-09-03T00:00:00Z', created_by: 'add /kernel/image' },
        { created: '2024-09-03T00:00:00Z', created_by: 'add /kernel/metadata' },
      ],
    })
  })

  it('refuses a creation time that is not RFC 3339', () => {
    expect(() => imageConfig({ architecture: 'arm64', created: '2024-09-03 00:00', diffIds: [], history: [] })).toThrow(
      'image creation time is not an RFC 3339 time: "2024-09-03 00:00"',
    )
  })

  it('refuses a history that does not match the layers', () => {
    expect(() => imageConfig({ architecture: 'arm64', created: '1970-01-01T00:00:00Z', diffIds: [DIFF_A], history: [] })).toThrow(
      '1 layers but 0 history entries',
    )
  })
})

describe('serializeJson', () => {
  it('writes sorted keys without whitespace and digests exactly those bytes', () => {
    const serialized = serializeJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, skipped: undefined }, MediaType.config)
    const text = '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}'
    expect(serialized.bytes.toString()).toBe(text)
    expect(serialized.descriptor).toEqual({
      mediaType: MediaType.config,
      digest: `sha256:${createHash('sha256').update(text).digest('hex')}`,
      size: text.length,
    })
  })

  it('gives the same digest whatever order the object was built in', () => {
    const one = serializeJson({ schemaVersion: 2, annotations: { x: '1', y: '2' } }, MediaType.manifest)
    const two = serializeJson({ annotations: { y: '2', x: '1' }, schemaVersion: 2 }, MediaType.manifest)
    expect(two.descriptor.digest).toBe(one.descriptor.digest)
  })
})

describe('imageManifest and imageIndex', () => {
  const config = { mediaType: MediaType.config, digest: DIFF_A, size: 10 }
  const layer = { mediaType: MediaType.layerTar, digest: DIFF_B, size: 2048 }

  it('puts the annotations on the manifest and serialises it canonically', () => {
    const manifest = imageManifest({ config, layers: [layer], annotations: { 'dev.edera.kernel.format': '1' } })
    expect(canonicalJson(manifest)).toBe(
      '{"annotations":{"dev.edera.kernel.format":"1"},' +
        `"config":{"digest":"${DIFF_A}","mediaType":"application/vnd.oci.image.config.v1+json","size":10},` +
        `"layers":[{"digest":"${DIFF_B}","mediaType":"application/vnd.oci.image.layer.v1.tar","size":2048}],` +
        '"mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2}',
    )
  })

  it('leaves out an empty annotations map', () => {
    expect(imageManifest({ config, layers: [], annotations: {} })).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.manifest,
      config,
      layers: [],
    })
  })

  it('builds an index of platform manifests', () => {
    const child = { mediaType: MediaType.manifest, digest: DIFF_A, size: 500, platform: { os: 'linux', architecture: 'arm64' } }
    expect(imageIndex({ manifests: [child], annotations: { a: 'b' } })).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.index,
      manifests: [child],
      annotations: { a: 'b' },
    })
  })
})
