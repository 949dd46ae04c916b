import { describe, it, expect } from '@jest/globals'
import { BannerScanner } from '../src/describe/banner-scanner.js'

const BANNER = 'Linux version 6.1.192 (root@host) (gcc 12.2.0) #1 SMP Debian 6.1.192-1 (2026-01-01)\n'
const TEXT = '6.1.192 (root@host) (gcc 12.2.0) #1 SMP Debian 6.1.192-1 (2026-01-01)'

function bytes(...parts: string[]): Buffer {
  return Buffer.from(parts.join(''), 'latin1')
}

describe('BannerScanner', () => {
  it('finds the banner when every chunk is a single byte', () => {
    const data = bytes('\0\0junk', BANNER, '\0more')
    const scanner = new BannerScanner()
    let found: string | undefined
    for (let i = 0; i < data.length && found === undefined; i++) found = scanner.push(data.subarray(i, i + 1))
    expect(found).toBe(TEXT)
    expect(scanner.banner).toBe(TEXT)
  })

  it('skips a format string and an over-long run that only start like the banner', () => {
    const scanner = new BannerScanner()
    expect(scanner.push(bytes('Linux version %s (%s)\0'))).toBeUndefined()
    expect(scanner.push(bytes('Linux version ', 'x'.repeat(5000)))).toBeUndefined()
    expect(scanner.push(bytes('\0', BANNER, '\0'))).toBe(TEXT)
  })

  it('keeps the first banner once found', () => {
    const scanner = new BannerScanner()
    scanner.push(bytes(BANNER, '\0'))
    expect(scanner.push(bytes('Linux version 9.9.9 (other@host) #2\n\0'))).toBe(TEXT)
  })

  it('finds nothing in data without a banner', () => {
    const scanner = new BannerScanner()
    expect(scanner.push(Buffer.alloc(100_000, 0x41))).toBeUndefined()
    expect(scanner.banner).toBeUndefined()
  })
})
