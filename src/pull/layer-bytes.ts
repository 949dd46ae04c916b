// A layer's bytes must be what its media type says before any decompressor sees them: the `zstd` program also
// decodes gzip, xz and lz4, so a `tar+zstd` layer holding gzip would otherwise pass. Pure checks on bytes.
import type { LayerCompression } from '../oci/layer.js'

/** How many leading bytes the magic check needs (a ustar magic sits at 257..262). */
export const MAGIC_BYTES = 263

const WORDS: Record<LayerCompression, string> = { gzip: 'gzip (1f 8b)', zstd: 'zstd (28 b5 2f fd)', none: 'a tar archive ("ustar" at byte 257)' }

/** Undefined when `head` (the first MAGIC_BYTES, fewer only at the end of the blob) starts as `compression` does. */
export function layerMagicProblem(head: Buffer, compression: LayerCompression): string | undefined {
  if (head.length === 0) return 'is empty'
  const ok =
    compression === 'gzip'
      ? head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
      : compression === 'zstd'
        ? head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC
        : isTarStart(head)
  if (ok) return undefined
  return `does not start as ${WORDS[compression]} but with ${head
    .subarray(0, 4)
    .toString('hex')
    .replace(/(..)(?=.)/g, '$1 ')}${describe(head)}`
}

function isTarStart(head: Buffer): boolean {
  if (head.length < MAGIC_BYTES) return head.length >= 512 || head.every((byte) => byte === 0)
  const magic = head.toString('latin1', 257, 262)
  // An empty archive is all zeros; otherwise POSIX "ustar\0" or GNU "ustar  ".
  return magic === 'ustar' || head.every((byte) => byte === 0)
}

function describe(head: Buffer): string {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return ' (gzip)'
  if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC) return ' (zstd)'
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return ' (xz)'
  return ''
}

const ZSTD_MAGIC = 0xfd2fb528
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50

/**
 * Follows a zstd stream frame by frame (RFC 8878 §3.1) without decompressing, so every frame, not only the first, is
 * a zstd frame (or a skippable one): `push` returns a reason as soon as one is not.
 */
export class ZstdFrameCheck {
  #need = 4
  #collected: number[] = []
  #step: 'magic' | 'descriptor' | 'header-rest' | 'block-header' | 'skip' | 'skippable-size' = 'magic'
  #skip = 0
  #afterSkip: 'block-header' | 'magic' = 'magic'
  #descriptor = 0
  #lastBlock = false

  /** Feeds the next bytes; a reason when the stream stops being zstd. */
  push(chunk: Buffer): string | undefined {
    let at = 0
    while (at < chunk.length) {
      if (this.#step === 'skip') {
        const step = Math.min(this.#skip, chunk.length - at)
        this.#skip -= step
        at += step
        if (this.#skip === 0) this.#to(this.#afterSkip)
        continue
      }
      while (at < chunk.length && this.#collected.length < this.#need) this.#collected.push(chunk[at++]!)
      if (this.#collected.length < this.#need) break
      const problem = this.#field(Buffer.from(this.#collected))
      if (problem !== undefined) return problem
    }
    return undefined
  }

  /** A reason when the stream ends inside a frame. */
  end(): string | undefined {
    return this.#step === 'magic' && this.#collected.length === 0 ? undefined : 'the zstd stream ends inside a frame'
  }

  #to(step: 'magic' | 'block-header'): void {
    this.#step = step
    this.#need = step === 'magic' ? 4 : 3
    this.#collected = []
  }

  #field(bytes: Buffer): string | undefined {
    switch (this.#step) {
      case 'magic': {
        const magic = bytes.readUInt32LE(0)
        if (magic === ZSTD_MAGIC) {
          this.#step = 'descriptor'
          this.#need = 1
          this.#collected = []
          return undefined
        }
        if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.#step = 'skippable-size'
          this.#need = 4
          this.#collected = []
          return undefined
        }
        return `a frame starts with ${bytes.toString('hex')}, not the zstd magic${describe(bytes)}`
      }
      case 'skippable-size':
        return this.#skipThen(bytes.readUInt32LE(0), 'magic')
      case 'descriptor': {
        const d = bytes[0]!
        if (d & 0x08) return 'a zstd frame header sets its reserved bit'
        this.#descriptor = d
        const single = (d >> 5) & 1
        const fcs = [single ? 1 : 0, 2, 4, 8][d >> 6]!
        const dict = [0, 1, 2, 4][d & 3]!
        const rest = (single ? 0 : 1) + dict + fcs
        this.#lastBlock = false
        if (rest === 0) {
          this.#to('block-header')
          return undefined
        }
        this.#step = 'header-rest'
        this.#need = rest
        this.#collected = []
        return undefined
      }
      case 'header-rest':
        this.#to('block-header')
        return undefined
      case 'block-header': {
        const header = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16)
        const type = (header >> 1) & 3
        if (type === 3) return 'a zstd block has the reserved type'
        const size = type === 1 ? 1 : header >>> 3
        this.#lastBlock = (header & 1) === 1
        const checksum = (this.#descriptor >> 2) & 1 ? 4 : 0
        return this.#skipThen(size + (this.#lastBlock ? checksum : 0), this.#lastBlock ? 'magic' : 'block-header')
      }
      default:
        return undefined
    }
  }

  #skipThen(bytes: number, then: 'magic' | 'block-header'): undefined {
    this.#collected = []
    if (bytes === 0) {
      this.#to(then)
      return undefined
    }
    this.#step = 'skip'
    this.#skip = bytes
    this.#afterSkip = then
    return undefined
  }
}
