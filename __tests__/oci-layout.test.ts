import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { InputError } from '../src/errors.js'
import { serializeJson } from '../src/oci/image.js'
import { OciLayout, REF_NAME_ANNOTATION } from '../src/oci/layout.js'
import { MediaType, type Descriptor } from '../src/oci/types.js'
import { parseJson, type OciJson } from './support/json.js'

let root: string
beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-layout-'))
})
afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

function tempDir(name: string): string {
  return fs.mkdtempSync(path.join(root, `${name}-`))
}

function manifestFor(n: number) {
  return serializeJson({ schemaVersion: 2, mediaType: MediaType.manifest, n }, MediaType.manifest)
}

function readIndexFile(dir: string): { manifests: Descriptor[] } {
  return parseJson<{ manifests: Descriptor[] }>(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'))
}

describe('OciLayout.open', () => {
  it('creates oci-layout, an empty index.json and blobs/sha256 in a missing folder', async () => {
    const dir = path.join(tempDir('new'), 'layout')
    await OciLayout.open(dir)
    expect(fs.readFileSync(path.join(dir, 'oci-layout'), 'utf8')).toBe('{"imageLayoutVersion":"1.0.0"}')
    expect(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')).toBe(
      '{"manifests":[],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}',
    )
    expect(fs.readdirSync(path.join(dir, 'blobs', 'sha256'))).toEqual([])
  })

  it('adds to an existing layout and keeps its tags', async () => {
    const dir = tempDir('existing')
    const first = await OciLayout.open(dir)
    const manifest = manifestFor(1)
    await first.writeJsonBlob(manifest)
    await first.tag(manifest.descriptor, ['v1'])
    const again = await OciLayout.open(dir)
    expect(await again.resolve('v1')).toEqual({ ...manifest.descriptor, annotations: { [REF_NAME_ANNOTATION]: 'v1' } })
  })

  it('refuses a non-empty folder that is not a layout, naming the oci-layout input', async () => {
    const dir = tempDir('not-layout')
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello')
    await expect(OciLayout.open(dir)).rejects.toThrow(
      new InputError(`oci-layout: ${dir} is not empty and is not an OCI image layout (it has no oci-layout file)`),
    )
  })

  it('refuses a file', async () => {
    const file = path.join(tempDir('file'), 'layout')
    fs.writeFileSync(file, '')
    await expect(OciLayout.open(file)).rejects.toThrow(new InputError(`oci-layout: ${file} is a file, not a folder`))
  })

  it('refuses a layout of another version', async () => {
    const dir = tempDir('version')
    fs.writeFileSync(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}')
    await expect(OciLayout.open(dir)).rejects.toThrow(new InputError(`oci-layout: ${dir}/oci-layout: unsupported imageLayoutVersion (want 1.0.0)`))
  })
})

describe('OciLayout blobs', () => {
  it('stores JSON under blobs/sha256/<hex> and reads a manifest back', async () => {
    const dir = tempDir('blobs')
    const layout = await OciLayout.open(dir)
    const manifest = manifestFor(2)
    expect(await layout.writeJsonBlob(manifest)).toEqual(manifest.descriptor)
    const hex = manifest.descriptor.digest.slice('sha256:'.length)
    expect(fs.readFileSync(path.join(dir, 'blobs', 'sha256', hex)).equals(manifest.bytes)).toBe(true)
    const fetched = await layout.fetchManifest(manifest.descriptor.digest)
    expect(JSON.parse(fetched!.bytes.toString('utf8'))).toEqual({ schemaVersion: 2, mediaType: MediaType.manifest, n: 2 })
  })

  it('opens a blob lazily and streams its bytes', async () => {
    const layout = await OciLayout.open(tempDir('lazy'))
    const manifest = manifestFor(3)
    const blob = layout.blob(manifest.descriptor)
    await layout.writeJsonBlob(manifest)
    const chunks: Buffer[] = []
    for await (const chunk of blob.open() as AsyncIterable<Buffer>) chunks.push(chunk)
    expect(Buffer.concat(chunks).equals(manifest.bytes)).toBe(true)
  })

  it('refuses serialised JSON whose bytes do not match its digest', async () => {
    const layout = await OciLayout.open(tempDir('mismatch'))
    const manifest = manifestFor(4)
    await expect(layout.writeJsonBlob({ ...manifest, bytes: Buffer.from('{}') })).rejects.toThrow(
      `serialised ${MediaType.manifest} does not match its digest ${manifest.descriptor.digest}`,
    )
  })
})

describe('OciLayout tags', () => {
  it('moves a tag: the old entry with that ref name is replaced, other tags stay', async () => {
    const dir = tempDir('retag')
    const layout = await OciLayout.open(dir)
    const one = manifestFor(10)
    const two = manifestFor(11)
    await layout.writeJsonBlob(one)
    await layout.writeJsonBlob(two)
    await layout.tag(one.descriptor, ['6.1.90', 'latest'])
    await layout.tag(two.descriptor, ['6.1.91', 'latest'])
    expect(readIndexFile(dir).manifests).toEqual([
      { ...one.descriptor, annotations: { [REF_NAME_ANNOTATION]: '6.1.90' } },
      { ...two.descriptor, annotations: { [REF_NAME_ANNOTATION]: '6.1.91' } },
      { ...two.descriptor, annotations: { [REF_NAME_ANNOTATION]: 'latest' } },
    ])
    expect((await layout.resolve('latest'))?.digest).toBe(two.descriptor.digest)
    expect((await layout.resolve('6.1.90'))?.digest).toBe(one.descriptor.digest)
    expect(await layout.resolve('missing')).toBeUndefined()
  })

  it('keeps untagged entries of other digests and keeps the descriptor platform', async () => {
    const dir = tempDir('untagged')
    const layout = await OciLayout.open(dir)
    const other = manifestFor(20)
    const mine = manifestFor(21)
    const index = parseJson<OciJson>(fs.readFileSync(path.join(dir, 'index.json'), 'utf8'))
    index.manifests.push(other.descriptor)
    fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index))
    const withPlatform = { ...mine.descriptor, platform: { os: 'linux', architecture: 'amd64' } }
    await layout.tag(withPlatform, ['zone'])
    expect(readIndexFile(dir).manifests).toEqual([other.descriptor, { ...withPlatform, annotations: { [REF_NAME_ANNOTATION]: 'zone' } }])
  })

  it('loses no tag when several are set at once', async () => {
    const dir = tempDir('concurrent')
    const layout = await OciLayout.open(dir)
    const manifest = manifestFor(30)
    await Promise.all(['a', 'b', 'c', 'd'].map((tag) => layout.tag(manifest.descriptor, [tag])))
    expect(readIndexFile(dir).manifests.map((entry) => entry.annotations?.[REF_NAME_ANNOTATION])).toEqual(['a', 'b', 'c', 'd'])
  })

  it('refuses a tag the layout ref grammar does not allow', async () => {
    const layout = await OciLayout.open(tempDir('badtag'))
    await expect(layout.tag(manifestFor(40).descriptor, ['bad tag'])).rejects.toThrow(
      new InputError('tags: "bad tag" is not a valid OCI layout ref name'),
    )
  })
})
