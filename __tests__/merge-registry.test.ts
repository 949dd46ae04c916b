// Push by digest, merge, pull by platform: against a real registry (distribution 2.8 on 127.0.0.1) and a local layout,
// checked with skopeo and umoci, which share no code with the action.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { InputError } from '../src/errors.js'
import { readKernelConfigWithBytes } from '../src/check/read-config.js'
import { detectArch } from '../src/check/kernel-config.js'
import { RegistryClient } from '../src/oci/registry/client.js'
import { MediaType } from '../src/oci/types.js'
import { mergeKernelImages, type MergeRequest } from '../src/publish/merge.js'
import { publishKernel, type PublishOutcome } from '../src/publish/publish.js'
import { AARCH64_CONFIG, ZONE_CONFIG, craftArm64Image, craftBzImage } from './support/crafted-kernel.js'
import { parseJson, type ImageConfigJson, type OciJson, type SkopeoInspect } from './support/json.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-'))
const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' })
const quiet = { log: () => undefined, warn: () => undefined, onSecret: () => undefined }

const kernels = {
  amd64: { file: path.join(work, 'bzImage'), bytes: craftBzImage(96 * 1024), config: ZONE_CONFIG },
  arm64: { file: path.join(work, 'Image'), bytes: craftArm64Image(), config: AARCH64_CONFIG },
}
for (const k of Object.values(kernels)) fs.writeFileSync(k.file, k.bytes)

let registry: RunningRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

/** One per-architecture job: publish its kernel by digest (no tag), as `push-by-digest: true` does. */
async function publish(
  arch: 'amd64' | 'arm64',
  target: { repository?: string; layout: string },
  more: { version?: string; flavor?: string; image?: string } = {},
): Promise<PublishOutcome> {
  const kernel = kernels[arch]
  const { config, bytes } = await readKernelConfigWithBytes(kernel.config)
  return publishKernel({
    kernel: { config, configBytes: bytes, arch: detectArch(config)!, image: more.image ?? kernel.file, addons: '' },
    output: { flavor: more.flavor ?? 'zone', version: more.version ?? '', tags: [], ociLayout: target.layout, pushByDigest: true },
    annotations: {},
    registry: { repository: target.repository ?? '', insecureRegistry: false },
    build: { compression: 'none', bootRules: true, created: '2023-11-14T22:13:20Z' },
    workDir: fs.mkdtempSync(path.join(work, 'job-')),
    ...quiet,
  })
}

const mergeRequest = (more: Partial<MergeRequest>): MergeRequest => ({
  sources: [],
  repository: '',
  ociLayout: '',
  tagTemplates: [],
  pushByDigest: false,
  annotations: {},
  insecureRegistry: false,
  ...quiet,
  ...more,
})

/** Unpacks `ref` of an OCI layout with umoci and returns the bytes of /kernel/image. */
function kernelImageIn(layout: string, tag: string): Buffer {
  const bundle = path.join(fs.mkdtempSync(path.join(work, 'bundle-')), 'b')
  execFileSync('umoci', ['unpack', '--image', `${layout}:${tag}`, bundle], { stdio: 'ignore' })
  return fs.readFileSync(path.join(bundle, 'rootfs', 'kernel', 'image'))
}

async function rejected(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(InputError)
  return (error as Error).message
}

describe('merging per-arch images pushed by digest, in a real registry', () => {
  it('pushes the index by digest, then the tags; skopeo sees two platforms and pulls each kernel byte for byte', async () => {
    const repository = `${registry.host}/kernels/zone-kernel`
    const layout = path.join(work, 'jobs-layout')
    const amd64 = await publish('amd64', { repository, layout })
    const arm64 = await publish('arm64', { repository, layout })
    expect(amd64.tags).toEqual([])
    expect(arm64.tags).toEqual([])
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/zone-kernel' })
    expect(await client.resolve('latest')).toBeUndefined()

    const merged = await mergeKernelImages(
      mergeRequest({
        sources: [`${repository}@${arm64.digest}`, amd64.digest], // the order artifacts happen to come back in
        repository,
        tagTemplates: ['{{version}}', '{{major}}.{{minor}}', 'latest'],
      }),
    )
    expect(merged.tags).toEqual(['6.1.192', '6.1', 'latest'])
    expect(merged.imageRef).toBe(`${repository}@${merged.digest}`)
    expect(merged.platforms).toEqual([
      { architecture: 'amd64', digest: amd64.digest },
      { architecture: 'arm64', digest: arm64.digest },
    ])

    for (const tag of merged.tags) expect(await client.resolve(tag)).toBe(merged.digest)
    // getBlob: the config bytes the merge read, checked against their digest; a missing blob is a 404.
    const manifest = parseJson<OciJson>((await client.getManifest(arm64.digest)).bytes.toString('utf8'))
    expect(parseJson<ImageConfigJson>((await client.getBlob(manifest.config.digest)).toString('utf8'))).toMatchObject({
      architecture: 'arm64',
      os: 'linux',
    })
    await expect(client.getBlob(`sha256:${'0'.repeat(64)}`)).rejects.toMatchObject({ status: 404 })
    await expect(client.getBlob(manifest.layers[0].digest, 100)).rejects.toThrow(/is larger than 100 bytes; not read further$/)

    const raw = skopeo('inspect', '--tls-verify=false', '--raw', `docker://${repository}:latest`)
    expect(raw).toBe(merged.index.bytes.toString('utf8'))
    const index = parseJson<OciJson>(raw)
    expect(index.mediaType).toBe(MediaType.index)
    expect(index.manifests.map((m) => [m.digest, m.platform])).toEqual([
      [amd64.digest, { os: 'linux', architecture: 'amd64' }],
      [arm64.digest, { os: 'linux', architecture: 'arm64' }],
    ])
    expect(index.annotations).toEqual({
      'dev.edera.kernel.format': '1',
      'dev.edera.kernel.version': '6.1.192',
      'dev.edera.kernel.flavor': 'zone',
      'dev.edera.kernel.tags': '6.1.192,6.1,latest',
      'org.opencontainers.image.created': '2023-11-14T22:13:20Z',
      'org.opencontainers.image.title': 'zone-kernel',
      'org.opencontainers.image.version': '6.1.192',
    })

    for (const [arch, published] of [
      ['arm64', arm64],
      ['amd64', amd64],
    ] as const) {
      const pulled = path.join(work, `pulled-${arch}`)
      // --preserve-digests: skopeo would otherwise gzip the uncompressed layers and write a manifest of its own.
      skopeo('copy', '--src-tls-verify=false', '--preserve-digests', '--override-arch', arch, `docker://${repository}:6.1`, `oci:${pulled}:t`)
      const pulledIndex = parseJson<OciJson>(fs.readFileSync(path.join(pulled, 'index.json'), 'utf8'))
      expect(pulledIndex.manifests.map((m) => m.digest)).toEqual([published.digest])
      expect(kernelImageIn(pulled, 't').equals(kernels[arch].bytes)).toBe(true)
    }
  })

  it('refuses, before pushing anything, images of different versions, two of one platform, and a digest from elsewhere', async () => {
    const repository = `${registry.host}/kernels/refused`
    const layout = path.join(work, 'refused-layout')
    const amd64 = await publish('amd64', { repository, layout })
    // A version input may add to the config's version, never contradict it (publish refuses 6.1.193 for a 6.1.192 config).
    const arm64 = await publish('arm64', { repository, layout }, { version: '6.1.192+rebuild' })
    const tagTemplates = ['never']
    expect(await rejected(mergeKernelImages(mergeRequest({ sources: [amd64.digest, arm64.digest], repository, tagTemplates })))).toBe(
      `merge: images of different kernel versions: ${amd64.digest} is 6.1.192, ${arm64.digest} is 6.1.192+rebuild`,
    )

    const otherBz = path.join(work, 'bzImage-2')
    fs.writeFileSync(otherBz, craftBzImage(32 * 1024))
    const amd64b = await publish('amd64', { repository, layout }, { image: otherBz })
    expect(await rejected(mergeKernelImages(mergeRequest({ sources: [amd64.digest, amd64b.digest], repository, tagTemplates })))).toBe(
      `merge: ${amd64.digest} and ${amd64b.digest} are both linux/amd64; an index holds one image per platform`,
    )

    const elsewhere = await publish('arm64', { repository: `${registry.host}/kernels/elsewhere`, layout })
    expect(await rejected(mergeKernelImages(mergeRequest({ sources: [amd64.digest, elsewhere.digest], repository, tagTemplates })))).toBe(
      `merge: ${elsewhere.digest} is not in ${registry.host}/kernels/refused`,
    )
    expect(await rejected(mergeKernelImages(mergeRequest({ sources: [amd64.digest], repository, tagTemplates: ['{{nope}}'] })))).toBe(
      'merge: tags: unknown placeholder {{nope}} in "{{nope}}"',
    )
    // Nothing was tagged: distribution answers NAME_UNKNOWN for the tag list of a repository that has no tag at all.
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/refused' })
    expect(await client.resolve('never')).toBeUndefined()
    const tagList = await fetch(`${registry.url}/v2/kernels/refused/tags/list`)
    expect(tagList.status).toBe(404)
    expect(JSON.stringify(await tagList.json())).toContain('NAME_UNKNOWN')
  })
})

describe('merging into a local OCI layout (one job built both architectures)', () => {
  it('writes the index and its tags into the layout; skopeo picks each platform from it', async () => {
    const layout = path.join(work, 'both-layout')
    const amd64 = await publish('amd64', { layout })
    const arm64 = await publish('arm64', { layout })
    const merged = await mergeKernelImages(
      mergeRequest({
        sources: [amd64.digest, `oci:${layout}@${arm64.digest}`],
        ociLayout: layout,
        tagTemplates: ['{{version}}', 'latest'],
      }),
    )
    expect(merged.imageRef).toBe(`oci:${layout}@${merged.digest}`)
    expect(merged.tags).toEqual(['6.1.192', 'latest'])
    const raw = skopeo('inspect', '--raw', `oci:${layout}:latest`)
    expect(raw).toBe(merged.index.bytes.toString('utf8'))
    expect(parseJson<OciJson>(raw).manifests.map((m) => m.platform!.architecture)).toEqual(['amd64', 'arm64'])
    for (const [arch, published] of [
      ['arm64', arm64],
      ['amd64', amd64],
    ] as const) {
      const pulled = path.join(work, `layout-pulled-${arch}`)
      skopeo('copy', '--preserve-digests', '--override-arch', arch, `oci:${layout}:6.1.192`, `oci:${pulled}:t`)
      expect(parseJson<SkopeoInspect>(skopeo('inspect', `oci:${pulled}:t`)).Digest).toBe(published.digest)
      expect(kernelImageIn(pulled, 't').equals(kernels[arch].bytes)).toBe(true)
    }
  })

  it('refuses a digest that is not in the layout, and a layout that does not exist, without creating it', async () => {
    const layout = path.join(work, 'both-layout')
    const missing = `sha256:${'0'.repeat(64)}`
    expect(await rejected(mergeKernelImages(mergeRequest({ sources: [missing], ociLayout: layout })))).toBe(
      `merge: ${missing} is not in the OCI layout ${layout}`,
    )
    const nowhere = path.join(work, 'no-such-layout')
    expect(await rejected(mergeKernelImages(mergeRequest({ sources: [missing], ociLayout: nowhere })))).toBe(
      `merge: ${nowhere} is not an OCI image layout, so it holds none of the images (set repository to merge in a registry)`,
    )
    expect(fs.existsSync(nowhere)).toBe(false)
  })
})
