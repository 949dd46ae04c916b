import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { detectArch } from '../src/check/kernel-config.js'
import { readKernelConfigWithBytes } from '../src/check/read-config.js'
import { oneLine } from '../src/errors.js'
import { verifyCommand } from '../src/cli/verify.js'
import { mergeKernelImages } from '../src/publish/merge.js'
import { publishKernel, type PublishOutcome } from '../src/publish/publish.js'
import { craftBzImage, ZONE_CONFIG } from './support/crafted-kernel.js'
import { CLI_BUNDLE } from './support/cli.js'
import { sha256Digest as sha256 } from './support/digest.js'

const quiet = { log: () => undefined, warn: () => undefined, onSecret: () => undefined }
let work: string
let bzImage: string
let good: string
let published: PublishOutcome

async function publishInto(layout: string): Promise<PublishOutcome> {
  const { config, bytes } = await readKernelConfigWithBytes(ZONE_CONFIG)
  return publishKernel({
    kernel: { config, configBytes: bytes, arch: detectArch(config)!, image: bzImage, addons: '' },
    output: { flavor: 'zone', version: '', tags: [], ociLayout: layout, pushByDigest: true },
    annotations: {},
    registry: { repository: '', insecureRegistry: false },
    build: { compression: 'gzip', bootRules: true, created: '2023-11-14T22:13:20Z' },
    workDir: fs.mkdtempSync(path.join(work, 'job-')),
    ...quiet,
  })
}

/** `ok`, or the one line a command stops with. */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run()
    return 'ok'
  } catch (error) {
    return oneLine(error)
  }
}

async function verifyLines(reference: string): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = []
  const status = await verifyCommand([reference], { out: (line) => lines.push(line), err: () => undefined })
  return { status, lines }
}

/** verify oci:<dir>, merge into <dir>, publish into <dir>: what each says. */
async function throughAllThree(dir: string, digest: string): Promise<{ verify: string; merge: string; publish: string }> {
  return {
    verify: await outcome(async () => {
      const { status, lines } = await verifyLines(`oci:${dir}`)
      if (status !== 0) throw new Error(lines.join(' | '))
    }),
    merge: await outcome(() =>
      mergeKernelImages({
        sources: [digest],
        repository: '',
        ociLayout: dir,
        tagTemplates: [],
        pushByDigest: true,
        annotations: {},
        insecureRegistry: false,
        ...quiet,
      }),
    ),
    publish: await outcome(() => publishInto(dir)),
  }
}

/** A copy of the good layout: blobs hard-linked (each test replaces, never edits, the ones it changes), index.json its own. */
function copyOfGood(name: string): string {
  const dir = path.join(work, name)
  execFileSync('cp', ['-al', good, dir])
  fs.rmSync(path.join(dir, 'index.json'))
  fs.copyFileSync(path.join(good, 'index.json'), path.join(dir, 'index.json'))
  return dir
}

/** A copy of the good layout with index.json replaced by `write`. */
function badLayout(name: string, write: (indexFile: string) => void): string {
  const dir = copyOfGood(name)
  const index = path.join(dir, 'index.json')
  fs.rmSync(index)
  write(index)
  return dir
}

const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: '', size: 0 }
const indexWith = (manifests: unknown[]): string => JSON.stringify({ schemaVersion: 2, manifests })

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'oci-store-'))
  bzImage = path.join(work, 'bzImage')
  fs.writeFileSync(bzImage, craftBzImage(96 * 1024))
  good = path.join(work, 'good')
  published = await publishInto(good)
  entry.digest = published.digest
  entry.size = published.manifestSize
})
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

describe('verify oci:dir, merge and publish read a layout by one set of rules', () => {
  it('all three accept a layout this action wrote', async () => {
    const dir = copyOfGood('accepted')
    expect(await throughAllThree(dir, published.digest)).toEqual({ verify: 'ok', merge: 'ok', publish: 'ok' })
  })

  const cases: [string, (file: string) => void, string][] = [
    [
      'index.json that is null',
      (f) => fs.writeFileSync(f, 'null'),
      ' is not an OCI image index (schemaVersion 2 and a manifests list of descriptors)',
    ],
    [
      'index.json without schemaVersion (verify used to accept it)',
      (f) => fs.writeFileSync(f, JSON.stringify({ manifests: [entry] })),
      ' is not an OCI image index (schemaVersion 2 and a manifests list of descriptors)',
    ],
    [
      'a sha512 digest',
      (f) => fs.writeFileSync(f, indexWith([{ ...entry, digest: `sha512:${'ab'.repeat(64)}` }])),
      `: manifests[0].digest ${JSON.stringify(`sha512:${'ab'.repeat(64)}`).slice(0, 77)}... uses sha512; only sha256 digests are read`,
    ],
    [
      '../../etc/passwd as a digest',
      (f) => fs.writeFileSync(f, indexWith([{ ...entry, digest: '../../etc/passwd' }])),
      ': manifests[0].digest "../../etc/passwd" is not a sha256:<64 hex> digest',
    ],
    [
      'a negative size',
      (f) => fs.writeFileSync(f, indexWith([{ ...entry, size: -1 }])),
      ': manifests[0].size -1 is not a byte count from 0 to 17179869184',
    ],
    [
      'a huge size',
      (f) => fs.writeFileSync(f, indexWith([{ ...entry, size: 1e300 }])),
      ': manifests[0].size 1e+300 is not a byte count from 0 to 17179869184',
    ],
    [
      'a media type that is a number',
      (f) => fs.writeFileSync(f, indexWith([{ ...entry, mediaType: 42 }])),
      ': manifests[0].mediaType 42 is not a string',
    ],
    ['a FIFO as index.json', (f) => execFileSync('mkfifo', [f]), ' is a named pipe (FIFO), not a regular file'],
    ['index.json a symbolic link to /dev/zero', (f) => fs.symlinkSync('/dev/zero', f), ' is a symbolic link, which is not followed here'],
    [
      'a 300 MB index.json',
      (f) => fs.truncateSync((fs.writeFileSync(f, ''), f), 300 * 1024 * 1024),
      ' is too large to be an OCI index.json (314572800 bytes, at most 4194304)',
    ],
  ]
  it.each(cases)('all three refuse %s, with the same words', async (name, write, words) => {
    const dir = badLayout(name.replace(/[^a-z0-9]+/gi, '-'), write)
    const started = Date.now()
    const said = await throughAllThree(dir, published.digest)
    expect(Date.now() - started).toBeLessThan(10_000)
    const tail = (line: string): string => line.slice(line.indexOf(`${dir}/index.json`))
    expect(said.verify).toBe(`oci:${dir}: ${tail(said.verify)}`)
    expect(said.merge).toBe(`oci-layout: ${tail(said.verify)}`)
    expect(said.publish).toBe(`oci-layout: ${tail(said.verify)}`)
    expect(tail(said.verify)).toBe(`${dir}/index.json${words}`)
  })

  it('a folder with an index.json but no oci-layout file is no layout to read; a publish completes it', async () => {
    const dir = copyOfGood('no-oci-layout')
    fs.rmSync(path.join(dir, 'oci-layout'))
    // The writer takes index.json and blobs/ for a layout another run is creating (oci-layout-sharing.test.ts).
    expect(await throughAllThree(dir, published.digest)).toEqual({
      verify: `oci:${dir}: ${dir} is not an OCI image layout (it has no oci-layout file)`,
      merge: `merge: ${dir} is not an OCI image layout, so it holds none of the images (set repository to merge in a registry)`,
      publish: 'ok',
    })
    expect((await verifyLines(`oci:${dir}@${published.digest}`)).status).toBe(0)
  })
})

/** A layout holding `manifest` (any JSON) tagged v1, next to the good layout's blobs. */
function layoutWithManifest(name: string, manifest: unknown): string {
  const dir = copyOfGood(name)
  const bytes = Buffer.from(JSON.stringify(manifest))
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', sha256(bytes).slice(7)), bytes)
  const tagged = { ...entry, digest: sha256(bytes), size: bytes.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }
  fs.writeFileSync(path.join(dir, 'index.json'), indexWith([tagged]))
  return dir
}

function goodManifest(): {
  config: { digest: string; size: number; mediaType: string }
  layers: { digest: string; size: number; mediaType: string }[]
} {
  return JSON.parse(fs.readFileSync(path.join(good, 'blobs', 'sha256', published.digest.slice(7)), 'utf8')) as ReturnType<typeof goodManifest>
}

describe('hostile descriptors and blobs are one line naming the field or file, read quickly', () => {
  const hostile: [string, (layer: Record<string, unknown>) => void, string][] = [
    ['a sha512 layer digest', (l) => (l.digest = `sha512:${'cd'.repeat(64)}`), 'layers[0].digest "sha512:'],
    [
      '../../etc/passwd as a layer digest',
      (l) => (l.digest = '../../etc/passwd'),
      'layers[0].digest "../../etc/passwd" is not a sha256:<64 hex> digest',
    ],
    ['a negative layer size', (l) => (l.size = -5), 'layers[0].size -5 is not a byte count from 0 to 17179869184'],
    ['a layer media type that is not a string', (l) => (l.mediaType = { x: 1 }), 'layers[0].mediaType {"x":1} is not a string'],
  ]
  it.each(hostile)('%s', async (name, edit, words) => {
    const manifest = goodManifest()
    edit(manifest.layers[0] as unknown as Record<string, unknown>)
    const dir = layoutWithManifest(name.replace(/[^a-z0-9]+/gi, '-'), manifest)
    const { status, lines } = await verifyLines(`oci:${dir}:v1`)
    expect(status).toBe(1)
    expect(lines[0]).toContain(words)
    expect(lines.join('\n')).not.toContain('internal error')
  })

  it('2,000 layers fail at once in one line, in little memory, with no layer read', () => {
    const manifest = goodManifest()
    manifest.layers = Array.from({ length: 2000 }, (_, n) => ({ ...manifest.layers[0]!, digest: sha256(String(n)) }))
    const dir = layoutWithManifest('many-layers', manifest)
    const started = Date.now()
    const run = spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, CLI_BUNDLE, 'verify', `oci:${dir}:v1`], {
      encoding: 'utf8',
    })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(run.status).toBe(1)
    expect(run.stdout.split('\n')[0]).toMatch(/: the manifest lists 2000 layers; a kernel image has at most 16$/)
    const rssKiB = Number(/maxrss=(\d+)/.exec(run.stderr)?.[1])
    expect(rssKiB).toBeLessThan(200 * 1024)
  })

  it('a layer blob that is a FIFO, or a link to /dev/zero, or longer than its descriptor', async () => {
    const layers = goodManifest().layers
    const cases: [(file: string) => void, string][] = [
      [(f) => execFileSync('mkfifo', [f]), 'is a named pipe (FIFO), not a regular file'],
      [(f) => fs.symlinkSync('/dev/zero', f), 'is a symbolic link, which is not followed here'],
      [(f) => fs.writeFileSync(f, Buffer.alloc(layers[0]!.size + 1)), `is ${layers[0]!.size + 1} bytes, its descriptor says ${layers[0]!.size}`],
    ]
    for (const [n, [plant, words]] of cases.entries()) {
      const dir = copyOfGood(`blob-${n}`)
      const blob = path.join(dir, 'blobs', 'sha256', layers[0]!.digest.slice(7))
      fs.rmSync(blob)
      plant(blob)
      const started = Date.now()
      const { status, lines } = await verifyLines(`oci:${dir}`)
      expect(Date.now() - started).toBeLessThan(5_000)
      expect(status).toBe(1)
      expect(lines.find((line) => line.includes(`layer 1 (${layers[0]!.digest})`))).toContain(words)
    }
  })

  it('a config blob that is a FIFO stops the read in one line', async () => {
    const { config } = goodManifest()
    const dir = copyOfGood('config-fifo')
    const blob = path.join(dir, 'blobs', 'sha256', config.digest.slice(7))
    fs.rmSync(blob)
    execFileSync('mkfifo', [blob])
    const { status, lines } = await verifyLines(`oci:${dir}`)
    expect(status).toBe(1)
    expect(lines[0]).toBe(`oci:${dir}: oci:${dir}: ${dir}/blobs/sha256/${config.digest.slice(7)} is a named pipe (FIFO), not a regular file`)
  })
})
