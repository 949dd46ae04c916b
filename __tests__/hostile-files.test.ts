// Hostile files and deep inputs given to the bundled CLI: a Kconfig tree that sources a FIFO or a file outside itself,
// 200,000 nested Kconfig ifs, 400,000 changed options in a diff, and `boot --addons` a FIFO or /dev/zero. Each ends
// within 20 s with one line naming the fault, exit 1 or 2, and no stack trace.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { craftBzImage, zoneConfigIn } from './support/crafted-kernel.js'
import { runCliBundleSync } from './support/cli.js'

let work: string
let failing: string
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-files-'))
  // The zone fixture without XEN_PV: check fails a requirement, so --kernel-source is read to explain it.
  const config = zoneConfigIn(work)
  failing = path.join(work, 'no-pv.config')
  fs.writeFileSync(failing, fs.readFileSync(config, 'utf8').replace(/^CONFIG_XEN_PV=y$/m, '# CONFIG_XEN_PV is not set'))
})
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

function cli(...args: string[]): { status: number | null; output: string; seconds: number } {
  const started = Date.now()
  const run = runCliBundleSync(args, { cwd: work })
  return { status: run.status, output: `${run.stdout}${run.stderr}`, seconds: (Date.now() - started) / 1000 }
}

function expectOneLine(run: ReturnType<typeof cli>, line: string, status = 2): void {
  expect(run.seconds).toBeLessThan(20)
  expect(run.output).not.toMatch(/\n\s+at |Maximum call stack/)
  expect(run.output.trimEnd().split('\n')).toEqual([line])
  expect(run.status).toBe(status)
}

/** A tree whose Kconfig defines XEN and XEN_PV and sources `sourced`. */
function tree(name: string, sourced: string): string {
  const dir = path.join(work, name)
  fs.mkdirSync(dir)
  fs.writeFileSync(path.join(dir, 'Kconfig'), `config XEN\n\tbool "Xen"\n\nconfig XEN_PV\n\tbool "PV"\n\tdepends on XEN\n\nsource "${sourced}"\n`)
  return dir
}

describe('Kconfig files go through the checked opener', () => {
  it('a sourced Kconfig that is a FIFO fails in one line instead of hanging', () => {
    const dir = tree('fifo-tree', 'arch/Kconfig')
    fs.mkdirSync(path.join(dir, 'arch'))
    execFileSync('mkfifo', [path.join(dir, 'arch', 'Kconfig')])
    expectOneLine(
      cli('check', '--config', failing, '--kernel-source', dir),
      `kernel-action: kernel-source: ${dir}/arch/Kconfig is a named pipe (FIFO), not a regular file`,
    )
  })

  it('a sourced Kconfig that is a symbolic link out of the tree is refused, naming it', () => {
    const outside = path.join(work, 'outside-Kconfig')
    fs.writeFileSync(outside, 'config STOLEN\n\tbool\n')
    const dir = tree('link-tree', 'arch/Kconfig')
    fs.mkdirSync(path.join(dir, 'arch'))
    fs.symlinkSync(outside, path.join(dir, 'arch', 'Kconfig'))
    expectOneLine(
      cli('check', '--config', failing, '--kernel-source', dir),
      `kernel-action: kernel-source: ${dir}/arch/Kconfig resolves to ${fs.realpathSync(outside)}, outside ${dir}; a Kconfig file must be inside the tree`,
    )
  })

  it('200,000 nested ifs are refused at the nesting bound, not by a stack overflow', () => {
    const dir = path.join(work, 'deep-tree')
    fs.mkdirSync(dir)
    const lines = ['config XEN', '\tbool "Xen"']
    for (let i = 0; i < 200_000; i++) lines.push(`if A${i % 7}`)
    lines.push('config XEN_PV', '\tbool "PV"')
    for (let i = 0; i < 200_000; i++) lines.push('endif')
    fs.writeFileSync(path.join(dir, 'Kconfig'), `${lines.join('\n')}\n`)
    expectOneLine(
      cli('check', '--config', failing, '--kernel-source', dir),
      'kernel-action: kernel-source: Kconfig:259: menu, choice and if blocks nested deeper than 256; not a kernel Kconfig',
    )
  })
})

describe('deep inputs are walked without recursion', () => {
  it('diff of two configs with 400,000 changed options prints them all', () => {
    const before: string[] = []
    const after: string[] = []
    for (let i = 0; i < 400_000; i++) {
      before.push(`CONFIG_OPTION_${i}=y`)
      after.push(`CONFIG_OPTION_${i}=m`)
    }
    fs.writeFileSync(path.join(work, 'before.config'), `${before.join('\n')}\n`)
    fs.writeFileSync(path.join(work, 'after.config'), `${after.join('\n')}\n`)
    const run = cli('diff', 'before.config', 'after.config', '--arch', 'x86_64')
    expect(run.output).not.toMatch(/Maximum call stack/)
    expect(run.status).toBe(1)
    expect(run.output).toContain('400000')
    expect(run.output.split('\n').filter((line) => / changed +CONFIG_OPTION_\d+ +y → m$/.test(line))).toHaveLength(400_000)
  })
})

describe('boot --addons through the checked opener', () => {
  it('a FIFO is one line, not a hang', () => {
    const image = path.join(work, 'bzImage')
    fs.writeFileSync(image, craftBzImage())
    execFileSync('mkfifo', [path.join(work, 'addons-fifo')])
    expectOneLine(
      cli('boot', '--image', image, '--addons', 'addons-fifo'),
      'kernel-action: --addons: addons-fifo is a named pipe (FIFO), not a regular file',
    )
  })

  it('a squashfs of 96 bytes followed by 1 GiB of zeros is one line naming both sizes', () => {
    const image = path.join(work, 'bzImage')
    const superblock = Buffer.alloc(96)
    superblock.write('hsqs', 0, 'latin1')
    superblock.writeUInt16LE(4, 28)
    superblock.writeBigUInt64LE(96n, 40)
    fs.writeFileSync(path.join(work, 'padded-addons'), superblock)
    fs.truncateSync(path.join(work, 'padded-addons'), 1024 ** 3) // sparse: nothing is written, and nothing may be read
    expectOneLine(
      cli('boot', '--image', image, '--addons', 'padded-addons'),
      `kernel-action: --addons: padded-addons is longer than its squashfs image: the superblock says 96 bytes (65536 padded to 64 KiB) but the file has ${1024 ** 3}`,
    )
  })

  it('/dev/zero is one line, not a full disk', () => {
    const image = path.join(work, 'bzImage')
    expectOneLine(
      cli('boot', '--image', image, '--addons', '/dev/zero'),
      'kernel-action: --addons: /dev/zero is a character device, not a regular file',
    )
  })
})
