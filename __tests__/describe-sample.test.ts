// The fixture configs and the sample kernel are what their names claim, so other tests can rely on them.
import { describe, it, expect } from '@jest/globals'
import { open, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { inspectKernelImage } from '../src/describe/kernel-image.js'
import { crossCheckKernel } from '../src/describe/metadata.js'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const configs = path.join(repo, '__tests__/fixtures/configs')
const sample = path.join(repo, 'assets/sample')

async function lines(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n')
}

/** The CONFIG_ assignments a fragment asks for. */
async function wanted(...fragments: string[]): Promise<string[]> {
  const all = await Promise.all(fragments.map((name) => lines(path.join(configs, name))))
  return all.flat().filter((line) => line.startsWith('CONFIG_'))
}

/** The wanted lines a .config does not contain exactly. */
async function unmet(config: string, want: string[]): Promise<string[]> {
  const have = new Set(await lines(config))
  return want.filter((line) => !have.has(line))
}

describe('fixture configs', () => {
  it('x86_64-zone.config meets every line of the zone and boot fragments exactly (=y, =m and 512)', async () => {
    const want = await wanted('x86_64-zone.fragment', 'krata-boot.fragment')
    expect(want).toContain('CONFIG_XEN_FBDEV_FRONTEND=m')
    expect(want).toContain('CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=512')
    expect(await unmet(path.join(configs, 'x86_64-zone.config'), want)).toEqual([])
  })

  it('x86_64-host.config meets the zone, boot and host fragments', async () => {
    const want = await wanted('x86_64-zone.fragment', 'krata-boot.fragment', 'x86_64-host.fragment')
    expect(await unmet(path.join(configs, 'x86_64-host.config'), want)).toEqual([])
  })

  it('x86_64-defconfig.config is plain defconfig, without Xen', async () => {
    const config = await lines(path.join(configs, 'x86_64-defconfig.config'))
    expect(config.slice(0, 3)).toEqual(['#', '# Automatically generated file; DO NOT EDIT.', '# Linux/x86_64 6.1.192 Kernel Configuration'])
    expect(config).toContain('# CONFIG_XEN is not set')
  })

  it('aarch64-zone.config meets its fragment and the boot fragment, and has no x86-only Xen symbols at all', async () => {
    const file = path.join(configs, 'aarch64-zone.config')
    expect(await unmet(file, await wanted('aarch64-zone.fragment', 'krata-boot.fragment'))).toEqual([])
    const text = await readFile(file, 'utf8')
    expect(text).toMatch(/^# Linux\/arm64 6\.1\.192 Kernel Configuration$/m)
    expect(text).not.toMatch(/CONFIG_XEN_PV[ =]/)
    expect(text).not.toMatch(/CONFIG_XEN_PVH[ =]/)
  })
})

describe('the sample kernel', () => {
  it('has a config that meets the zone and boot fragments', async () => {
    const config = path.join(sample, 'config')
    expect(await unmet(config, await wanted('x86_64-zone.fragment', 'krata-boot.fragment'))).toEqual([])
    expect((await lines(config))[2]).toBe('# Linux/x86_64 6.1.192 Kernel Configuration')
  })

  it('has a bzImage of the same architecture and version as its config', async () => {
    const image = await inspectKernelImage(path.join(sample, 'bzImage'))
    expect(crossCheckKernel(image, { arch: 'x86_64', version: '6.1.192', file: 'config' })).toEqual([]) // no error, no warning
    expect(image.release).toBe('6.1.192-sample')
  })

  it('has an addons.squashfs with a squashfs 4.0 superblock and a fixed creation time', async () => {
    const file = await open(path.join(sample, 'addons.squashfs'), 'r')
    try {
      const superblock = Buffer.alloc(96)
      await file.read(superblock, 0, 96, 0)
      const { size } = await file.stat()
      expect(superblock.subarray(0, 4).toString('latin1')).toBe('hsqs')
      expect([superblock.readUInt16LE(28), superblock.readUInt16LE(30)]).toEqual([4, 0]) // version 4.0
      expect(superblock.readUInt32LE(8)).toBe(0) // mkfs_time: -mkfs-time 0
      // bytes_used is the filesystem; mksquashfs pads the file to 4 KiB.
      expect(size).toBe(Math.ceil(Number(superblock.readBigUInt64LE(40)) / 4096) * 4096)
    } finally {
      await file.close()
    }
  })
})

describe('the arm64 sample kernel (assets/sample/arm64)', () => {
  const arm64 = path.join(sample, 'arm64')

  it('has a config that meets the aarch64 zone and boot fragments, from the same Linux 6.1.192 as the x86_64 sample', async () => {
    const config = path.join(arm64, 'config')
    expect(await unmet(config, await wanted('aarch64-zone.fragment', 'krata-boot.fragment'))).toEqual([])
    expect((await lines(config))[2]).toBe('# Linux/arm64 6.1.192 Kernel Configuration')
  })

  it('has an Image.gz of the same architecture and release as its config and as the x86_64 sample', async () => {
    const image = await inspectKernelImage(path.join(arm64, 'Image.gz'))
    expect(crossCheckKernel(image, { arch: 'aarch64', version: '6.1.192', file: 'config' })).toEqual([])
    expect(image.release).toBe('6.1.192-sample')
    expect(image.release).toBe((await inspectKernelImage(path.join(sample, 'bzImage'))).release)
  })
})
