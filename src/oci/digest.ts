// sha256 digests in the OCI form `sha256:<64 hex>`, computed while bytes stream past (never a whole file in memory).
import { createHash, type Hash } from 'node:crypto'
import fs from 'node:fs'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { IntegrityError, InternalError } from '../errors.js'
import type { Descriptor } from './types.js'

// The one digest pattern: every reference, descriptor and layout file name is checked against it.
const SHA256_DIGEST = /^sha256:([0-9a-f]{64})$/

/** `sha256:` and 64 lowercase hex digits: the only digest form this action writes or accepts. */
export function isSha256Digest(text: string): boolean {
  return SHA256_DIGEST.test(text)
}

/** The digest and byte count of some content. */
export interface DigestAndSize {
  digest: string
  size: number
}

/** `sha256:<hex>` of a buffer. */
export function sha256Digest(bytes: Buffer | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** The hex part of a `sha256:` digest; anything else is refused, so it is safe to use as a file name. */
export function digestHex(digest: string): string {
  const match = SHA256_DIGEST.exec(digest)
  if (!match) throw new InternalError(`not a sha256 digest: ${JSON.stringify(digest)}`)
  return match[1]
}

/** Passes bytes through unchanged while hashing and counting them; `result()` is valid once the stream has flushed. */
export class DigestingStream extends Transform {
  readonly #hash: Hash = createHash('sha256')
  #size = 0
  #digest: string | undefined

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk)
    this.#size += chunk.length
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    this.#digest = `sha256:${this.#hash.digest('hex')}`
    callback()
  }

  result(): DigestAndSize {
    if (this.#digest === undefined) throw new InternalError('digest read before the stream ended')
    return { digest: this.#digest, size: this.#size }
  }
}

/**
 * The one verifying reader: passes a blob's bytes through, failing the stream as soon as there are more than the
 * descriptor's `size`, or at the end when the count or the sha256 differs. A reader never sees a short, long or
 * altered blob end cleanly; every mismatch is an IntegrityError.
 */
class VerifyingStream extends Transform {
  readonly #hash: Hash = createHash('sha256')
  #seen = 0
  constructor(
    private readonly expected: Pick<Descriptor, 'digest' | 'size'>,
    private readonly where: string,
  ) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#seen += chunk.length
    if (this.#seen > this.expected.size) {
      callback(new IntegrityError(`${this.where}: blob ${this.expected.digest} is longer than its ${this.expected.size} bytes`))
      return
    }
    this.#hash.update(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    callback(checkBytes(this.expected, this.#seen, `sha256:${this.#hash.digest('hex')}`, this.where) ?? null)
  }
}

/** The IntegrityError for bytes that are not what their descriptor says, or undefined when they are. */
export function checkBytes(expected: Pick<Descriptor, 'digest' | 'size'>, size: number, digest: string, where: string): IntegrityError | undefined {
  if (size !== expected.size) return new IntegrityError(`${where}: blob ${expected.digest} is ${size} bytes, its descriptor says ${expected.size}`)
  if (digest !== expected.digest) return new IntegrityError(`${where}: blob ${expected.digest} has digest ${digest} (corrupt or altered)`)
  return undefined
}

/** `source` piped into a VerifyingStream, with source errors carried over and the source closed with it. */
export function verifiedStream(
  source: NodeJS.ReadableStream & { destroy(error?: Error): unknown },
  expected: Pick<Descriptor, 'digest' | 'size'>,
  where: string,
): VerifyingStream {
  const check = new VerifyingStream(expected, where)
  source.on('error', (error: Error) => check.destroy(error))
  check.on('close', () => source.destroy())
  return source.pipe(check)
}

/** Digest and size of a file, read as a stream. */
export async function sha256OfFile(file: string): Promise<DigestAndSize> {
  const hash = createHash('sha256')
  let size = 0
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk)
      size += chunk.length
    }
  })
  return { digest: `sha256:${hash.digest('hex')}`, size }
}
