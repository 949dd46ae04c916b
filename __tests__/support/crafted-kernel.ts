// Kernel inputs for end-to-end tests that must not wait for the real sample kernel: a bzImage-shaped file
// (boot sector, setup sectors with the "HdrS" header and a kernel_version string, then a payload) and an
// arm64 Image header, as Documentation/x86/boot.rst and Documentation/arm64/booting.rst lay them out.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './run-action.js'

export const ZONE_CONFIG = path.join(ROOT, '__tests__', 'fixtures', 'configs', 'x86_64-zone.config')
export const AARCH64_CONFIG = path.join(ROOT, '__tests__', 'fixtures', 'configs', 'aarch64-zone.config')

/**
 * A bzImage whose release is `6.1.192-crafted` (the zone fixture's version) with `payloadBytes` of deterministic
 * filler after a gzip magic, so uploads of a chosen size can be made without random data.
 */
export function craftBzImage(payloadBytes = 64 * 1024, version = '6.1.192-crafted (test@kernel-action) #1 SMP'): Buffer {
  const setupSects = 4
  const setupBytes = (setupSects + 1) * 512
  const payloadOffset = 0x3c0
  const image = Buffer.alloc(setupBytes + payloadOffset + payloadBytes)
  image.writeUInt8(setupSects, 0x1f1)
  image.write('HdrS', 0x202, 'latin1')
  image.writeUInt16LE(0x020f, 0x206) // boot protocol 2.15
  const at = 0x800 // inside the setup sectors; the header stores it "less 0x200"
  image.writeUInt16LE(at - 0x200, 0x20e)
  image.write(`${version}\0`, at, 'latin1')
  image.writeUInt32LE(payloadOffset, 0x248)
  image.writeUInt32LE(payloadBytes, 0x24c)
  const payload = image.subarray(setupBytes + payloadOffset)
  // Hash-chained filler: incompressible-looking but the same on every run.
  let block = createHash('sha256').update('kernel-action crafted payload').digest()
  for (let offset = 0; offset < payload.length; offset += block.length) {
    block.copy(payload, offset)
    block = createHash('sha256').update(block).digest()
  }
  payload[0] = 0x1f
  payload[1] = 0x8b
  return image
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
