import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { verifyCommand } from '../src/cli/verify.js'
import { runCli } from './support/cli.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { craftArm64Image } from './support/crafted-kernel.js'
import {
  CONFIG_DIGEST,
  METADATA,
  buildActionImage,
  ederaStyleDir,
  handMadeLayout,
  indexInLayout,
  writePayload,
  type HandImage,
  type KernelPayload,
} from './support/kernel-images.js'
import { sha256Digest } from './support/digest.js'

let root: string
let payload: KernelPayload
let registry: RunningRegistry

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-'))
  payload = writePayload(path.join(root, 'payload'))
  registry = await startRegistry()
})
afterAll(async () => {
  await registry.stop()
  fs.rmSync(root, { recursive: true, force: true })
})

async function verify(...args: string[]): Promise<{ status: number; lines: string[]; log: string[] }> {
  const lines: string[] = []
  const log: string[] = []
  const status = await verifyCommand(args, { out: (line) => lines.push(line), err: (line) => log.push(line) })
  return { status, lines, log }
}

let counter = 0
function layout(): string {
  return path.join(root, `layout-${++counter}`)
}

/** The four files as Edera lays them out (one COPY each), with changes for the rule under test. */
const ederaLayers = (): HandImage['layers'] => [
  { tarArgs: ['kernel/', 'kernel/image'], createdBy: 'COPY kernel /kernel/image # buildkit' },
  { tarArgs: ['kernel/', 'kernel/config.gz'], createdBy: 'COPY config.gz /kernel/config.gz # buildkit' },
  { tarArgs: ['kernel/', 'kernel/addons.squashfs'], createdBy: 'COPY addons.squashfs /kernel/addons.squashfs # buildkit' },
  { tarArgs: ['kernel/', 'kernel/metadata'], createdBy: 'COPY metadata /kernel/metadata # buildkit' },
]

describe('kernel-action verify accepts', () => {
  it("this action's own image, from a local layout", async () => {
    const dir = layout()
    const digest = await buildActionImage(dir, payload)
    const result = await verify(`oci:${dir}:v1`)
    expect(result).toEqual({
      status: 0,
      lines: [
        `oci:${dir}:v1: ok ${digest}, 4 layers (tar+gzip), x86_64 bzImage Linux 6.1.192-crafted, flavor zone, KERNEL_CONFIG matches kernel/config.gz`,
      ],
      log: [],
    })
  })

  it("an image built the way Edera's publisher builds it (FROM scratch, one COPY per file, gzip layers), pushed by skopeo", async () => {
    const dir = path.join(root, 'edera-dir')
    ederaStyleDir(dir, payload.dir)
    const ref = `${registry.host}/edera-dev/zone-kernel:6.1.192`
    execFileSync('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `dir:${dir}`, `docker://${ref}`])
    const digest = execFileSync('skopeo', ['inspect', '--tls-verify=false', '--format', '{{.Digest}}', `docker://${ref}`], {
      encoding: 'utf8',
    }).trim()
    const result = await verify(ref)
    expect(result.lines).toEqual([
      `${ref}: ok ${digest}, 4 layers (tar.gzip), x86_64 bzImage Linux 6.1.192-crafted, flavor zone, KERNEL_CONFIG matches kernel/config.gz`,
    ])
    expect(result.status).toBe(0)
  })

  it('an index of amd64 and arm64 images with tar+zstd and uncompressed tar layers', async () => {
    const dir = layout()
    const zstdLayers = ederaLayers().map((layer) => ({ ...layer, gzip: false, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' }))
    const amd64 = handMadeLayout(dir, payload.dir, { layers: zstdLayers }, 'amd64')
    const plain = ederaLayers().map((layer) => ({ ...layer, gzip: false }))
    const arm64 = handMadeLayout(dir, payload.dir, { layers: plain, architecture: 'arm64' }, 'arm64')
    indexInLayout(
      dir,
      [
        { manifest: amd64, architecture: 'amd64' },
        { manifest: arm64, architecture: 'arm64' },
      ],
      'v1',
    )
    const result = await verify(`oci:${dir}:v1`)
    // The arm64 entry holds the x86_64 test kernel: verify says so, and reads the zstd layers of the other cleanly.
    expect(result.lines).toEqual([
      `oci:${dir}:v1: linux/arm64: kernel/metadata: KERNEL_ARCH=x86_64, but the image config says arm64`,
      `oci:${dir}:v1: krata would not load this image as published (1 problem)`,
    ])
    const amd64Only = await verify(`oci:${dir}:v1`, '--arch', 'x86_64')
    expect(amd64Only.lines).toEqual([
      `oci:${dir}:v1: ok linux/amd64 ${amd64.digest}, 4 layers (tar+zstd), x86_64 bzImage Linux 6.1.192-crafted, flavor zone, KERNEL_CONFIG matches kernel/config.gz`,
    ])
  })
})

describe('kernel-action verify, a multi-arch index in a registry', () => {
  it('verifies every linux/amd64 and linux/arm64 image of an index pushed by skopeo --all', async () => {
    const dir = layout()
    const arm = writePayload(path.join(root, 'payload-arm'), {
      kernel: craftArm64Image(),
      metadata: METADATA.replace('x86_64', 'aarch64').replace('KERNEL_UNAME_R=6.1.192-crafted\n', ''),
    })
    const amd64 = handMadeLayout(dir, payload.dir, { layers: ederaLayers() }, 'amd64')
    const arm64 = handMadeLayout(dir, arm.dir, { layers: ederaLayers(), architecture: 'arm64' }, 'arm64')
    const index = indexInLayout(
      dir,
      [
        { manifest: amd64, architecture: 'amd64' },
        { manifest: arm64, architecture: 'arm64' },
      ],
      'v1',
    )
    const ref = `${registry.host}/edera-dev/zone-kernel:multi`
    execFileSync('skopeo', ['copy', '--quiet', '--all', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:v1`, `docker://${ref}`])
    const result = await verify(ref)
    expect(result.lines).toEqual([
      `${ref}: ok linux/amd64 ${amd64.digest}, 4 layers (tar+gzip), x86_64 bzImage Linux 6.1.192-crafted, flavor zone, KERNEL_CONFIG matches kernel/config.gz`,
      `${ref}: ok linux/arm64 ${arm64.digest}, 4 layers (tar+gzip), aarch64 arm64-Image Linux 6.1.192-crafted, flavor zone, KERNEL_CONFIG matches kernel/config.gz`,
    ])
    expect((await verify(`${registry.host}/edera-dev/zone-kernel@${index.digest}`, '--light')).status).toBe(0)
  })
})

describe('kernel-action verify rejects, one line per broken rule', () => {
  it('a ./kernel/image entry (krata compares paths as stored)', async () => {
    const dir = layout()
    const layers = ederaLayers()
    layers[0] = { tarArgs: ['./kernel/', './kernel/image'], createdBy: 'COPY kernel ./kernel/image' }
    handMadeLayout(dir, payload.dir, { layers })
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: layer 1: "./kernel/": path starts with "./"; krata compares paths as stored, so it is not kernel/`,
      `oci:${dir}:v1: layer 1: "./kernel/image": path starts with "./"; krata compares paths as stored, so it is not kernel/image`,
      `oci:${dir}:v1: no regular file kernel/image in any layer; krata fails "unable to find file kernel/image"`,
      `oci:${dir}:v1: krata would not load this image as published (3 problems)`,
    ])
    expect(result.status).toBe(1)
  })

  it('a kernel/image that is a symbolic link', async () => {
    const dir = layout()
    const linked = path.join(root, 'payload-symlink')
    fs.cpSync(payload.dir, linked, { recursive: true })
    fs.renameSync(path.join(linked, 'kernel', 'image'), path.join(linked, 'kernel', 'vmlinuz'))
    fs.symlinkSync('vmlinuz', path.join(linked, 'kernel', 'image'))
    const layers = ederaLayers()
    layers[0] = { tarArgs: ['kernel/', 'kernel/vmlinuz', 'kernel/image'], createdBy: 'COPY kernel /kernel/' }
    handMadeLayout(dir, linked, { layers })
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: layer 1: "kernel/image": is a symbolic link to vmlinuz; krata reads only regular files (it would find it empty)`,
      `oci:${dir}:v1: no regular file kernel/image in any layer; krata fails "unable to find file kernel/image"`,
      `oci:${dir}:v1: krata would not load this image as published (2 problems)`,
    ])
  })

  it('a file whose parent directory has no entry before it', async () => {
    const dir = layout()
    const layers = ederaLayers()
    layers[0] = { tarArgs: ['kernel/image'], createdBy: 'COPY kernel /kernel/image' }
    handMadeLayout(dir, payload.dir, { layers })
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: layer 1: "kernel/image": no "kernel/" directory entry before it; krata fails "unable to find parent of entry"`,
      `oci:${dir}:v1: krata would not load this image as published (1 problem)`,
    ])
  })

  it('a layer in a media type krata does not know', async () => {
    const dir = layout()
    const layers = ederaLayers()
    layers[2] = { ...layers[2]!, mediaType: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip' }
    const manifest = handMadeLayout(dir, payload.dir, { layers })
    const layer = (
      JSON.parse(fs.readFileSync(path.join(dir, 'blobs', 'sha256', manifest.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] }
    ).layers[2]!
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: layer 3 (${layer.digest}): media type application/vnd.oci.image.layer.nondistributable.v1.tar+gzip; krata reads only tar, tar+gzip, tar+zstd or docker rootfs.diff.tar.gzip layers`,
      `oci:${dir}:v1: krata would not load this image as published (1 problem)`,
    ])
  })

  it('a config without history', async () => {
    const dir = layout()
    handMadeLayout(dir, payload.dir, { layers: ederaLayers(), editConfig: (config) => delete config.history })
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: config: no "history" array; krata cannot parse the image config without it`,
      `oci:${dir}:v1: krata would not load this image as published (1 problem)`,
    ])
  })

  it('an index whose arm64 entry says aarch64', async () => {
    const dir = layout()
    const amd64 = handMadeLayout(dir, payload.dir, { layers: ederaLayers() }, 'amd64')
    const arm = handMadeLayout(dir, payload.dir, { layers: ederaLayers(), architecture: 'aarch64' }, 'arm')
    indexInLayout(
      dir,
      [
        { manifest: amd64, architecture: 'amd64' },
        { manifest: arm, architecture: 'aarch64' },
      ],
      'v1',
    )
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: index entry 2 (${arm.digest}): platform linux/aarch64; krata matches only amd64 or arm64, so it never picks this one`,
      `oci:${dir}:v1: krata would not load this image as published (1 problem)`,
    ])
  })

  it('missing dev.edera.kernel annotations, and metadata that does not match the kernel it ships', async () => {
    const dir = layout()
    const wrong = path.join(root, 'payload-wrong-metadata')
    fs.cpSync(payload.dir, wrong, { recursive: true })
    const badConfig = `sha256:${'0'.repeat(64)}`
    fs.writeFileSync(
      path.join(wrong, 'kernel', 'metadata'),
      `KERNEL_ARCH=aarch64\nKERNEL_VERSION=6.1.192\nKERNEL_UNAME_R=6.1.191-other\nKERNEL_FLAVOR=zone\nKERNEL_CONFIG=${badConfig}\n`,
    )
    handMadeLayout(dir, wrong, { layers: ederaLayers(), annotations: { 'dev.edera.kernel.format': '1' } })
    const result = await verify(`oci:${dir}:v1`)
    expect(result.lines).toEqual([
      `oci:${dir}:v1: manifest: annotations dev.edera.kernel.version, dev.edera.kernel.flavor missing`,
      `oci:${dir}:v1: kernel/metadata: KERNEL_ARCH=aarch64, but kernel/image is an x86_64 bzImage`,
      `oci:${dir}:v1: kernel/metadata: KERNEL_ARCH=aarch64, but the image config says amd64`,
      `oci:${dir}:v1: kernel/metadata: KERNEL_UNAME_R=6.1.191-other, but kernel/image is Linux 6.1.192-crafted`,
      `oci:${dir}:v1: kernel/metadata: KERNEL_CONFIG=${badConfig}, but the uncompressed kernel/config.gz is ${CONFIG_DIGEST}`,
      `oci:${dir}:v1: krata would not load this image as published (5 problems)`,
    ])
  })

  it('a layer whose bytes do not match its digest', async () => {
    const dir = layout()
    const manifest = handMadeLayout(dir, payload.dir, { layers: ederaLayers() })
    const layer = (
      JSON.parse(fs.readFileSync(path.join(dir, 'blobs', 'sha256', manifest.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] }
    ).layers[3]!
    const file = path.join(dir, 'blobs', 'sha256', layer.digest.slice(7))
    const bytes = fs.readFileSync(file)
    bytes[bytes.length - 10]! ^= 0xff
    fs.writeFileSync(file, bytes)
    const actual = sha256Digest(bytes)
    const result = await verify(`oci:${dir}:v1`)
    expect(result.status).toBe(1)
    expect(result.lines[0]).toBe(
      `oci:${dir}:v1: layer 4 (${layer.digest}): oci:${dir}: blob ${layer.digest} has digest ${actual} (corrupt or altered)`,
    )
  })

  it('a reference that does not exist is an input error', async () => {
    const dir = layout()
    await buildActionImage(dir, payload)
    await expect(verify(`oci:${dir}:nope`)).rejects.toThrow(`oci:${dir}:nope: not found in oci:${dir}`)
  })
})

describe('kernel-action verify', () => {
  it('prints the broken rules on stdout and exits 1; a missing reference is exit 2 with one line on stderr', async () => {
    const dir = layout()
    handMadeLayout(dir, payload.dir, { layers: ederaLayers(), editConfig: (config) => delete config.history })
    const cli = (...args: string[]) => runCli(args)
    expect(await cli('verify', `oci:${dir}:v1`)).toMatchObject({
      status: 1,
      stdout: `oci:${dir}:v1: config: no "history" array; krata cannot parse the image config without it\noci:${dir}:v1: krata would not load this image as published (1 problem)\n`,
      stderr: '',
    })
    expect(await cli('verify', `oci:${dir}:v2`)).toMatchObject({
      status: 2,
      stdout: '',
      stderr: `kernel-action: oci:${dir}:v2: not found in oci:${dir}\n`,
    })
    expect(await cli('verify')).toMatchObject({ status: 2, stderr: 'kernel-action: verify takes one image reference (got 0)\n' })
  })
})
