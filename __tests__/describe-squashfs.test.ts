import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { InputError } from '../src/errors.js'
import { assertSquashfs } from '../src/describe/squashfs.js'
import { ROOT } from './support/run-action.js'

const SAMPLE_ADDONS = path.join(ROOT, 'assets', 'sample', 'addons.squashfs')
let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'squashfs-'))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

async function errorOf(file: string): Promise<string> {
  const error = await assertSquashfs(file).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(InputError)
  return (error as Error).message
}

function fileWith(name: string, bytes: Buffer | string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, bytes)
  return file
}

describe('addons must be a whole squashfs image', () => {
  it('accepts the sample addons.squashfs (made by mksquashfs)', async () => {
    await expect(assertSquashfs(SAMPLE_ADDONS)).resolves.toBeUndefined()
  })

  it('refuses an empty file, a text file and a bzImage', async () => {
    for (const [name, bytes] of [
      ['empty', ''],
      ['text', 'modules/modules.dep\n'.repeat(10)],
    ] as const) {
      const file = fileWith(name, bytes)
      expect(await errorOf(file)).toBe(`addons: ${file} is not a squashfs image (no "hsqs" superblock)`)
    }
    const bzImage = path.join(ROOT, 'assets', 'sample', 'bzImage')
    expect(await errorOf(bzImage)).toBe(`addons: ${bzImage} is not a squashfs image (no "hsqs" superblock)`)
  })

  it('refuses a squashfs cut shorter than its superblock bytes_used', async () => {
    const whole = fs.readFileSync(SAMPLE_ADDONS)
    const file = fileWith('cut.squashfs', whole.subarray(0, 32 * 1024))
    expect(await errorOf(file)).toBe(
      `addons: ${file} is truncated: its squashfs superblock says ${whole.readUInt32LE(40)} bytes but the file has 32768`,
    )
  })

  it('accepts real builds: both samples, mksquashfs padding to 4 KiB and -nopad, and padding to 64 KiB as openSUSE does', async () => {
    const tree = path.join(dir, 'tree')
    fs.mkdirSync(path.join(tree, 'modules'), { recursive: true })
    fs.writeFileSync(path.join(tree, 'modules', 'modules.dep'), '')
    const built = (name: string, options: string[]): string => {
      const file = path.join(dir, name)
      execFileSync('mksquashfs', [tree, file, '-noappend', '-all-root', '-quiet', '-no-progress', ...options], { stdio: 'ignore' })
      return file
    }
    const padded = built('padded.squashfs', [])
    const nopad = built('nopad.squashfs', ['-nopad'])
    const bytesUsed = fs.readFileSync(nopad).readUInt32LE(40)
    // What mksquashfs writes: bytes_used, then zeros to the next 4 KiB unless -nopad.
    expect([fs.statSync(padded).size, fs.statSync(nopad).size]).toEqual([Math.ceil(bytesUsed / 4096) * 4096, bytesUsed])
    const sixtyFour = fileWith('64k.squashfs', Buffer.concat([fs.readFileSync(nopad), Buffer.alloc(65536 - bytesUsed)]))
    for (const file of [SAMPLE_ADDONS, path.join(ROOT, 'assets', 'sample', 'arm64', 'addons.squashfs'), padded, nopad, sixtyFour]) {
      await expect(assertSquashfs(file)).resolves.toBeUndefined()
    }
  })

  it('refuses a squashfs followed by more than padding to 64 KiB, naming both sizes', async () => {
    const whole = fs.readFileSync(SAMPLE_ADDONS)
    const bytesUsed = whole.readUInt32LE(40)
    const file = fileWith('long.squashfs', Buffer.concat([whole, Buffer.alloc(131072 - whole.length + 1)]))
    expect(await errorOf(file)).toBe(
      `addons: ${file} is longer than its squashfs image: the superblock says ${bytesUsed} bytes (131072 padded to 64 KiB) but the file has 131073`,
    )
  })

  it('refuses squashfs version 3', async () => {
    const bytes = Buffer.from(fs.readFileSync(SAMPLE_ADDONS))
    bytes.writeUInt16LE(3, 28)
    const file = fileWith('v3.squashfs', bytes)
    expect(await errorOf(file)).toBe(`addons: ${file} is squashfs version 3; the kernel mounts version 4`)
  })
})
