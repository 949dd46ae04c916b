// What a command writes to: two line writers, so the CLI runs the same in a terminal and inside a test.
import { escapeLogLine } from '../log-line.js'

/** Standard output and standard error, a line at a time (the writer adds the line break). */
export interface CliIo {
  out: (line: string) => void
  err: (line: string) => void
}

/**
 * The same writers, each line escaped: in a workflow's `run:` step the runner reads this output, and a file name, a
 * config value or a guest's console line must not be a workflow command.
 */
export function escaped(io: CliIo): CliIo {
  return { out: (line) => io.out(escapeLogLine(line)), err: (line) => io.err(escapeLogLine(line)) }
}

/** Writes a block of text (ending with a line break, or not) as its lines. */
export function writeLines(write: (line: string) => void, text: string): void {
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  for (const line of lines) write(line)
}
