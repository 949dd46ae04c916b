// The `/kernel/metadata` file of a krata / Edera kernel image: KEY=VALUE lines, each ending in "\n",
// no quoting (see krata-formats.md §1.3). Edera reads it with `grep '^KEY=' | cut -d= -f2` and
// `split(",")`, so a value must not hold a newline, "=", a space, or (in a tag) a comma.
import { InputError } from '../errors.js'
import type { KernelImageInfo } from './kernel-image.js'
import { KERNEL_ARCHES, type KernelArch } from '../arch.js'

export type { KernelArch }

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

/** Throws an InputError when the image and the .config cannot be the same kernel (architecture or version). */
export function crossCheckKernel(image: KernelImageInfo, config: ConfigIdentity): void {
  if (config.arch !== undefined && config.arch !== image.arch) {
    const kind = `${image.arch} ${FORMAT_NAMES[image.format]}`
    throw new InputError(`image: ${image.path} is an ${kind} but config ${config.file} is for ${config.arch}`)
  }
  const { release } = image
  if (config.version !== undefined && release !== undefined && !releaseMatches(release, config.version)) {
    throw new InputError(`image: ${image.path} is Linux ${release} but config ${config.file} is for ${config.version}`)
  }
}

/** "6.1.192-sample" matches 6.1.192; "6.1.1920" and "6.1.19" do not match each other. */
function releaseMatches(release: string, version: string): boolean {
  if (!release.startsWith(version)) return false
  const rest = release.slice(version.length)
  return rest === '' || !/^[0-9]/.test(rest)
}
