// Kernel inputs for end-to-end tests that must not wait for the real sample kernel: a bzImage-shaped file
// (boot sector, setup sectors with the "HdrS" header and a kernel_version string, then a payload) and an
// arm64 Image header, as Documentation/x86/boot.rst and Documentation/arm64/booting.rst lay them out.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { ROOT } from './run-action.js'

export const ZONE_CONFIG = path.join(ROOT, '__tests__', 'fixtures', 'configs', 'x86_64-zone.config')
export const AARCH64_CONFIG = path.join(ROOT, '__tests__', 'fixtures', 'configs', 'aarch64-zone.config')

/**
 * A bzImage whose release is `6.1.192-crafted` (the zone fixture's version) with about `payloadBytes` of deterministic
 * filler as a stored (level 0) gzip stream, so uploads of a chosen size can be made without random data, and the
 * payload decompresses to its end as a real one does. syssize covers the file, as arch/x86/boot/tools/build.c writes it.
 */
export function craftBzImage(payloadBytes = 64 * 1024, version = '6.1.192-crafted (test@kernel-action) #1 SMP'): Buffer {
  const setupSects = 4
  const setupBytes = (setupSects + 1) * 512
  const payloadOffset = 0x3c0
  // Hash-chained filler: incompressible-looking but the same on every run.
  const filler = Buffer.alloc(payloadBytes)
  let block = createHash('sha256').update('kernel-action crafted payload').digest()
  for (let offset = 0; offset < filler.length; offset += block.length) {
    block.copy(filler, offset)
    block = createHash('sha256').update(block).digest()
  }
  const payload = gzipSync(filler, { level: 0 })
  const protectedBytes = Math.ceil((payloadOffset + payload.length) / 16) * 16
  const image = Buffer.alloc(setupBytes + protectedBytes)
  image.writeUInt8(setupSects, 0x1f1)
  image.writeUInt32LE(protectedBytes / 16, 0x1f4) // syssize
  image.write('HdrS', 0x202, 'latin1')
  image.writeUInt16LE(0x020f, 0x206) // boot protocol 2.15
  const at = 0x800 // inside the setup sectors; the header stores it "less 0x200"
  image.writeUInt16LE(at - 0x200, 0x20e)
  image.write(`${version}\0`, at, 'latin1')
  image.writeUInt32LE(payloadOffset, 0x248)
  image.writeUInt32LE(payload.length, 0x24c)
  payload.copy(image, setupBytes + payloadOffset)
  return image
}

/**
 * A real squashfs (mksquashfs) laid out as krata's addons with no modules: modules/ holding an empty modules.dep,
 * which the addons check accepts for any kernel. With `size` above its ~4 KiB, a file of deterministic filler at its
 * top, stored uncompressed, makes it about `size` bytes (a little more), so uploads of a chosen size need no real
 * module tree, and the file still ends where its superblock's bytes_used (padded to 4 KiB) says.
 */
export function craftSquashfs(size = 4096): Buffer {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crafted-squashfs-'))
  try {
    fs.mkdirSync(path.join(dir, 'tree', 'modules'), { recursive: true })
    fs.writeFileSync(path.join(dir, 'tree', 'modules', 'modules.dep'), '')
    if (size > 4096) writeFiller(path.join(dir, 'tree', 'filler'), size - 4096)
    const image = path.join(dir, 'addons.squashfs')
    execFileSync(
      'mksquashfs',
      [path.join(dir, 'tree'), image, '-noappend', '-all-root', '-quiet', '-no-progress', '-noD', '-mkfs-time', '0', '-all-time', '0'],
      {
        stdio: 'ignore',
      },
    )
    return fs.readFileSync(image)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** One MiB of hash-chained bytes over and over: no zero block (mksquashfs stores those as holes), written piece by piece. */
function writeFiller(file: string, bytes: number): void {
  const piece = Buffer.alloc(1 << 20)
  let block = createHash('sha256').update('kernel-action crafted squashfs').digest()
  for (let offset = 0; offset < piece.length; offset += block.length) {
    block.copy(piece, offset)
    block = createHash('sha256').update(block).digest()
  }
  const fd = fs.openSync(file, 'w')
  try {
    for (let written = 0; written < bytes; written += piece.length) fs.writeSync(fd, piece, 0, Math.min(piece.length, bytes - written))
  } finally {
    fs.closeSync(fd)
  }
}

/** An arm64 Image header (magic "ARM\x64" at 56) with a 6.1.192 banner: a real kernel, for the wrong arch. */
export function craftArm64Image(): Buffer {
  const image = Buffer.alloc(0x4000)
  image.writeUInt32LE(0x14000000, 0)
  image.writeBigUInt64LE(BigInt(image.length), 16)
  image.write('ARM\x64', 56, 'latin1')
  image.write('Linux version 6.1.192-crafted (test@kernel-action) (gcc 12.2.0) #1 SMP\n\0', 0x1000, 'latin1')
  return image
}

/** A copy of the real zone fixture (it meets the zone list and the boot rules) in `dir`, for tests that edit it. */
export function zoneConfigIn(dir: string): string {
  const file = path.join(dir, 'zone.config')
  fs.copyFileSync(ZONE_CONFIG, file)
  return file
}
