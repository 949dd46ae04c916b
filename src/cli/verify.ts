// `kernel-action verify REF`: would krata load this image as published? Registry auth is the action's client's: the
// Docker config and its credential helpers, else anonymous.
import { InputError } from '../errors.js'
import { verifyImage } from '../verify/verify-image.js'
import { parseHostArgs, REF_USAGE } from './host-args.js'
import { escaped, type CliIo } from './io.js'

export const VERIFY_USAGE = `usage: kernel-action verify REF [--arch x86_64|aarch64] [--light] [--insecure-registry]
       ${REF_USAGE}
exit status: 0 no problem, 1 a problem, 2 usage or input error`

/** Prints each broken rule (exit 1), else one `ok` line per image. */
export async function verifyCommand(args: string[], io: CliIo): Promise<number> {
  const { out, err } = escaped(io)
  const { reference, arch, insecureRegistry, light, root, dryRun } = parseHostArgs('verify', args)
  if (root !== '/' || dryRun) throw new InputError('--root and --dry-run are install options')
  const result = await verifyImage(reference, { arch, insecureRegistry, log: err, depth: light ? 'light' : 'full' })
  for (const line of result.violations) out(`${reference}: ${line}`)
  if (result.violations.length > 0) {
    const count = result.violations.length
    out(`${reference}: krata would not load this image as published (${count} problem${count === 1 ? '' : 's'})`)
    return 1
  }
  for (const image of result.images) out(`${reference}: ok${image.platform ? ` ${image.platform}` : ''} ${image.description}`)
  return 0
}
