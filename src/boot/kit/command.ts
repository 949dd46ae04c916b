import { parseArgs } from 'node:util'
import { parseArch } from '../../arch.js'
import { InputError } from '../../errors.js'
import { buildBootKit } from './build.js'

export const BOOT_KIT_USAGE = `usage: kernel-action boot-kit LAYOUT-DIR [--arch x86_64|aarch64]   (npm run boot-kit -- LAYOUT-DIR)
  builds the boot kit (Xen, a dom0 kernel and its userland, from Debian's packages) into an OCI layout, tagged with the arch`

/** `kernel-action boot-kit <layout-dir> [--arch]`: builds one architecture's boot kit and prints its digest. */
export async function bootKitCommand(args: string[], write: (line: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { arch: { type: 'string', default: 'x86_64' } }, strict: true, allowPositionals: true })
  if (positionals.length !== 1) throw new InputError('boot-kit: give one layout folder (npm run boot-kit -- LAYOUT-DIR [--arch x86_64|aarch64])')
  const arch = parseArch('--arch', values.arch ?? 'x86_64')
  const built = await buildBootKit(positionals[0], arch, write)
  write(`${positionals[0]}:${arch} ${built.digest}`)
  return 0
}
