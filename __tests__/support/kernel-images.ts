// Kernel images for the host-side tests: one built by this action, and hand-made ones (GNU tar + gzip, written
// blob by blob) in the shapes other publishers use or get wrong.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { buildKernelImage, gzipDeterministic } from '../../src/oci/kernel-image.js'
import { OciLayout, REF_NAME_ANNOTATION } from '../../src/oci/layout.js'
import { craftBzImage } from './crafted-kernel.js'
import { fileSha256Hex, sha256Digest } from './digest.js'

export const CREATED = '2024-09-03T00:00:00Z'
export const CONFIG_TEXT = '# Linux/x86 6.1.192 Kernel Configuration\nCONFIG_XEN=y\nCONFIG_XEN_PV=y\n'
export const CONFIG_DIGEST = sha256Digest(CONFIG_TEXT)
export const METADATA = `KERNEL_ARCH=x86_64\nKERNEL_VERSION=6.1.192\nKERNEL_UNAME_R=6.1.192-crafted\nKERNEL_FLAVOR=zone\nKERNEL_CONFIG=${CONFIG_DIGEST}\n`
export const ANNOTATIONS = { 'dev.edera.kernel.format': '1', 'dev.edera.kernel.version': '6.1.192', 'dev.edera.kernel.flavor': 'zone' }

export interface KernelPayload {
  /** Folder holding kernel/{image,addons.squashfs,config.gz,metadata}. */
  dir: string
  image: string
  addons: string
}

/**
 * Writes the four kernel files under `<dir>/kernel/`; the addons file is `addonsBytes` of patterned data behind a
 * squashfs 4 superblock that claims them all (install and verify refuse anything else as addons).
 */
export function writePayload(dir: string, options: { addonsBytes?: number; kernel?: Buffer; metadata?: string } = {}): KernelPayload {
  const kernelDir = path.join(dir, 'kernel')
  fs.mkdirSync(kernelDir, { recursive: true })
  const image = path.join(kernelDir, 'image')
  const addons = path.join(kernelDir, 'addons.squashfs')
  fs.writeFileSync(image, options.kernel ?? craftBzImage(96 * 1024))
  writePatterned(addons, options.addonsBytes ?? 200_000, 7)
  squashfsSuperblockOn(addons)
  fs.writeFileSync(path.join(kernelDir, 'config.gz'), gzipDeterministic(Buffer.from(CONFIG_TEXT)))
  fs.writeFileSync(path.join(kernelDir, 'metadata'), options.metadata ?? METADATA)
  return { dir, image, addons }
}

/** Writes a squashfs 4 superblock (magic "hsqs", s_major 4, bytes_used = the file's size) over the file's first 96 bytes. */
export function squashfsSuperblockOn(file: string): void {
  const superblock = Buffer.alloc(96)
  superblock.write('hsqs', 0, 'latin1')
  superblock.writeUInt16LE(4, 28)
  superblock.writeBigUInt64LE(BigInt(fs.statSync(file).size), 40)
  const fd = fs.openSync(file, 'r+')
  try {
    fs.writeSync(fd, superblock, 0, superblock.length, 0)
  } finally {
    fs.closeSync(fd)
  }
}

/** Patterned bytes written in 1 MiB pieces (a 100 MB file is never one buffer). */
export function writePatterned(file: string, size: number, seed: number): void {
  const fd = fs.openSync(file, 'w')
  let block = createHash('sha256').update(`seed ${seed}`).digest()
  const piece = Buffer.alloc(1 << 20)
  try {
    for (let written = 0; written < size;) {
      for (let offset = 0; offset < piece.length; offset += 32) {
        block.copy(piece, offset)
        block = createHash('sha256').update(block).digest()
      }
      const length = Math.min(piece.length, size - written)
      fs.writeSync(fd, piece, 0, length)
      written += length
    }
  } finally {
    fs.closeSync(fd)
  }
}

/** The image this action publishes, built into `layoutDir` and tagged `tag`. Returns the manifest digest. */
export async function buildActionImage(layoutDir: string, payload: KernelPayload, tag = 'v1'): Promise<string> {
  const layout = await OciLayout.open(layoutDir)
  const k = path.dirname(payload.image)
  const built = await buildKernelImage(
    {
      files: [
        { name: 'image', source: payload.image },
        { name: 'addons.squashfs', source: payload.addons },
        { name: 'config.gz', source: path.join(k, 'config.gz') },
        { name: 'metadata', source: path.join(k, 'metadata') },
      ],
      architecture: 'amd64',
      created: CREATED,
      compression: 'gzip',
      annotations: ANNOTATIONS,
    },
    layout,
  )
  await layout.tag(built.manifest.descriptor, [tag])
  return built.digest
}

interface Blob {
  mediaType: string
  digest: string
  size: number
}

/** Stores a file or bytes as a blob of `blobsDir` (blobs/sha256 of a layout, or a skopeo dir: folder). */
function storeBlob(blobsDir: string, source: string | Buffer, mediaType: string, named: (hex: string) => string): Blob {
  const bytes = typeof source === 'string' ? fs.readFileSync(source) : source
  const digest = sha256Digest(bytes)
  fs.writeFileSync(path.join(blobsDir, named(digest.slice(7))), bytes)
  return { mediaType, digest, size: bytes.length }
}

export interface HandLayer {
  /** Arguments to `tar -c` run in the payload folder (after `--format=posix` and friends), e.g. ['kernel/', 'kernel/image']. */
  tarArgs: string[]
  /** Compress with GNU gzip (default) or not. */
  gzip?: boolean
  mediaType?: string
  createdBy: string
}

export interface HandImage {
  layers: HandLayer[]
  /** Edits the image config before it is stored (e.g. drop `history`). */
  editConfig?: (config: Record<string, unknown>) => void
  annotations?: Record<string, string>
  architecture?: string
  /** Docker media types (schema 2 manifest, container config), as `docker build` pushes. */
  docker?: boolean
}

interface BuiltLayer {
  blob: Blob
  diffId: string
  createdBy: string
}

function buildLayers(payloadDir: string, spec: HandImage, work: string, store: (file: string, mediaType: string) => Blob): BuiltLayer[] {
  return spec.layers.map((layer, position) => {
    const tarFile = path.join(work, `layer-${position}.tar`)
    execFileSync(
      'tar',
      [
        '-c',
        '-f',
        tarFile,
        '--format=posix',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--mtime=@0',
        '--no-recursion',
        '-C',
        payloadDir,
        ...layer.tarArgs,
      ],
      {
        env: { ...process.env, TZ: 'UTC' },
      },
    )
    const diffId = `sha256:${fileSha256Hex(tarFile)}`
    const gzip = layer.gzip ?? true
    let file = tarFile
    if (gzip) {
      execFileSync('gzip', ['-n', '-6', '-f', tarFile])
      file = `${tarFile}.gz`
    } else if (layer.mediaType?.endsWith('+zstd')) {
      execFileSync('zstd', ['-q', '-3', '-f', '--rm', tarFile])
      file = `${tarFile}.zst`
    }
    const mediaType =
      layer.mediaType ??
      (spec.docker
        ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
        : gzip
          ? 'application/vnd.oci.image.layer.v1.tar+gzip'
          : 'application/vnd.oci.image.layer.v1.tar')
    return { blob: store(file, mediaType), diffId, createdBy: layer.createdBy }
  })
}

function imageConfigBytes(layers: BuiltLayer[], spec: HandImage): Buffer {
  const config: Record<string, unknown> = {
    architecture: spec.architecture ?? 'amd64',
    os: 'linux',
    created: CREATED,
    config: {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: CREATED, created_by: l.createdBy, comment: 'buildkit.dockerfile.v0' })),
  }
  spec.editConfig?.(config)
  return Buffer.from(JSON.stringify(config))
}

function manifestBytes(config: Blob, layers: BuiltLayer[], spec: HandImage): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: spec.docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: layers.map((l) => l.blob),
      ...(spec.annotations === undefined
        ? { annotations: ANNOTATIONS }
        : Object.keys(spec.annotations).length
          ? { annotations: spec.annotations }
          : {}),
    }),
  )
}

/** A hand-made image in an OCI layout at `layoutDir`, tagged `tag`. Returns the manifest descriptor. */
export function handMadeLayout(layoutDir: string, payloadDir: string, spec: HandImage, tag = 'v1'): Blob {
  const blobs = path.join(layoutDir, 'blobs', 'sha256')
  fs.mkdirSync(blobs, { recursive: true })
  const work = fs.mkdtempSync(path.join(layoutDir, '..', 'work-'))
  const store = (source: string | Buffer, mediaType: string): Blob => storeBlob(blobs, source, mediaType, (hex) => hex)
  const layers = buildLayers(payloadDir, spec, work, store)
  const config = store(
    imageConfigBytes(layers, spec),
    spec.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json',
  )
  const manifest = store(
    manifestBytes(config, layers, spec),
    spec.docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json',
  )
  fs.writeFileSync(path.join(layoutDir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
  addToIndex(layoutDir, { ...manifest, annotations: { [REF_NAME_ANNOTATION]: tag } })
  fs.rmSync(work, { recursive: true, force: true })
  return manifest
}

/** An index in the layout over existing manifests, with the platforms given, tagged `tag`. */
export function indexInLayout(layoutDir: string, children: { manifest: Blob; architecture: string }[], tag: string): Blob {
  const blobs = path.join(layoutDir, 'blobs', 'sha256')
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: children.map((c) => ({ ...c.manifest, platform: { os: 'linux', architecture: c.architecture } })),
    }),
  )
  const blob = storeBlob(blobs, index, 'application/vnd.oci.image.index.v1+json', (hex) => hex)
  addToIndex(layoutDir, { ...blob, annotations: { [REF_NAME_ANNOTATION]: tag } })
  return blob
}

function addToIndex(layoutDir: string, entry: Blob & { annotations: Record<string, string> }): void {
  const file = path.join(layoutDir, 'index.json')
  const index = fs.existsSync(file)
    ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { manifests: (Blob & { annotations?: Record<string, string> })[] })
    : { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }
  const ref = entry.annotations[REF_NAME_ANNOTATION]
  index.manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME_ANNOTATION] !== ref)
  index.manifests.push(entry)
  fs.writeFileSync(file, JSON.stringify(index))
}

/**
 * The image Edera's publisher builds (linux-kernel-oci's Dockerfile: `FROM scratch` and one `COPY` per file, so four
 * gzip layers each holding `kernel/` and one file, Docker media types, BuildKit history), in skopeo's `dir:` format,
 * ready for `skopeo copy dir:… docker://…`.
 */
export function ederaStyleDir(dir: string, payloadDir: string): void {
  fs.mkdirSync(dir, { recursive: true })
  const work = fs.mkdtempSync(path.join(dir, '..', 'work-'))
  const spec: HandImage = {
    docker: true,
    layers: [
      { tarArgs: ['kernel/', 'kernel/image'], createdBy: 'COPY --from=prebuilt kernel /kernel/image # buildkit' },
      { tarArgs: ['kernel/', 'kernel/config.gz'], createdBy: 'COPY --from=prebuilt config.gz /kernel/config.gz # buildkit' },
      { tarArgs: ['kernel/', 'kernel/addons.squashfs'], createdBy: 'COPY --from=prebuilt addons.squashfs /kernel/addons.squashfs # buildkit' },
      { tarArgs: ['kernel/', 'kernel/metadata'], createdBy: 'COPY --from=prebuilt metadata /kernel/metadata # buildkit' },
    ],
  }
  const store = (source: string | Buffer, mediaType: string): Blob => storeBlob(dir, source, mediaType, (hex) => hex)
  const layers = buildLayers(payloadDir, spec, work, store)
  const config = store(imageConfigBytes(layers, spec), 'application/vnd.docker.container.image.v1+json')
  fs.writeFileSync(path.join(dir, 'manifest.json'), manifestBytes(config, layers, spec))
  fs.writeFileSync(path.join(dir, 'version'), 'Directory Transport Version: 1.1\n')
  fs.rmSync(work, { recursive: true, force: true })
}
