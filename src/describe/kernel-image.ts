// Reads what a kernel image says about itself (format, architecture, release, payload compression)
// from the few bytes that say it: headers are read at their offsets, and only an arm64 Image is
// scanned, as a stream, for its banner. It also refuses files that are not whole: shorter than their header says,
// or with a payload that does not decompress to its end.
import type { KernelArch } from '../arch.js'
import { createReadStream } from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { fileError, InputError } from '../errors.js'
import { openInputFile } from '../input-file.js'
import { BannerScanner } from './banner-scanner.js'
import {
  ARM64_HEADER_BYTES,
  BZIMAGE_HEADER_BYTES,
  arm64ImageSize,
  PAYLOAD_MAGIC_BYTES,
  PE_HEADER_BYTES,
  cString,
  efiZbootCompression,
  isArm64ImageHeader,
  isGzip,
  parseBzImageHeader,
  payloadCompressionOf,
  peFileExtent,
  releaseOf,
  xzPayloadEnds,
  type BzImageHeader,
  type PayloadCompression,
} from './boot-header.js'

export type { PayloadCompression } from './boot-header.js'

export interface KernelImageInfo {
  /** The path the image was read from, as given (for messages). */
  path: string
  format: 'bzImage' | 'arm64-Image' | 'arm64-Image.gz'
  arch: KernelArch
  /** `uname -r`, e.g. "6.1.192-sample" (always read: an image without one is refused). */
  release: string
  /**
   * The full version text, e.g. "6.1.192 (root@host) #1 SMP ...": a bzImage's kernel_version string,
   * or an arm64 banner after "Linux version ".
   */
  versionString: string
  /** A bzImage's payload compression; 'gzip' for Image.gz (the whole file) and 'none' for a plain Image. */
  payloadCompression?: PayloadCompression
  /** File size in bytes. */
  size: number
}

/** What is known of an image before its release is read. */
type ImageFacts = Omit<KernelImageInfo, 'release' | 'versionString'>

/**
 * No kernel inflates beyond this (the largest distribution vmlinux is ~100 MB); the header's own figure bounds it
 * further, so a payload made to inflate to gigabytes stops at once instead of costing a minute.
 */
const KERNEL_INFLATED_MAX = 1024 * 1024 * 1024
/** An arm64 Image older than 3.17 says no image_size: then this bound, the cap of a kernel/image file, applies. */
const ARM64_IMAGE_DEFAULT_MAX = 256 * 1024 * 1024

/** The kernel_version string is short; this bounds the read. */
const VERSION_STRING_MAX_BYTES = 512

/**
 * Inspects the kernel image at `path`; any unusable file is an InputError naming the `image` input. A file shorter than
 * its header says, a payload that does not decompress to its end, or one whose release cannot be read is refused.
 */
export async function inspectKernelImage(path: string): Promise<KernelImageInfo> {
  const { handle: file, size } = await openInputFile(path, 'image')
  try {
    const head = await readAt(file, 0, Math.max(BZIMAGE_HEADER_BYTES, PE_HEADER_BYTES))
    const bz = parseBzImageHeader(head)
    if (bz !== undefined) return await inspectBzImage(file, path, size, bz)
    if (isArm64ImageHeader(head)) {
      const extent = peFileExtent(head)
      if (extent !== undefined && extent > size) {
        throw new InputError(`image: ${path} is truncated: its PE header says ${extent} bytes but the file has ${size}`)
      }
      const { banner } = await scanImage(path, false)
      const info: ImageFacts = { path, format: 'arm64-Image', arch: 'aarch64', payloadCompression: 'none', size }
      return withBanner(info, banner)
    }
    if (isGzip(head)) {
      const { banner, inflated, header } = await scanImage(path, true)
      const extent = peFileExtent(header)
      if (extent !== undefined && extent > inflated) {
        throw new InputError(`image: ${path} is truncated: it inflates to ${inflated} bytes but its PE header says ${extent}`)
      }
      const info: ImageFacts = { path, format: 'arm64-Image.gz', arch: 'aarch64', payloadCompression: 'gzip', size }
      return withBanner(info, banner)
    }
    const zboot = efiZbootCompression(head)
    if (zboot !== undefined) {
      throw new InputError(
        `image: ${path} is an EFI zboot image (vmlinuz.efi, ${zboot || 'unnamed'} payload), which Xen cannot load: give arch/arm64/boot/Image or Image.gz of the same build`,
      )
    }
    throw new InputError(`image: ${path} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`)
  } finally {
    await file.close()
  }
}

async function inspectBzImage(file: FileHandle, path: string, size: number, bz: BzImageHeader): Promise<KernelImageInfo> {
  if (bz.declaredSize !== undefined && bz.declaredSize > size) {
    throw new InputError(`image: ${path} is truncated: its boot header says ${bz.declaredSize} bytes (setup + syssize) but the file has ${size}`)
  }
  const info: ImageFacts = { path, format: 'bzImage', arch: 'x86_64', size }
  if (bz.payload !== undefined) {
    const end = bz.payload.offset + bz.payload.length
    if (end > size) throw new InputError(`image: ${path} is truncated: its payload ends at byte ${end} but the file has ${size}`)
    info.payloadCompression = payloadCompressionOf(await readAt(file, bz.payload.offset, PAYLOAD_MAGIC_BYTES))
    await checkPayloadEnds(file, path, bz.payload, info.payloadCompression, bz.initSize)
  }
  const text = bz.versionStringOffset === undefined ? '' : cString(await readAt(file, bz.versionStringOffset, VERSION_STRING_MAX_BYTES))
  const release = text === '' ? undefined : releaseOf(text)
  if (release === undefined) throw new InputError(`image: ${path}: cannot read the kernel release (the boot header has no kernel_version string)`)
  return { ...info, versionString: text, release }
}

/**
 * A gzip payload is inflated to its end (streamed; the output is dropped) and an xz one must end in an xz footer, so a
 * bzImage cut or corrupted inside its payload is refused. Other compressions are only checked to fit the file.
 */
async function checkPayloadEnds(
  file: FileHandle,
  path: string,
  payload: { offset: number; length: number },
  compression: PayloadCompression,
  initSize: number | undefined,
): Promise<void> {
  if (compression === 'gzip') {
    // The payload's last 4 bytes are its inflated length (gzip's ISIZE, which arch/x86/boot/compressed/mkpiggy reads
    // as the kernel's output length); init_size bounds it too. Inflating past either is refused on the spot.
    const declared = (await readAt(file, payload.offset + payload.length - 4, 4)).readUInt32LE(0)
    const bound = Math.min(declared, initSize ?? KERNEL_INFLATED_MAX, KERNEL_INFLATED_MAX)
    let inflated = 0
    const overrun = new InputError(
      `image: ${path}: its gzip payload inflates beyond the ${bound} bytes its header declares (${declared === bound ? 'length trailer' : initSize === bound ? 'init_size' : 'kernel-action bound'})`,
    )
    const source = file.createReadStream({
      start: payload.offset,
      end: payload.offset + payload.length - 1,
      autoClose: false,
      highWaterMark: 1 << 20,
    })
    try {
      await pipeline(
        source,
        createGunzip({ chunkSize: 1 << 20 }),
        new Writable({
          write: (chunk: Buffer, _encoding, done) => {
            inflated += chunk.length
            done(inflated > bound ? overrun : null)
          },
        }),
      )
    } catch (error) {
      if (error === overrun) throw overrun
      throw new InputError(`image: ${path}: its gzip payload does not decompress to its end (${reasonOf(error)})`)
    }
  } else if (compression === 'xz') {
    const tail = await readAt(file, payload.offset + payload.length - 16, 16)
    if (!xzPayloadEnds(tail)) throw new InputError(`image: ${path}: its xz payload has no xz stream footer at its end (truncated or corrupt)`)
  }
}

function withBanner(info: ImageFacts, banner: string | undefined): KernelImageInfo {
  const release = banner === undefined ? undefined : releaseOf(banner)
  if (banner === undefined || release === undefined)
    throw new InputError(`image: ${info.path}: cannot read the kernel release (no "Linux version" banner in the ${FORMAT_WORDS[info.format]})`)
  return { ...info, versionString: banner, release }
}

const FORMAT_WORDS: Record<KernelImageInfo['format'], string> = { bzImage: 'bzImage', 'arm64-Image': 'Image', 'arm64-Image.gz': 'inflated Image.gz' }

/** Reads up to `length` bytes at `position`; fewer at the end of the file. */
async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await file.read(buffer, 0, length, Math.max(0, position))
  return buffer.subarray(0, bytesRead)
}

interface ImageScan {
  banner?: string
  /** Inflated bytes (gzip only: the whole stream is inflated). */
  inflated: number
  /** The first PE_HEADER_BYTES of the (inflated) Image. */
  header: Buffer
}

/**
 * Streams the image for its banner. A plain Image is read only up to the banner. A gzipped one is inflated to its
 * end (to prove the stream is whole, and to count its size), and must hold an arm64 Image: its first 64 inflated
 * bytes are checked before the scan.
 */
async function scanImage(path: string, gzipped: boolean): Promise<ImageScan> {
  const source = createReadStream(path, { highWaterMark: 1 << 20 })
  const inflate = gzipped ? createGunzip({ chunkSize: 1 << 20 }) : undefined
  const stream = inflate === undefined ? source : source.pipe(inflate)
  // pipe() does not forward errors: a read error must end the inflated stream too.
  if (inflate !== undefined) source.on('error', (error) => inflate.destroy(error))

  const scanner = new BannerScanner()
  let header: Buffer = Buffer.alloc(0)
  let inflated = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      inflated += chunk.length
      if (header.length < PE_HEADER_BYTES) {
        header = Buffer.concat([header, chunk.subarray(0, PE_HEADER_BYTES - header.length)])
        if (gzipped && header.length >= ARM64_HEADER_BYTES && !isArm64ImageHeader(header)) throw notArm64Gzip(path)
      }
      if (gzipped && header.length >= ARM64_HEADER_BYTES) {
        // The inflated Image cannot be larger than the memory its header says it occupies (image_size).
        const bound = Math.min(arm64ImageSize(header) || ARM64_IMAGE_DEFAULT_MAX, KERNEL_INFLATED_MAX)
        if (inflated > bound) throw new InputError(`image: ${path}: it inflates beyond the ${bound} bytes its Image header declares (image_size)`)
      }
      // Leaving the loop destroys the stream: nothing more is read.
      if (scanner.banner === undefined) scanner.push(chunk)
      if (scanner.banner !== undefined && !gzipped) break
    }
  } catch (error) {
    if (error instanceof InputError) throw error
    if (gzipped) throw new InputError(`image: ${path}: its gzip stream does not decompress to its end (${reasonOf(error)})`)
    throw fileError('image', path, error)
  } finally {
    source.destroy()
    inflate?.destroy()
  }
  if (gzipped && !isArm64ImageHeader(header)) throw notArm64Gzip(path)
  return { banner: scanner.banner, inflated, header }
}

function notArm64Gzip(path: string): InputError {
  return new InputError(`image: ${path} is gzip-compressed but holds no arm64 Image (no "ARM\\x64" magic at offset 56)`)
}

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  if (code === 'Z_BUF_ERROR') return 'unexpected end of file'
  return error instanceof Error ? error.message : String(error)
}
