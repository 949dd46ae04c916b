import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { InputError } from '../src/errors.js'
import { inspectKernelImage } from '../src/describe/kernel-image.js'

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sampleImage = path.join(repo, 'assets/sample/bzImage')

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'describe-kernel-image-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function fileWith(name: string, bytes: Buffer): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  return file
}

async function inputErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    return (error as Error).message
  }
  throw new Error('expected an InputError, got none')
}

/** A bzImage-shaped file: boot sector + setup sectors with the boot header, then a payload (boot.rst). */
function craftBzImage(options: { protocol: number; setupSects: number; version?: string; payload: Buffer; syssize?: number }): Buffer {
  const setupBytes = (options.setupSects + 1) * 512
  const payloadOffset = 0x3c0 // where the payload sits inside the protected-mode code
  const image = Buffer.alloc(Math.max(setupBytes + payloadOffset + options.payload.length, 0x1200))
  image.writeUInt8(options.setupSects, 0x1f1)
  image.write('HdrS', 0x202, 'latin1')
  image.writeUInt16LE(options.protocol, 0x206)
  if (options.version !== undefined) {
    const at = 0x1000 // file offset; the header stores it "less 0x200"
    image.writeUInt16LE(at - 0x200, 0x20e)
    image.write(`${options.version}\0`, at, 'latin1')
  }
  image.writeUInt32LE(payloadOffset, 0x248)
  image.writeUInt32LE(options.payload.length, 0x24c)
  image.writeUInt32LE(options.syssize ?? Math.floor((image.length - setupBytes) / 16), 0x1f4)
  options.payload.copy(image, setupBytes + payloadOffset)
  return image
}

const ARM64_BANNER = 'Linux version 6.1.192-edera-zone (builder@ci) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT 6.1.192\n'

/** An arm64 Image: the 64-byte header with "ARM\x64" at 56, padding, and the banner at `bannerAt`. */
function craftArm64Image(bannerAt: number, totalSize: number, banner = ARM64_BANNER): Buffer {
  const image = Buffer.alloc(totalSize)
  image.writeUInt32LE(0x14000000, 0) // code0: a branch, as in real images
  image.writeBigUInt64LE(BigInt(totalSize), 16) // image_size
  image.write('ARM\x64', 56, 'latin1')
  image.write('Linux version %s', 0x400, 'latin1') // a format string that merely looks like the banner
  image.write(`${banner}\0`, bannerAt, 'latin1')
  return image
}

describe('inspectKernelImage on the sample bzImage (a real 6.1.192 build)', () => {
  it('reads the release, the version string and the gzip payload from the boot header', async () => {
    const info = await inspectKernelImage(sampleImage)
    expect(info).toEqual({
      path: sampleImage,
      format: 'bzImage',
      arch: 'x86_64',
      release: '6.1.192-sample',
      versionString: '6.1.192-sample (krata@kernel-action) #1 SMP Thu Jan  1 00:00:00 UTC 1970',
      payloadCompression: 'gzip',
      size: 2_774_016,
    })
  })
})

describe('inspectKernelImage on crafted bzImages', () => {
  it('names each payload compression from its magic', async () => {
    const magics: Array<[string, number[]]> = [
      // An xz stream ends in the footer magic "YZ"; the kernel appends the 4-byte inflated size after it.
      ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0, 0x59, 0x5a, 1, 2, 3, 4]],
      ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
      ['lz4', [0x02, 0x21, 0x4c, 0x18]],
      ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
      ['lzma', [0x5d, 0x00, 0x00]],
      ['bzip2', [0x42, 0x5a, 0x68]],
      ['gzip', [...gzipSync('vmlinux.bin')]],
      ['none', [0x7f, 0x45, 0x4c, 0x46]],
      ['unknown', [0x00, 0x11, 0x22, 0x33]],
    ]
    for (const [name, magic] of magics) {
      const payload = Buffer.from(name === 'gzip' || name === 'xz' ? magic : [...magic, 0, 0, 0, 0])
      const file = await fileWith(`bz-${name}`, craftBzImage({ protocol: 0x020f, setupSects: 27, version: '6.1.192 (t@t) #1', payload }))
      expect([name, (await inspectKernelImage(file)).payloadCompression]).toEqual([name, name])
    }
  })

  it('takes the release as the first word of the kernel_version string', async () => {
    const version = '5.15.0-91-generic (buildd@lcy02-amd64-045) #101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023'
    const bytes = craftBzImage({ protocol: 0x020f, setupSects: 27, version, payload: gzipSync('vmlinux.bin') })
    const file = await fileWith('bz-ubuntu', bytes)
    expect(await inspectKernelImage(file)).toEqual({
      path: file,
      format: 'bzImage',
      arch: 'x86_64',
      release: '5.15.0-91-generic',
      versionString: version,
      payloadCompression: 'gzip',
      size: bytes.length,
    })
  })

  it('ignores a version pointer past the setup code, and then refuses the image: its release cannot be read', async () => {
    const bytes = craftBzImage({ protocol: 0x0207, setupSects: 4, version: '2.6.20 (old)', payload: Buffer.from([0x1f, 0x8b]) })
    const file = await fileWith('bz-old', bytes)
    // 0x1000 - 0x200 = 0xe00 is not below 4 * 0x200, so boot.rst says the pointer is not valid.
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: cannot read the kernel release (the boot header has no kernel_version string)`,
    )
  })
})

describe('inspectKernelImage on arm64 images', () => {
  it('finds the release in the banner of a plain Image, even across a 64 KiB read boundary', async () => {
    const bytes = craftArm64Image(65536 - 20, 200_000)
    const file = await fileWith('Image', bytes)
    expect(await inspectKernelImage(file)).toEqual({
      path: file,
      format: 'arm64-Image',
      arch: 'aarch64',
      release: '6.1.192-edera-zone',
      versionString: '6.1.192-edera-zone (builder@ci) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT 6.1.192',
      payloadCompression: 'none',
      size: 200_000,
    })
  })

  it('refuses an Image without a banner: its release cannot be read', async () => {
    const bytes = craftArm64Image(1000, 4096, '') // only the "Linux version %s" look-alike is left
    const file = await fileWith('Image-nobanner', bytes)
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: cannot read the kernel release (no "Linux version" banner in the Image)`,
    )
  })

  it('inflates an Image.gz to its end: a stream cut after the banner is refused', async () => {
    // 8 MiB of Image with the banner near the start; the gzip is then cut in half.
    const whole = gzipSync(craftArm64Image(4096, 8 * 1024 * 1024))
    const truncated = whole.subarray(0, Math.floor(whole.length / 2))
    expect(() => gunzipSync(truncated)).toThrow('unexpected end of file')
    const file = await fileWith('Image.gz', truncated)
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: its gzip stream does not decompress to its end (unexpected end of file)`,
    )
  })

  it('reads a whole Image.gz', async () => {
    const bytes = gzipSync(craftArm64Image(4096, 1024 * 1024))
    const file = await fileWith('Image-whole.gz', bytes)
    expect(await inspectKernelImage(file)).toEqual({
      path: file,
      format: 'arm64-Image.gz',
      arch: 'aarch64',
      release: '6.1.192-edera-zone',
      versionString: '6.1.192-edera-zone (builder@ci) (gcc (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT 6.1.192',
      payloadCompression: 'gzip',
      size: bytes.length,
    })
  })

  it('finds a banner deep inside an Image.gz', async () => {
    const bytes = gzipSync(craftArm64Image(3 * 1024 * 1024 + 7, 4 * 1024 * 1024))
    const file = await fileWith('Image-deep.gz', bytes)
    expect((await inspectKernelImage(file)).release).toBe('6.1.192-edera-zone')
  })
})

describe('inspectKernelImage on files that are not kernel images', () => {
  it('rejects a file with neither header', async () => {
    const file = await fileWith('notes.txt', Buffer.from('just some text, long enough to have no header at all\n'.repeat(20)))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`,
    )
  })

  it('names the file to give instead of an EFI zboot vmlinuz.efi', async () => {
    // zboot-header.S: "MZ", "zimg", payload offset and size, two reserved words, the compression's name.
    const head = Buffer.alloc(4096)
    head.write('MZ', 0, 'latin1')
    head.write('zimg', 4, 'latin1')
    head.writeUInt32LE(4096, 8)
    head.write('gzip\0', 24, 'latin1')
    const file = await fileWith('vmlinuz.efi', head)
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is an EFI zboot image (vmlinuz.efi, gzip payload), which Xen cannot load: give arch/arm64/boot/Image or Image.gz of the same build`,
    )
  })

  it('rejects an empty file', async () => {
    const file = await fileWith('empty', Buffer.alloc(0))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`,
    )
  })

  it('rejects a gzip file that does not hold an arm64 Image', async () => {
    const file = await fileWith('config.gz', gzipSync(Buffer.from('CONFIG_XEN=y\n'.repeat(100))))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is gzip-compressed but holds no arm64 Image (no "ARM\\x64" magic at offset 56)`,
    )
  })

  it('rejects a gzip file shorter than an arm64 header once inflated', async () => {
    const file = await fileWith('tiny.gz', gzipSync(Buffer.from('hi')))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is gzip-compressed but holds no arm64 Image (no "ARM\\x64" magic at offset 56)`,
    )
  })

  it('names the image input and the path when the file is missing', async () => {
    const file = path.join(dir, 'no-such-bzImage')
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(`image: ${file} does not exist`)
  })

  it('names the image input and the path when the path is a directory', async () => {
    const sub = path.join(dir, 'boot')
    await mkdir(sub)
    expect(await inputErrorOf(inspectKernelImage(sub))).toBe(`image: ${sub} is a directory, not a file`)
  })
})

describe('kernel files are what they claim (issue 9)', () => {
  it('refuses a 100 KB prefix of the sample bzImage: shorter than setup + syssize', async () => {
    const file = await fileWith('sample-prefix', (await readFile(sampleImage)).subarray(0, 100 * 1024))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is truncated: its boot header says 2774016 bytes (setup + syssize) but the file has 102400`,
    )
  })

  it('refuses a bzImage whose gzip payload is corrupt inside, though the file has its full length', async () => {
    const bytes = Buffer.from(await readFile(sampleImage))
    bytes.fill(0x55, 1024 * 1024, 1024 * 1024 + 4096) // in the middle of the gzip payload
    const file = await fileWith('sample-corrupt', bytes)
    expect(await inputErrorOf(inspectKernelImage(file))).toMatch(
      new RegExp(`^image: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: its gzip payload does not decompress to its end \\(.+\\)$`),
    )
  })

  it('refuses a bzImage whose xz payload has no stream footer', async () => {
    const payload = Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, ...Buffer.alloc(64, 7)])
    const file = await fileWith('bz-xz-cut', craftBzImage({ protocol: 0x020f, setupSects: 27, version: '6.1.192 (t@t) #1', payload }))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: its xz payload has no xz stream footer at its end (truncated or corrupt)`,
    )
  })

  it('refuses a bzImage whose payload runs past the end of the file', async () => {
    const bytes = craftBzImage({ protocol: 0x020f, setupSects: 27, version: '6.1.192 (t@t) #1', payload: gzipSync('vmlinux.bin'), syssize: 1 })
    bytes.writeUInt32LE(bytes.length, 0x24c) // payload_length: the whole file
    const file = await fileWith('bz-long-payload', bytes)
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is truncated: its payload ends at byte ${28 * 512 + 0x3c0 + bytes.length} but the file has ${bytes.length}`,
    )
  })

  it('refuses the 64-byte header of an arm64 Image', async () => {
    const file = await fileWith('arm64-64', craftArm64Image(1000, 4096).subarray(0, 64))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: cannot read the kernel release (no "Linux version" banner in the Image)`,
    )
  })

  /** An arm64 Image with an EFI stub: "MZ", a PE header at 0x40 and one section whose raw data ends at `totalSize`. */
  function craftPeArm64Image(totalSize: number): Buffer {
    const image = craftArm64Image(totalSize - 4096, totalSize)
    image.write('MZ', 0, 'latin1')
    image.writeUInt32LE(0x40, 0x3c)
    image.write('PE\0\0', 0x40, 'latin1')
    image.writeUInt16LE(1, 0x40 + 6) // one section
    image.writeUInt16LE(0, 0x40 + 20) // no optional header, so the table follows at 0x58
    image.write('.text', 0x58, 'latin1')
    image.writeUInt32LE(totalSize - 0x1000, 0x58 + 16) // SizeOfRawData
    image.writeUInt32LE(0x1000, 0x58 + 20) // PointerToRawData
    return image
  }

  it('refuses a plain arm64 Image shorter than its PE sections', async () => {
    const whole = craftPeArm64Image(2 * 1024 * 1024)
    const file = await fileWith('arm64-pe-cut', whole.subarray(0, 1024 * 1024))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is truncated: its PE header says ${2 * 1024 * 1024} bytes but the file has ${1024 * 1024}`,
    )
  })

  it('refuses a gzip of the first 1 MB of an Image: it inflates to less than its PE header says', async () => {
    const file = await fileWith('arm64-pe-1M.gz', gzipSync(craftPeArm64Image(2 * 1024 * 1024).subarray(0, 1024 * 1024)))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file} is truncated: it inflates to 1048576 bytes but its PE header says ${2 * 1024 * 1024}`,
    )
  })

  it('reads the whole EFI-stub Image and its gzip', async () => {
    const bytes = craftPeArm64Image(2 * 1024 * 1024)
    expect((await inspectKernelImage(await fileWith('arm64-pe', bytes))).release).toBe('6.1.192-edera-zone')
    expect((await inspectKernelImage(await fileWith('arm64-pe.gz', gzipSync(bytes)))).release).toBe('6.1.192-edera-zone')
  })
})

describe('a kernel payload inflates no further than its header declares (issue 19)', () => {
  /** gzip members of `member` zero bytes, `count` times: a small file that inflates to member × count bytes. */
  function zeroMembers(member: number, count: number): Buffer {
    const one = gzipSync(Buffer.alloc(member), { level: 9 })
    return Buffer.concat(Array.from({ length: count }, () => one))
  }

  it('refuses a bzImage whose gzip payload inflates to 16 GiB, at its 64 MiB length trailer, in seconds', async () => {
    const payload = zeroMembers(64 * 1024 * 1024, 256) // 16 GiB inflated; the last member's ISIZE says 64 MiB
    const file = await fileWith('bomb-bzImage', craftBzImage({ protocol: 0x020f, setupSects: 4, version: '6.1.0 #1', payload }))
    const started = Date.now()
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: its gzip payload inflates beyond the ${64 * 1024 * 1024} bytes its header declares (length trailer)`,
    )
    expect(Date.now() - started).toBeLessThan(20_000)
  })

  it('refuses a bzImage whose gzip payload inflates beyond its init_size', async () => {
    const payload = gzipSync(Buffer.alloc(2 * 1024 * 1024))
    const image = craftBzImage({ protocol: 0x020f, setupSects: 4, version: '6.1.0 #1', payload })
    image.writeUInt32LE(1024 * 1024, 0x260) // init_size: 1 MiB
    const file = await fileWith('init-size-bzImage', image)
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: its gzip payload inflates beyond the ${1024 * 1024} bytes its header declares (init_size)`,
    )
  })

  it('refuses an Image.gz that inflates beyond the image_size of its own header', async () => {
    const image = craftArm64Image(4096, 4 * 1024 * 1024)
    image.writeBigUInt64LE(BigInt(1024 * 1024), 16) // claims 1 MiB
    const file = await fileWith('Image-oversized.gz', gzipSync(image))
    expect(await inputErrorOf(inspectKernelImage(file))).toBe(
      `image: ${file}: it inflates beyond the ${1024 * 1024} bytes its Image header declares (image_size)`,
    )
  })
})
