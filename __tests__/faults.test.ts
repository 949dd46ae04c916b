// Publishing through a fault-injecting proxy in front of the real registry: transient faults are ridden out and
// the image arrives byte-exact; faults that never stop fail the step with one line and leave no tag behind.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { buildKernelImage, type KernelImage } from '../src/oci/kernel-image.js'
import { OciLayout } from '../src/oci/layout.js'
import { RegistryClient, RegistryError } from '../src/oci/registry/client.js'
import { pushImage } from '../src/oci/registry/push.js'
import { craftBzImage, craftSquashfs, zoneConfigIn } from './support/crafted-kernel.js'
import {
  always,
  everyNth,
  isBlobUpload,
  isManifestRequest,
  isTagPut,
  once,
  seeded,
  startFaultProxy,
  type Fault,
  type FaultProxy,
} from './support/fault-proxy.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { runActionAsync } from './support/run-action.js'

let registry: RunningRegistry
let proxy: FaultProxy
let dir: string
let config: string
let image: string
let addons: string

beforeAll(async () => {
  registry = await startRegistry()
  proxy = await startFaultProxy(registry.host)
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-'))
  config = zoneConfigIn(dir)
  image = path.join(dir, 'bzImage')
  fs.writeFileSync(image, craftBzImage(3 * 1024 * 1024))
  addons = path.join(dir, 'addons.squashfs')
  fs.writeFileSync(addons, craftSquashfs(2 * 1024 * 1024))
})

afterAll(async () => {
  await proxy?.stop()
  await registry?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

const transient: Fault[] = [
  { kind: 'status', status: 500 },
  { kind: 'drop' },
  { kind: 'throttle', retryAfterSeconds: 1 },
  { kind: 'slow', delayMs: 300 },
  { kind: 'status', status: 502 },
  { kind: 'status', status: 503 },
]

/** The action's retry waits turned down (the same backoff, in milliseconds rather than seconds; Retry-After capped). */
const quickRetries = { KERNEL_ACTION_RETRY_BASE_MS: '20', KERNEL_ACTION_RETRY_MAX_MS: '200' }

function publishInputs(repository: string, layout: string): Record<string, string> {
  return { config, image, addons, repository, tags: '{{version}},latest', 'oci-layout': layout, 'fail-on': 'never' }
}

/** Tags of a repository, asked of the registry itself (not through the proxy); none when the repository is unknown. */
async function tagsInRegistry(repository: string): Promise<string[]> {
  const response = await fetch(`${registry.url}/v2/${repository}/tags/list`)
  if (response.status === 404) return []
  expect(response.status).toBe(200)
  return (((await response.json()) as { tags: string[] | null }).tags ?? []).sort()
}

async function manifestStatus(repository: string, reference: string): Promise<number> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  })
  return response.status
}

/**
 * Pulls `repository:tag` straight from the registry with skopeo (an independent client) and checks that the manifest
 * and every blob it names are byte-identical to the ones in the local layout the publish wrote.
 */
function expectByteExact(repository: string, tag: string, layout: string, digest: string): void {
  const pulled = fs.mkdtempSync(path.join(dir, 'pulled-'))
  execFileSync('skopeo', [
    'copy',
    '-q',
    '--src-tls-verify=false',
    '--preserve-digests',
    `docker://${registry.host}/${repository}:${tag}`,
    `oci:${pulled}:${tag}`,
  ])
  const index = JSON.parse(fs.readFileSync(path.join(pulled, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }
  expect(index.manifests.map((m) => m.digest)).toEqual([digest])
  const blob = (root: string, d: string): Buffer => fs.readFileSync(path.join(root, 'blobs', 'sha256', d.slice('sha256:'.length)))
  const manifestBytes = blob(pulled, digest)
  expect(manifestBytes.equals(blob(layout, digest))).toBe(true)
  const manifest = JSON.parse(manifestBytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] }
  const names = [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)]
  expect(names).toHaveLength(5) // config + image, addons.squashfs, config.gz, metadata
  for (const name of names) expect(blob(pulled, name).equals(blob(layout, name))).toBe(true)
  // And the kernel inside the first layer is the file we gave.
  const kernel = execFileSync('tar', ['-xOf', path.join(pulled, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7)), 'kernel/image'], {
    maxBuffer: 64 * 1024 * 1024,
  })
  expect(kernel.equals(fs.readFileSync(image))).toBe(true)
}

function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('::error'))
}

describe('transient faults on a fifth of requests', () => {
  it('the action rides them out and the image arrives byte-exact', async () => {
    const layout = path.join(dir, 'layout-fifth')
    // Every 5th request fails one way or another; the first blob upload is also cut after 1 MiB of its 3 MiB.
    proxy.setPlan(once(isBlobUpload, { kind: 'cut', afterBytes: 1024 * 1024 }, everyNth(5, transient)))
    proxy.log.length = 0
    const run = await runActionAsync(publishInputs(`${proxy.host}/kernels/fifth`, layout), { workspace: dir, env: quickRetries })

    expect(run.stderr).toBe('')
    expect(errorLines(run.stdout)).toEqual([])
    expect(run.status).toBe(0)
    expect(proxy.log.length).toBeGreaterThanOrEqual(25) // enough for the first five faults of the cycle: 500, drop, 429, slow, 502
    const injected = new Set(proxy.log.filter((entry) => entry.fault !== undefined).map((entry) => entry.fault))
    expect([...injected].sort()).toEqual(['cut', 'drop', 'slow', 'status', 'throttle'])
    expect(run.stdout).toMatch(/: (PUT|POST|HEAD|GET) retry \d after HTTP 429, waiting 200 ms$/m) // Retry-After: 1, capped by KERNEL_ACTION_RETRY_MAX_MS
    expect(run.outputs.tags).toBe('6.1.192\nlatest')
    const digest = run.outputs.digest!
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await tagsInRegistry('kernels/fifth')).toEqual(['6.1.192', 'latest'])
    expectByteExact('kernels/fifth', '6.1.192', layout, digest)
    expectByteExact('kernels/fifth', 'latest', layout, digest)
  })

  it('every request has a timeout: a registry that sometimes never answers is ridden out too', async () => {
    const layout = await OciLayout.open(path.join(dir, 'layout-hang'))
    const built = await buildImage(layout)
    // Seeded, and one blob at a time, so the same requests get the same faults on every run.
    proxy.setPlan(seeded(20261125, 0.2, [{ kind: 'hang' }, ...transient, { kind: 'cut', afterBytes: 512 * 1024 }]))
    proxy.log.length = 0
    const client = new RegistryClient(
      { registry: proxy.host, repository: 'kernels/hang' },
      { transport: { headersTimeoutMs: 1000, baseDelayMs: 10, maxDelayMs: 200, attempts: 8 } },
    )
    const result = await pushImage(client, built, ['v1'], { concurrency: 1 })

    expect(result.digest).toBe(built.digest)
    expect(result.blobsUploaded + result.blobsSkipped).toBe(5)
    expect(proxy.log.some((entry) => entry.fault === 'hang')).toBe(true)
    expect(await tagsInRegistry('kernels/hang')).toEqual(['v1'])
    expectByteExact('kernels/hang', 'v1', path.join(dir, 'layout-hang'), built.digest)
  })
})

describe('faults that never stop', () => {
  it('a registry answering 503 to everything fails the step with one line, and no tag exists', async () => {
    proxy.setPlan(always(() => true, { kind: 'status', status: 503 }))
    proxy.log.length = 0
    const run = await runActionAsync(
      { ...publishInputs(`${proxy.host}/kernels/down`, path.join(dir, 'layout-down')), 'compare-to': 'none' },
      { workspace: dir, env: quickRetries },
    )

    expect(run.status).toBe(1)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^::error::registry ${proxy.host}: HEAD blob sha256:[0-9a-f]{64} → 503 Service Unavailable$`))
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /) // no stack trace
    // Three blobs are looked at concurrently; each is tried 5 times (the transport's default), then the step stops.
    expect(proxy.log.map((entry) => entry.method)).toEqual(Array(15).fill('HEAD'))
    expect(await tagsInRegistry('kernels/down')).toEqual([])
  })

  it('a registry that goes away between blobs and manifest leaves the blobs but no manifest and no tag', async () => {
    proxy.setPlan(always(isManifestRequest, { kind: 'drop' }))
    proxy.log.length = 0
    const run = await runActionAsync(
      { ...publishInputs(`${proxy.host}/kernels/gone`, path.join(dir, 'layout-gone')), 'compare-to': 'none' },
      { workspace: dir, env: quickRetries },
    )

    expect(run.status).toBe(1)
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(new RegExp(`^::error::registry ${proxy.host}: cannot connect \\((UND_ERR_SOCKET|ECONNRESET)\\)$`))
    const manifestRequests = proxy.log.filter(isManifestRequest)
    expect(manifestRequests.map((entry) => `${entry.method} ${entry.fault}`)).toEqual(Array(5).fill('PUT drop'))
    expect(manifestRequests[0]!.path).toMatch(/\/manifests\/sha256:[0-9a-f]{64}$/) // by digest first, never a tag
    expect(proxy.log.filter((entry) => isBlobUpload(entry) && entry.status === 201)).toHaveLength(5)
    expect(await tagsInRegistry('kernels/gone')).toEqual([])
    const digest = /sha256:[0-9a-f]{64}/.exec(manifestRequests[0]!.path)![0]
    expect(await manifestStatus('kernels/gone', digest)).toBe(404)
  })

  it('a registry refusing every tag keeps the manifest by digest but shows no tag', async () => {
    proxy.setPlan(always(isTagPut, { kind: 'status', status: 500 }))
    proxy.log.length = 0
    const run = await runActionAsync(publishInputs(`${proxy.host}/kernels/untagged`, path.join(dir, 'layout-untagged')), {
      workspace: dir,
      env: quickRetries,
    })

    expect(run.status).toBe(1)
    expect(errorLines(run.stdout)).toEqual([`::error::registry ${proxy.host}: PUT manifest 6.1.192 → 500 UNAVAILABLE: injected 500`])
    const digest = /sha256:[0-9a-f]{64}/.exec(proxy.log.find((entry) => entry.method === 'PUT' && isManifestRequest(entry))!.path)![0]
    expect(await manifestStatus('kernels/untagged', digest)).toBe(200)
    expect(await tagsInRegistry('kernels/untagged')).toEqual([])
  })

  it('a registry that never answers is given up at the deadline, with one line', async () => {
    const layout = await OciLayout.open(path.join(dir, 'layout-deadline'))
    const built = await buildImage(layout)
    proxy.setPlan(always(() => true, { kind: 'hang' }))
    proxy.log.length = 0
    const client = new RegistryClient(
      { registry: proxy.host, repository: 'kernels/deadline' },
      { transport: { headersTimeoutMs: 60_000, operationTimeoutMs: 2000, attempts: 100, baseDelayMs: 10 } },
    )
    const error = await pushImage(client, built, ['v1']).catch((caught: unknown) => caught)

    // The operation's bound ends it (not the longer headers timeout), and the line names the request and the bound.
    expect(error).toBeInstanceOf(RegistryError)
    expect((error as RegistryError).code).toBe('DEADLINE')
    expect((error as Error).message).toMatch(
      new RegExp(`^registry ${proxy.host}: HEAD blob sha256:[0-9a-f]{64}: no answer within 2 s; gave up \\(DEADLINE\\)$`),
    )
    expect(await tagsInRegistry('kernels/deadline')).toEqual([])
  })
})

async function buildImage(layout: OciLayout): Promise<KernelImage> {
  return buildKernelImage(
    {
      files: [
        { name: 'image', source: image },
        { name: 'addons.squashfs', source: addons },
        { name: 'config.gz', source: Buffer.from('not really gzip, but bytes') },
        { name: 'metadata', source: Buffer.from('KERNEL_VERSION=6.1.192\n') },
      ],
      architecture: 'amd64',
      created: '1970-01-01T00:00:00Z',
      compression: 'none',
      annotations: {},
    },
    layout,
  )
}
