// The layer reader's parts in process: the pure checks (tar headers as GNU tar reads them, magics, zstd frames, caps,
// the squashfs superblock) as tables, and the walk over in-memory layers (end of archive, pax sizes, a consumer's
// error ending the walk instead of stalling it).
import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { squashfsProblem } from '../src/describe/squashfs.js'
import { InputError } from '../src/errors.js'
import { KERNEL_FILE_CAPS, kernelFileSizeProblem, placedPath } from '../src/pull/kernel-file-limits.js'
import { ZstdFrameCheck, layerMagicProblem } from '../src/pull/layer-bytes.js'
import { bodyToBuffer, walkTar, type LayerEntry } from '../src/pull/layer-reader.js'
import { numericField, parseTarHeader, paxSize } from '../src/pull/tar-header.js'
import { tarHeader as header } from './support/tar-header.js'

const pad = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512)
const entry = (name: string, body: Buffer, type = '0'): Buffer => Buffer.concat([header(name, body.length, type), body, pad(body.length)])
const END = Buffer.alloc(1024)
/** pax records "<len> key=value\n", where len counts itself. */
function pax(records: string[]): Buffer {
  return Buffer.from(
    records
      .map((record) => {
        let length = Buffer.byteLength(record) + 3
        while (String(length).length + Buffer.byteLength(record) + 2 !== length) length++
        return `${length} ${record}\n`
      })
      .join(''),
  )
}

describe('parseTarHeader: what GNU tar accepts', () => {
  it.each([
    ['a plain header', (): void => undefined, { name: 'kernel/image', type: '0', size: 5 }],
    [
      'a positive base-256 size',
      (b: Buffer): void => void (b.fill(0, 124, 136), (b[124] = 0x80), b.writeUInt32BE(5, 132)),
      { name: 'kernel/image', type: '0', size: 5 },
    ],
    ['a size with leading spaces', (b: Buffer): void => void b.write('         5 ', 124, 'latin1'), { name: 'kernel/image', type: '0', size: 5 }],
    ['a ustar prefix', (b: Buffer): void => void b.write('deep/folder', 345, 'latin1'), { name: 'deep/folder/kernel/image', type: '0', size: 5 }],
    ['a negative base-256 size', (b: Buffer): void => void b.fill(0xff, 124, 136), 'size field is a negative base-256 number'],
    ['a blank size', (b: Buffer): void => void b.fill(0, 124, 136), 'size field is blank'],
    [
      'a size with a letter after its digits',
      (b: Buffer): void => void b.write('0000000012x\0', 124, 'latin1'),
      'size field holds "0000000012x" where an octal number is expected',
    ],
    [
      'a size in decimal 9s',
      (b: Buffer): void => void b.write('00000000009\0', 124, 'latin1'),
      'size field holds "00000000009" where an octal number is expected',
    ],
    [
      'a mode that is not a number',
      (b: Buffer): void => void b.write('rwxr-x\0\0', 100, 'latin1'),
      'mode field holds "rwxr-x" where an octal number is expected',
    ],
    [
      'an mtime that is not a number',
      (b: Buffer): void => void b.write('yesterday\0\0\0', 136, 'latin1'),
      'mtime field holds "yesterday" where an octal number is expected',
    ],
    [
      'a negative base-256 mtime (before 1970) is fine',
      (b: Buffer): void => void b.fill(0xff, 136, 148),
      { name: 'kernel/image', type: '0', size: 5 },
    ],
    ['a huge base-256 size', (b: Buffer): void => void (b.fill(0x7f, 124, 136), (b[124] = 0x80)), 'size field is beyond any real file'],
  ] as [string, (b: Buffer) => void, unknown][])('%s', (_name, edit, expected) => {
    expect(parseTarHeader(header('kernel/image', 5, '0', edit))).toEqual(expected)
  })

  it('refuses a header whose bytes changed after its checksum', () => {
    const block = header('kernel/image', 5)
    block[0] = 0x4b
    expect(parseTarHeader(block)).toBe('header checksum does not match its bytes')
  })

  it('reads blank numeric fields as absent', () => {
    expect(numericField(Buffer.alloc(512), 100, 8)).toBeUndefined()
  })
})

describe('paxSize', () => {
  it.each([
    ['no size record', pax(['path=kernel/image']), undefined],
    ['a size record', pax(['path=kernel/image', 'size=1234']), 1234],
    ['a size that is not decimal', pax(['size=-5']), 'pax header has size="-5", not a size'],
    ['a record whose length is wrong', Buffer.from('99 size=5\n'), 'pax header has a malformed record'],
    ['NUL padding after the records', Buffer.concat([pax(['size=7']), Buffer.alloc(20)]), 7],
  ] as [string, Buffer, unknown][])('%s', (_name, body, expected) => {
    expect(paxSize(body)).toEqual(expected)
  })
})

describe('layerMagicProblem: the bytes match the media type before any decompressor runs', () => {
  const tar = Buffer.concat([header('kernel/', 0, '5'), END])
  it.each([
    ['gzip as gzip', gzipSync(tar), 'gzip', undefined],
    ['tar as tar', tar, 'none', undefined],
    ['an empty tar (zero blocks) as tar', END, 'none', undefined],
    ['nothing at all', Buffer.alloc(0), 'gzip', 'is empty'],
    ['gzip as zstd', gzipSync(tar), 'zstd', 'does not start as zstd (28 b5 2f fd) but with 1f 8b 08 00 (gzip)'],
    ['tar as gzip', tar, 'gzip', 'does not start as gzip (1f 8b) but with 6b 65 72 6e'],
    ['gzip as tar', gzipSync(tar), 'none', 'does not start as a tar archive ("ustar" at byte 257) but with 1f 8b 08 00 (gzip)'],
    ['xz as zstd', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0]), 'zstd', 'does not start as zstd (28 b5 2f fd) but with fd 37 7a 58 (xz)'],
  ] as [string, Buffer, 'gzip' | 'zstd' | 'none', string | undefined][])('%s', (_name, bytes, compression, problem) => {
    expect(layerMagicProblem(bytes.subarray(0, 263), compression)).toBe(problem)
  })
})

describe('ZstdFrameCheck: every frame is zstd', () => {
  const zstd = (bytes: Buffer, ...args: string[]): Buffer => execFileSync('zstd', ['-q', '-c', ...args], { input: bytes })
  const text = Buffer.from('kernel-action '.repeat(5000))
  const check = (bytes: Buffer, step = bytes.length): string | undefined => {
    const frames = new ZstdFrameCheck()
    for (let at = 0; at < bytes.length; at += step) {
      const problem = frames.push(bytes.subarray(at, at + step))
      if (problem !== undefined) return problem
    }
    return frames.end()
  }
  it.each([
    ['one frame', zstd(text)],
    ['one frame with a checksum, fed a byte at a time', zstd(text, '--check')],
    ['two frames', Buffer.concat([zstd(text), zstd(Buffer.from('more'))])],
    ['a frame of raw blocks', zstd(Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251)), '--no-check', '-1')],
  ])('accepts %s', (_name, bytes) => {
    expect(check(bytes)).toBeUndefined()
    expect(check(bytes, 1)).toBeUndefined()
  })
  it('refuses a gzip member after a zstd frame', () => {
    expect(check(Buffer.concat([zstd(text), gzipSync(text)]))).toMatch(/^a frame starts with 1f8b0800, not the zstd magic \(gzip\)$/)
  })
  it('refuses a stream cut inside a frame', () => {
    const whole = zstd(text)
    expect(check(whole.subarray(0, whole.length - 3))).toBe('the zstd stream ends inside a frame')
  })
  it('refuses a frame header with its reserved bit set', () => {
    const bytes = Buffer.from(zstd(text))
    bytes[4] = bytes[4]! | 0x08
    expect(check(bytes)).toBe('a zstd frame header sets its reserved bit')
  })
})

describe('kernel file caps', () => {
  it.each([
    ['kernel/image', 256 * 1024 * 1024, undefined],
    ['kernel/image', 256 * 1024 * 1024 + 1, `kernel/image is ${256 * 1024 * 1024 + 1} bytes, more than the ${256 * 1024 * 1024} a image may be`],
    ['./kernel/metadata', 64 * 1024 + 1, `./kernel/metadata is ${64 * 1024 + 1} bytes, more than the 65536 a metadata may be`],
    ['kernel/metadata', 64 * 1024, undefined],
    [
      'kernel/config.gz',
      16 * 1024 * 1024 + 1,
      `kernel/config.gz is ${16 * 1024 * 1024 + 1} bytes, more than the ${16 * 1024 * 1024} a config.gz may be`,
    ],
    [
      'kernel/addons.squashfs',
      4 * 1024 ** 3 + 1,
      `kernel/addons.squashfs is ${4 * 1024 ** 3 + 1} bytes, more than the ${4 * 1024 ** 3} a addons.squashfs may be`,
    ],
    ['usr/lib/big', 10 * 1024 ** 3, undefined],
  ] as [string, number, string | undefined][])('%s of %d bytes', (path, size, problem) => {
    expect(kernelFileSizeProblem(path, size)).toBe(problem)
  })
  it('places ./ and / prefixed paths where krata unpacks them', () => {
    expect(placedPath('.//./kernel/image')).toBe('kernel/image')
    expect([...KERNEL_FILE_CAPS.keys()]).toEqual(['kernel/image', 'kernel/metadata', 'kernel/config.gz', 'kernel/addons.squashfs'])
  })
})

describe('squashfsProblem: addons that the kernel mounts', () => {
  const superblock = (bytesUsed: number, major = 4): Buffer => {
    const head = Buffer.alloc(96)
    head.write('hsqs', 0, 'latin1')
    head.writeUInt16LE(major, 28)
    head.writeBigUInt64LE(BigInt(bytesUsed), 40)
    return head
  }
  it.each([
    ['a whole image', superblock(4096), 4096, undefined],
    ['padded after bytes_used', superblock(4000), 4096, undefined],
    ["padded to 64 KiB, as openSUSE's mksquashfs does", superblock(4000), 65536, undefined],
    ['padded to 64 KiB past a whole 64 KiB', superblock(65537), 131072, undefined],
    [
      'a byte past 64 KiB of padding',
      superblock(4000),
      65537,
      'is longer than its squashfs image: the superblock says 4000 bytes (65536 padded to 64 KiB) but the file has 65537',
    ],
    [
      'a 96-byte squashfs followed by 4 GiB of zeros',
      superblock(96),
      4 * 1024 ** 3,
      `is longer than its squashfs image: the superblock says 96 bytes (65536 padded to 64 KiB) but the file has ${4 * 1024 ** 3}`,
    ],
    ['random bytes', Buffer.alloc(96, 0x5a), 4096, 'is not a squashfs image (no "hsqs" superblock)'],
    ['empty', Buffer.alloc(0), 0, 'is not a squashfs image (no "hsqs" superblock)'],
    ['version 3', superblock(4096, 3), 4096, 'is squashfs version 3; the kernel mounts version 4'],
    ['cut short', superblock(8192), 4096, 'is truncated: its squashfs superblock says 8192 bytes but the file has 4096'],
    ['bytes_used below its own superblock', superblock(10), 4096, 'is truncated: its squashfs superblock says 10 bytes but the file has 4096'],
    [
      'over the 4 GiB cap',
      superblock(4096),
      4 * 1024 ** 3 + 1,
      `is ${4 * 1024 ** 3 + 1} bytes, more than the ${4 * 1024 ** 3} an addons image may be`,
    ],
  ] as [string, Buffer, number, string | undefined][])('%s', (_name, head, size, problem) => {
    expect(squashfsProblem(head, size)).toBe(problem)
  })
})

describe('walkTar over in-memory layers', () => {
  async function walk(
    bytes: Buffer,
    compression: 'gzip' | 'none' = 'none',
    read: string[] = [],
  ): Promise<{ entries: LayerEntry[]; bodies: Record<string, string> }> {
    const entries: LayerEntry[] = []
    const bodies: Record<string, string> = {}
    await walkTar(
      Readable.from([bytes]),
      compression,
      (e) => {
        entries.push(e)
        return read.includes(e.path) ? async (body) => void (bodies[e.path] = (await bodyToBuffer(body, 8, e.path)).toString()) : undefined
      },
      'layer 1',
    )
    return { entries, bodies }
  }
  async function errorOf(promise: Promise<unknown>): Promise<string> {
    try {
      await promise
    } catch (error) {
      expect(error).toBeInstanceOf(InputError)
      return (error as Error).message
    }
    throw new InputError('expected an InputError, got none')
  }

  it('reads entries and the bodies asked for', async () => {
    const tar = Buffer.concat([entry('kernel/', Buffer.alloc(0), '5'), entry('kernel/metadata', Buffer.from('A=1\n')), END])
    expect(await walk(gzipSync(tar), 'gzip', ['kernel/metadata'])).toEqual({
      entries: [
        { path: 'kernel/', type: 'Directory', size: 0 },
        { path: 'kernel/metadata', type: 'File', size: 4 },
      ],
      bodies: { 'kernel/metadata': 'A=1\n' },
    })
  })

  it('stops at the first zero block, as GNU tar and krata do', async () => {
    const tar = Buffer.concat([entry('a', Buffer.from('1')), Buffer.alloc(512), entry('hidden', Buffer.from('2')), END])
    expect((await walk(tar)).entries.map((e) => e.path)).toEqual(['a'])
  })

  it('refuses more than 1 MiB after the end of the archive', async () => {
    const tar = Buffer.concat([entry('a', Buffer.from('1')), END, Buffer.alloc(2 * 1024 * 1024)])
    expect(await errorOf(walk(tar))).toBe('layer 1: more than 1048576 bytes follow the end of the tar archive')
  })

  it('follows a pax size to the next entry', async () => {
    const records = pax(['size=3'])
    const tar = Buffer.concat([entry('PaxHeader/a', records, 'x'), header('a', 0), Buffer.from('xyz'), pad(3), END])
    expect((await walk(tar, 'none', ['a'])).bodies).toEqual({ a: 'xyz' })
  })

  it('refuses a malformed pax size', async () => {
    const tar = Buffer.concat([entry('PaxHeader/a', pax(['size=12a']), 'x'), header('a', 0), END])
    expect(await errorOf(walk(tar))).toBe('layer 1: tar entry "PaxHeader/a": pax header has size="12a", not a size; GNU tar refuses it')
  })

  it('ends the whole walk with a consumer error, even after the layer has been read to its end', async () => {
    const tar = Buffer.concat([entry('kernel/metadata', Buffer.from('much more than eight bytes')), entry('after', Buffer.from('x')), END])
    expect(await errorOf(walk(tar, 'none', ['kernel/metadata']))).toBe('kernel/metadata is larger than 8 bytes')
  })

  it('ends the walk with an entry handler that throws', async () => {
    const tar = Buffer.concat([entry('a', Buffer.from('1')), END])
    const thrown = walkTar(
      Readable.from([tar]),
      'none',
      () => {
        throw new InputError('layer 1: a is not wanted')
      },
      'layer 1',
    )
    expect(await errorOf(thrown)).toBe('layer 1: a is not wanted')
  })

  it('refuses an entry over its cap at its header, before its body is read', async () => {
    const tar = Buffer.concat([header('kernel/metadata', 70_000), Buffer.alloc(70_000), pad(70_000), END])
    expect(await errorOf(walk(tar, 'none', ['kernel/metadata']))).toBe(
      'layer 1: kernel/metadata is 70000 bytes, more than the 65536 a metadata may be',
    )
  })

  it('checks addons.squashfs even when no consumer reads it', async () => {
    const tar = Buffer.concat([entry('kernel/addons.squashfs', Buffer.alloc(4096, 1)), END])
    expect(await errorOf(walk(tar))).toBe('layer 1: kernel/addons.squashfs is not a squashfs image (no "hsqs" superblock)')
  })

  it('a layer cut inside a body being read fails the walk and its reader, leaving nothing waiting', async () => {
    const filler = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251))
    const whole = gzipSync(Buffer.concat([entry('kernel/image', filler), END]))
    let reader: string | undefined
    const walked = walkTar(
      Readable.from([whole.subarray(0, whole.length >> 1)]),
      'gzip',
      () => async (body) => {
        try {
          for await (const chunk of body as AsyncIterable<Buffer>) void chunk
        } catch (error) {
          reader = (error as Error).message
          throw error
        }
      },
      'layer 1',
    )
    expect(await errorOf(walked)).toBe('layer 1: unexpected end of file')
    expect(reader).toBe('unexpected end of file')
  })

  it('a truncated gzip layer is one line naming the layer', async () => {
    const whole = gzipSync(Buffer.concat([entry('a', Buffer.alloc(100_000, 7)), END]))
    expect(await errorOf(walk(whole.subarray(0, whole.length >> 1), 'gzip'))).toBe('layer 1: unexpected end of file')
  })
})
