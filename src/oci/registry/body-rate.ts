// The minimum rate of a streamed blob body: a registry trickling a few bytes now and then would otherwise hold a
// download (and the step) open for ever, since every byte resets an idle timer.
import { Transform, type Readable } from 'node:stream'

export interface RateRule {
  /** The window over which the rate is judged. */
  windowMs: number
  /** The least the body must bring per window of waiting. */
  minBytes: number
}

/**
 * `source` passed through, destroyed with `slow(bytes)` when it brings fewer than `rule.minBytes` over a window of
 * `rule.windowMs` spent waiting for it. Only time in which the reader has taken everything delivered counts: a
 * reader busy with what it has (a slow disk, a decompressor) does not make the registry slow. The end of the body
 * ends the watch, so a short last stretch is never judged. `onClose` runs once, however the stream ends.
 */
export function withMinimumRate(source: Readable, rule: RateRule, slow: (bytes: number) => Error, onClose: () => void): Readable {
  // Sampled: 30 ticks per window (1 s in the default 30 s window) is fine-grained enough for a bound of this size.
  const tickMs = Math.max(1, Math.round(rule.windowMs / 30))
  let waited = 0
  let arrived = 0
  const watched = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      arrived += chunk.length
      done(null, chunk)
    },
    flush(done) {
      clearInterval(ticker)
      done()
    },
  })
  const ticker = setInterval(() => {
    // Nothing buffered on either side: the reader waits on the registry.
    if (watched.readableLength > 0 || watched.writableLength > 0) return
    waited += tickMs
    if (waited < rule.windowMs) return
    if (arrived < rule.minBytes) watched.destroy(slow(arrived))
    waited = 0
    arrived = 0
  }, tickMs)
  ticker.unref() // the socket keeps the process alive while the body is read; the watch alone must not
  watched.once('close', () => {
    clearInterval(ticker)
    source.destroy()
    onClose()
  })
  source.once('error', (error) => watched.destroy(error))
  return source.pipe(watched)
}
