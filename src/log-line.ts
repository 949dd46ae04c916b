// No imports: the CLI uses this too, and must not bundle @actions/core.

/**
 * Every character the runner's `TrimStart()` drops before it looks for `::` (.NET `char.IsWhiteSpace`: the Unicode
 * space, line and paragraph separators, U+0009–U+000D and U+0085), plus what older .NET trimmed (U+180E, U+200B,
 * U+FEFF). JavaScript's `\s` alone misses U+0085, so a line starting with NEL and `::` reached the runner as a command.
 */
const RUNNER_BLANK = '[\\s\\u0085\\u180e\\u200b\\ufeff]'
const LEADING_COMMAND = new RegExp(`^(${RUNNER_BLANK}*)::`)

/**
 * A log line as the runner must see it: one line, never starting with `::` (a v2 command, leading blanks ignored) and
 * never holding `##[` (a v1 command, anywhere in the line). `%` is not special in a plain line, so the runner's own
 * escapes show the change without any ambiguity.
 */
export function escapeLogLine(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, (eol) => (eol === '\r' ? '\\r' : '\\n'))
    .replace(LEADING_COMMAND, '$1%3A:')
    .replace(/##\[/g, '##%5B')
}

/**
 * JSON printed where the runner reads it (`--json` in a workflow's `run:` step): `[` after `##` written as the JSON
 * escape `\u005b`, so no line holds a v1 command while every string parses back exactly as it was. A pretty-printed
 * JSON line never starts with `::`, so nothing else can be a command.
 */
export function escapeJsonForLog(json: string): string {
  return json.replace(/##\[/g, '##\\u005b')
}

/** User text inside the job summary's HTML: the five characters HTML gives a meaning to, as numeric references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * Text an image says about itself (annotations, metadata, config values, the references naming it) inside the job
 * summary. The summary is HTML blocks, which a blank line would end: whatever follows would be read as markdown. So
 * the text becomes one line (line breaks and other control characters shown as `\n`, `\u0085`...), and every character
 * that HTML or GitHub's markdown gives a meaning to (tags, entities, code spans, emphasis, links and images, headings,
 * table pipes, strikethrough, math) is a numeric reference: shown as itself, never acted on. `_` only at a word's edge,
 * where emphasis starts or ends, so option names stay readable.
 */
export function escapeSummaryText(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are what this shows as escapes
    /\r\n|[\0-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[&<>"'`*[\]!\\|~$#]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu,
    (c) => {
      if (c === '\r\n' || c === '\n') return '&#92;n'
      if (c === '\r') return '&#92;r'
      if (c === '\t') return '&#92;t'
      const code = c.charCodeAt(0)
      if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code >= 0x2000) return `&#92;u${code.toString(16).padStart(4, '0')}`
      return `&#${code};`
    },
  )
}
