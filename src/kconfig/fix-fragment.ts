/**
 * A config fragment that, merged into the `.config` and followed by the kernel's own
 * `make olddefconfig`, makes the requirements hold: it switches on the dependencies a required option
 * is missing (dependencies first), and for options without a prompt a symbol that selects them.
 */
import { kconfigValue, symbolOf, type Requirement } from '../requirement.js'
import { evalExpr, formatExpr, type EvalContext, type Expr, type Tristate } from './expr.js'
import { explainOption, renderExplanation, wantedLevel } from './explain.js'
import type { KconfigTree } from './parse.js'
import { attainableLevel, directDependency, evalContext, possibleValue, promptCondition, symbolTypes, type ValueSource } from './symbol-facts.js'

/** What the fixer needs of a requirement: the option and the state wanted. */
export type FixRequirement = Pick<Requirement, 'option' | 'wanted'>

interface Assignment {
  symbol: string
  value: string
  /** Why a symbol that was not asked for is set. */
  why?: string
}

interface Snapshot {
  expected: Map<string, string>
  assignments: number
}

const MAX_DEPTH = 12
/** Alternatives tried for one `||` or one list of selectors, to bound the search. */
const MAX_ALTERNATIVES = 8

const LETTER = ['n', 'm', 'y'] as const

class FixPlanner {
  /** Values the `.config` will have after the fix, as far as the plan decides them. */
  private expected = new Map<string, string>()
  readonly assignments: Assignment[] = []
  private readonly ctx: EvalContext

  constructor(
    private readonly tree: KconfigTree,
    private readonly values: ValueSource,
  ) {
    const planned: ValueSource = { get: (name) => this.expected.get(name) ?? values.get(name) }
    this.ctx = evalContext(tree, planned)
  }

  /** Plans one requirement; false when no way was found. */
  require(symbol: string, wanted: string): boolean {
    if (this.exactly(symbol, wanted)) return true
    const start = this.snapshot()
    if (this.need(symbol, wanted, undefined, 0, new Set(), true)) return true
    this.restore(start)
    return false
  }

  private value(symbol: string): string | undefined {
    return this.expected.get(symbol) ?? this.values.get(symbol)
  }

  private exactly(symbol: string, wanted: string): boolean {
    if (wanted === 'y' || wanted === 'm' || wanted === 'n') return LETTER[evalExpr({ kind: 'symbol', name: symbol }, this.ctx)] === wanted
    return this.value(symbol) === wanted
  }

  private reaches(symbol: string, wanted: string): boolean {
    if (wanted === 'y' || wanted === 'm') return evalExpr({ kind: 'symbol', name: symbol }, this.ctx) >= wantedLevel(wanted)
    return this.exactly(symbol, wanted)
  }

  /**
   * Makes `symbol` reach `wanted` (exactly, for a requirement; at least, for a dependency).
   * `why` says who needs it, for the comment above its line.
   */
  private need(symbol: string, wanted: string, why: string | undefined, depth: number, stack: Set<string>, exact: boolean): boolean {
    if (exact ? this.exactly(symbol, wanted) : this.reaches(symbol, wanted)) return true
    const defs = this.tree.symbols.get(symbol)
    const level = wantedLevel(wanted)
    if (defs === undefined || attainableLevel(this.tree, symbol) < level) return false
    if (depth > MAX_DEPTH || stack.has(symbol)) return false
    const inner = new Set(stack).add(symbol)

    if (wanted === 'n') return this.switchOff(symbol, why, depth, inner)
    // With modules off, olddefconfig turns an m into y: an =m needs the modules symbol on first.
    const modules = this.tree.modulesSymbol
    if (wanted === 'm' && this.value(modules) !== 'y' && !this.need(modules, 'y', `${symbol}=m needs loadable modules`, depth + 1, inner, false)) {
      return false
    }
    const dependency = directDependency(defs)
    if (!this.satisfy(dependency, level, `${symbol} depends on`, depth, inner)) return false

    const prompted = defs.find((d) => d.prompt !== undefined && possibleValue(this.tree, promptCondition(d)) > 0)
    if (prompted !== undefined && this.satisfy(promptCondition(prompted), 2, `shows the prompt of ${symbol}:`, depth, inner)) {
      this.assign(symbol, wanted, why)
      return true
    }
    // No prompt: the value comes from a default, or from a symbol that selects or implies it.
    if (this.reaches(symbol, wanted) || this.defaultReaches(defs, level)) {
      this.expected.set(symbol, wanted)
      return true
    }
    const links = [
      ...(this.tree.selectedBy.get(symbol) ?? []).map((l) => ({ ...l, verb: 'selects' })),
      ...(this.tree.impliedBy.get(symbol) ?? []).map((l) => ({ ...l, verb: 'implies' })),
    ]
    const chosen = this.cheapest(
      links.map(
        (link) => () =>
          this.need(link.symbol, 'y', `${link.symbol} ${link.verb} ${symbol}, which has no prompt`, depth + 1, inner, false) &&
          (link.condition === undefined || this.satisfy(link.condition, 2, `${link.symbol} ${link.verb} ${symbol} if`, depth, inner)),
      ),
    )
    if (!chosen) return false
    this.expected.set(symbol, wanted)
    return true
  }

  /** Whether the first default whose condition holds gives at least `level` now. */
  private defaultReaches(defs: NonNullable<ReturnType<KconfigTree['symbols']['get']>>, level: Tristate): boolean {
    for (const def of defs) {
      for (const d of def.defaults) {
        const condition = d.condition === undefined ? 2 : evalExpr(d.condition, this.ctx)
        if (condition === 0) continue
        return Math.min(condition, evalExpr(d.value, this.ctx)) >= level
      }
    }
    return false
  }

  private switchOff(symbol: string, why: string | undefined, depth: number, stack: Set<string>): boolean {
    const defs = this.tree.symbols.get(symbol) ?? []
    // kconfig ignores `# CONFIG_X is not set` for a choice member: the way off is to choose another member.
    const members = defs.find((d) => d.choiceMembers !== undefined)?.choiceMembers
    if (members !== undefined) {
      const others = members.filter((m) => m !== symbol)
      const reason = why ?? `${symbol} is one of a choice`
      return this.cheapest(others.map((other) => () => this.need(other, 'y', `${reason}: choose ${other} instead`, depth + 1, stack, true)))
    }
    const selectedNow = (this.tree.selectedBy.get(symbol) ?? []).some(
      (l) =>
        evalExpr(
          l.condition ? { kind: 'and', left: { kind: 'symbol', name: l.symbol }, right: l.condition } : { kind: 'symbol', name: l.symbol },
          this.ctx,
        ) > 0,
    )
    if (selectedNow || !defs.some((d) => d.prompt !== undefined)) return false
    this.assign(symbol, 'n', why)
    return true
  }

  /** Makes an expression reach `level`; `why` prefixes the comment of what it switches on. */
  private satisfy(expr: Expr, level: Tristate, why: string, depth: number, stack: Set<string>): boolean {
    if (evalExpr(expr, this.ctx) >= level) return true
    switch (expr.kind) {
      case 'symbol': {
        const reason = `${why} ${expr.name}`
        if (this.tree.symbols.get(expr.name) === undefined) return false
        if (this.need(expr.name, 'y', reason, depth + 1, stack, false)) return true
        return level === 1 && this.need(expr.name, 'm', reason, depth + 1, stack, false)
      }
      case 'and':
        return this.satisfy(expr.left, level, why, depth, stack) && this.satisfy(expr.right, level, why, depth, stack)
      case 'or':
        return this.cheapest(alternatives(expr).map((e) => () => this.satisfy(e, level, why, depth, stack)))
      case 'not':
        return expr.operand.kind === 'symbol' && this.need(expr.operand.name, 'n', `${why} !${expr.operand.name}`, depth + 1, stack, false)
      case 'compare': {
        const { left, right, op } = expr
        if (left.kind !== 'symbol' || right.kind !== 'symbol') return false
        const on = (op === '=' && (right.name === 'y' || right.name === 'm')) || (op === '!=' && right.name === 'n')
        const off = (op === '=' && right.name === 'n') || (op === '!=' && right.name === 'y')
        if (on) return this.need(left.name, right.name === 'm' ? 'm' : 'y', `${why} ${formatExpr(expr)}`, depth + 1, stack, false)
        if (off) return this.need(left.name, 'n', `${why} ${formatExpr(expr)}`, depth + 1, stack, false)
        return false
      }
      default:
        return false
    }
  }

  /** Tries each alternative on a copy of the plan and keeps the one that adds the fewest lines. */
  private cheapest(attempts: (() => boolean)[]): boolean {
    const start = this.snapshot()
    let best: { index: number; cost: number } | undefined
    attempts.slice(0, MAX_ALTERNATIVES).forEach((attempt, index) => {
      if (attempt()) {
        const cost = this.assignments.length - start.assignments
        if (best === undefined || cost < best.cost) best = { index, cost }
      }
      this.restore(start)
    })
    if (best === undefined) return false
    return attempts[best.index]!()
  }

  private assign(symbol: string, value: string, why: string | undefined): void {
    this.expected.set(symbol, value)
    const existing = this.assignments.find((a) => a.symbol === symbol)
    if (existing !== undefined) {
      existing.value = value
      return
    }
    this.assignments.push(why === undefined ? { symbol, value } : { symbol, value, why })
  }

  private snapshot(): Snapshot {
    return { expected: new Map(this.expected), assignments: this.assignments.length }
  }

  private restore(s: Snapshot): void {
    this.expected = new Map(s.expected)
    this.assignments.length = s.assignments
  }
}

/** The disjuncts of a top-level `||` chain. */
function alternatives(expr: Expr): Expr[] {
  return expr.kind === 'or' ? [...alternatives(expr.left), ...alternatives(expr.right)] : [expr]
}

/** A `.config` line, quoting strings as confdata.c writes them. */
function configLine(symbol: string, value: string, type: string | undefined): string {
  if (value === 'n') return `# CONFIG_${symbol} is not set`
  if (type === 'string') return `CONFIG_${symbol}="${value.replace(/[\\"]/g, '\\$&')}"`
  return `CONFIG_${symbol}=${value}`
}

/**
 * The fragment text: assignments in dependency order, each added dependency with a `# why` line;
 * requirements that cannot hold on this arch, or for which no way was found, as comments at the end.
 */
export function fixFragment(tree: KconfigTree, values: ValueSource, requirements: readonly FixRequirement[]): string {
  const planner = new FixPlanner(tree, values)
  const notes: string[] = []
  for (const requirement of requirements) {
    const symbol = symbolOf(requirement.option)
    const wanted = kconfigValue(requirement.wanted)
    if (planner.require(symbol, wanted)) continue
    const explanation = explainOption(tree, values, symbol, wanted)
    const line = configLine(symbol, wanted, symbolTypes(tree).get(symbol))
    const reason = !explanation.exists || !explanation.attainable ? renderExplanation(explanation) : `no way found: ${renderExplanation(explanation)}`
    notes.push(`# ${line.replace(/^# /, '')}: ${reason}`)
  }
  const types = symbolTypes(tree)
  const lines = [`# Fix fragment for ${tree.arch}: append to .config, then run make olddefconfig`]
  for (const a of planner.assignments) {
    if (a.why !== undefined) lines.push(`# ${a.why}`)
    lines.push(configLine(a.symbol, a.value, types.get(a.symbol)))
  }
  return [...lines, ...notes].join('\n') + '\n'
}
