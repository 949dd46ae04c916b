// One oci-layout shared by runs: real child processes running dist/index.js at the same time, runs killed half-way,
// blobs damaged on disk, and push-by-digest into a layout. Read back with umoci and skopeo, which nobody here wrote.
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseJson, type SkopeoInspect } from './support/json.js'
import { ROOT, runActionAsync } from './support/run-action.js'
import { ZONE_CONFIG, craftBzImage } from './support/crafted-kernel.js'
import { sha256Hex as sha256 } from './support/digest.js'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layout-sharing-'))
afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

const REF_NAME = 'org.opencontainers.image.ref.name'
/** The owner tag the action puts in its staging and lock file names: sha256(hostname)[0..8]-pid. */
const hostTag = createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8)

interface IndexEntry {
  digest: string
  annotations?: Record<string, string>
}
const indexOf = (layout: string): IndexEntry[] =>
  (JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: IndexEntry[] }).manifests
const blobNames = (layout: string): string[] => fs.readdirSync(path.join(layout, 'blobs', 'sha256')).sort()

/** A bzImage of its own for each run (its release differs), so every run writes a different image. */
function kernelFile(name: string, payloadBytes = 64 * 1024): string {
  const file = path.join(work, name)
  fs.writeFileSync(file, craftBzImage(payloadBytes, `6.1.192-${name} (test@kernel-action) #1 SMP`))
  return file
}

/** A pid that no process has any more (a child that already exited). */
function deadPid(): number {
  const child = spawnSync('true')
  return child.pid
}

describe('push-by-digest into a local layout', () => {
  it('lists the untagged manifest in index.json: umoci gc keeps every blob and skopeo reads the image', async () => {
    const cwd = fs.mkdtempSync(path.join(work, 'by-digest-'))
    const run = await runActionAsync(
      { config: ZONE_CONFIG, image: kernelFile('by-digest'), 'push-by-digest': 'true', 'oci-layout': 'layout' },
      { workspace: cwd },
    )
    expect(run.status).toBe(0)
    const layout = path.join(cwd, 'layout')
    expect(indexOf(layout)).toEqual([
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: run.outputs.digest,
        size: expect.any(Number),
        platform: { architecture: 'amd64', os: 'linux' },
      },
    ])
    expect(run.outputs['image-ref']).toBe(`oci:layout@${run.outputs.digest}`)
    const before = blobNames(layout)
    execFileSync('umoci', ['gc', '--layout', layout])
    expect(blobNames(layout)).toEqual(before)
    // skopeo 1.9 reads the one image of a layout without a reference (newer ones also take oci:<dir>@sha256:...).
    expect(parseJson<SkopeoInspect>(execFileSync('skopeo', ['inspect', `oci:${layout}`], { encoding: 'utf8' })).Digest).toBe(run.outputs.digest)
  })
})

describe('parallel runs on one layout', () => {
  it('eight runs tagging into one new layout at once: every run succeeds and no tag is lost', async () => {
    const layout = path.join(work, 'parallel-layout')
    const cwd = fs.mkdtempSync(path.join(work, 'parallel-'))
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runActionAsync({ config: ZONE_CONFIG, image: kernelFile(`parallel${i}`), tags: `t${i}`, 'oci-layout': layout }, { workspace: cwd }),
      ),
    )
    expect(runs.map((run) => [run.status, run.commands.filter((line) => line.startsWith('::error'))])).toEqual(runs.map(() => [0, []]))
    const tagged = indexOf(layout).map((entry) => [entry.annotations?.[REF_NAME], entry.digest])
    expect(tagged.sort()).toEqual(runs.map((run, i) => [`t${i}`, run.outputs.digest]).sort())
    expect(fs.readdirSync(layout).sort()).toEqual(['blobs', 'index.json', 'oci-layout'])
    expect(fs.readdirSync(path.join(layout, 'blobs'))).toEqual(['sha256'])
    for (const tag of ['t0', 't7']) execFileSync('skopeo', ['inspect', `oci:${layout}:${tag}`], { stdio: 'ignore' })
  })
})

describe('interrupted runs', () => {
  it("a run killed while writing a blob leaves a staging file that the next run removes; a live run's file stays", async () => {
    const layout = path.join(work, 'killed-layout')
    const cwd = fs.mkdtempSync(path.join(work, 'killed-'))
    const big = kernelFile('killed', 48 * 1024 * 1024)
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      RUNNER_TEMP: cwd,
      GITHUB_OUTPUT: path.join(cwd, 'out'),
      GITHUB_STEP_SUMMARY: path.join(cwd, 'summary'),
      INPUT_CONFIG: ZONE_CONFIG,
      INPUT_IMAGE: big,
      INPUT_TAGS: 'killed',
      'INPUT_OCI-LAYOUT': layout,
      INPUT_COMPRESSION: 'gzip',
    }
    fs.writeFileSync(env.GITHUB_OUTPUT!, '')
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'index.js')], { cwd, env, stdio: 'ignore' })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    const blobs = path.join(layout, 'blobs')
    const staged = (): string[] => (fs.existsSync(blobs) ? fs.readdirSync(blobs).filter((name) => name.startsWith('.incoming-')) : [])
    // Wait (polling the file system, not the clock) until the run is writing a blob, then kill it as a cancel does.
    while (staged().length === 0 && child.exitCode === null) await new Promise((resolve) => setImmediate(resolve))
    child.kill('SIGKILL')
    await exited
    const left = staged()
    expect(left.length).toBeGreaterThan(0) // one per layer being written when it was killed
    for (const name of left) expect(name).toMatch(new RegExp(`^\\.incoming-${hostTag}-${child.pid}-`))

    // A staging file of a live run (this jest process stands in for it) must survive the clean-up.
    const live = `.incoming-${hostTag}-${process.pid}-still-writing`
    fs.writeFileSync(path.join(blobs, live), 'partial')
    const next = await runActionAsync(
      { config: ZONE_CONFIG, image: kernelFile('after-kill'), tags: 'next', 'oci-layout': layout },
      { workspace: cwd },
    )
    expect(next.status).toBe(0)
    expect(staged()).toEqual([live])
  })

  it('a lock left by a killed run is broken, not waited on forever', async () => {
    const layout = path.join(work, 'stale-lock-layout')
    const cwd = fs.mkdtempSync(path.join(work, 'stale-lock-'))
    const first = await runActionAsync({ config: ZONE_CONFIG, image: kernelFile('lock1'), tags: 'one', 'oci-layout': layout }, { workspace: cwd })
    expect(first.status).toBe(0)
    fs.writeFileSync(path.join(layout, 'index.json.lock'), `${hostTag}-${deadPid()}-00000000-0000-0000-0000-000000000000\n`)
    const second = await runActionAsync({ config: ZONE_CONFIG, image: kernelFile('lock2'), tags: 'two', 'oci-layout': layout }, { workspace: cwd })
    expect(second.status).toBe(0)
    expect(
      indexOf(layout)
        .map((entry) => entry.annotations?.[REF_NAME])
        .sort(),
    ).toEqual(['one', 'two'])
    expect(fs.existsSync(path.join(layout, 'index.json.lock'))).toBe(false)
  })
})

describe('blobs already in the layout are verified before they are reused', () => {
  it('replaces a truncated layer and a config with the right size but wrong bytes', async () => {
    const layout = path.join(work, 'corrupt-layout')
    const cwd = fs.mkdtempSync(path.join(work, 'corrupt-'))
    const inputs = { config: ZONE_CONFIG, image: kernelFile('corrupt', 256 * 1024), tags: 'v1', 'oci-layout': layout }
    const env = { SOURCE_DATE_EPOCH: '1700000000' }
    const first = await runActionAsync(inputs, { workspace: cwd, env })
    expect(first.status).toBe(0)
    const blob = (digest: string): string => path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length))
    const manifest = JSON.parse(fs.readFileSync(blob(first.outputs.digest), 'utf8')) as { config: { digest: string }; layers: { digest: string }[] }
    const imageLayer = blob(manifest.layers[0]!.digest)
    fs.truncateSync(imageLayer, 1000)
    const config = fs.readFileSync(blob(manifest.config.digest))
    config[config.length - 2] ^= 0x20
    fs.writeFileSync(blob(manifest.config.digest), config)

    const second = await runActionAsync(inputs, { workspace: cwd, env })
    expect(second.status).toBe(0)
    expect(second.outputs.digest).toBe(first.outputs.digest)
    for (const name of blobNames(layout)) expect(sha256(fs.readFileSync(path.join(layout, 'blobs', 'sha256', name)))).toBe(name)
    const bundle = path.join(cwd, 'bundle')
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:v1`, bundle], { stdio: 'ignore' })
    expect(fs.readFileSync(path.join(bundle, 'rootfs', 'kernel', 'image'))).toEqual(fs.readFileSync(inputs.image))
  })
})
