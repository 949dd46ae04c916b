// The `/kernel/metadata` file of a krata / Edera kernel image: KEY=VALUE lines, each ending in "\n",
// no quoting (see krata-formats.md §1.3). Edera reads it with `grep '^KEY=' | cut -d= -f2` and
// `split(",")`, so a value must not hold a newline, "=", a space, or (in a tag) a comma.
import { InputError } from '../errors.js'
import type { KernelImageInfo } from './kernel-image.js'
import { KERNEL_ARCHES, type KernelArch } from '../arch.js'

export interface KernelMetadata {
  arch: KernelArch
  /** The kernel version, e.g. "6.1.192" (KERNEL_VERSION). */
  version: string
  /** `uname -r`, written only when known (KERNEL_UNAME_R, as Edera has since 2026-03). */
  unameR?: string
  /** e.g. "zone" or "host" (KERNEL_FLAVOR). */
  flavor: string
  /** "sha256:" + the sha256 of the uncompressed .config (KERNEL_CONFIG). */
  configDigest: string
  /** The tags this kernel was published under (KERNEL_TAGS, comma-joined; omitted when empty). */
  tags: readonly string[]
}

const CONFIG_DIGEST = /^sha256:[0-9a-f]{64}$/

/**
 * Renders `/kernel/metadata`, in the order of krata's doc with Edera's later KERNEL_UNAME_R:
 * KERNEL_ARCH, KERNEL_VERSION, [KERNEL_UNAME_R], KERNEL_FLAVOR, KERNEL_CONFIG, [KERNEL_TAGS].
 */
export function renderKernelMetadata(metadata: KernelMetadata): string {
  const { arch, version, unameR, flavor, configDigest, tags } = metadata
  if (!KERNEL_ARCHES.includes(arch)) {
    throw new InputError(`arch: "${String(arch)}" is not a kernel architecture (${KERNEL_ARCHES.join(' or ')})`)
  }
  checkValue('version', version)
  if (unameR !== undefined) checkValue('uname-r', unameR)
  checkValue('flavor', flavor)
  if (!CONFIG_DIGEST.test(configDigest)) {
    throw new InputError(`config: digest "${configDigest}" is not sha256:<64 lowercase hex>`)
  }
  for (const tag of tags) {
    checkValue('tags', tag)
    if (tag.includes(',')) throw new InputError(`tags: "${tag}" contains a comma; KERNEL_TAGS is comma-separated`)
  }

  const lines = [`KERNEL_ARCH=${arch}`, `KERNEL_VERSION=${version}`]
  if (unameR !== undefined) lines.push(`KERNEL_UNAME_R=${unameR}`)
  lines.push(`KERNEL_FLAVOR=${flavor}`, `KERNEL_CONFIG=${configDigest}`)
  if (tags.length > 0) lines.push(`KERNEL_TAGS=${tags.join(',')}`)
  return lines.map((line) => `${line}\n`).join('')
}

/** A value must survive `cut -d= -f2` and a line-by-line read unchanged. */
function checkValue(input: string, value: string): void {
  const shown = JSON.stringify(value)
  if (value === '') throw new InputError(`${input}: must not be empty`)
  if (/[\r\n]/.test(value)) throw new InputError(`${input}: ${shown} contains a line break`)
  if (value.includes('=')) throw new InputError(`${input}: ${shown} contains "="`)
  if (/\s/.test(value)) throw new InputError(`${input}: ${shown} contains a space`)
}

const KEY = /^[A-Z_][A-Z0-9_]*$/

/** Parses `/kernel/metadata` text into key → value; the last of repeated keys wins, blank lines are skipped. */
export function parseKernelMetadata(text: string): Record<string, string> {
  const record: Record<string, string> = {}
  text.split('\n').forEach((line, index) => {
    if (line === '') return
    const eq = line.indexOf('=')
    const key = eq === -1 ? '' : line.slice(0, eq)
    if (!KEY.test(key)) throw new InputError(`metadata:${index + 1}: "${line}" is not a KEY=VALUE line`)
    record[key] = line.slice(eq + 1)
  })
  return record
}

export interface ConfigIdentity {
  /** From the .config header ("Linux/x86_64 6.1.192 Kernel Configuration"), when it says. */
  arch?: KernelArch
  /** The kernel version the .config header names, e.g. "6.1.192". */
  version?: string
  /** The .config path, for messages. */
  file: string
}

const FORMAT_NAMES: Record<KernelImageInfo['format'], string> = {
  bzImage: 'bzImage',
  'arm64-Image': 'Image',
  'arm64-Image.gz': 'Image.gz',
}

/**
 * Checks that the image, the .config and the `version` input can be the same kernel. Throws an InputError when they
 * cannot (another architecture, another major.minor, a version the image or config contradicts); returns warnings
 * for what is only unproven (same major.minor, but nothing in the image names the patch level).
 */
export function crossCheckKernel(image: KernelImageInfo, config: ConfigIdentity, versionInput = ''): string[] {
  if (config.arch !== undefined && config.arch !== image.arch) {
    const kind = `${image.arch} ${FORMAT_NAMES[image.format]}`
    throw new InputError(`image: ${image.path} is an ${kind} but config ${config.file} is for ${config.arch}`)
  }
  const warnings: string[] = []
  const { release } = image
  if (config.version !== undefined) {
    const agreement = releaseAgreement(image, config.version)
    if (agreement === 'mismatch') throw new InputError(`image: ${image.path} is Linux ${release} but config ${config.file} is for ${config.version}`)
    if (agreement === 'same-series') warnings.push(unprovenPatch(image, config.version, `config ${config.file} is for`))
  }
  const inputVersion = upstreamVersionOf(versionInput)
  if (inputVersion !== undefined) {
    if (config.version !== undefined && !sameVersion(inputVersion, upstreamVersionOf(config.version) ?? config.version)) {
      throw new InputError(`version: ${versionInput} contradicts config ${config.file}, which is for ${config.version}`)
    }
    const agreement = releaseAgreement(image, inputVersion)
    if (agreement === 'mismatch') throw new InputError(`version: ${versionInput} contradicts image ${image.path}, which is Linux ${release}`)
    if (agreement === 'same-series' && config.version === undefined) warnings.push(unprovenPatch(image, inputVersion, 'input version says'))
  }
  return warnings
}

function unprovenPatch(image: KernelImageInfo, version: string, claim: string): string {
  return `image: ${image.path} is Linux ${image.release}, ${claim} ${version}: the same ${seriesOf(version)} series, but nothing in the image names ${version}`
}

/**
 * How an image's release relates to an upstream version: 'match' when the release starts with it (6.1.192-sample),
 * 'named' when the image's version string names it as a whole token (Debian's "... Debian 6.1.192-2 (...)", Ubuntu's
 * "(Ubuntu 6.8.0-45.45-generic 6.8.12)"), 'same-series' when only major.minor agree, else 'mismatch'.
 */
export function releaseAgreement(
  image: Pick<KernelImageInfo, 'release' | 'versionString'>,
  version: string,
): 'match' | 'named' | 'same-series' | 'mismatch' {
  if (releaseMatches(image.release, version)) return 'match'
  if (namesVersion(image.versionString, version)) return 'named'
  const series = seriesOf(version)
  if (series === undefined || series !== seriesOf(image.release)) return 'mismatch'
  // A release with its own non-zero patch level (6.1.191-foo) names another kernel; distributions keep ".0" (6.1.0-56).
  const patch = /^\d+\.\d+\.(\d+)/.exec(image.release)?.[1]
  return patch === undefined || Number(patch) === 0 ? 'same-series' : 'mismatch'
}

/** "6.1.192-sample" matches 6.1.192; "6.1.1920" and "6.1.19" do not match each other. */
function releaseMatches(release: string, version: string): boolean {
  if (!release.startsWith(version)) return false
  const rest = release.slice(version.length)
  return rest === '' || !/^[0-9]/.test(rest)
}

/** The version as a token of its own: after a start, space or "(", and not followed by more digits of a longer one. */
function namesVersion(versionString: string, version: string): boolean {
  const escaped = version.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(?:^|[\\s(])${escaped}(?![0-9]|\\.[0-9])`).test(versionString)
}

/** "6.1" of "6.1.192" or "6.1.0-56-amd64". */
function seriesOf(version: string): string | undefined {
  return /^(\d+\.\d+)(?![0-9])/.exec(version)?.[1]
}

/** The upstream kernel version a `version` input starts with ("6.18.44" of "6.18.44+nvidia-610.57.04"), if any. */
function upstreamVersionOf(input: string): string | undefined {
  return /^\d+\.\d+(?:\.\d+)?(?![0-9])/.exec(input)?.[0]
}

/** 6.1 agrees with 6.1.192 (it names no patch level); 6.1.191 does not. */
function sameVersion(a: string, b: string): boolean {
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a]
  return longer === shorter || (longer.startsWith(shorter) && longer[shorter.length] === '.' && shorter.split('.').length === 2)
}
