// `kernel-action install REF`: the kernel, its addons and metadata where krata's daemon reads them. Registry auth is
// the action's client's: the Docker config and its credential helpers, else anonymous.
import { InputError } from '../errors.js'
import { installKernel } from '../install/install-kernel.js'
import { parseHostArgs, REF_USAGE } from './host-args.js'
import { escaped, type CliIo } from './io.js'

export const INSTALL_USAGE = `usage: kernel-action install REF [--root DIR] [--arch x86_64|aarch64] [--dry-run] [--insecure-registry]
       ${REF_USAGE}
exit status: 0 installed, 2 usage or input error`

export async function installCommand(args: string[], io: CliIo): Promise<number> {
  const { out, err } = escaped(io)
  const { reference, arch, insecureRegistry, light, root, dryRun } = parseHostArgs('install', args)
  if (light) throw new InputError('--light is a verify option')
  const outcome = await installKernel(reference, { arch, insecureRegistry, log: err, root, dryRun })
  for (const line of outcome.lines) out(line)
  return 0
}
