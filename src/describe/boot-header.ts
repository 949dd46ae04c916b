// Pure readers of the fixed headers at the start of Linux kernel images.
// x86: Documentation/x86/boot.rst (the "real-mode kernel header"); arm64: Documentation/arm64/booting.rst.

export type PayloadCompression = 'gzip' | 'xz' | 'zstd' | 'lz4' | 'lzo' | 'lzma' | 'bzip2' | 'none' | 'unknown'

/** Bytes of the x86 header this module needs: everything up to and including init_size (0x260/4). */
export const BZIMAGE_HEADER_BYTES = 0x264

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
  /** init_size (protocol 2.10+): the memory the kernel needs once decompressed, so a bound on what its payload inflates to. */
  initSize?: number
  /**
   * The bytes the file must hold: setup sectors plus syssize 16-byte paragraphs (protocol 2.04+, where syssize is 32
   * bits). arch/x86/boot/tools/build.c pads the file to exactly this; a signature may follow it.
   */
  declaredSize?: number
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

  if (version >= 0x0204) header.declaredSize = (setupSects + 1) * 512 + head.readUInt32LE(0x1f4) * 16

  if (version >= 0x020a && head.length >= 0x264 && head.readUInt32LE(0x260) > 0) header.initSize = head.readUInt32LE(0x260)
  if (version >= 0x0208 && head.length >= 0x250) {
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

/**
 * The payload compression of an EFI zboot image (`vmlinuz.efi`, CONFIG_EFI_ZBOOT=y), from its header
 * (drivers/firmware/efi/libstub/zboot-header.S: "MZ", "zimg" at 4, the compression's name at 24), or undefined when
 * `head` is not one. Only EFI firmware starts such a file; Xen's domain builder wants the Image inside it.
 */
export function efiZbootCompression(head: Buffer): string | undefined {
  if (head.length < 0x40 || head.toString('latin1', 0, 2) !== 'MZ' || head.toString('latin1', 4, 8) !== 'zimg') return undefined
  const name = head.subarray(24, 0x38)
  const end = name.indexOf(0)
  return name.toString('latin1', 0, end < 0 ? name.length : end).replace(/[^\x20-\x7e]/g, '?')
}

/**
 * The bytes an arm64 Image with an EFI stub must hold: the end of its last PE/COFF section's raw data
 * (arch/arm64/kernel/efi-header.S lays .text and .data out up to _edata). Undefined without a PE header ("MZ" at 0,
 * "PE\0\0" at the offset stored at 0x3c) or when `head` is too short to hold the section table.
 */
export function peFileExtent(head: Buffer): number | undefined {
  if (head.length < 0x40 || head[0] !== 0x4d || head[1] !== 0x5a) return undefined
  const pe = head.readUInt32LE(0x3c)
  if (pe + 24 > head.length || head.readUInt32LE(pe) !== 0x00004550) return undefined
  const sections = head.readUInt16LE(pe + 6)
  const table = pe + 24 + head.readUInt16LE(pe + 20)
  if (sections === 0 || table + sections * 40 > head.length) return undefined
  let extent = 0
  for (let i = 0; i < sections; i++) {
    const entry = table + i * 40
    const rawSize = head.readUInt32LE(entry + 16)
    if (rawSize > 0) extent = Math.max(extent, head.readUInt32LE(entry + 20) + rawSize)
  }
  return extent
}

/** The arm64 Image header's image_size (offset 16): the bytes the kernel occupies once loaded; 0 before Linux 3.17. */
export function arm64ImageSize(head: Buffer): number {
  if (head.length < ARM64_HEADER_BYTES) return 0
  const size = head.readBigUInt64LE(16)
  return size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size)
}

/** Bytes at the start of an arm64 Image that hold its PE header and section table. */
export const PE_HEADER_BYTES = 4096

/**
 * True when a kernel xz payload ends as an xz stream must: the footer magic "YZ" just before the 4-byte
 * uncompressed size that the kernel's size_append adds (scripts/Makefile.lib), or at the very end without it.
 */
export function xzPayloadEnds(tail: Buffer): boolean {
  const footerAt = (end: number): boolean => end >= 2 && tail[end - 2] === 0x59 && tail[end - 1] === 0x5a
  return footerAt(tail.length - 4) || footerAt(tail.length)
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
