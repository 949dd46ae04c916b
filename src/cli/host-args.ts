// The arguments `verify` and `install` share: one image reference, the architecture, how to reach the registry. Each
// knows the other's flags, so that a flag given to the wrong one says so instead of being unknown.
import { parseArgs } from 'node:util'
import { parseArch, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'

export const REF_USAGE = 'REF is host[:port]/repo[:tag|@digest] or oci:LAYOUT-DIR[:tag|@digest]'

export interface HostArgs {
  reference: string
  arch?: KernelArch
  insecureRegistry: boolean
  light: boolean
  root: string
  dryRun: boolean
}

export function parseHostArgs(command: 'verify' | 'install', args: string[]): HostArgs {
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
  return {
    reference: positionals[0]!,
    arch: values.arch === undefined ? undefined : parseArch('--arch', values.arch),
    insecureRegistry: values['insecure-registry'],
    light: values.light,
    root: values.root ?? '/',
    dryRun: values['dry-run'],
  }
}
