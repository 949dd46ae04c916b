import { describe, expect, it } from '@jest/globals'
import { kernelLayerFromHistory } from '../src/oci/image-format.js'
import { parseImageReference } from '../src/oci/reference.js'
import { hostKernelArch } from '../src/pull/image-source.js'
import type { Descriptor } from '../src/oci/types.js'

const DIGEST = `sha256:${'ab'.repeat(32)}`

describe('parseImageReference', () => {
  it('reads registry references with a tag, a digest, or neither (latest)', () => {
    expect(parseImageReference('ghcr.io/edera-dev/zone-kernel:6.1')).toEqual({
      kind: 'registry',
      text: 'ghcr.io/edera-dev/zone-kernel:6.1',
      repository: { registry: 'ghcr.io', repository: 'edera-dev/zone-kernel' },
      tag: '6.1',
    })
    expect(parseImageReference('127.0.0.1:5000/k/zone')).toMatchObject({
      repository: { registry: '127.0.0.1:5000', repository: 'k/zone' },
      tag: 'latest',
    })
    expect(parseImageReference(`127.0.0.1:5000/k/zone@${DIGEST}`)).toEqual({
      kind: 'registry',
      text: `127.0.0.1:5000/k/zone@${DIGEST}`,
      repository: { registry: '127.0.0.1:5000', repository: 'k/zone' },
      digest: DIGEST,
    })
  })

  it('reads oci: layout references, with a folder that may hold a colon before its last slash', () => {
    expect(parseImageReference('oci:./kernel-oci:6.1.192')).toEqual({
      kind: 'layout',
      text: 'oci:./kernel-oci:6.1.192',
      dir: './kernel-oci',
      tag: '6.1.192',
    })
    expect(parseImageReference('oci:/tmp/a:b/layout')).toEqual({ kind: 'layout', text: 'oci:/tmp/a:b/layout', dir: '/tmp/a:b/layout' })
    expect(parseImageReference(`oci:layout@${DIGEST}`)).toEqual({ kind: 'layout', text: `oci:layout@${DIGEST}`, dir: 'layout', digest: DIGEST })
  })

  it('refuses what it cannot read, in one line naming the reference', () => {
    expect(() => parseImageReference('')).toThrow('image reference is empty')
    expect(() => parseImageReference('ghcr.io/Org/kernel:1')).toThrow('image reference "ghcr.io/Org/kernel:1": must be lowercase')
    expect(() => parseImageReference('ghcr.io/org/kernel@sha256:12')).toThrow(
      'image reference "ghcr.io/org/kernel@sha256:12": "sha256:12" is not a sha256:<64 hex> digest',
    )
    expect(() => parseImageReference('oci::v1')).toThrow('image reference "oci::v1": oci: needs a layout folder')
  })
})

describe('hostKernelArch', () => {
  it('maps Node names to kernel names', () => {
    expect(hostKernelArch('x64')).toBe('x86_64')
    expect(hostKernelArch('arm64')).toBe('aarch64')
    expect(() => hostKernelArch('riscv64')).toThrow('arch: this host is riscv64; give --arch x86_64 or --arch aarch64')
  })
})

describe('kernelLayerFromHistory', () => {
  const layers: Descriptor[] = [1, 2, 3, 4].map((n) => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest: `sha256:${String(n).repeat(64)}`,
    size: n,
  }))
  it("finds the layer by BuildKit's COPY line and by this action's own", () => {
    const edera = {
      history: ['image', 'config.gz', 'addons.squashfs', 'metadata'].map((f) => ({ created_by: `COPY --from=prebuilt x /kernel/${f} # buildkit` })),
    }
    expect(kernelLayerFromHistory({ config: edera, layers }, 'config.gz')).toBe(layers[1])
    const action = { history: ['image', 'addons.squashfs', 'config.gz', 'metadata'].map((f) => ({ created_by: `kernel-action: add /kernel/${f}` })) }
    expect(kernelLayerFromHistory({ config: action, layers }, 'metadata')).toBe(layers[3])
  })
  it('says nothing when history does not map onto the layers (older one-layer images)', () => {
    expect(
      kernelLayerFromHistory({ config: { history: [{ created_by: 'COPY /kernel /kernel' }] }, layers: layers.slice(0, 1) }, 'image'),
    ).toBeUndefined()
    expect(kernelLayerFromHistory({ config: {}, layers }, 'image')).toBeUndefined()
  })
})
