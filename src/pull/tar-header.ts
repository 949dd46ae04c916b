// The tar headers a layer may hold, judged as GNU tar judges them (its `from_header`): numeric fields in octal or
// base-256, ending in a space or NUL; no negative size; a checksum that adds up. Pure: bytes in, facts or a reason out.

export const TAR_BLOCK = 512

/** What a header block says, once it is known to be one GNU tar accepts. */
export interface TarHeaderFacts {
  /** The name as stored (prefix joined), before any pax `path`. */
  name: string
  /** Type flag character ('0', '5', 'x', 'L', ...; '\0' is a regular file). */
  type: string
  /** Bytes of body that follow the header (before padding to a block). */
  size: number
}

/** True for the all-zero block that ends an archive. */
export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false
  return true
}

/** The header's facts, or a string saying why GNU tar refuses it. `block` is exactly 512 bytes and not all zero. */
export function parseTarHeader(block: Buffer): TarHeaderFacts | string {
  const name = nameOf(block)
  const checksum = numericField(block, 148, 8)
  if (typeof checksum === 'string') return `checksum field ${checksum}`
  if (!checksumMatches(block, checksum)) return 'header checksum does not match its bytes'
  for (const [field, offset, length] of [
    ['mode', 100, 8],
    ['uid', 108, 8],
    ['gid', 116, 8],
    ['mtime', 136, 12],
  ] as const) {
    const value = numericField(block, offset, length)
    if (typeof value === 'string') return `${field} field ${value}`
  }
  const size = numericField(block, 124, 12)
  if (typeof size === 'string') return `size field ${size}`
  if (size === undefined) return 'size field is blank'
  if (size < 0) return 'size field is a negative base-256 number'
  if (!Number.isSafeInteger(size)) return 'size field is beyond any real file'
  return { name, type: String.fromCharCode(block[156]!), size }
}

function nameOf(block: Buffer): string {
  const name = cField(block, 0, 100)
  const ustar = block.toString('latin1', 257, 263)
  const prefix = ustar === 'ustar\0' ? cField(block, 345, 155) : ''
  return prefix === '' ? name : `${prefix}/${name}`
}

function cField(block: Buffer, offset: number, length: number): string {
  const bytes = block.subarray(offset, offset + length)
  const end = bytes.indexOf(0)
  return bytes.toString('utf8', 0, end < 0 ? length : end)
}

/**
 * A numeric field: leading spaces, octal digits, then a space or NUL (what follows is ignored); or base-256 (first
 * byte 0x80 positive, 0xff negative). Undefined when blank; a string saying what is wrong otherwise.
 */
export function numericField(block: Buffer, offset: number, length: number): number | string | undefined {
  const first = block[offset]!
  // Base-256: GNU tar reads a negative one only where its type is signed (mtime); the caller judges the sign.
  if (first === 0xff) return -1
  if (first === 0x80) {
    let value = 0n
    for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(block[offset + i]!)
    return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(value)
  }
  let at = offset
  const end = offset + length
  while (at < end && block[at] === 0x20) at++
  if (at === end || block[at] === 0) return undefined
  let value = 0
  const start = at
  while (at < end && block[at]! >= 0x30 && block[at]! <= 0x37) value = value * 8 + (block[at++]! - 0x30)
  if (at === start || (at < end && block[at] !== 0x20 && block[at] !== 0)) {
    return `holds ${JSON.stringify(block.toString('latin1', offset, end).replace(/\0+$/, ''))} where an octal number is expected`
  }
  return value
}

/** GNU tar accepts the unsigned sum and, for old writers, the signed one; the field itself counts as 8 spaces. */
function checksumMatches(block: Buffer, stored: number | undefined): boolean {
  if (stored === undefined) return false
  let unsigned = 8 * 0x20
  let signed = 8 * 0x20
  for (let i = 0; i < TAR_BLOCK; i++) {
    if (i >= 148 && i < 156) continue
    const byte = block[i]!
    unsigned += byte
    signed += byte > 127 ? byte - 256 : byte
  }
  return stored === unsigned || stored === signed
}

/** The `size` record of a pax extended header body ("<len> size=<decimal>\n"), a reason when malformed, or undefined. */
export function paxSize(body: Buffer): number | string | undefined {
  const text = body.toString('utf8')
  let size: number | undefined
  let at = 0
  while (at < text.length) {
    const space = text.indexOf(' ', at)
    const length = space < 0 ? NaN : Number(text.slice(at, space))
    if (!Number.isSafeInteger(length) || length <= space - at || at + length > text.length || text[at + length - 1] !== '\n') {
      if (/^\0*$/.test(text.slice(at))) break // padding some writers leave
      return 'pax header has a malformed record'
    }
    const record = text.slice(space + 1, at + length - 1)
    if (record.startsWith('size=')) {
      const value = record.slice('size='.length)
      if (!/^\d{1,15}$/.test(value)) return `pax header has size=${JSON.stringify(value).slice(0, 40)}, not a size`
      size = Number(value)
    }
    at += length
  }
  return size
}
