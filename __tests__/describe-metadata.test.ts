import { describe, it, expect } from '@jest/globals'
import { InputError } from '../src/errors.js'
import type { KernelImageInfo } from '../src/describe/kernel-image.js'
import {
  crossCheckKernel,
  parseKernelMetadata,
  renderKernelMetadata,
  type KernelMetadata,
} from '../src/describe/metadata.js'

const DIGEST = 'sha256:' + '0123456789abcdef'.repeat(4)

const zone: KernelMetadata = { arch: 'x86_64', version: '6.14.7', flavor: 'zone', configDigest: DIGEST, tags: [] }

function inputErrorOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError, got none')
}

describe('renderKernelMetadata', () => {
  it('writes the four-key file Edera published before KERNEL_UNAME_R, 146 bytes for 6.14.7 zone', () => {
    const text = renderKernelMetadata(zone)
    expect(text).toBe(`KERNEL_ARCH=x86_64\nKERNEL_VERSION=6.14.7\nKERNEL_FLAVOR=zone\nKERNEL_CONFIG=${DIGEST}\n`)
    expect(Buffer.byteLength(text)).toBe(146)
  })

  it('puts KERNEL_UNAME_R after KERNEL_VERSION and comma-joined KERNEL_TAGS last', () => {
    const text = renderKernelMetadata({
      arch: 'aarch64',
      version: '6.18.44',
      unameR: '6.18.44-edera-zone',
      flavor: 'zone',
      configDigest: DIGEST,
      tags: ['6.18.44', '6.18', '6', 'latest'],
    })
    expect(text).toBe(
      'KERNEL_ARCH=aarch64\n' +
        'KERNEL_VERSION=6.18.44\n' +
        'KERNEL_UNAME_R=6.18.44-edera-zone\n' +
        'KERNEL_FLAVOR=zone\n' +
        `KERNEL_CONFIG=${DIGEST}\n` +
        'KERNEL_TAGS=6.18.44,6.18,6,latest\n',
    )
  })

  it('rejects values that would not survive a KEY=VALUE line, naming the input', () => {
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, flavor: 'zone host' }))).toBe(
      'flavor: "zone host" contains a space',
    )
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, version: '6.1\nKERNEL_FLAVOR=x' }))).toBe(
      'version: "6.1\\nKERNEL_FLAVOR=x" contains a line break',
    )
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, version: 'a=b' }))).toBe('version: "a=b" contains "="')
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, flavor: '' }))).toBe('flavor: must not be empty')
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, tags: ['6.1', 'a,b'] }))).toBe(
      'tags: "a,b" contains a comma; KERNEL_TAGS is comma-separated',
    )
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, tags: ['latest', ''] }))).toBe('tags: must not be empty')
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, unameR: '6.1 x' }))).toBe('uname-r: "6.1 x" contains a space')
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, configDigest: 'sha256:ABC' }))).toBe(
      'config: digest "sha256:ABC" is not sha256:<64 lowercase hex>',
    )
  })
})

describe('parseKernelMetadata', () => {
  it('reads back what renderKernelMetadata wrote', () => {
    const text = renderKernelMetadata({ ...zone, unameR: '6.14.7-edera-zone', tags: ['6.14.7', 'latest'] })
    expect(parseKernelMetadata(text)).toEqual({
      KERNEL_ARCH: 'x86_64',
      KERNEL_VERSION: '6.14.7',
      KERNEL_UNAME_R: '6.14.7-edera-zone',
      KERNEL_FLAVOR: 'zone',
      KERNEL_CONFIG: DIGEST,
      KERNEL_TAGS: '6.14.7,latest',
    })
  })

  it('keeps everything after the first "=" and lets a repeated key win last', () => {
    expect(parseKernelMetadata('A=x=y\nA=z\n\nB=')).toEqual({ A: 'z', B: '' })
  })

  it('names the line that is not KEY=VALUE', () => {
    expect(inputErrorOf(() => parseKernelMetadata('KERNEL_ARCH=x86_64\nexport X\n'))).toBe(
      'metadata:2: "export X" is not a KEY=VALUE line',
    )
  })
})

describe('crossCheckKernel', () => {
  const bzImage: KernelImageInfo = {
    path: 'out/bzImage',
    format: 'bzImage',
    arch: 'x86_64',
    release: '6.1.192-sample',
    size: 1000,
  }

  it('accepts an image whose release starts with the config version', () => {
    expect(crossCheckKernel(bzImage, { arch: 'x86_64', version: '6.1.192', file: '.config' })).toBeUndefined()
  })

  it('accepts when the image release or the config arch and version are unknown', () => {
    const { release: _omitted, ...noRelease } = bzImage
    expect(crossCheckKernel(noRelease, { arch: 'x86_64', version: '5.15.1', file: '.config' })).toBeUndefined()
    expect(crossCheckKernel(bzImage, { file: '.config' })).toBeUndefined()
  })

  it('rejects an x86_64 bzImage with an aarch64 config', () => {
    expect(inputErrorOf(() => crossCheckKernel(bzImage, { arch: 'aarch64', file: 'configs/arm.config' }))).toBe(
      'image: out/bzImage is an x86_64 bzImage but config configs/arm.config is for aarch64',
    )
  })

  it('rejects an aarch64 Image.gz with an x86_64 config', () => {
    const image: KernelImageInfo = { path: 'Image.gz', format: 'arm64-Image.gz', arch: 'aarch64', size: 10 }
    expect(inputErrorOf(() => crossCheckKernel(image, { arch: 'x86_64', file: '.config' }))).toBe(
      'image: Image.gz is an aarch64 Image.gz but config .config is for x86_64',
    )
  })

  it('rejects a release of another version, including one the version is a prefix of', () => {
    expect(inputErrorOf(() => crossCheckKernel(bzImage, { version: '6.1.191', file: '.config' }))).toBe(
      'image: out/bzImage is Linux 6.1.192-sample but config .config is for 6.1.191',
    )
    expect(inputErrorOf(() => crossCheckKernel(bzImage, { version: '6.1.19', file: '.config' }))).toBe(
      'image: out/bzImage is Linux 6.1.192-sample but config .config is for 6.1.19',
    )
  })
})
