// The architectures krata runs, and every name each one goes by: one table, so no two modules disagree.
import { InputError } from './errors.js'

export interface ArchNames {
  /** `uname -m`, `KERNEL_ARCH` and `dev.edera.kernel.arch`. */
  kernel: 'x86_64' | 'aarch64'
  /** What people also write for it (OCI/Debian and kbuild names). */
  aliases: readonly string[]
  /** The image config's `architecture`, and the index `platform` krata matches. */
  oci: 'amd64' | 'arm64'
  /** `make ARCH=`. */
  kbuild: string
  /** The arch/ directory, also the name in the `.config` header (`# Linux/x86 6.1.0 Kernel Configuration`). */
  srcarch: string
  /** The symbol only a config of this architecture sets to y. */
  configSymbol: string
  /** Node's `process.arch` on such a host. */
  node: string
}

const ARCHES = [
  { kernel: 'x86_64', aliases: ['amd64', 'x86'], oci: 'amd64', kbuild: 'x86_64', srcarch: 'x86', configSymbol: 'CONFIG_X86_64', node: 'x64' },
  { kernel: 'aarch64', aliases: ['arm64'], oci: 'arm64', kbuild: 'arm64', srcarch: 'arm64', configSymbol: 'CONFIG_ARM64', node: 'arm64' },
] as const satisfies readonly ArchNames[]

export type KernelArch = (typeof ARCHES)[number]['kernel']
export type OciArch = (typeof ARCHES)[number]['oci']

export const KERNEL_ARCHES: readonly KernelArch[] = ARCHES.map((a) => a.kernel)
export const OCI_ARCHES: readonly OciArch[] = ARCHES.map((a) => a.oci)

/** All the names of one architecture. */
export function archNames(arch: KernelArch): ArchNames {
  return ARCHES.find((a) => a.kernel === arch)!
}

/** `amd64` → `x86_64`: the kernel name for a name or alias, or undefined. */
function kernelArchOf(name: string): KernelArch | undefined {
  const trimmed = name.trim()
  return ARCHES.find((a) => a.kernel === trimmed || (a.aliases as readonly string[]).includes(trimmed))?.kernel
}

/** An architecture input (`arch`, `--arch`): a kernel name or an alias; anything else names the input at fault. */
export function parseArch(input: string, value: string): KernelArch {
  const arch = kernelArchOf(value)
  if (arch === undefined) {
    throw new InputError(`${input}: ${JSON.stringify(value)} is not one of ${ARCHES.flatMap((a) => [a.kernel, ...a.aliases]).join(', ')}`)
  }
  return arch
}

/** The OCI `architecture` of a kernel architecture. */
export function ociArch(arch: KernelArch): OciArch {
  return archNames(arch).oci
}

/** The kernel architecture of an OCI `architecture`, when krata runs it. */
export function archOfOci(oci: unknown): KernelArch | undefined {
  return ARCHES.find((a) => a.oci === oci)?.kernel
}

/** Which architecture's own symbol is `y`, by a lookup of `CONFIG_*` names. */
export function archOfConfig(isSet: (option: string) => boolean): KernelArch | undefined {
  return ARCHES.find((a) => isSet(a.configSymbol))?.kernel
}

/** The architecture of the host this runs on (Node's `process.arch`), or undefined where krata runs no kernel. */
export function archOfNode(nodeArch: string = process.arch): KernelArch | undefined {
  return ARCHES.find((a) => a.node === nodeArch)?.kernel
}
