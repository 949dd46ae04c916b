// The boot kits this version of kernel-action uses by default, pinned by manifest digest: what
// .github/workflows/boot-kit.yml pushes. To move the pin, run that workflow and copy the digests it prints here
// (`npm run boot-kit` on a Debian 12 machine with the same package versions prints the same digests).
import type { KernelArch } from '../arch.js'

const BOOT_KIT_REPOSITORY = 'ghcr.io/krata/kernel-action-boot-kit'

const PINNED_BOOT_KITS: Readonly<Record<KernelArch, string>> = {
  // Built with `npm run boot-kit` on 2026-12-06 from Debian 12's xen 4.17.7+13-g2445b30a44-0+deb12u1 and
  // linux-image-6.1.0-57 (6.1.192-3); the image annotations list every package.
  x86_64: 'sha256:651ea6a4dd8e6ab19bdcb969c2ea6113f6e060cd2e8e17a58c55b36e36226aa8',
  aarch64: 'sha256:c1f7d9b4ef5acaed99fa839027c5b585974b32f0473e5282defe06520d9236bb',
}

/** The default kit reference for an architecture: the repository at the pinned digest. */
export function defaultBootKit(arch: KernelArch): string {
  return `${BOOT_KIT_REPOSITORY}@${PINNED_BOOT_KITS[arch]}`
}
