// The host-side subcommands: `verify <ref>` and `install <ref>`. Registry auth is the action's client's: the Docker
// config and its credential helpers, else anonymous.
import { parseArgs } from 'node:util'
import { parseArch } from './arch.js'
import { InputError } from './errors.js'
import { installKernel } from './install/install-kernel.js'
import { verifyImage } from './verify/verify-image.js'

export const HOST_USAGE = `       kernel-action verify REF [--arch x86_64|aarch64] [--light] [--insecure-registry]
       kernel-action install REF [--root DIR] [--arch x86_64|aarch64] [--dry-run] [--insecure-registry]
REF is host[:port]/repo[:tag|@digest] or oci:LAYOUT-DIR[:tag|@digest]`

export const HOST_COMMANDS = ['verify', 'install'] as const

interface Output {
  out: (line: string) => void
  err: (line: string) => void
}

/** Runs `verify` or `install`; returns the exit status (verify: 1 when a rule is broken). */
export async function runHostCommand(command: (typeof HOST_COMMANDS)[number], args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      arch: { type: 'string' },
      light: { type: 'boolean', default: false },
      root: { type: 'string', default: '/' },
      'dry-run': { type: 'boolean', default: false },
      'insecure-registry': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  })
  if (positionals.length !== 1) throw new InputError(`${command} takes one image reference (got ${positionals.length})`)
  const reference = positionals[0]!
  const arch = values.arch === undefined ? undefined : parseArch('--arch', values.arch)
  const common = { arch, insecureRegistry: values['insecure-registry'], log: output.err }
  if (command === 'verify') {
    if (values.root !== '/' || values['dry-run']) throw new InputError('--root and --dry-run are install options')
    const result = await verifyImage(reference, { ...common, depth: values.light ? 'light' : 'full' })
    for (const line of result.violations) output.out(`${reference}: ${line}`)
    if (result.violations.length > 0) {
      output.out(
        `${reference}: krata would not load this image as published (${result.violations.length} problem${result.violations.length === 1 ? '' : 's'})`,
      )
      return 1
    }
    for (const image of result.images) output.out(`${reference}: ok${image.platform ? ` ${image.platform}` : ''} ${image.description}`)
    return 0
  }
  if (values.light) throw new InputError('--light is a verify option')
  const outcome = await installKernel(reference, { ...common, root: values.root ?? '/', dryRun: values['dry-run'] })
  for (const line of outcome.lines) output.out(line)
  return 0
}
