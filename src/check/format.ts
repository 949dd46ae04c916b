import type { CheckResult } from './evaluate.js'

/** A result as a compiler-style line: `.config:1234: error: CONFIG_XEN_PV=m: built as a module...`. */
export function formatResultLine(result: CheckResult, file: string): string {
  const at = result.line === null ? file : `${file}:${result.line}`
  return `${at}: ${result.status}: ${result.message}${result.explanation ? `. Why: ${result.explanation}` : ''}`
}
