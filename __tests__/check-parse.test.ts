import { afterAll, describe, expect, it } from '@jest/globals'
import { gzipSync } from 'node:zlib'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { detectArch, describeEntry, kconfigValues, majorMinor, parseKernelConfig } from '../src/check/kernel-config.js'
import { readKernelConfig } from '../src/check/read-config.js'
import { InputError } from '../src/errors.js'

const SAMPLE = [
  '#',
  '# Automatically generated file; DO NOT EDIT.',
  '# Linux/x86 6.1.192 Kernel Configuration',
  '#',
  'CONFIG_X86_64=y',
  'CONFIG_XEN=y',
  'CONFIG_XEN_FBDEV_FRONTEND=m',
  '# CONFIG_XEN_PVH is not set',
  'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=512',
  'CONFIG_PHYSICAL_START=0x1000000',
  'CONFIG_LOCALVERSION="-edera \\"zone\\""',
  '',
].join('\n')

describe('parseKernelConfig', () => {
  it('keeps y, m, not set, values and absent apart, each with its line', () => {
    const config = parseKernelConfig(SAMPLE, '.config')
    expect(config.entries.get('CONFIG_XEN')).toEqual({ state: 'y', line: 6 })
    expect(config.entries.get('CONFIG_XEN_FBDEV_FRONTEND')).toEqual({ state: 'm', line: 7 })
    expect(config.entries.get('CONFIG_XEN_PVH')).toEqual({ state: 'not-set', line: 8 })
    expect(config.entries.get('CONFIG_XEN_MEMORY_HOTPLUG_LIMIT')).toEqual({ state: 'value', value: '512', line: 9 })
    expect(config.entries.get('CONFIG_PHYSICAL_START')).toEqual({ state: 'value', value: '0x1000000', line: 10 })
    expect(config.entries.get('CONFIG_LOCALVERSION')).toEqual({ state: 'value', value: '-edera "zone"', line: 11 })
    expect(config.entries.has('CONFIG_XEN_PV')).toBe(false)
    expect(describeEntry(config.entries.get('CONFIG_XEN_PV'))).toBe('absent')
    expect(describeEntry(config.entries.get('CONFIG_XEN_PVH'))).toBe('not set')
  })

  it('reads the header for the source arch and version', () => {
    expect(parseKernelConfig(SAMPLE, '.config').header).toEqual({ srcarch: 'x86', version: '6.1.192', line: 3 })
  })

  it('tolerates CRLF line endings', () => {
    const config = parseKernelConfig(SAMPLE.replace(/\n/g, '\r\n'), '.config')
    expect(config.entries.get('CONFIG_XEN')).toEqual({ state: 'y', line: 6 })
    expect(config.header?.version).toBe('6.1.192')
  })

  it('reports a duplicated option and lets the last one win', () => {
    const config = parseKernelConfig('CONFIG_XEN=m\nCONFIG_A=y\nCONFIG_XEN=y\n', 'k.config')
    expect(config.entries.get('CONFIG_XEN')).toEqual({ state: 'y', line: 3 })
    expect(config.duplicates).toEqual([{ option: 'CONFIG_XEN', line: 3, previousLine: 1 }])
  })

  it('rejects a line that is not Kconfig syntax, naming file and line', () => {
    expect(() => parseKernelConfig('CONFIG_A=y\nXEN=y\n', 'build/.config')).toThrow(
      new InputError('build/.config:2: not a kernel config line: "XEN=y"'),
    )
    expect(() => parseKernelConfig('CONFIG_A=y\nCONFIG_B="open\n', 'c')).toThrow('c:2: CONFIG_B has an unterminated string value')
  })

  it('refuses text after a value, as confdata.c never reads it as part of the value (issue 10)', () => {
    expect(() => parseKernelConfig('CONFIG_A=y\nCONFIG_XEN=y # comment\n', 'build/.config')).toThrow(
      new InputError('build/.config:2: CONFIG_XEN: text after the value in "CONFIG_XEN=y # comment" (a comment must be on a line of its own)'),
    )
    expect(() => parseKernelConfig('CONFIG_HZ=250 250\n', 'c')).toThrow(
      'c:1: CONFIG_HZ: text after the value in "CONFIG_HZ=250 250" (a comment must be on a line of its own)',
    )
    expect(() => parseKernelConfig('CONFIG_CMDLINE="quiet" # boot\n', 'c')).toThrow(
      'c:1: CONFIG_CMDLINE: text after the value in "CONFIG_CMDLINE=\\"quiet\\" # boot" (a comment must be on a line of its own)',
    )
    // Spaces inside a quoted string, an escaped quote, and trailing blanks are fine.
    const config = parseKernelConfig('CONFIG_CMDLINE="a \\" # b"\nCONFIG_XEN=y \t\n', 'c')
    expect(config.entries.get('CONFIG_CMDLINE')).toEqual({ state: 'value', value: 'a " # b', line: 1 })
    expect(config.entries.get('CONFIG_XEN')).toEqual({ state: 'y', line: 2 })
  })

  it('rejects empty and binary files', () => {
    expect(() => parseKernelConfig(' \n\n', 'empty.config')).toThrow('config: empty.config is empty')
    expect(() => parseKernelConfig('CONFIG_A=y\0\0', 'bin')).toThrow('config: bin is a binary file, not a kernel .config')
  })
})

describe('detectArch and versions', () => {
  it('detects x86_64 and aarch64 from the symbols only they set', () => {
    expect(detectArch(parseKernelConfig('CONFIG_X86_64=y\n', 'a'))).toBe('x86_64')
    expect(detectArch(parseKernelConfig('CONFIG_ARM64=y\n', 'a'))).toBe('aarch64')
    expect(detectArch(parseKernelConfig('# Linux/arm64 6.1.0 Kernel Configuration\nCONFIG_A=y\n', 'a'))).toBe('aarch64')
    expect(detectArch(parseKernelConfig('CONFIG_A=y\n', 'a'))).toBeUndefined()
  })

  it('takes major.minor from versions with suffixes', () => {
    expect(majorMinor('6.12.0-rc1')).toEqual([6, 12])
    expect(majorMinor('5.15.170')).toEqual([5, 15])
    expect(majorMinor(undefined)).toBeUndefined()
  })

  it('gives kconfig values without the CONFIG_ prefix, not set as n', () => {
    const values = kconfigValues(parseKernelConfig(SAMPLE, '.config'))
    expect(values.get('XEN')).toBe('y')
    expect(values.get('XEN_PVH')).toBe('n')
    expect(values.get('XEN_MEMORY_HOTPLUG_LIMIT')).toBe('512')
    expect(values.has('XEN_PV')).toBe(false)
  })
})

describe('readKernelConfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kconfig-read-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('reads a gzip copy (config.gz) like the plain file', async () => {
    const file = path.join(dir, 'config.gz')
    fs.writeFileSync(file, gzipSync(SAMPLE))
    const config = await readKernelConfig(file)
    expect(config.entries.get('CONFIG_XEN_PVH')).toEqual({ state: 'not-set', line: 8 })
  })

  it('names the input and path for missing files, directories and truncated gzip', async () => {
    await expect(readKernelConfig(path.join(dir, 'nope'))).rejects.toThrow(`config: ${path.join(dir, 'nope')} does not exist`)
    await expect(readKernelConfig(dir)).rejects.toThrow(`config: ${dir} is a directory, not a file`)
    const truncated = path.join(dir, 'cut.gz')
    fs.writeFileSync(truncated, gzipSync(SAMPLE).subarray(0, 40))
    await expect(readKernelConfig(truncated)).rejects.toThrow(`config: ${truncated} is not a readable gzip file (unexpected end of file)`)
  })
})
