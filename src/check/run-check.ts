import { InputError } from '../errors.js'
import type { KernelArch } from '../arch.js'
import { detectArch, type KernelConfig } from './kernel-config.js'
import { readKernelConfig, readKernelConfigWithBytes, readSmallFile } from './read-config.js'
import { bootRequirements, mergeRequirements, parseRequirementsFile, requirementsFor, type Requirement, type Target } from './requirements.js'
import { evaluateRequirements } from './evaluate.js'
import { buildReport, type CheckReport, type FailOn } from './report.js'

export interface CheckRequest {
  config: string
  target: Target
  arch?: KernelArch
  requirements?: readonly string[]
  ignore?: readonly string[]
  strict?: boolean
  failOn?: FailOn
  /** Also check what krata's own code needs to boot a zone kernel (zone target only). */
  bootRules?: boolean
}

export interface CheckOutcome {
  config: KernelConfig
  /** The uncompressed `.config` bytes (what KERNEL_CONFIG digests and `kernel/config.gz` holds). */
  configBytes: Buffer
  arch: KernelArch
  requirements: Requirement[]
  report: CheckReport
}

/** Reads the config and any requirement files, then evaluates. The one way in for the action and the CLI. */
export async function runCheck(request: CheckRequest): Promise<CheckOutcome> {
  const { config, bytes: configBytes } = await readKernelConfigWithBytes(request.config)
  const arch = resolveArch(config, request.arch)
  const extra: Requirement[] = []
  for (const file of request.requirements ?? []) {
    extra.push(...parseRequirementsFile((await readSmallFile(file, 'requirements')).toString('utf8'), file))
  }
  const boot = request.target === 'zone' && (request.bootRules ?? true) ? bootRequirements() : []
  const requirements = mergeRequirements([...requirementsFor(request.target), ...boot], extra)
  const version = config.header?.version
  const results = evaluateRequirements(config, requirements, { arch, version, ignore: request.ignore, strict: request.strict })
  const report = buildReport(
    { target: request.target, arch, version, config: request.config, duplicates: config.duplicates },
    results,
    request.failOn ?? 'error',
  )
  return { config, configBytes, arch, requirements, report }
}

/** The config says which architecture it is for; input `arch` may confirm it but never contradict it. */
function resolveArch(config: KernelConfig, stated: KernelArch | undefined): KernelArch {
  const detected = detectArch(config)
  if (detected && stated && detected !== stated) {
    throw new InputError(`arch: input says ${stated} but ${config.file} is an ${detected} config`)
  }
  const arch = detected ?? stated
  if (!arch) {
    throw new InputError(`arch: cannot tell the architecture of ${config.file} (no CONFIG_X86_64=y or CONFIG_ARM64=y); set input arch`)
  }
  return arch
}

/** Where each option is written in the committed fragments (the last fragment to set it wins, as in merge_config.sh). */
export async function readFragmentLines(files: readonly string[]): Promise<Map<string, { file: string; line: number }>> {
  const lines = new Map<string, { file: string; line: number }>()
  for (const file of files) {
    const fragment = await readKernelConfig(file, 'fragment')
    for (const [option, entry] of fragment.entries) lines.set(option, { file, line: entry.line })
  }
  return lines
}
