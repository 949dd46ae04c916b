/**
 * Why a required option does not have the wanted value: its unmet dependencies (recursively, to the
 * first option a user can set), whether it has a prompt, and who selects or implies it. Data first
 * (like Kconfiglib's missing_deps), rendered to one line at the edge.
 */
import { andAll, conjuncts, evalExpr, formatExpr, hasMacro, TRISTATE_LETTER, type EvalContext, type Expr, type Tristate } from './expr.js'
import type { KconfigTree, KernelArch, ReverseLink, SourceLocation, SymbolDefinition } from './parse.js'
import {
  attainableLevel,
  definitionDependency,
  directDependency,
  evalContext,
  possibleValue,
  promptCondition,
  type ValueSource,
} from './symbol-facts.js'

export type TristateLetter = 'n' | 'm' | 'y'

export interface UnmetDependency {
  /** One conjunct of the direct dependency, as Kconfig writes it (`XEN`, `(A || B)` is printed `A || B`). */
  expr: string
  value: TristateLetter
  /** Why that conjunct is off, when it is a single symbol that is not simply settable. */
  cause?: Explanation
}

export interface LinkState {
  symbol: string
  state: TristateLetter
  condition?: string
}

export interface Explanation {
  symbol: string
  wanted: string
  /** The value in the `.config`; undefined when the symbol is absent from it. */
  found: string | undefined
  arch: KernelArch
  definedAt: SourceLocation[]
  /** false: no such symbol in this tree for this arch (another arch's, or another version's). */
  exists: boolean
  /** false: defined, but no choice of other options can give it the wanted value on this arch. */
  attainable: boolean
  /** Whether a user can set it (a prompt that can be shown); without one only defaults, select and imply do. */
  hasPrompt: boolean
  /** Without a prompt: the value its defaults give once its dependencies hold (`n` when they give nothing). */
  defaultsTo: TristateLetter
  /** An `=m` is wanted but loadable modules are off (the modules symbol, `MODULES`, is not y): m cannot stay m. */
  modulesOff?: string
  unmetDependencies: UnmetDependency[]
  /** When it has a prompt and its dependencies hold, the unmet part of the prompt's `if` / `visible if`. */
  hiddenPrompt?: UnmetDependency[]
  selectedBy: LinkState[]
  impliedBy: LinkState[]
  /** Conjuncts that need the toolchain to evaluate (`$(cc-option,...)`); assumed met. */
  toolchainDependent: string[]
}

/** The tristate a wanted value needs: y for y, m for m, and "visible" (m) for an int, hex or string value. */
export function wantedLevel(wanted: string): Tristate {
  if (wanted === 'y') return 2
  if (wanted === 'n') return 0
  return 1
}

const MAX_DEPTH = 8

class Explainer {
  private readonly ctx: EvalContext
  /** Symbols already explained once in this explanation: a second mention carries no cause. */
  private readonly explained = new Set<string>()

  constructor(
    private readonly tree: KconfigTree,
    private readonly values: ValueSource,
  ) {
    this.ctx = evalContext(tree, values)
  }

  explain(symbol: string, wanted: string, depth: number): Explanation {
    this.explained.add(symbol)
    const defs = this.tree.symbols.get(symbol) ?? []
    const level = wantedLevel(wanted)
    const explanation: Explanation = {
      symbol,
      wanted,
      found: this.values.get(symbol),
      arch: this.tree.arch,
      definedAt: defs.map((d) => d.location),
      exists: defs.length > 0,
      attainable: defs.length > 0 && attainableLevel(this.tree, symbol) >= level,
      hasPrompt: defs.some((d) => d.prompt !== undefined && possibleValue(this.tree, andAll([definitionDependency(d), promptCondition(d)])!) > 0),
      defaultsTo: TRISTATE_LETTER[defaultLevel(this.tree, defs)],
      unmetDependencies: [],
      selectedBy: this.linkStates(this.tree.selectedBy.get(symbol)),
      impliedBy: this.linkStates(this.tree.impliedBy.get(symbol)),
      toolchainDependent: [],
    }
    if (defs.length === 0 || level === 0) return explanation
    if (wanted === 'm' && this.values.get(this.tree.modulesSymbol) !== 'y') explanation.modulesOff = this.tree.modulesSymbol

    // `if XEN` around a `depends on XEN` gives the same term twice: name it once.
    const seen = new Set<string>()
    for (const term of conjuncts(directDependency(defs))) {
      const text = formatExpr(term)
      if (seen.has(text)) continue
      seen.add(text)
      if (hasMacro(term)) explanation.toolchainDependent.push(text)
      const value = evalExpr(term, this.ctx)
      if (value >= level) continue
      const unmet: UnmetDependency = { expr: text, value: TRISTATE_LETTER[value] }
      const cause = this.causeOf(term, depth)
      if (cause !== undefined) unmet.cause = cause
      explanation.unmetDependencies.push(unmet)
    }
    if (explanation.hasPrompt && explanation.unmetDependencies.length === 0) {
      const shown = defs.filter((d) => d.prompt !== undefined)
      const hidden = shown.every((d) => evalExpr(promptCondition(d), this.ctx) === 0)
      if (hidden) {
        explanation.hiddenPrompt = conjuncts(promptCondition(shown[0]!))
          .map((term) => ({ term, value: evalExpr(term, this.ctx) }))
          .filter(({ value }) => value === 0)
          .map(({ term, value }) => ({ expr: formatExpr(term), value: TRISTATE_LETTER[value] }))
      }
    }
    return explanation
  }

  private causeOf(term: Expr, depth: number): Explanation | undefined {
    const name = term.kind === 'symbol' ? term.name : undefined
    if (name === undefined || name === 'y' || name === 'm' || name === 'n') return undefined
    if (this.explained.has(name) || depth >= MAX_DEPTH) return undefined
    const cause = this.explain(name, 'y', depth + 1)
    // A symbol that has a prompt and whose dependencies hold is the settable cause itself: nothing more to say.
    const settable = cause.exists && cause.attainable && cause.hasPrompt && cause.unmetDependencies.length === 0 && cause.hiddenPrompt === undefined
    return settable ? undefined : cause
  }

  private linkStates(links: readonly ReverseLink[] | undefined): LinkState[] {
    return (links ?? []).map((link) => {
      const state: LinkState = { symbol: link.symbol, state: TRISTATE_LETTER[evalExpr({ kind: 'symbol', name: link.symbol }, this.ctx)] }
      if (link.condition) state.condition = formatExpr(link.condition)
      return state
    })
  }
}

/** The most a symbol's own defaults can give on this arch once its dependencies hold (select and imply aside). */
function defaultLevel(tree: KconfigTree, defs: readonly SymbolDefinition[]): Tristate {
  let best: Tristate = 0
  for (const def of defs) {
    for (const d of def.defaults) {
      const value = Math.min(possibleValue(tree, d.value), d.condition === undefined ? 2 : possibleValue(tree, d.condition)) as Tristate
      if (value > best) best = value
    }
  }
  return best
}

/** Explains why `symbol` is not `wanted` in `values`; `values` holds `.config` values without `CONFIG_`. */
export function explainOption(tree: KconfigTree, values: ValueSource, symbol: string, wanted: string): Explanation {
  return new Explainer(tree, values).explain(symbol, wanted, 0)
}

/** At most this many selectors are named; the rest are counted. */
const MAX_NAMED_LINKS = 6

const states = (links: readonly LinkState[]): string => {
  const named = links.slice(0, MAX_NAMED_LINKS).map((l) => `${l.symbol} (=${l.state})`)
  const more = links.length - named.length
  return more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ')
}

/** The reason itself, without the causes of its dependencies. */
function renderReason(e: Explanation): string {
  if (!e.exists) return `not defined for ${e.arch} in this tree`
  const parts: string[] = []
  if (e.modulesOff !== undefined) parts.push(`modules are off: CONFIG_${e.modulesOff} is not set`)
  if (e.unmetDependencies.length > 0) parts.push(`depends on ${e.unmetDependencies.map((u) => `${u.expr} (=${u.value})`).join(', ')}`)
  const defaulted = !e.hasPrompt && e.defaultsTo !== 'n' && wantedLevel(e.defaultsTo) >= wantedLevel(e.wanted)
  if (!e.hasPrompt && (defaulted || e.unmetDependencies.length === 0 || e.selectedBy.length > 0 || e.impliedBy.length > 0)) {
    const by = [
      ...(e.selectedBy.length > 0 ? [`${states(e.selectedBy)} via select`] : []),
      ...(e.impliedBy.length > 0 ? [`${states(e.impliedBy)} via imply`] : []),
    ]
    const orBy = by.length > 0 ? `, or set by ${by.join(', or ')}` : ''
    // Dependencies met and a default that gives it: only what cannot be evaluated here (the toolchain) keeps it off.
    if (defaulted && e.unmetDependencies.length > 0) parts.push(`no prompt: defaults to ${e.defaultsTo} once its dependencies hold${orBy}`)
    else if (defaulted && e.toolchainDependent.length === 0) parts.push(`no prompt: defaults to ${e.defaultsTo}, so make olddefconfig sets it${orBy}`)
    else if (defaulted) {
      // the toolchain-dependent part below says why
    } else if (by.length > 0) parts.push(`no prompt: only set by ${by.join(', or ')}`)
    else if (e.toolchainDependent.length === 0) parts.push('no prompt, and nothing selects it')
  }
  if (e.hiddenPrompt !== undefined) {
    parts.push(`prompt hidden: needs ${e.hiddenPrompt.map((u) => `${u.expr} (=${u.value})`).join(', ')}`)
  }
  if (parts.length === 0 && e.toolchainDependent.length > 0) parts.push(`toolchain-dependent: ${e.toolchainDependent.join(', ')}`)
  if (parts.length === 0) parts.push(`dependencies met; set CONFIG_${e.symbol}=${e.wanted}`)
  const reason = parts.join('; ')
  return e.attainable ? reason : `cannot be ${e.wanted === 'y' || e.wanted === 'm' ? `${e.wanted}` : `set to ${e.wanted}`} on ${e.arch}: ${reason}`
}

function renderCauses(e: Explanation, out: string[]): void {
  for (const unmet of e.unmetDependencies) {
    const cause = unmet.cause
    if (cause === undefined) continue
    const where = cause.definedAt[0] ? ` [${cause.definedAt[0].file}:${cause.definedAt[0].line}]` : ''
    out.push(`${cause.symbol}: ${renderReason(cause)}${where}`)
    renderCauses(cause, out)
  }
}

/**
 * One line, e.g. `depends on XEN (=n); XEN: depends on PARAVIRT (=n) [arch/x86/xen/Kconfig:6]`,
 * `no prompt: only set by XEN_VIRTIO (=n) via select`, or `not defined for aarch64 in this tree`.
 */
export function renderExplanation(e: Explanation): string {
  const out = [renderReason(e)]
  renderCauses(e, out)
  return out.join('; ')
}
