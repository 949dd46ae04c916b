// `kernel-action boot-kit`: builds the boot kit (npm run boot-kit), or pulls one into the cache as the boot test does.
import { parseArgs } from 'node:util'
import { parseArch } from '../arch.js'
import { InputError } from '../errors.js'
import { buildBootKit } from '../boot/kit-build.js'
import { localKit } from '../boot/kit-fetch.js'
import { checkKitReference } from '../boot/kit-oci-adapter.js'
import { defaultBootKit } from '../boot/kit-pinned.js'
import { escaped, type CliIo } from './io.js'

export const BOOT_KIT_USAGE = `usage: kernel-action boot-kit LAYOUT-DIR [--arch x86_64|aarch64]   (npm run boot-kit -- LAYOUT-DIR)
         builds the boot kit (Xen, a dom0 kernel and its userland, from Debian's packages) into an OCI layout, tagged with the arch
       kernel-action boot-kit --pull [REFERENCE] [--arch x86_64|aarch64]
         pulls a boot kit (the pinned one by default) into the cache, as the boot test does, and prints where it is
exit status: 0 built or pulled, 2 usage, input or tool error (one line says which)`

/** Builds one architecture's kit and prints its digest, or pulls one into the cache. */
export async function bootKitCommand(args: string[], io: CliIo): Promise<number> {
  const write = escaped(io).out
  const { values, positionals } = parseArgs({
    args,
    options: { arch: { type: 'string', default: 'x86_64' }, pull: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: true,
  })
  const arch = parseArch('--arch', values.arch ?? 'x86_64')
  if (values.pull) {
    if (positionals.length > 1) throw new InputError('boot-kit --pull: give at most one reference')
    const reference = checkKitReference(positionals[0] ?? '') || defaultBootKit(arch)
    const local = await localKit(reference, arch, write)
    write(`${local.dir} ${local.digest}${local.cached ? ' (from the cache)' : ''}`)
    return 0
  }
  if (positionals.length !== 1) throw new InputError('boot-kit: give one layout folder (npm run boot-kit -- LAYOUT-DIR [--arch x86_64|aarch64])')
  const built = await buildBootKit(positionals[0]!, arch, write)
  write(`${positionals[0]}:${arch} ${built.digest}`)
  return 0
}
