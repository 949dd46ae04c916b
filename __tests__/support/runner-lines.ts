// How the GitHub runner reads a step's output (actions/runner, C#): lines split on CR, LF or CRLF; a line is a v2
// command when, after `TrimStart()` (.NET char.IsWhiteSpace), it starts with `::`, and a v1 command when it holds `##[`.

/**
 * .NET's white space: the Unicode space separators, U+2028, U+2029, U+0009–U+000D and U+0085; plus U+180E, U+200B and
 * U+FEFF, which older .NET versions trimmed too.
 */
export const RUNNER_WHITESPACE = [
  ...'\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000',
  '\u180e',
  '\u200b',
  '\ufeff',
]

const BLANK = new Set(RUNNER_WHITESPACE)

/** The lines of `output` the runner would take for commands. */
export function runnerCommands(output: string): string[] {
  return output.split(/\r\n|\r|\n/).filter((line) => {
    let start = 0
    while (start < line.length && BLANK.has(line[start]!)) start++
    return line.startsWith('::', start) || line.includes('##[')
  })
}
