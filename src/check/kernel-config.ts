import { archNames, archOfConfig, type KernelArch } from '../arch.js'
import { InputError } from '../errors.js'

/**
 * One option's state in a `.config`. "absent" is not an entry: it is the lack of one.
 * `not-set` is the explicit `# CONFIG_X is not set`; kconfig treats both as n, but they mean different things to a user.
 */
export type ConfigEntry =
  { state: 'not-set'; line: number } | { state: 'y'; line: number } | { state: 'm'; line: number } | { state: 'value'; value: string; line: number }

export interface ConfigHeader {
  /** As the kernel writes it: `x86`, `arm64`... (the SRCARCH, not the machine name). */
  srcarch: string
  version: string
  line: number
}

export interface DuplicateOption {
  option: string
  line: number
  previousLine: number
}

export interface KernelConfig {
  /** The file as the user named it, for messages. */
  file: string
  /** Keyed by the full name, `CONFIG_XEN`. */
  entries: ReadonlyMap<string, ConfigEntry>
  header?: ConfigHeader
  duplicates: DuplicateOption[]
}

const ASSIGNMENT = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/
const NOT_SET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/
const HEADER = /^# Linux\/(\S+) (\S+) Kernel Configuration$/

/**
 * Reads `.config` text the way the kernel's confdata.c does, but strictly: every line is an assignment, a
 * `# CONFIG_X is not set`, a comment or blank; anything else is an error naming file:line. A repeated option
 * is kept as a duplicate and the last one wins, as in the kernel.
 */
export function parseKernelConfig(text: string, file: string, input = 'config'): KernelConfig {
  if (text.trim() === '') throw new InputError(`${input}: ${file} is empty`)
  if (text.includes('\0')) throw new InputError(`${input}: ${file} is a binary file, not a kernel .config`)

  const entries = new Map<string, ConfigEntry>()
  const duplicates: DuplicateOption[] = []
  let header: ConfigHeader | undefined
  // Line by line with indexOf rather than split(): no array of every line is held while the entries are built.
  for (let start = 0, line = 1; start <= text.length; line++) {
    const newline = text.indexOf('\n', start)
    const end = newline === -1 ? text.length : newline
    const raw = text.slice(start, end)
    start = end + 1
    const content = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    const entry = parseLine(content, file, line)
    if (entry === undefined) {
      const h = HEADER.exec(content)
      if (h && header === undefined) header = { srcarch: h[1], version: h[2], line }
      continue
    }
    const previous = entries.get(entry.option)
    if (previous) duplicates.push({ option: entry.option, line, previousLine: previous.line })
    entries.set(entry.option, entry.entry)
  }
  return { file, entries, header, duplicates }
}

/**
 * The one grammar of a `.config` line, shared by configs, fragments and requirements files: an assignment
 * (`CONFIG_X=y|m|n|<value>|"<string>"`), `# CONFIG_X is not set`, a comment or blank (undefined). Anything else is
 * `invalid`; an unterminated string value is an InputError naming file:line.
 */
export function parseConfigLine(text: string, file: string, line: number): { option: string; entry: ConfigEntry } | 'invalid' | undefined {
  const trimmed = text.trim()
  if (trimmed === '') return undefined
  const notSet = NOT_SET.exec(trimmed)
  if (notSet) return { option: notSet[1], entry: { state: 'not-set', line } }
  if (trimmed.startsWith('#')) return undefined
  const assignment = ASSIGNMENT.exec(trimmed)
  if (!assignment) return 'invalid'
  const [, option, rawValue] = assignment
  // confdata.c reads a bool by its first character only and drops an int, hex or string that has more after it, so
  // "CONFIG_XEN=y # comment" never means the value "y # comment": refuse it, as kconfig writes no such line.
  if (rawValue.startsWith('"') ? trailingAfterString(rawValue) : /\s/.test(rawValue)) {
    throw new InputError(
      `${file}:${line}: ${option}: text after the value in ${JSON.stringify(clip(trimmed))} (a comment must be on a line of its own)`,
    )
  }
  if (rawValue === 'y') return { option, entry: { state: 'y', line } }
  if (rawValue === 'm') return { option, entry: { state: 'm', line } }
  if (rawValue === 'n') return { option, entry: { state: 'not-set', line } }
  return { option, entry: { state: 'value', value: unquote(rawValue, file, line, option), line } }
}

function parseLine(text: string, file: string, line: number): { option: string; entry: ConfigEntry } | undefined {
  const parsed = parseConfigLine(text, file, line)
  if (parsed === 'invalid') {
    throw new InputError(`${file}:${line}: not a kernel config line: ${JSON.stringify(clip(text.trim()))}`)
  }
  return parsed
}

/** True when a quoted string value ends before the line does (`"a" # note`), escapes taken into account. */
function trailingAfterString(raw: string): boolean {
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '\\') i++
    else if (raw[i] === '"') return raw.slice(i + 1).trim() !== ''
  }
  return false
}

/**
 * A kconfig string value is written quoted with `"` and `\` escaped; numbers and hex are bare. The value is cut out in
 * slices between escapes (never built a character at a time, which costs ~30 bytes of V8 rope per character).
 */
function unquote(raw: string, file: string, line: number, option: string): string {
  if (!raw.startsWith('"')) return raw
  const parts: string[] = []
  let from = 1
  for (;;) {
    const quote = raw.indexOf('"', from)
    const escape = raw.indexOf('\\', from)
    if (escape !== -1 && escape + 1 < raw.length && (quote === -1 || escape < quote)) {
      parts.push(raw.slice(from, escape), raw[escape + 1]!)
      from = escape + 2
      continue
    }
    if (quote === -1 || raw.slice(quote + 1).trim() !== '') break
    parts.push(raw.slice(from, quote))
    return parts.join('')
  }
  throw new InputError(`${file}:${line}: ${option} has an unterminated string value`)
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

/** The architecture a config was made for, from the symbols only an x86_64 or arm64 config sets. */
export function detectArch(config: KernelConfig): KernelArch | undefined {
  const byConfig = archOfConfig((option) => config.entries.get(option)?.state === 'y')
  if (byConfig) return byConfig
  // The header alone is enough for arm64 only: `Linux/x86` heads 32-bit configs too.
  return config.header?.srcarch === archNames('aarch64').srcarch ? 'aarch64' : undefined
}

/** `6.1.192` → [6, 1]; the header's version may carry a suffix (`6.12.0-rc1`). */
export function majorMinor(version: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '')
  return m ? [Number(m[1]), Number(m[2])] : undefined
}

/** How an entry reads to a user: `y`, `m`, `not set`, `absent` or the value. */
export function describeEntry(entry: ConfigEntry | undefined): string {
  if (!entry) return 'absent'
  if (entry.state === 'not-set') return 'not set'
  if (entry.state === 'value') return entry.value
  return entry.state
}

/** The values as kconfig sees them, keyed without the `CONFIG_` prefix (for the Kconfig explainer). */
export function kconfigValues(config: KernelConfig): ReadonlyMap<string, string> {
  const values = new Map<string, string>()
  for (const [option, entry] of config.entries) {
    const symbol = option.slice('CONFIG_'.length)
    values.set(symbol, entry.state === 'not-set' ? 'n' : entry.state === 'value' ? entry.value : entry.state)
  }
  return values
}
