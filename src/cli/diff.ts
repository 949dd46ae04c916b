// `kernel-action diff OLD NEW`: the drift report between two kernels, each a `.config`, a `config.gz` or an image.
import fs from 'node:fs'
import { parseArgs } from 'node:util'
import { parseArch, type KernelArch } from '../arch.js'
import { detectArch } from '../check/kernel-config.js'
import { InputError } from '../errors.js'
import { requirementOptionSet } from '../drift/config-diff.js'
import { buildDrift } from '../drift/drift.js'
import { readConfigSide, readImageSide, type ReadSide } from '../drift/read-side.js'
import { renderDriftText } from '../drift/render.js'
import { hostKernelArch } from '../pull/image-source.js'
import { escaped, writeLines, type CliIo } from './io.js'
import { escapeJsonForLog } from '../log-line.js'

export const DIFF_USAGE = `usage: kernel-action diff OLD NEW [--arch x86_64|aarch64] [--insecure-registry] [--json]
       OLD and NEW: a .config, a config.gz, or an image (host/repo:tag, host/repo@digest, oci:<layout>[:tag|@digest])
exit status: 0 same config, 1 options changed, 2 usage or input error`

/** Prints the drift; 1 when options changed. Registry credentials come from ~/.docker/config.json, else none. */
export async function diffCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      arch: { type: 'string' },
      'insecure-registry': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: true,
  })
  if (positionals.length !== 2) throw new InputError('diff: give exactly two kernels, OLD and NEW')
  const [oldArg, newArg] = positionals as [string, string]
  const isFile = (arg: string): boolean => !arg.startsWith('oci:') && fs.existsSync(arg)
  const files = new Map<string, ReadSide>()
  for (const arg of [oldArg, newArg]) if (isFile(arg)) files.set(arg, await readConfigSide(arg, 'diff'))
  // An index is read for the architecture asked for, else that of a config given beside it, else this host's.
  const stated = values.arch === undefined ? undefined : parseArch('--arch', values.arch)
  const arch: KernelArch = stated ?? [...files.values()].map((f) => detectArch(f.config)).find((a) => a !== undefined) ?? hostKernelArch()
  const read = async (arg: string): Promise<ReadSide> => {
    const file = files.get(arg)
    if (file) return file
    const image = await readImageSide(arg, { arch, insecureRegistry: values['insecure-registry'] })
    if (image === undefined) throw new InputError(`diff: ${arg} is neither a file nor an existing image`)
    return image
  }
  const drift = buildDrift(await read(oldArg), await read(newArg), requirementOptionSet())
  // Line by line through the same escaping (the JSON too, as before): config paths and values are user text.
  if (values.json) writeLines(io.out, `${escapeJsonForLog(JSON.stringify(drift, null, 2))}\n`)
  else writeLines(escaped(io).out, renderDriftText(drift))
  return drift.configChanged > 0 ? 1 : 0
}
