// Hostile layer contents, run through the bundled CLI as a user runs it: each case is a crafted OCI layout whose
// layer decompresses to more than its caps, is not what its media type says, or holds a tar GNU tar refuses. Each must
// end within 20 s with one line naming the fault, exit 1 or 2, no stack trace, and nothing written beyond its cap.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { craftBzImage } from './support/crafted-kernel.js'
import { ANNOTATIONS, METADATA } from './support/kernel-images.js'
import { runCliBundleSync } from './support/cli.js'
import { tarHeader } from './support/tar-header.js'

const GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip'
const ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd'
const TAR = 'application/vnd.oci.image.layer.v1.tar'
const MiB = 1024 * 1024

let work: string
beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'hostile-layers-'))
})
afterAll(() => {
  if (!process.env.KEEP_WORK) fs.rmSync(work, { recursive: true, force: true })
})

const pad = (size: number): Buffer => Buffer.alloc((512 - (size % 512)) % 512)
const END = Buffer.alloc(1024)

/** A small tar: `kernel/` and the files given. */
function tarOf(files: [string, Buffer][]): Buffer {
  const parts = [tarHeader('kernel/', 0, '5')]
  for (const [name, body] of files) parts.push(tarHeader(name, body.length), body, pad(body.length))
  return Buffer.concat([...parts, END])
}

/** gzip members: `head`, then `count` members of `member` zero bytes, then `tail`: small, and inflating to a lot. */
function gzipBomb(head: Buffer, member: number, count: number, tail: Buffer): Buffer {
  const zeros = gzipSync(Buffer.alloc(member), { level: 9 })
  return Buffer.concat([gzipSync(head), ...Array.from({ length: count }, () => zeros), gzipSync(tail)])
}

function zstdOf(bytes: Buffer): Buffer {
  return execFileSync('zstd', ['-q', '-c', '-19'], { input: bytes, maxBuffer: 64 * MiB })
}

function blob(dir: string, bytes: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } {
  const hex = createHash('sha256').update(bytes).digest('hex')
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', hex), bytes)
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length }
}

let counter = 0
/** An OCI layout tagged v1 holding one image with `layers`; returns `oci:<dir>:v1`. */
function layoutWith(layers: { bytes: Buffer; mediaType: string; file?: string }[]): string {
  const dir = path.join(work, `layout-${++counter}`)
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true })
  const descriptors = layers.map((layer) => blob(dir, layer.bytes, layer.mediaType))
  const config = blob(
    dir,
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: descriptors.map((d) => d.digest) },
        history: layers.map((layer) => ({ created_by: `kernel-action: add /kernel/${layer.file ?? 'image'}` })),
      }),
    ),
    'application/vnd.oci.image.config.v1+json',
  )
  const manifest = blob(
    dir,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config,
        layers: descriptors,
        annotations: ANNOTATIONS,
      }),
    ),
    'application/vnd.oci.image.manifest.v1+json',
  )
  fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }] }),
  )
  return `oci:${dir}:v1`
}

interface Run {
  status: number | null
  stdout: string
  stderr: string
  seconds: number
}

function cli(...args: string[]): Run {
  const started = Date.now()
  const run = runCliBundleSync(args)
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, seconds: (Date.now() - started) / 1000 }
}

/** The run ended in time, with exit 1 or 2, no stack trace, and its output holds `fault` on one line. */
function expectRefused(run: Run, fault: string): void {
  expect(run.seconds).toBeLessThan(20)
  expect([1, 2]).toContain(run.status)
  const output = `${run.stdout}${run.stderr}`
  expect(output).not.toMatch(/\n\s+at |Maximum call stack/)
  expect(output.split('\n').filter((line) => line.includes(fault))).toHaveLength(1)
}

const goodFiles = (): [string, Buffer][] => [
  ['kernel/image', craftBzImage(64 * 1024)],
  ['kernel/metadata', Buffer.from(METADATA)],
]

describe('layers that inflate beyond their caps', () => {
  it('a 3 MB gzip layer whose kernel/image inflates to 3.2 GB fails at its header: verify and install', () => {
    const size = 50 * 64 * MiB // 3.2 GiB
    const bytes = gzipBomb(Buffer.concat([tarHeader('kernel/', 0, '5'), tarHeader('kernel/image', size)]), 64 * MiB, 50, END)
    expect(bytes.length).toBeLessThan(4 * MiB)
    const ref = layoutWith([{ bytes, mediaType: GZIP }])
    expectRefused(cli('verify', ref), `kernel/image is ${size} bytes, more than the ${256 * MiB} a image may be`)
    const root = path.join(work, 'root-bomb')
    fs.mkdirSync(root)
    const run = cli('install', ref, '--root', root, '--arch', 'x86_64')
    expectRefused(run, `kernel/image is ${size} bytes`)
    const written = execFileSync('du', ['-sb', root], { encoding: 'utf8' }).split('\t')[0]
    expect(Number(written)).toBeLessThan(MiB)
  })

  it('a 200 KB zstd layer inflating to 3.2 GB fails at its header', () => {
    const size = 50 * 64 * MiB
    const zeros = zstdOf(Buffer.alloc(64 * MiB))
    const bytes = Buffer.concat([
      zstdOf(Buffer.concat([tarHeader('kernel/', 0, '5'), tarHeader('kernel/image', size)])),
      ...Array.from({ length: 50 }, () => zeros),
      zstdOf(END),
    ])
    expect(bytes.length).toBeLessThan(400 * 1024)
    expectRefused(cli('verify', layoutWith([{ bytes, mediaType: ZSTD }])), `kernel/image is ${size} bytes`)
  })

  it('kernel/metadata over 64 KiB is refused at its header, not read whole', () => {
    const bytes = gzipSync(tarOf([...goodFiles().slice(0, 1), ['kernel/metadata', Buffer.alloc(100 * 1024, 0x41)]]))
    expectRefused(cli('verify', layoutWith([{ bytes, mediaType: GZIP }])), `kernel/metadata is ${100 * 1024} bytes, more than the 65536`)
  })

  it('300,000 empty tar entries are refused at the entry cap, not by a stack overflow', () => {
    const parts: Buffer[] = []
    for (let i = 0; i < 300_000; i++) parts.push(tarHeader(`f/${i}`, 0))
    const bytes = gzipSync(Buffer.concat([...parts, END]), { level: 1 })
    expectRefused(cli('verify', layoutWith([{ bytes, mediaType: GZIP }])), 'more than 65536 tar entries')
  })
})

describe("a layer's bytes must match its media type", () => {
  it('a tar+zstd layer holding gzip data is refused before any decompressor runs', () => {
    const bytes = gzipSync(tarOf(goodFiles()))
    expectRefused(cli('verify', layoutWith([{ bytes, mediaType: ZSTD }])), 'does not start as zstd (28 b5 2f fd) but with 1f 8b')
  })

  it('a tar+zstd layer whose second frame is gzip is refused', () => {
    const bytes = Buffer.concat([zstdOf(tarOf(goodFiles()).subarray(0, 1024)), gzipSync(tarOf(goodFiles()).subarray(1024))])
    expectRefused(cli('verify', layoutWith([{ bytes, mediaType: ZSTD }])), 'the tar+zstd layer is not zstd throughout')
  })

  it('a tar+gzip layer holding plain tar, and a tar layer holding gzip, are refused', () => {
    expectRefused(cli('verify', layoutWith([{ bytes: tarOf(goodFiles()), mediaType: GZIP }])), 'does not start as gzip (1f 8b)')
    expectRefused(cli('verify', layoutWith([{ bytes: gzipSync(tarOf(goodFiles())), mediaType: TAR }])), 'does not start as a tar archive')
  })
})

describe('tar headers GNU tar refuses', () => {
  const withHeader = (edit: (block: Buffer) => void): string => {
    const body = Buffer.from(METADATA)
    const tar = Buffer.concat([tarHeader('kernel/', 0, '5'), tarHeader('kernel/metadata', body.length, '0', edit), body, pad(body.length), END])
    return layoutWith([{ bytes: gzipSync(tar), mediaType: GZIP }])
  }

  it('a negative base-256 size', () => {
    expectRefused(
      cli(
        'verify',
        withHeader((block) => block.fill(0xff, 124, 136)),
      ),
      'size field is a negative base-256 number; GNU tar refuses it',
    )
  })

  it('a size field that is not octal', () => {
    expectRefused(
      cli(
        'verify',
        withHeader((block) => block.write('0000000012x\0', 124, 'latin1')),
      ),
      'size field holds "0000000012x" where an octal number is expected',
    )
  })

  it('a bad checksum', () => {
    const body = Buffer.from(METADATA)
    const header = tarHeader('kernel/metadata', body.length)
    header[0] = 0x4b // "Kernel/metadata" after the checksum was computed
    const tar = Buffer.concat([tarHeader('kernel/', 0, '5'), header, body, pad(body.length), END])
    expectRefused(cli('verify', layoutWith([{ bytes: gzipSync(tar), mediaType: GZIP }])), 'header checksum does not match its bytes')
  })
})

describe('kernel/addons.squashfs must be a squashfs that fits its file', () => {
  const withAddons = (addons: Buffer): string =>
    layoutWith([{ bytes: gzipSync(tarOf([...goodFiles(), ['kernel/addons.squashfs', addons]])), mediaType: GZIP }])

  it('random bytes and an empty file are refused by verify', () => {
    const random = createHash('sha512').update('not squashfs').digest()
    expectRefused(cli('verify', withAddons(Buffer.concat([random, random]))), 'kernel/addons.squashfs is not a squashfs image (no "hsqs" superblock)')
    expectRefused(cli('verify', withAddons(Buffer.alloc(0))), 'kernel/addons.squashfs is not a squashfs image')
  })

  it('a superblock claiming more bytes than the file has is refused', () => {
    const head = Buffer.alloc(4096)
    head.write('hsqs', 0, 'latin1')
    head.writeUInt16LE(4, 28)
    head.writeBigUInt64LE(1_000_000n, 40)
    expectRefused(
      cli('verify', withAddons(head)),
      'kernel/addons.squashfs is truncated: its squashfs superblock says 1000000 bytes but the file has 4096',
    )
  })

  it('3 GB of zeros is refused at its first bytes, by verify and by install', () => {
    const size = 48 * 64 * MiB
    const head = Buffer.concat([tarHeader('kernel/', 0, '5'), tarHeader('kernel/addons.squashfs', size)])
    const ref = layoutWith([{ bytes: gzipBomb(head, 64 * MiB, 48, END), mediaType: GZIP }])
    expectRefused(cli('verify', ref), 'kernel/addons.squashfs is not a squashfs image')
    const root = path.join(work, 'root-zeros')
    fs.mkdirSync(root)
    expectRefused(cli('install', ref, '--root', root, '--arch', 'x86_64'), 'kernel/addons.squashfs is not a squashfs image')
    expect(Number(execFileSync('du', ['-sb', root], { encoding: 'utf8' }).split('\t')[0])).toBeLessThan(4 * MiB)
  })

  it('a squashfs of 96 bytes followed by 3 GB of zeros is refused at its superblock, by verify and by install', () => {
    const superblock = Buffer.alloc(96)
    superblock.write('hsqs', 0, 'latin1')
    superblock.writeUInt16LE(4, 28)
    superblock.writeBigUInt64LE(96n, 40)
    const size = 96 + 48 * 64 * MiB
    const head = Buffer.concat([tarHeader('kernel/', 0, '5'), tarHeader('kernel/addons.squashfs', size), superblock])
    const ref = layoutWith([{ bytes: gzipBomb(head, 64 * MiB, 48, Buffer.concat([pad(size), END])), mediaType: GZIP }])
    const line = `kernel/addons.squashfs is longer than its squashfs image: the superblock says 96 bytes (65536 padded to 64 KiB) but the file has ${size}`
    expectRefused(cli('verify', ref), line)
    const root = path.join(work, 'root-padded')
    fs.mkdirSync(root)
    expectRefused(cli('install', ref, '--root', root, '--arch', 'x86_64'), line)
    expect(Number(execFileSync('du', ['-sb', root], { encoding: 'utf8' }).split('\t')[0])).toBeLessThan(4 * MiB)
  })
})

describe('an error inside the tar walk ends it with its line', () => {
  it('diff: a config.gz over the 4 MiB read for a comparison fails in one line, not a silent exit 13', () => {
    const configGz = gzipSync(Buffer.alloc(5 * MiB, 0x41))
    const bigGz = Buffer.concat([configGz, Buffer.alloc(5 * MiB - configGz.length)]) // a 5 MiB config.gz entry
    const bytes = gzipSync(tarOf([['kernel/config.gz', bigGz]]))
    const ref = layoutWith([{ bytes, mediaType: GZIP, file: 'config.gz' }])
    const other = path.join(work, 'other.config')
    fs.writeFileSync(other, '# Linux/x86 6.1.192 Kernel Configuration\nCONFIG_XEN=y\n')
    const run = cli('diff', ref, other, '--arch', 'x86_64')
    expect(run.status).not.toBe(13)
    expectRefused(run, 'kernel/config.gz is larger than')
  })
})

describe('kernel/config.gz inflates no further than a .config may be', () => {
  it('a 16 MiB-capped config.gz that inflates to 4 GiB stops at 16 MiB in verify', () => {
    const configGz = Buffer.concat(Array.from({ length: 64 }, () => gzipSync(Buffer.alloc(64 * MiB), { level: 9 })))
    expect(configGz.length).toBeLessThan(16 * MiB)
    const bytes = gzipSync(tarOf([...goodFiles(), ['kernel/config.gz', configGz]]))
    expectRefused(cli('verify', layoutWith([{ bytes, mediaType: GZIP }])), `kernel/config.gz inflates to more than ${16 * MiB} bytes`)
  })
})
