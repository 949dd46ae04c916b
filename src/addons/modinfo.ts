// A kernel module's `vermagic`: the `vermagic=` string of its `.modinfo` ELF section (include/linux/vermagic.h:
// the release, then "SMP preempt mod_unload ..."), which the kernel compares before it loads the module. Pure.
import type { KernelArch } from '../arch.js'

/** What a module's bytes say of its vermagic: the string and the ELF machine it was built for, or why there is none. */
export type Vermagic = { vermagic: string; machine: number } | { problem: string }

/** ELF e_machine of each architecture kernel-action knows (elf.h: EM_X86_64, EM_AARCH64). */
export const ELF_MACHINES: Readonly<Record<KernelArch, number>> = { x86_64: 62, aarch64: 183 }

/** The architecture an ELF machine number is, or the number itself for one kernel-action does not know. */
export function archOfMachine(machine: number): string {
  return (Object.keys(ELF_MACHINES) as KernelArch[]).find((arch) => ELF_MACHINES[arch] === machine) ?? `ELF machine ${machine}`
}

/** The `vermagic=` value of the ELF object `elf` (32/64-bit, either byte order). */
export function moduleVermagic(elf: Buffer): Vermagic {
  if (elf.length < 52 || elf.readUInt32BE(0) !== 0x7f454c46) return { problem: 'is not an ELF file' }
  const wide = elf[4] === 2
  const little = elf[5] === 1
  if ((elf[4] !== 1 && !wide) || (elf[5] !== 1 && elf[5] !== 2)) return { problem: 'is an ELF file of unknown class or byte order' }
  const u16 = (at: number): number => (little ? elf.readUInt16LE(at) : elf.readUInt16BE(at))
  const u32 = (at: number): number => (little ? elf.readUInt32LE(at) : elf.readUInt32BE(at))
  const word = (at: number): number => (wide ? Number(little ? elf.readBigUInt64LE(at) : elf.readBigUInt64BE(at)) : u32(at))
  if (wide && elf.length < 64) return { problem: 'is a cut ELF file' }
  const sectionsAt = word(wide ? 0x28 : 0x20)
  const entrySize = u16(wide ? 0x3a : 0x2e)
  const count = u16(wide ? 0x3c : 0x30)
  const namesIndex = u16(wide ? 0x3e : 0x32)
  const minimum = wide ? 64 : 40
  if (entrySize < minimum || namesIndex >= count || sectionsAt + count * entrySize > elf.length)
    return { problem: 'has section headers past its end' }
  // Elf{32,64}_Shdr: sh_name at 0, then sh_offset and sh_size at 24/32 (64-bit) or 16/20 (32-bit).
  const section = (index: number): { name: number; offset: number; size: number } => {
    const at = sectionsAt + index * entrySize
    return { name: u32(at), offset: word(at + (wide ? 24 : 16)), size: word(at + (wide ? 32 : 20)) }
  }
  const inside = (s: { offset: number; size: number }): boolean => s.offset + s.size <= elf.length
  const names = section(namesIndex)
  if (!inside(names)) return { problem: 'has its section names past its end' }
  for (let index = 0; index < count; index++) {
    const candidate = section(index)
    if (cString(elf, names.offset + candidate.name, names.offset + names.size) !== '.modinfo') continue
    if (!inside(candidate)) return { problem: 'has its .modinfo section past its end' }
    // .modinfo is a run of NUL-terminated "key=value" strings.
    for (const field of elf.toString('latin1', candidate.offset, candidate.offset + candidate.size).split('\0')) {
      if (field.startsWith('vermagic=')) return { vermagic: field.slice('vermagic='.length), machine: u16(18) }
    }
    return { problem: 'has no vermagic= in its .modinfo section' }
  }
  return { problem: 'has no .modinfo section (not a kernel module)' }
}

function cString(bytes: Buffer, start: number, end: number): string {
  if (start >= end) return ''
  const nul = bytes.indexOf(0, start)
  return bytes.toString('latin1', start, nul === -1 || nul > end ? end : nul)
}

/** True when `vermagic` is that of a module built for `release`: the release, then a space or nothing. */
export function vermagicMatches(vermagic: string, release: string): boolean {
  return vermagic === release || vermagic.startsWith(`${release} `)
}

/** The release a vermagic names: its first word. */
export function releaseOfVermagic(vermagic: string): string {
  return vermagic.trim().split(/\s+/)[0] ?? ''
}
