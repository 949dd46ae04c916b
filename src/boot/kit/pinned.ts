// The boot kits this version of kernel-action uses by default, pinned by manifest digest: what
// .github/workflows/boot-kit.yml pushes. To move the pin, run that workflow and copy the digests it prints here
// (`npm run boot-kit` on a Debian 12 machine with the same package versions prints the same digests).
import type { KernelArch } from '../../arch.js'

export const BOOT_KIT_REPOSITORY = 'ghcr.io/krata/kernel-action-boot-kit'

export const PINNED_BOOT_KITS: Readonly<Record<KernelArch, string>> = {
  x86_64: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
  aarch64: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
}

/** The default kit reference for an architecture: the repository at the pinned digest. */
export function defaultBootKit(arch: KernelArch): string {
  return `${BOOT_KIT_REPOSITORY}@${PINNED_BOOT_KITS[arch]}`
}
