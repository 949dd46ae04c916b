// No imports: the CLI uses this too, and must not bundle @actions/core.

/**
 * A log line as the runner must see it: one line, never starting with `::` (a v2 command, leading blanks ignored) and
 * never holding `##[` (a v1 command, anywhere in the line). `%` is not special in a plain line, so the runner's own
 * escapes show the change without any ambiguity.
 */
export function escapeLogLine(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, (eol) => (eol === '\r' ? '\\r' : '\\n'))
    .replace(/^(\s*)::/, '$1%3A:')
    .replace(/##\[/g, '##%5B')
}

/** User text inside the job summary's HTML: the five characters HTML gives a meaning to, as numeric references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
