// Reads what a kernel image says about itself (format, architecture, release, payload compression)
// from the few bytes that say it: headers are read at their offsets, and only an arm64 Image is
// scanned, as a stream, for its banner.
import type { KernelArch } from '../arch.js'
import { createReadStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { fileError, InputError } from '../errors.js'
import { BannerScanner } from './banner-scanner.js'
import {
  ARM64_HEADER_BYTES,
  BZIMAGE_HEADER_BYTES,
  PAYLOAD_MAGIC_BYTES,
  cString,
  isArm64ImageHeader,
  isGzip,
  parseBzImageHeader,
  payloadCompressionOf,
  releaseOf,
  type PayloadCompression,
} from './boot-header.js'

export type { PayloadCompression } from './boot-header.js'

export interface KernelImageInfo {
  /** The path the image was read from, as given (for messages). */
  path: string
  format: 'bzImage' | 'arm64-Image' | 'arm64-Image.gz'
  arch: KernelArch
  /** `uname -r`, e.g. "6.1.192-sample". */
  release?: string
  /**
   * The full version text, e.g. "6.1.192 (root@host) #1 SMP ...": a bzImage's kernel_version string,
   * or an arm64 banner after "Linux version ".
   */
  versionString?: string
  /** A bzImage's payload compression; 'gzip' for Image.gz (the whole file) and 'none' for a plain Image. */
  payloadCompression?: PayloadCompression
  /** File size in bytes. */
  size: number
}

/** The kernel_version string is short; this bounds the read. */
const VERSION_STRING_MAX_BYTES = 512

/** Inspects the kernel image at `path`; any unusable file is an InputError naming the `image` input. */
export async function inspectKernelImage(path: string): Promise<KernelImageInfo> {
  let file: FileHandle
  try {
    file = await open(path, 'r')
  } catch (error) {
    throw fileError('image', path, error)
  }
  try {
    const stat = await file.stat()
    if (stat.isDirectory()) throw fileError('image', path, { code: 'EISDIR' })
    if (!stat.isFile()) throw new InputError(`image: ${path} is not a regular file`)
    const size = stat.size
    const head = await readAt(file, 0, Math.max(BZIMAGE_HEADER_BYTES, ARM64_HEADER_BYTES))

    const bz = parseBzImageHeader(head)
    if (bz !== undefined) {
      const info: KernelImageInfo = { path, format: 'bzImage', arch: 'x86_64', size }
      if (bz.versionStringOffset !== undefined) {
        const text = cString(await readAt(file, bz.versionStringOffset, VERSION_STRING_MAX_BYTES))
        if (text !== '') {
          info.versionString = text
          info.release = releaseOf(text)
        }
      }
      if (bz.payload !== undefined) {
        info.payloadCompression = payloadCompressionOf(await readAt(file, bz.payload.offset, PAYLOAD_MAGIC_BYTES))
      }
      return info
    }
    if (isArm64ImageHeader(head)) {
      const banner = await scanForBanner(path, false)
      const info: KernelImageInfo = { path, format: 'arm64-Image', arch: 'aarch64', payloadCompression: 'none', size }
      return withBanner(info, banner)
    }
    if (isGzip(head)) {
      const banner = await scanForBanner(path, true)
      const info: KernelImageInfo = { path, format: 'arm64-Image.gz', arch: 'aarch64', payloadCompression: 'gzip', size }
      return withBanner(info, banner)
    }
    throw new InputError(`image: ${path} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`)
  } finally {
    await file.close()
  }
}

function withBanner(info: KernelImageInfo, banner: string | undefined): KernelImageInfo {
  if (banner === undefined) return info
  return { ...info, versionString: banner, release: releaseOf(banner) }
}

/** Reads up to `length` bytes at `position`; fewer at the end of the file. */
async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length)
  const { bytesRead } = await file.read(buffer, 0, length, position)
  return buffer.subarray(0, bytesRead)
}

/**
 * Streams the image (inflating it when `gzipped`) until the banner is found, then stops reading.
 * A gzipped file must hold an arm64 Image: its first 64 inflated bytes are checked before the scan.
 */
async function scanForBanner(path: string, gzipped: boolean): Promise<string | undefined> {
  const source = createReadStream(path)
  const inflate = gzipped ? createGunzip() : undefined
  const stream = inflate === undefined ? source : source.pipe(inflate)
  // pipe() does not forward errors: a read error must end the inflated stream too.
  if (inflate !== undefined) source.on('error', (error) => inflate.destroy(error))

  const scanner = new BannerScanner()
  let header: Buffer = Buffer.alloc(0)
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (gzipped && header.length < ARM64_HEADER_BYTES) {
        header = Buffer.concat([header, chunk.subarray(0, ARM64_HEADER_BYTES - header.length)])
        if (header.length === ARM64_HEADER_BYTES && !isArm64ImageHeader(header)) {
          throw notArm64Gzip(path)
        }
      }
      if (scanner.push(chunk) !== undefined) break // leaving the loop destroys the stream: nothing more is inflated
    }
  } catch (error) {
    if (error instanceof InputError) throw error
    throw fileError('image', path, error)
  } finally {
    source.destroy()
    inflate?.destroy()
  }
  if (gzipped && !isArm64ImageHeader(header)) throw notArm64Gzip(path)
  return scanner.banner
}

function notArm64Gzip(path: string): InputError {
  return new InputError(`image: ${path} is gzip-compressed but holds no arm64 Image (no "ARM\\x64" magic at offset 56)`)
}

