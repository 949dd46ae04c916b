// Pure readers of the fixed headers at the start of Linux kernel images.
// x86: Documentation/x86/boot.rst (the "real-mode kernel header"); arm64: Documentation/arm64/booting.rst.

export type PayloadCompression = 'gzip' | 'xz' | 'zstd' | 'lz4' | 'lzo' | 'lzma' | 'bzip2' | 'none' | 'unknown'

/** Bytes of the x86 header this module needs: everything up to and including payload_length (0x24C/4). */
export const BZIMAGE_HEADER_BYTES = 0x250

/** The arm64 Image header is 64 bytes; its magic sits at offset 56. */
export const ARM64_HEADER_BYTES = 64

export interface BzImageHeader {
  /** Boot protocol version as major.minor, e.g. "2.15". */
  protocol: string
  /** Real-mode setup size in 512-byte sectors (0 in the file means 4). */
  setupSects: number
  /** File offset of the NUL-terminated kernel version string, when the header points to one. */
  versionStringOffset?: number
  /** File offset and length of the (usually compressed) payload, protocol 2.08+. */
  payload?: { offset: number; length: number }
}

const HDRS = 0x53726448 // "HdrS" read as little-endian u32

/** Parses the x86 boot header from the first bytes of a file; undefined when there is no "HdrS" magic. */
export function parseBzImageHeader(head: Buffer): BzImageHeader | undefined {
  if (head.length < 0x208 || head.readUInt32LE(0x202) !== HDRS) return undefined
  const version = head.readUInt16LE(0x206)
  const rawSetupSects = head.readUInt8(0x1f1)
  const setupSects = rawSetupSects === 0 ? 4 : rawSetupSects
  const header: BzImageHeader = { protocol: `${version >> 8}.${version & 0xff}`, setupSects }

  // boot.rst: kernel_version is a pointer "less 0x200", valid only when it falls inside the setup code.
  const versionPointer = head.length >= 0x210 ? head.readUInt16LE(0x20e) : 0
  if (versionPointer !== 0 && versionPointer < setupSects * 0x200) {
    header.versionStringOffset = versionPointer + 0x200
  }

  if (version >= 0x0208 && head.length >= BZIMAGE_HEADER_BYTES) {
    const payloadOffset = head.readUInt32LE(0x248)
    const length = head.readUInt32LE(0x24c)
    // payload_offset counts from the protected-mode code, which starts after the setup sectors.
    if (length > 0) header.payload = { offset: (setupSects + 1) * 512 + payloadOffset, length }
  }
  return header
}

const ARM64_MAGIC = 0x644d5241 // "ARM\x64" read as little-endian u32

/** True when the bytes start with an arm64 Image header. */
export function isArm64ImageHeader(head: Buffer): boolean {
  return head.length >= ARM64_HEADER_BYTES && head.readUInt32LE(56) === ARM64_MAGIC
}

/** True when the bytes start with the gzip magic (RFC 1952). */
export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b
}

// The magics boot.rst lists for the payload, longest first so that no short one shadows a long one.
const PAYLOAD_MAGICS: ReadonlyArray<readonly [PayloadCompression, readonly number[]]> = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4', [0x02, 0x21, 0x4c, 0x18]],
  ['lzo', [0x89, 0x4c, 0x5a, 0x4f]],
  ['none', [0x7f, 0x45, 0x4c, 0x46]], // an uncompressed ELF vmlinux
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['gzip', [0x1f, 0x8b]],
  ['lzma', [0x5d, 0x00]],
]

/** Longest magic in PAYLOAD_MAGICS: how many payload bytes to read. */
export const PAYLOAD_MAGIC_BYTES = 6

/** Names the compression of a bzImage payload from its first bytes. */
export function payloadCompressionOf(start: Buffer): PayloadCompression {
  for (const [name, magic] of PAYLOAD_MAGICS) {
    if (start.length >= magic.length && magic.every((byte, i) => start[i] === byte)) return name
  }
  return 'unknown'
}

/** The text before the first NUL (the whole buffer when there is none), as latin1 so no byte is lost. */
export function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0)
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('latin1')
}

/** The release (`uname -r`) is the first word of the version string or of the banner after "Linux version ". */
export function releaseOf(versionString: string): string | undefined {
  const first = versionString.trim().split(/\s+/)[0]
  return first === '' ? undefined : first
}
