// A pass-through in front of the tar parser that lets only archives GNU tar would read reach it: every header
// checked (tar-header.ts), at most MAX_ENTRIES entries, at most MAX_INFLATED bytes, and nothing after the first zero
// block (where GNU tar and krata's tar crate stop reading). Bytes pass unchanged, so the parser sees what was sent.
import { Transform, type TransformCallback } from 'node:stream'
import { InputError } from '../errors.js'
import { TAR_BLOCK, isZeroBlock, parseTarHeader, paxSize } from './tar-header.js'

/** A kernel image holds a handful of entries; this bound keeps a layer of empty entries from running for minutes. */
const MAX_ENTRIES = 65_536
/** The caps of the kernel files together (tar-limits.ts), with room for headers. */
const MAX_INFLATED = 4.5 * 1024 ** 3
/** GNU tar pads an archive to a 10 KiB record; anything far beyond the end-of-archive blocks is not tar. */
const MAX_TRAILING = 1024 * 1024
/** A pax header carries a few names and times. */
const MAX_PAX_BYTES = 1024 * 1024

type State =
  { kind: 'header' } | { kind: 'skip'; left: number } | { kind: 'pax'; body: Buffer[]; have: number; size: number; pad: number } | { kind: 'done' }

export class TarGate extends Transform {
  #state: State = { kind: 'header' }
  #pending = Buffer.alloc(0)
  #offset = 0
  #entries = 0
  #trailing = 0
  /** A pax `size` waiting for the header it applies to. */
  #nextSize: number | undefined

  constructor(private readonly where: string) {
    super({ highWaterMark: 1 << 20 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      const forward = this.#consume(chunk)
      callback(null, forward.length > 0 ? forward : undefined)
    } catch (error) {
      callback(error as Error)
    }
  }

  override _flush(callback: TransformCallback): void {
    // A short archive is the parser's to report ("Truncated input"); nothing is added here.
    callback()
  }

  /** Walks `chunk` and returns the part of it to pass on (all of it until the end-of-archive block). */
  #consume(chunk: Buffer): Buffer {
    if (this.#state.kind === 'done') {
      this.#follow(chunk.length)
      return Buffer.alloc(0)
    }
    if (this.#offset + chunk.length > MAX_INFLATED) {
      throw new InputError(`${this.where}: inflates to more than ${MAX_INFLATED} bytes, more than any kernel image holds`)
    }
    let at = 0
    while (at < chunk.length) {
      const state = this.#state
      if (state.kind === 'skip') {
        const step = Math.min(state.left, chunk.length - at)
        state.left -= step
        at += step
        if (state.left === 0) this.#state = { kind: 'header' }
        continue
      }
      if (state.kind === 'pax') {
        const step = Math.min(state.size + state.pad - state.have, chunk.length - at)
        if (state.have < state.size) state.body.push(chunk.subarray(at, at + Math.min(step, state.size - state.have)))
        state.have += step
        at += step
        if (state.have === state.size + state.pad) this.#paxDone(Buffer.concat(state.body))
        continue
      }
      const need = TAR_BLOCK - this.#pending.length
      const piece = chunk.subarray(at, at + need)
      at += piece.length
      this.#pending = this.#pending.length === 0 ? Buffer.from(piece) : Buffer.concat([this.#pending, piece])
      if (this.#pending.length === TAR_BLOCK) {
        const block = this.#pending
        this.#pending = Buffer.alloc(0)
        this.#header(block, this.#offset + at - TAR_BLOCK)
        if (this.#done()) {
          this.#follow(chunk.length - at)
          this.#offset += at
          return Buffer.concat([chunk.subarray(0, at), Buffer.alloc(TAR_BLOCK)])
        }
      }
    }
    this.#offset += chunk.length
    return chunk
  }

  #header(block: Buffer, position: number): void {
    if (isZeroBlock(block)) {
      // Only this zero block and one more reach the parser (a second one is sent for it), so it ends there too.
      this.#state = { kind: 'done' }
      return
    }
    const facts = parseTarHeader(block)
    if (typeof facts === 'string') throw new InputError(`${this.where}: tar header at byte ${position}: ${facts}; GNU tar refuses it`)
    if (++this.#entries > MAX_ENTRIES) throw new InputError(`${this.where}: more than ${MAX_ENTRIES} tar entries; a kernel image holds a few`)
    const meta = facts.type === 'x' || facts.type === 'g'
    const size = meta || this.#nextSize === undefined ? facts.size : this.#nextSize
    if (!meta && facts.type !== 'L' && facts.type !== 'K') this.#nextSize = undefined
    const pad = (TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK
    if (meta) {
      if (size > MAX_PAX_BYTES) throw new InputError(`${this.where}: tar entry "${facts.name}": a pax header of ${size} bytes`)
      this.#state = size + pad === 0 ? { kind: 'header' } : { kind: 'pax', body: [], have: 0, size, pad }
      this.#paxType = facts.type
      this.#paxName = facts.name
      if (size + pad === 0) this.#paxDone(Buffer.alloc(0))
      return
    }
    this.#state = size + pad === 0 ? { kind: 'header' } : { kind: 'skip', left: size + pad }
  }

  /** What follows the end of the archive is never read by GNU tar or krata: it need not be inflated for long. */
  #follow(bytes: number): void {
    this.#trailing += bytes
    if (this.#trailing > MAX_TRAILING) throw new InputError(`${this.where}: more than ${MAX_TRAILING} bytes follow the end of the tar archive`)
  }

  #done(): boolean {
    return this.#state.kind === 'done'
  }

  #paxType = 'x'
  #paxName = ''

  #paxDone(body: Buffer): void {
    this.#state = { kind: 'header' }
    const size = paxSize(body)
    if (typeof size === 'string') throw new InputError(`${this.where}: tar entry "${this.#paxName}": ${size}; GNU tar refuses it`)
    if (size === undefined) return
    // A global header's size would apply to every entry after it: no writer does that, so it is refused.
    if (this.#paxType === 'g') throw new InputError(`${this.where}: tar entry "${this.#paxName}": a global pax header sets size; refused`)
    this.#nextSize = size
  }
}
