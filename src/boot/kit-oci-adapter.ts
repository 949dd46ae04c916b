// The boot kit's only contact with the project's OCI code (layout writer, registry client, image reader): one small
// file, so that a change of the store interface is re-pointed here and nowhere else.
import { rename } from 'node:fs/promises'
import { ociArch, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'
import { sha256OfFile } from '../oci/digest.js'
import { imageConfig, imageManifest, serializeJson } from '../oci/image.js'
import { OciLayout } from '../oci/layout.js'
import { MediaType, type Descriptor } from '../oci/types.js'
import { isIndexDocument, pickPlatform } from '../oci/image-format.js'
import { parseImageReference, startingPoint } from '../oci/reference.js'
import { checkIndexDocument, openManifest, parseDocument } from '../oci/store.js'
import { openImageStore } from '../oci/stores/open-store.js'
import { readLayer, type EntryHandler } from '../pull/layer-reader.js'
import { KIT_TITLE, kitTag, packagesAnnotation, PACKAGES_ANNOTATION } from './kit-contents.js'

export interface KitImageFiles {
  arch: KernelArch
  /** The plain tar (its digest is the diff_id) and its gzip (the blob). */
  tarFile: string
  gzFile: string
  packages: readonly { name: string; version: string }[]
}

/** Writes the kit's blobs, config and manifest into the layout at `dir` and tags it with the arch. */
export async function writeKitImage(dir: string, files: KitImageFiles): Promise<{ digest: string; layerBytes: number }> {
  const layout = await OciLayout.open(dir)
  const diffId = (await sha256OfFile(files.tarFile)).digest
  const blob = await sha256OfFile(files.gzFile)
  const staging = layout.stagingPath()
  await rename(files.gzFile, staging)
  await layout.commitBlob(staging, blob.digest)
  const layer: Descriptor = { mediaType: MediaType.layerGzip, digest: blob.digest, size: blob.size }
  // A fixed creation time: the digest depends on the packages alone.
  const created = '1970-01-01T00:00:00Z'
  const config = serializeJson(
    imageConfig({
      architecture: ociArch(files.arch),
      created,
      diffIds: [diffId],
      history: ['kernel-action boot-kit: Xen, dom0 and its userland from Debian packages'],
    }),
    MediaType.config,
  )
  const manifest = serializeJson(
    imageManifest({
      config: await layout.writeJsonBlob(config),
      layers: [layer],
      annotations: {
        'org.opencontainers.image.title': `${KIT_TITLE} (${files.arch})`,
        'org.opencontainers.image.created': created,
        [PACKAGES_ANNOTATION]: packagesAnnotation(files.packages),
      },
    }),
    MediaType.manifest,
  )
  const descriptor = await layout.writeJsonBlob(manifest)
  await layout.tag({ ...descriptor, platform: { architecture: ociArch(files.arch), os: 'linux' } }, [kitTag(files.arch)])
  return { digest: descriptor.digest, layerBytes: blob.size }
}

/** A kit image opened from a registry or `oci:<dir>`: its manifest digest, and its one layer walked entry by entry. */
export interface OpenedKit {
  digest: string
  architecture: unknown
  walk(onEntry: EntryHandler): Promise<void>
}

/** Input `boot-kit` / `--boot-kit`: empty (the pinned kit) or a reference the image reader takes, checked up front. */
export function checkKitReference(text: string): string {
  if (text === '') return ''
  try {
    parseImageReference(text)
  } catch (error) {
    throw new InputError(`boot-kit: ${(error as Error).message}`)
  }
  return text
}

/** The digest a reference pins (`...@sha256:...`), if any: the cache can answer before any request. */
export function pinnedDigest(reference: string): string | undefined {
  return parseImageReference(reference).digest
}

/** A kit found by its reference: the manifest's digest known (so the cache can answer), nothing else read yet. */
export interface ResolvedKit {
  digest: string
  open(): Promise<OpenedKit>
}

/** Fetches the manifest `reference` names (an index is narrowed to `arch`), and no blob until `open()`. */
export async function resolveKit(reference: string, arch: KernelArch, log?: (line: string) => void): Promise<ResolvedKit> {
  const parsed = parseImageReference(reference)
  const store = await openImageStore(parsed, { log })
  let fetched = await store.fetchManifest(startingPoint(parsed) ?? '')
  if (fetched === undefined) throw new InputError(`boot-kit: ${reference} does not exist`)
  let indexDigest: string | undefined
  const document = parseDocument(fetched, reference)
  if (isIndexDocument(fetched.mediaType, document)) {
    const index = checkIndexDocument(document, `${reference}@${fetched.digest}`)
    const child = pickPlatform(index, arch)
    if (child === undefined) throw new InputError(`boot-kit: ${reference} has no linux/${ociArch(arch)} kit`)
    indexDigest = fetched.digest
    fetched = await store.fetchManifest(child.digest)
    if (fetched === undefined) throw new InputError(`boot-kit: ${reference} names ${child.digest}, which ${store.name} does not have`)
  }
  const manifest = fetched
  return {
    digest: manifest.digest,
    open: async () => {
      const image = await openManifest(store, reference, manifest, indexDigest)
      if (image.layers.length !== 1) throw new InputError(`boot-kit: ${reference} has ${image.layers.length} layers; a boot kit has one`)
      const layer = image.layers[0]
      return {
        digest: image.digest,
        architecture: image.config.architecture,
        walk: (onEntry) => readLayer(image, layer, onEntry, `boot-kit ${reference}`),
      }
    },
  }
}
