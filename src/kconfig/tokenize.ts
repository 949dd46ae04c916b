/**
 * The Kconfig preprocessor and lexer for one logical line: `$(VAR)` expansion with the variables the
 * tree defines, then tokens. Macro calls that would run the toolchain stay verbatim as macro tokens.
 */
import type { Token } from './expr.js'

/** A preprocessor variable: `:=` values are expanded when assigned, `=` values when used. */
export interface MacroVariable {
  value: string
  recursive: boolean
}

/** Known variables (ARCH, SRCARCH, srctree and the tree's own assignments). */
export type MacroScope = Map<string, MacroVariable>

/** Index just past the `)` matching the `$(` at `start`, or -1. Quotes do not nest, as in preprocess.c. */
function macroEnd(text: string, start: number): number {
  let depth = 0
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth === 0) return i + 1
  }
  return -1
}

function hasTopLevelComma(inner: string): boolean {
  let depth = 0
  for (const c of inner) {
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (c === ',' && depth === 0) return true
  }
  return false
}

/**
 * Expands `$(name)` references whose value is known. Function calls (`$(f,args)`), environment
 * variables we do not have (`$(CC)`) and variables built from them are left as written.
 */
export function expandMacros(text: string, scope: MacroScope, depth = 0): string {
  if (!text.includes('$(') || depth > 20) return text
  let out = ''
  let i = 0
  while (i < text.length) {
    const start = text.indexOf('$(', i)
    if (start < 0) {
      out += text.slice(i)
      break
    }
    out += text.slice(i, start)
    const end = macroEnd(text, start)
    if (end < 0) {
      out += text.slice(start)
      break
    }
    const inner = text.slice(start + 2, end - 1)
    out += hasTopLevelComma(inner) ? text.slice(start, end) : expandVariable(inner, text.slice(start, end), scope, depth)
    i = end
  }
  return out
}

function expandVariable(inner: string, original: string, scope: MacroScope, depth: number): string {
  const name = expandMacros(inner, scope, depth + 1).trim()
  const variable = scope.get(name)
  if (variable === undefined) return original
  const value = variable.recursive ? expandMacros(variable.value, scope, depth + 1) : variable.value
  return value.includes('$(') ? original : value
}

/** A variable assignment line (`name := value`, `name = value`, `name += value`), or undefined. */
export function parseAssignment(line: string): { name: string; op: ':=' | '=' | '+='; value: string } | undefined {
  const m = /^\s*([A-Za-z0-9_-]+)\s*(:=|\+=|=)\s*(.*)$/.exec(line)
  if (m === null) return undefined
  return { name: m[1]!, op: m[2] as ':=' | '=' | '+=', value: m[3]!.trimEnd() }
}

/** Applies an assignment to the scope, as the kernel's preprocessor does. */
export function assignVariable(scope: MacroScope, name: string, op: ':=' | '=' | '+=', value: string): void {
  if (op === '=') {
    scope.set(name, { value, recursive: true })
    return
  }
  if (op === ':=') {
    scope.set(name, { value: expandMacros(value, scope), recursive: false })
    return
  }
  const previous = scope.get(name)
  if (previous === undefined) scope.set(name, { value, recursive: true })
  else {
    const added = previous.recursive ? value : expandMacros(value, scope)
    scope.set(name, { value: previous.value === '' ? added : `${previous.value} ${added}`, recursive: previous.recursive })
  }
}

const TWO_CHAR_OPS = new Set(['&&', '||', '!=', '<=', '>='])
const ONE_CHAR_OPS = new Set(['!', '=', '<', '>', '(', ')'])
const WORD_END = new Set([' ', '\t', '#', '"', "'", ...ONE_CHAR_OPS])

/** Splits an expanded line into tokens; `#` outside quotes and macros starts a comment. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < line.length) {
    const c = line[i]!
    if (c === ' ' || c === '\t') {
      i++
      continue
    }
    if (c === '#') break
    if (c === '"' || c === "'") {
      const start = ++i
      let escaped = false
      while (i < line.length && line[i] !== c) {
        if (line[i] === '\\' && i + 1 < line.length) {
          escaped = true
          i++
        }
        i++
      }
      const raw = line.slice(start, i)
      i++
      tokens.push({ kind: 'string', text: escaped ? raw.replace(/\\(.)/g, '$1') : raw })
      continue
    }
    const two = line.slice(i, i + 2)
    if (TWO_CHAR_OPS.has(two)) {
      tokens.push({ kind: 'op', text: two })
      i += 2
      continue
    }
    if (ONE_CHAR_OPS.has(c)) {
      tokens.push({ kind: 'op', text: c })
      i++
      continue
    }
    // A word runs to the next blank, operator, quote or comment; `$(...)` inside it is kept whole.
    const start = i
    let macro = false
    while (i < line.length) {
      const d = line[i]!
      if (d === '$' && line[i + 1] === '(') {
        const end = macroEnd(line, i)
        if (end > 0) {
          i = end
          macro = true
          continue
        }
      }
      if (WORD_END.has(d) || ((d === '&' || d === '|') && line[i + 1] === d)) break
      i++
    }
    const text = line.slice(start, i)
    if (text === '') {
      // An operator-like character we do not know: keep it so that the caller reports the line.
      tokens.push({ kind: 'op', text: line[i]! })
      i++
      continue
    }
    tokens.push({ kind: macro ? 'macro' : 'word', text })
  }
  return tokens
}
