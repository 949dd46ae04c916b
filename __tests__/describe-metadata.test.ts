import { describe, it, expect } from '@jest/globals'
import { InputError } from '../src/errors.js'
import type { KernelImageInfo } from '../src/describe/kernel-image.js'
import { crossCheckKernel, releaseAgreement, parseKernelMetadata, renderKernelMetadata, type KernelMetadata } from '../src/describe/metadata.js'

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
    expect(inputErrorOf(() => renderKernelMetadata({ ...zone, flavor: 'zone host' }))).toBe('flavor: "zone host" contains a space')
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
    expect(inputErrorOf(() => parseKernelMetadata('KERNEL_ARCH=x86_64\nexport X\n'))).toBe('metadata:2: "export X" is not a KEY=VALUE line')
  })
})

describe('crossCheckKernel', () => {
  const bzImage: KernelImageInfo = {
    path: 'out/bzImage',
    format: 'bzImage',
    arch: 'x86_64',
    release: '6.1.192-sample',
    versionString: '6.1.192-sample (krata@kernel-action) #1 SMP',
    size: 1000,
  }

  it('accepts an image whose release starts with the config version', () => {
    expect(crossCheckKernel(bzImage, { arch: 'x86_64', version: '6.1.192', file: '.config' })).toEqual([])
  })

  it('accepts when the config arch and version are unknown', () => {
    expect(crossCheckKernel(bzImage, { file: '.config' })).toEqual([])
  })

  it('rejects an x86_64 bzImage with an aarch64 config', () => {
    expect(inputErrorOf(() => crossCheckKernel(bzImage, { arch: 'aarch64', file: 'configs/arm.config' }))).toBe(
      'image: out/bzImage is an x86_64 bzImage but config configs/arm.config is for aarch64',
    )
  })

  it('rejects an aarch64 Image.gz with an x86_64 config', () => {
    const image: KernelImageInfo = {
      path: 'Image.gz',
      format: 'arm64-Image.gz',
      arch: 'aarch64',
      release: '6.1.192',
      versionString: '6.1.192 (a@b) #1',
      size: 10,
    }
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

  // Distribution kernels (issue 9): their release is an ABI name, their version string carries the upstream version.
  const debian: KernelImageInfo = {
    path: 'vmlinuz-6.1.0-56-amd64',
    format: 'bzImage',
    arch: 'x86_64',
    release: '6.1.0-56-amd64',
    size: 1000,
    versionString: '6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)',
  }
  const ubuntu: KernelImageInfo = {
    path: 'vmlinuz-6.8.0-45-generic',
    format: 'bzImage',
    arch: 'x86_64',
    release: '6.8.0-45-generic',
    size: 1000,
    versionString:
      '6.8.0-45-generic (buildd@lcy02-amd64-075) (x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0, GNU ld (GNU Binutils for Ubuntu) 2.42) #45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024 (Ubuntu 6.8.0-45.45-generic 6.8.12)',
  }
  const fedora: KernelImageInfo = {
    path: 'vmlinuz-6.11.4-301.fc41.x86_64',
    format: 'bzImage',
    arch: 'x86_64',
    release: '6.11.4-301.fc41.x86_64',
    size: 1000,
    versionString:
      '6.11.4-301.fc41.x86_64 (mockbuild@c7a6f5c3b4a94d5ea4ebd1b1b0b9e5e8) (gcc (GCC) 14.2.1 20240912 (Red Hat 14.2.1-3), GNU ld version 2.43.1-2.fc41) #1 SMP PREEMPT_DYNAMIC Thu Oct 17 17:12:22 UTC 2024',
  }

  it('accepts Debian, Ubuntu and Fedora kernels with their own configs, without a warning', () => {
    expect(releaseAgreement(debian, '6.1.192')).toBe('named')
    expect(releaseAgreement(ubuntu, '6.8.12')).toBe('named')
    expect(releaseAgreement(fedora, '6.11.4')).toBe('match')
    expect(crossCheckKernel(debian, { arch: 'x86_64', version: '6.1.192', file: 'config-6.1.0-56-amd64' })).toEqual([])
    expect(crossCheckKernel(ubuntu, { arch: 'x86_64', version: '6.8.12', file: 'config-6.8.0-45-generic' })).toEqual([])
    expect(crossCheckKernel(fedora, { arch: 'x86_64', version: '6.11.4', file: 'config-6.11.4-301.fc41.x86_64' })).toEqual([])
  })

  it('names a version only as a whole token: 6.1.19 and 6.1.1 are not named by "Debian 6.1.192-2"', () => {
    expect(releaseAgreement(debian, '6.1.19')).toBe('same-series')
    expect(releaseAgreement(debian, '6.1.1')).toBe('same-series')
    expect(releaseAgreement(debian, '12.2.0')).toBe('mismatch')
  })

  it('warns when only major.minor agree and nothing in the image names the patch level', () => {
    expect(crossCheckKernel(debian, { version: '6.1.193', file: 'config' })).toEqual([
      'image: vmlinuz-6.1.0-56-amd64 is Linux 6.1.0-56-amd64, config config is for 6.1.193: the same 6.1 series, but nothing in the image names 6.1.193',
    ])
  })

  it('rejects another major.minor, even when the version string names it elsewhere', () => {
    expect(inputErrorOf(() => crossCheckKernel(debian, { version: '6.6.50', file: 'config' }))).toBe(
      'image: vmlinuz-6.1.0-56-amd64 is Linux 6.1.0-56-amd64 but config config is for 6.6.50',
    )
    expect(inputErrorOf(() => crossCheckKernel(fedora, { version: '6.12.1', file: 'config' }))).toBe(
      'image: vmlinuz-6.11.4-301.fc41.x86_64 is Linux 6.11.4-301.fc41.x86_64 but config config is for 6.12.1',
    )
  })

  it('checks the version input against the config header and the image', () => {
    const config = { arch: 'x86_64' as const, version: '6.1.192', file: 'config-6.1.0-56-amd64' }
    expect(crossCheckKernel(debian, config, '6.1.192')).toEqual([])
    expect(crossCheckKernel(debian, config, '6.1')).toEqual([])
    expect(crossCheckKernel(debian, config, '6.1.192+deb12')).toEqual([])
    expect(inputErrorOf(() => crossCheckKernel(debian, config, '6.1.191'))).toBe(
      'version: 6.1.191 contradicts config config-6.1.0-56-amd64, which is for 6.1.192',
    )
    expect(inputErrorOf(() => crossCheckKernel(debian, { file: 'headerless.config' }, '6.6.1'))).toBe(
      'version: 6.6.1 contradicts image vmlinuz-6.1.0-56-amd64, which is Linux 6.1.0-56-amd64',
    )
    expect(crossCheckKernel(debian, { file: 'headerless.config' }, '6.1.5')).toEqual([
      'image: vmlinuz-6.1.0-56-amd64 is Linux 6.1.0-56-amd64, input version says 6.1.5: the same 6.1 series, but nothing in the image names 6.1.5',
    ])
  })
})
