/**
 * Kconfig expressions: parsing a token list into a tree, printing it back, and evaluating it in
 * tristate logic against the values of a `.config` (semantics of the kernel's scripts/kconfig/expr.c).
 */
import { KconfigSyntaxError } from '../errors.js'

/** n=0, m=1, y=2: `&&` is min, `||` is max, `!` is 2-x. */
export type Tristate = 0 | 1 | 2

export type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>='

export type Expr =
  /** A symbol name or an unquoted constant word (`X86_64`, `y`, `512`, `0x1000`). */
  | { kind: 'symbol'; name: string }
  /** A quoted string constant. */
  | { kind: 'string'; value: string }
  /** A macro the Kconfig preprocessor would expand by running the toolchain (`$(cc-option,-mfoo)`). */
  | { kind: 'macro'; text: string }
  | { kind: 'not'; operand: Expr }
  | { kind: 'and'; left: Expr; right: Expr }
  | { kind: 'or'; left: Expr; right: Expr }
  | { kind: 'compare'; op: CompareOp; left: Expr; right: Expr }

export type SymbolType = 'bool' | 'tristate' | 'int' | 'hex' | 'string'

/** A token of a Kconfig line after macro expansion. */
export type Token = { kind: 'word'; text: string } | { kind: 'string'; text: string } | { kind: 'macro'; text: string } | { kind: 'op'; text: string }

/** What evaluation needs to know: the values, the symbol types and whether modules are on. */
export interface EvalContext {
  value(name: string): string | undefined
  typeOf(name: string): SymbolType | undefined
  modules: boolean
}

export const TRISTATE_LETTER: readonly ['n', 'm', 'y'] = ['n', 'm', 'y']

const CONSTANTS = new Set(['y', 'm', 'n'])

/** Parses a whole token list as one expression; throws a plain Error with a short reason on junk. */
export function parseExpr(tokens: readonly Token[]): Expr {
  let pos = 0
  const peekOp = (): string | undefined => {
    const t = tokens[pos]
    return t?.kind === 'op' ? t.text : undefined
  }

  const parseOr = (): Expr => {
    let left = parseAnd()
    while (peekOp() === '||') {
      pos++
      left = { kind: 'or', left, right: parseAnd() }
    }
    return left
  }
  const parseAnd = (): Expr => {
    let left = parseUnary()
    while (peekOp() === '&&') {
      pos++
      left = { kind: 'and', left, right: parseUnary() }
    }
    return left
  }
  // As in the kernel's grammar, `!A = B` is `!(A = B)`: comparisons bind tighter than `!`.
  const parseUnary = (): Expr => {
    const op = peekOp()
    if (op === '!') {
      pos++
      return { kind: 'not', operand: parseUnary() }
    }
    if (op === '(') {
      pos++
      const inner = parseOr()
      if (peekOp() !== ')') throw new KconfigSyntaxError('missing )')
      pos++
      return inner
    }
    const left = parseOperand()
    const cmp = peekOp()
    if (cmp === '=' || cmp === '!=' || cmp === '<' || cmp === '>' || cmp === '<=' || cmp === '>=') {
      pos++
      return { kind: 'compare', op: cmp, left, right: parseOperand() }
    }
    return left
  }
  const parseOperand = (): Expr => {
    const t = tokens[pos]
    if (t === undefined) throw new KconfigSyntaxError('expression ends early')
    pos++
    if (t.kind === 'word') return { kind: 'symbol', name: t.text }
    if (t.kind === 'macro') return { kind: 'macro', text: t.text }
    // The kernel looks quoted "y"/"m"/"n" up as the constants themselves.
    if (t.kind === 'string') return CONSTANTS.has(t.text) ? { kind: 'symbol', name: t.text } : { kind: 'string', value: t.text }
    throw new KconfigSyntaxError(`unexpected "${t.text}"`)
  }

  const expr = parseOr()
  if (pos !== tokens.length) throw new KconfigSyntaxError(`unexpected "${tokens[pos]!.text}"`)
  return expr
}

/** The conjuncts of a top-level `&&` chain, left to right. */
export function conjuncts(expr: Expr): Expr[] {
  return expr.kind === 'and' ? [...conjuncts(expr.left), ...conjuncts(expr.right)] : [expr]
}

/** `a && b && ...`, or undefined for an empty list (no condition). */
export function andAll(exprs: readonly Expr[]): Expr | undefined {
  return balanced('and', exprs)
}

/** `a || b || ...`, or undefined for an empty list. */
export function orAll(exprs: readonly Expr[]): Expr | undefined {
  return balanced('or', exprs)
}

/**
 * A balanced tree of one associative operator: it prints and evaluates as the chain `a && b && c` does, but is only
 * log2(n) deep, so the recursive walks over expressions stay shallow for a symbol with thousands of conditions.
 */
function balanced(kind: 'and' | 'or', exprs: readonly Expr[]): Expr | undefined {
  if (exprs.length === 0) return undefined
  let level: Expr[] = [...exprs]
  while (level.length > 1) {
    const next: Expr[] = []
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? { kind, left: level[i]!, right: level[i + 1]! } : level[i]!)
    level = next
  }
  return level[0]
}

const PRECEDENCE = { or: 1, and: 2, not: 3, compare: 4, symbol: 5, string: 5, macro: 5 } as const

/** Prints an expression the way Kconfig files write it, with only the parentheses it needs. */
export function formatExpr(expr: Expr): string {
  const wrap = (inner: Expr, min: number): string => {
    const text = formatExpr(inner)
    return PRECEDENCE[inner.kind] < min ? `(${text})` : text
  }
  switch (expr.kind) {
    case 'symbol':
      return expr.name
    case 'string':
      return `"${expr.value}"`
    case 'macro':
      return expr.text
    case 'not':
      // `!A = B` means `!(A = B)`: print the parentheses so nobody reads it the other way.
      return `!${wrap(expr.operand, PRECEDENCE.symbol)}`
    case 'and':
      return `${wrap(expr.left, PRECEDENCE.and)} && ${wrap(expr.right, PRECEDENCE.and)}`
    case 'or':
      return `${wrap(expr.left, PRECEDENCE.or)} || ${wrap(expr.right, PRECEDENCE.or)}`
    case 'compare':
      return `${formatExpr(expr.left)} ${expr.op} ${formatExpr(expr.right)}`
  }
}

/** The symbol names an expression reads (not the constants y/m/n). */
export function symbolsOf(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'symbol':
      if (!CONSTANTS.has(expr.name)) into.add(expr.name)
      break
    case 'not':
      symbolsOf(expr.operand, into)
      break
    case 'and':
    case 'or':
    case 'compare':
      symbolsOf(expr.left, into)
      symbolsOf(expr.right, into)
      break
    default:
      break
  }
  return into
}

/** Whether the expression contains a toolchain-dependent macro. */
export function hasMacro(expr: Expr): boolean {
  switch (expr.kind) {
    case 'macro':
      return true
    case 'not':
      return hasMacro(expr.operand)
    case 'and':
    case 'or':
    case 'compare':
      return hasMacro(expr.left) || hasMacro(expr.right)
    default:
      return false
  }
}

/** A symbol's tristate value: absent is n; with modules off, `m` counts as `y` (sym_calc_value does so). */
function symbolTristate(name: string, ctx: EvalContext): Tristate {
  if (name === 'y') return 2
  if (name === 'n') return 0
  // The constant m means `m && MODULES` in a dependency (menu_check_dep).
  if (name === 'm') return ctx.modules ? 1 : 0
  const type = ctx.typeOf(name)
  if (type !== undefined && type !== 'bool' && type !== 'tristate') return 0
  const value = ctx.value(name)
  if (value === 'y') return 2
  if (value === 'm') return ctx.modules ? 1 : 2
  return 0
}

/**
 * Evaluates in tristate logic. Macros cannot be evaluated without the user's toolchain: they count
 * as met (y), and callers that explain a failure point them out separately.
 */
export function evalExpr(expr: Expr, ctx: EvalContext): Tristate {
  switch (expr.kind) {
    case 'symbol':
      return symbolTristate(expr.name, ctx)
    case 'string':
      return CONSTANTS.has(expr.value) ? symbolTristate(expr.value, ctx) : 0
    case 'macro':
      return 2
    case 'not':
      return (2 - evalExpr(expr.operand, ctx)) as Tristate
    case 'and':
      return Math.min(evalExpr(expr.left, ctx), evalExpr(expr.right, ctx)) as Tristate
    case 'or':
      return Math.max(evalExpr(expr.left, ctx), evalExpr(expr.right, ctx)) as Tristate
    case 'compare':
      return evalCompare(expr.op, expr.left, expr.right, ctx)
  }
}

type Operand = { text: string; type: SymbolType | undefined } | undefined

/** The string value and type of a comparison operand; undefined for a macro (unknown). */
function operandOf(expr: Expr, ctx: EvalContext): Operand {
  if (expr.kind === 'string') return { text: expr.value, type: undefined }
  if (expr.kind !== 'symbol') return undefined
  const name = expr.name
  if (CONSTANTS.has(name)) return { text: TRISTATE_LETTER[symbolTristate(name, ctx)], type: 'tristate' }
  const type = ctx.typeOf(name)
  const value = ctx.value(name)
  // An undefined symbol is a constant whose value is its own name (the kernel's S_UNKNOWN symbols).
  if (type === undefined) return { text: value ?? name, type: undefined }
  if (type === 'bool' || type === 'tristate') return { text: TRISTATE_LETTER[symbolTristate(name, ctx)], type }
  return { text: value ?? '', type }
}

type Parsed = { kind: 'number'; value: bigint } | { kind: 'string' }

function parseNumber(text: string, type: SymbolType | undefined): Parsed {
  if (type === 'bool' || type === 'tristate') {
    const index = (TRISTATE_LETTER as readonly string[]).indexOf(text)
    return { kind: 'number', value: BigInt(index) }
  }
  const pattern = type === 'int' ? /^[-+]?\d+$/ : type === 'hex' ? /^(0[xX])?[0-9a-fA-F]+$/ : /^([-+]?\d+|[-+]?0[xX][0-9a-fA-F]+)$/
  if (!pattern.test(text)) return { kind: 'string' }
  if (type === 'hex' && !/^0[xX]/.test(text)) return { kind: 'number', value: BigInt(`0x${text}`) }
  const negative = text.startsWith('-')
  const digits = text.replace(/^[-+]/, '')
  // strtoll with base 0 reads a leading 0 as octal.
  const value = /^0\d/.test(digits) && type !== 'int' ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits)
  return { kind: 'number', value: negative ? -value : value }
}

function evalCompare(op: CompareOp, leftExpr: Expr, rightExpr: Expr, ctx: EvalContext): Tristate {
  const left = operandOf(leftExpr, ctx)
  const right = operandOf(rightExpr, ctx)
  if (left === undefined || right === undefined) return 2
  let order: number
  const bothStrings = left.type === 'string' && right.type === 'string'
  const l = bothStrings ? ({ kind: 'string' } as Parsed) : parseNumber(left.text, left.type)
  const r = bothStrings ? ({ kind: 'string' } as Parsed) : parseNumber(right.text, right.type)
  if (l.kind === 'number' && r.kind === 'number') order = l.value < r.value ? -1 : l.value > r.value ? 1 : 0
  else order = left.text < right.text ? -1 : left.text > right.text ? 1 : 0
  const holds =
    op === '=' ? order === 0 : op === '!=' ? order !== 0 : op === '<' ? order < 0 : op === '>' ? order > 0 : op === '<=' ? order <= 0 : order >= 0
  return holds ? 2 : 0
}
