import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { InputError } from '../src/errors.js'
import { sha256OfFile } from '../src/oci/digest.js'
import { buildFileLayer, type LayerCompression } from '../src/oci/layer.js'
import { OciLayout } from '../src/oci/layout.js'
import { craftBzImage, craftSquashfs, zoneConfigIn } from './support/crafted-kernel.js'
import { parseJson, type OciJson } from './support/json.js'
import { runAction } from './support/run-action.js'
import { sha256Digest as sha256 } from './support/digest.js'

const MiB = 1024 * 1024
const TAR_FLAGS: Record<LayerCompression, string[]> = { none: [], gzip: ['-z'], zstd: ['--zstd'] }
const MEDIA_TYPES: Record<LayerCompression, string> = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
}
const hasNodeZstd = typeof (zlib as unknown as { createZstdCompress?: unknown }).createZstdCompress === 'function'

let root: string
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-layer-'))
})
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(root, `${name}-`))
}

/** GNU tar's verbose listing of a layer blob, decompressing it as its media type says. */
function gnuTarListing(blob: string, compression: LayerCompression): string {
  return execFileSync('tar', [...TAR_FLAGS[compression], '--numeric-owner', '--full-time', '-tvf', blob], {
    env: { ...process.env, TZ: 'UTC' },
  }).toString()
}

function uncompressed(blob: string, compression: LayerCompression): Buffer {
  const bytes = fs.readFileSync(blob)
  if (compression === 'gzip') return zlib.gunzipSync(bytes)
  if (compression === 'zstd') return execFileSync('zstd', ['-d', '-c', '-q', blob], { maxBuffer: 64 * MiB })
  return bytes
}

function randomFile(dir: string, name: string, size: number): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + 13) % 251)))
  return file
}

describe.each<LayerCompression>(['none', 'gzip', 'zstd'])('buildFileLayer with compression %s', (compression) => {
  let layout: OciLayout
  let source: string
  beforeAll(async () => {
    const dir = tempDir(`build-${compression}`)
    source = randomFile(dir, 'bzImage', 300_000)
    layout = await OciLayout.open(path.join(dir, 'layout'))
  })

  it('holds exactly kernel/ then kernel/<name>, owned by 0/0, modes 0755 and 0644, dated 1970', async () => {
    const layer = await buildFileLayer({ name: 'image', source, compression }, layout)
    expect(gnuTarListing(layout.blobPath(layer.descriptor.digest), compression)).toBe(
      'drwxr-xr-x 0/0               0 1970-01-01 00:00:00 kernel/\n' + '-rw-r--r-- 0/0          300000 1970-01-01 00:00:00 kernel/image\n',
    )
  })

  it('gives the blob digest, size and media type of the stored file, and the diffId of the uncompressed tar', async () => {
    const layer = await buildFileLayer({ name: 'image', source, compression }, layout)
    const blob = layout.blobPath(layer.descriptor.digest)
    expect(layer.descriptor).toEqual({ mediaType: MEDIA_TYPES[compression], ...(await sha256OfFile(blob)) })
    const tar = uncompressed(blob, compression)
    expect(layer.diffId).toBe(sha256(tar))
    // 512 B per header, the data padded to 512 B, then two zero blocks.
    expect(tar.length).toBe(512 + 512 + 300_032 + 1024)
  })

  it('stores the file byte for byte', async () => {
    const layer = await buildFileLayer({ name: 'image', source, compression }, layout)
    const extracted = execFileSync('tar', [...TAR_FLAGS[compression], '-xOf', layout.blobPath(layer.descriptor.digest), 'kernel/image'], {
      maxBuffer: 64 * MiB,
    })
    expect(extracted.equals(fs.readFileSync(source))).toBe(true)
  })

  it('gives the same digests from a copy in another folder with another mtime, and from a Buffer', async () => {
    const first = await buildFileLayer({ name: 'image', source, compression }, layout)
    const otherDir = tempDir(`copy-${compression}`)
    const copy = path.join(otherDir, 'renamed.bin')
    fs.copyFileSync(source, copy)
    fs.utimesSync(copy, new Date('2031-05-06T07:08:09Z'), new Date('2031-05-06T07:08:09Z'))
    fs.chmodSync(copy, 0o600)
    const otherLayout = await OciLayout.open(path.join(otherDir, 'layout'))
    const fromCopy = await buildFileLayer({ name: 'image', source: copy, compression }, otherLayout)
    const fromBuffer = await buildFileLayer({ name: 'image', source: fs.readFileSync(source), compression }, otherLayout)
    expect(fromCopy).toEqual(first)
    expect(fromBuffer).toEqual(first)
  })

  it('builds an empty file as a layer with a zero-length entry', async () => {
    const layer = await buildFileLayer({ name: 'metadata', source: Buffer.alloc(0), compression }, layout)
    expect(gnuTarListing(layout.blobPath(layer.descriptor.digest), compression)).toBe(
      'drwxr-xr-x 0/0               0 1970-01-01 00:00:00 kernel/\n' + '-rw-r--r-- 0/0               0 1970-01-01 00:00:00 kernel/metadata\n',
    )
  })
})

describe('buildFileLayer output details', () => {
  it('writes a gzip header with no file name and mtime 0', async () => {
    const dir = tempDir('gzip-header')
    const layout = await OciLayout.open(dir)
    const layer = await buildFileLayer({ name: 'metadata', source: Buffer.from('KERNEL_ARCH=x86_64\n'), compression: 'gzip' }, layout)
    const header = fs.readFileSync(layout.blobPath(layer.descriptor.digest)).subarray(0, 10)
    // magic 1f8b, deflate, FLG 0 (no name), MTIME 0, XFL 0, OS 3 (unix)
    expect(header.toString('hex')).toBe('1f8b0800000000000003')
  })

  it('leaves no staging files behind in the layout', async () => {
    const dir = tempDir('staging')
    const layout = await OciLayout.open(dir)
    await buildFileLayer({ name: 'metadata', source: Buffer.from('x\n'), compression: 'none' }, layout)
    await buildFileLayer({ name: 'metadata', source: Buffer.from('x\n'), compression: 'none' }, layout)
    expect(fs.readdirSync(path.join(dir, 'blobs'))).toEqual(['sha256'])
    expect(fs.readdirSync(path.join(dir, 'blobs', 'sha256'))).toHaveLength(1)
  })

  // gzip is slower than reading, so without back-pressure the file would pile up in memory (measured: ~90 MiB).
  // Measured in a child process, by the kernel's own peak-RSS count: nothing else in it allocates, nothing is sampled.
  it('streams a 200 MiB file without holding it in memory', () => {
    const dir = tempDir('big')
    const config = zoneConfigIn(dir)
    fs.writeFileSync(path.join(dir, 'bzImage'), craftBzImage())
    const publish = (addons: string, layout: string) =>
      runAction(
        { config, image: path.join(dir, 'bzImage'), addons, compression: 'gzip', 'oci-layout': path.join(dir, layout) },
        { workspace: dir, peakRss: true },
      )
    // Real (module-less) squashfs images, the big one with 200 MiB of filler inside it: the addons check reads only its
    // modules/, and the layer streams the whole file.
    fs.writeFileSync(path.join(dir, 'small.squashfs'), craftSquashfs())
    const big = path.join(dir, 'addons.squashfs')
    fs.writeFileSync(big, craftSquashfs(200 * MiB))
    const bigSize = fs.statSync(big).size
    const small = publish(path.join(dir, 'small.squashfs'), 'small-layout')
    const large = publish(big, 'layout')
    expect([small.status, large.status]).toEqual([0, 0])
    expect((large.peakRssKiB! - small.peakRssKiB!) * 1024).toBeLessThan(64 * MiB)
    const layout = path.join(dir, 'layout')
    const manifest = parseJson<OciJson>(fs.readFileSync(path.join(layout, 'blobs', large.outputs.digest!.replace(':', '/')), 'utf8'))
    const addonsLayer = manifest.layers.find((l) => l.size > 100_000)
    expect(gnuTarListing(path.join(layout, 'blobs', addonsLayer!.digest.replace(':', '/')), 'gzip')).toBe(
      'drwxr-xr-x 0/0               0 1970-01-01 00:00:00 kernel/\n' +
        `-rw-r--r-- 0/0${String(bigSize).padStart(16)} 1970-01-01 00:00:00 kernel/addons.squashfs\n`,
    )
  })
})

describe('buildFileLayer errors', () => {
  let layout: OciLayout
  let dir: string
  beforeAll(async () => {
    dir = tempDir('errors')
    layout = await OciLayout.open(path.join(dir, 'layout'))
  })

  it('names a missing source file', async () => {
    const missing = path.join(dir, 'nope', 'bzImage')
    await expect(buildFileLayer({ name: 'image', source: missing, compression: 'none' }, layout)).rejects.toThrow(
      new InputError(`kernel file: ${missing} does not exist`),
    )
  })

  it('refuses a folder as the source', async () => {
    await expect(buildFileLayer({ name: 'image', source: dir, compression: 'none' }, layout)).rejects.toThrow(
      new InputError(`kernel file: ${dir} is a directory, not a file`),
    )
  })

  it('refuses a name that is not a plain file name', async () => {
    await expect(buildFileLayer({ name: '../image', source: Buffer.from('x'), compression: 'none' }, layout)).rejects.toThrow(
      new InputError('kernel file name "../image" is not a plain file name (letters, digits, . _ -)'),
    )
  })

  // Runs on every Node: where Node has zstd (22.15+, what the action gets on node24) no program is needed; where it
  // has not (Node 20), the step says what is missing.
  it('makes zstd layers with no zstd program on PATH on Node 22.15+, and says what zstd needs on older Node', async () => {
    const savedPath = process.env.PATH
    process.env.PATH = tempDir('empty-path')
    try {
      const building = buildFileLayer({ name: 'image', source: Buffer.from('kernel bytes'), compression: 'zstd' }, layout)
      if (!hasNodeZstd) {
        await expect(building).rejects.toThrow(new InputError('compression: zstd needs Node.js 22.15+ or the zstd program on PATH'))
        return
      }
      const layer = await building
      expect(layer.descriptor.mediaType).toBe(MEDIA_TYPES.zstd)
      const unzstd = (zlib as unknown as { zstdDecompressSync: (b: Buffer) => Buffer }).zstdDecompressSync
      const tar = unzstd(fs.readFileSync(layout.blobPath(layer.descriptor.digest)))
      // The `kernel/` entry, then `kernel/image` and its bytes: the layer Node's own zstd made is whole.
      expect(tar.subarray(0, 7).toString('latin1')).toBe('kernel/')
      expect(tar.subarray(512, 524).toString('latin1')).toBe('kernel/image')
      expect(tar.subarray(1024, 1036).toString('latin1')).toBe('kernel bytes')
    } finally {
      process.env.PATH = savedPath
    }
  })
})
