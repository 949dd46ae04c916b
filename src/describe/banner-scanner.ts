// Finds the kernel's `linux_banner` ("Linux version <release> (<user>@<host>) ... #1 SMP ...\n") in a
// stream of chunks while holding only a bounded window of bytes, so big images are never held whole.

const NEEDLE = Buffer.from('Linux version ', 'latin1')

/** A banner longer than this is not a banner (the real one is about 150 bytes). */
const MAX_BANNER_BYTES = 1024

// A banner's release is one word that starts with a digit (VERSION.PATCHLEVEL...), then " (".
const BANNER_SHAPE = /^\d\S* \(/

export class BannerScanner {
  private window: Buffer = Buffer.alloc(0)
  private found: string | undefined

  /** The banner text after "Linux version ", without its trailing newline, once it has been seen. */
  get banner(): string | undefined {
    return this.found
  }

  /** Feeds the next chunk; returns the banner as soon as it is complete. */
  push(chunk: Buffer): string | undefined {
    if (this.found !== undefined) return this.found
    this.window = this.window.length === 0 ? chunk : Buffer.concat([this.window, chunk])
    let from = 0
    for (;;) {
      const at = this.window.indexOf(NEEDLE, from)
      if (at === -1) break
      const textStart = at + NEEDLE.length
      const end = this.window.indexOf(0, textStart)
      if (end === -1) {
        // Incomplete: keep it for the next chunk unless it is already too long to be the banner.
        if (this.window.length - textStart <= MAX_BANNER_BYTES) {
          this.window = this.window.subarray(at)
          return undefined
        }
        from = textStart
        continue
      }
      const text = this.window.subarray(textStart, end).toString('latin1')
      if (end - textStart <= MAX_BANNER_BYTES && BANNER_SHAPE.test(text)) {
        this.found = text.replace(/\n$/, '')
        this.window = Buffer.alloc(0)
        return this.found
      }
      from = textStart
    }
    // Keep just enough of the tail to match a needle split across chunks.
    this.window = Buffer.from(this.window.subarray(Math.max(0, this.window.length - (NEEDLE.length - 1))))
    return undefined
  }
}
