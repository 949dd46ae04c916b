import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { InputError } from '../src/errors.js'
import { buildKernelImage, gzipDeterministic, type KernelImageSpec } from '../src/oci/kernel-image.js'
import { type LayerCompression } from '../src/oci/layer.js'
import { OciLayout, REF_NAME_ANNOTATION } from '../src/oci/layout.js'
import { parseJson, type ImageConfigJson, type OciJson, type SkopeoInspect } from './support/json.js'

const CREATED = '2024-09-03T00:00:00Z'
const ANNOTATIONS = {
  'dev.edera.kernel.format': '1',
  'dev.edera.kernel.version': '6.1.90',
  'dev.edera.kernel.flavor': 'zone',
}
const CONFIG_TEXT = '# Linux/x86 6.1.90 Kernel Configuration\nCONFIG_XEN=y\nCONFIG_XEN_PV=y\n'
const METADATA = 'KERNEL_ARCH=x86_64\nKERNEL_VERSION=6.1.90\nKERNEL_FLAVOR=zone\n'

let root: string
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-kernel-image-'))
})
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(root, `${name}-`))
}

function run(command: string, args: string[]): string {
  return execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TZ: 'UTC' } }).toString()
}

function patterned(size: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => (i * 7919 + seed) % 251))
}

/** Writes the kernel files into `dir` with the given mtime and returns the spec that publishes them. */
function kernelFiles(dir: string, compression: LayerCompression, mtime: Date): KernelImageSpec {
  const image = path.join(dir, 'bzImage')
  const addons = path.join(dir, 'addons.squashfs')
  fs.writeFileSync(image, patterned(200_000, 1))
  fs.writeFileSync(addons, patterned(150_000, 2))
  for (const file of [image, addons]) fs.utimesSync(file, mtime, mtime)
  return {
    files: [
      { name: 'image', source: image },
      { name: 'addons.squashfs', source: addons },
      { name: 'config.gz', source: gzipDeterministic(Buffer.from(CONFIG_TEXT)) },
      { name: 'metadata', source: Buffer.from(METADATA) },
    ],
    architecture: 'amd64',
    created: CREATED,
    compression,
    annotations: ANNOTATIONS,
  }
}

describe.each<LayerCompression>(['none', 'gzip', 'zstd'])('a kernel image with %s layers', (compression) => {
  let dir: string
  let layoutDir: string
  let spec: KernelImageSpec
  let digest: string
  let layerDigests: string[]
  // oci-image-tool 1.0.0-rc1 and umoci 0.4.7 predate zstd layers: for those they check skopeo's gzip copy
  // of the image, which proves skopeo could decompress every zstd layer.
  let checkedDir: string

  beforeAll(async () => {
    dir = tempDir(compression)
    layoutDir = path.join(dir, 'layout')
    spec = kernelFiles(dir, compression, new Date('2020-01-01T00:00:00Z'))
    const layout = await OciLayout.open(layoutDir)
    const image = await buildKernelImage(spec, layout)
    await layout.tag(image.manifest.descriptor, ['6.1.90', 'latest'])
    digest = image.digest
    layerDigests = image.blobs.slice(0, 4).map((blob) => blob.descriptor.digest)
    checkedDir = layoutDir
    if (compression === 'zstd') {
      checkedDir = path.join(dir, 'gzip-copy')
      for (const tag of ['6.1.90', 'latest']) {
        run('skopeo', ['copy', '--dest-compress-format', 'gzip', '--dest-compress', `oci:${layoutDir}:${tag}`, `oci:${checkedDir}:${tag}`])
      }
    }
  })

  it('passes oci-image-tool validation', () => {
    expect(run('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=6.1.90', checkedDir])).toContain('Validation succeeded')
  })

  it('is listed by umoci under its tags', () => {
    expect(run('umoci', ['ls', '--layout', layoutDir]).split('\n').filter(Boolean).sort()).toEqual(['6.1.90', 'latest'])
  })

  it('unpacks with umoci to /kernel files identical to the sources', () => {
    const bundle = path.join(dir, 'bundle')
    run('umoci', ['unpack', '--image', `${checkedDir}:latest`, bundle])
    const kernel = path.join(bundle, 'rootfs', 'kernel')
    expect(fs.readdirSync(kernel).sort()).toEqual(['addons.squashfs', 'config.gz', 'image', 'metadata'])
    expect(fs.readFileSync(path.join(kernel, 'image')).equals(fs.readFileSync(path.join(dir, 'bzImage')))).toBe(true)
    expect(fs.readFileSync(path.join(kernel, 'addons.squashfs')).equals(fs.readFileSync(path.join(dir, 'addons.squashfs')))).toBe(true)
    expect(zlib.gunzipSync(fs.readFileSync(path.join(kernel, 'config.gz'))).toString()).toBe(CONFIG_TEXT)
    expect(fs.readFileSync(path.join(kernel, 'metadata'), 'utf8')).toBe(METADATA)
  })

  it('is seen by skopeo as a linux/amd64 image with the annotations and the four layers', () => {
    const inspected = parseJson<SkopeoInspect>(run('skopeo', ['inspect', `oci:${layoutDir}:6.1.90`]))
    expect(inspected.Architecture).toBe('amd64')
    expect(inspected.Os).toBe('linux')
    expect(inspected.Digest).toBe(digest)
    expect(inspected.Layers).toEqual(layerDigests)
    const raw = parseJson<OciJson>(run('skopeo', ['inspect', '--raw', `oci:${layoutDir}:6.1.90`]))
    expect(raw.annotations).toEqual(ANNOTATIONS)
  })

  it('has a config krata can parse: history for every layer, diff_ids in file order', () => {
    const config = parseJson<ImageConfigJson>(run('skopeo', ['inspect', '--config', '--raw', `oci:${layoutDir}:latest`]))
    expect(config.history).toEqual(
      ['image', 'addons.squashfs', 'config.gz', 'metadata'].map((name) => ({
        created: CREATED,
        created_by: `kernel-action: add /kernel/${name}`,
      })),
    )
    expect(config.rootfs.diff_ids).toHaveLength(4)
  })

  it('records the platform on its index.json entries', () => {
    const index = parseJson<OciJson>(fs.readFileSync(path.join(layoutDir, 'index.json'), 'utf8'))
    expect(index.manifests.map((entry) => [entry.platform, entry.annotations?.[REF_NAME_ANNOTATION]])).toEqual([
      [{ os: 'linux', architecture: 'amd64' }, '6.1.90'],
      [{ os: 'linux', architecture: 'amd64' }, 'latest'],
    ])
  })

  it('gives the same manifest digest from the same files elsewhere with other mtimes', async () => {
    const otherDir = tempDir(`${compression}-again`)
    const again = kernelFiles(otherDir, compression, new Date('2030-06-15T12:00:00Z'))
    const image = await buildKernelImage(again, await OciLayout.open(path.join(otherDir, 'layout')))
    expect(image.digest).toBe(digest)
  })
})

describe('buildKernelImage', () => {
  it('returns the manifest bytes, the blobs to push and the diffIds of the uncompressed layers', async () => {
    const dir = tempDir('returned')
    const layout = await OciLayout.open(path.join(dir, 'layout'))
    const image = await buildKernelImage(kernelFiles(dir, 'gzip', new Date(0)), layout)
    expect(`sha256:${createHash('sha256').update(image.manifest.bytes).digest('hex')}`).toBe(image.digest)
    expect(image.manifest.descriptor).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: image.digest,
      size: image.manifest.bytes.length,
      platform: { os: 'linux', architecture: 'amd64' },
    })
    const manifest = parseJson<OciJson>(image.manifest.bytes)
    expect(image.blobs.map((blob) => blob.descriptor)).toEqual([...manifest.layers, manifest.config])
    for (const [i, blob] of image.blobs.slice(0, 4).entries()) {
      const chunks: Buffer[] = []
      for await (const chunk of blob.open() as AsyncIterable<Buffer>) chunks.push(chunk)
      const tar = zlib.gunzipSync(Buffer.concat(chunks))
      expect(`sha256:${createHash('sha256').update(tar).digest('hex')}`).toBe(image.diffIds[i])
    }
  })

  // Pinned: the exact bytes of uncompressed layers depend only on this code; a change here re-publishes every image.
  it('keeps the digest of an uncompressed image stable across versions of this code', async () => {
    const dir = tempDir('pinned')
    const image = await buildKernelImage(kernelFiles(dir, 'none', new Date(0)), await OciLayout.open(path.join(dir, 'layout')))
    expect(image.digest).toBe(PINNED_NONE_DIGEST)
  })

  it('refuses the same file name twice', async () => {
    const dir = tempDir('twice')
    const spec = kernelFiles(dir, 'none', new Date(0))
    spec.files.push({ name: 'metadata', source: Buffer.from('x') })
    await expect(buildKernelImage(spec, await OciLayout.open(path.join(dir, 'layout')))).rejects.toThrow(
      new InputError('kernel file "metadata" is given twice'),
    )
  })
})

describe('gzipDeterministic', () => {
  it('writes level-9 gzip with no name and mtime 0, which gunzips to the input', () => {
    const input = Buffer.from(CONFIG_TEXT.repeat(100))
    const gz = gzipDeterministic(input)
    // magic, deflate, FLG 0, MTIME 0, XFL 2 (maximum compression), OS 3
    expect(gz.subarray(0, 10).toString('hex')).toBe('1f8b0800000000000203')
    expect(zlib.gunzipSync(gz).equals(input)).toBe(true)
    expect(gzipDeterministic(Buffer.from(input)).equals(gz)).toBe(true)
  })

  it('is read back unchanged by GNU gzip -d', () => {
    const dir = tempDir('gzip-cli')
    const file = path.join(dir, 'config.gz')
    fs.writeFileSync(file, gzipDeterministic(Buffer.from(CONFIG_TEXT)))
    expect(execFileSync('gzip', ['-dc', file]).toString()).toBe(CONFIG_TEXT)
  })
})

const PINNED_NONE_DIGEST = 'sha256:cd1e6dcf00dbb900ec2fea683a6cdcd20573fb06c4ef0c0ab45a14f163f8b281'
