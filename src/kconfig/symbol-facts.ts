/**
 * Facts about a symbol that follow from the Kconfig tree alone (its type, direct dependency, prompts)
 * or from the tree plus a `.config` (an evaluation context), shared by the explainer and the fixer.
 */
import { andAll, evalExpr, formatExpr, orAll, symbolsOf, type EvalContext, type Expr, type SymbolType, type Tristate } from './expr.js'
import type { KconfigTree, ReverseLink, SymbolDefinition } from './parse.js'

const TRUE: Expr = { kind: 'symbol', name: 'y' }

/** Values by symbol name; a ReadonlyMap fits, and so does a map with planned changes on top. */
export interface ValueSource {
  get(name: string): string | undefined
}

const typeCache = new WeakMap<KconfigTree, Map<string, SymbolType>>()

/** The declared type of each symbol (the first definition that gives one). */
export function symbolTypes(tree: KconfigTree): ReadonlyMap<string, SymbolType> {
  let types = typeCache.get(tree)
  if (types === undefined) {
    types = new Map()
    for (const [name, defs] of tree.symbols) {
      const type = defs.find((d) => d.type !== undefined)?.type
      if (type !== undefined) types.set(name, type)
    }
    typeCache.set(tree, types)
  }
  return types
}

/** How expressions are evaluated against `values` in this tree. */
export function evalContext(tree: KconfigTree, values: ValueSource): EvalContext {
  const types = symbolTypes(tree)
  return {
    value: (name) => values.get(name),
    typeOf: (name) => types.get(name),
    // Read on each use: the fixer's planned values switch modules on as it goes.
    get modules() {
      return values.get(tree.modulesSymbol) === 'y'
    },
  }
}

/** One definition's dependency: its `depends on` and those of its enclosing menus, ifs and choices. */
export function definitionDependency(def: SymbolDefinition): Expr {
  return andAll([...def.inherited, ...def.dependsOn]) ?? TRUE
}

/** When the definition's prompt is shown, beyond its dependency: the prompt's `if` and menus' `visible if`. */
export function promptCondition(def: SymbolDefinition): Expr {
  return andAll([...(def.prompt?.condition ? [def.prompt.condition] : []), ...def.visibleIf]) ?? TRUE
}

/** The symbol's direct dependency: the `||` of its definitions' dependencies, as the kernel builds it. */
export function directDependency(defs: readonly SymbolDefinition[]): Expr {
  if (defs.length === 1) return definitionDependency(defs[0]!)
  const distinct = new Map<string, Expr>()
  for (const def of defs) {
    const dep = definitionDependency(def)
    if (dep === TRUE) return TRUE
    distinct.set(formatExpr(dep), dep)
  }
  return orAll([...distinct.values()]) ?? TRUE
}

/** What a symbol's attainable level is computed from, and the symbols that reads. */
interface LevelRule {
  boolean: boolean
  defs: { dep: Expr; prompt: Expr | undefined; defaults: { value: Expr; condition: Expr }[] }[]
  directDep: Expr
  selectedBy: { symbol: string; condition: Expr }[]
  impliedBy: { symbol: string; condition: Expr }[]
  reads: string[]
}

function levelRule(tree: KconfigTree, name: string, defs: readonly SymbolDefinition[]): LevelRule {
  const type = symbolTypes(tree).get(name)
  const links = (list: readonly ReverseLink[] | undefined) => (list ?? []).map((l) => ({ symbol: l.symbol, condition: l.condition ?? TRUE }))
  const rule: LevelRule = {
    boolean: type === 'bool' || type === 'tristate',
    defs: defs.map((def) => ({
      dep: definitionDependency(def),
      prompt: def.prompt ? promptCondition(def) : undefined,
      defaults: def.defaults.map((d) => ({ value: d.value, condition: d.condition ?? TRUE })),
    })),
    directDep: directDependency(defs),
    selectedBy: links(tree.selectedBy.get(name)),
    impliedBy: links(tree.impliedBy.get(name)),
    reads: [],
  }
  const read = new Set<string>()
  for (const def of rule.defs) {
    symbolsOf(def.dep, read)
    if (def.prompt) symbolsOf(def.prompt, read)
    for (const d of def.defaults) symbolsOf(d.condition, symbolsOf(d.value, read))
  }
  for (const link of rule.selectedBy) symbolsOf(link.condition, read.add(link.symbol))
  for (const link of rule.impliedBy) symbolsOf(link.condition, read.add(link.symbol))
  rule.reads = [...read].filter((s) => tree.symbols.has(s))
  return rule
}

/** Settled levels per tree; a symbol is settled together with everything it reads, transitively. */
const levelCache = new WeakMap<KconfigTree, Map<string, Tristate>>()

/**
 * The highest value a symbol can reach on this arch by setting other options, whatever the `.config`
 * says: a least fixed point, so symbols that only depend on, or are only selected by, symbols this
 * arch lacks stay at n. Toolchain macros and comparisons count as possibly true. Computed on demand
 * for the symbols asked about and what they read, not for the whole tree.
 */
export function attainableLevel(tree: KconfigTree, symbol: string): Tristate {
  return settle(tree, [symbol]).get(symbol) ?? 0
}

function settle(tree: KconfigTree, roots: Iterable<string>): ReadonlyMap<string, Tristate> {
  let levels = levelCache.get(tree)
  if (levels === undefined) levelCache.set(tree, (levels = new Map<string, Tristate>()))
  const settled = levels
  const fresh = [...roots].filter((r) => tree.symbols.has(r) && !settled.has(r))
  if (fresh.length === 0) return settled

  // The unsettled part of the roots' cone, in post-order: each symbol after what it reads.
  const rules = new Map<string, LevelRule>()
  const ruleOf = (name: string): LevelRule => {
    let rule = rules.get(name)
    if (rule === undefined) rules.set(name, (rule = levelRule(tree, name, tree.symbols.get(name)!)))
    return rule
  }
  const order = dependencyOrder(
    fresh,
    (name) => (settled.has(name) ? [] : ruleOf(name).reads),
    (name) => !settled.has(name),
  )
  const working = new Map<string, Tristate>(order.map((name) => [name, 0]))
  const lookup = { get: (name: string) => working.get(name) ?? settled.get(name) }
  const max = (e: Expr): Tristate => possibleLevel(tree, lookup, e)
  const level = (name: string): Tristate => lookup.get(name) ?? 0

  const levelOf = (rule: LevelRule): Tristate => {
    let best = 0
    for (const def of rule.defs) {
      const dep = max(def.dep)
      if (dep === 0) continue
      if (def.prompt) best = Math.max(best, Math.min(dep, max(def.prompt)))
      for (const d of def.defaults) best = Math.max(best, Math.min(dep, max(d.condition), rule.boolean ? max(d.value) : 2))
    }
    // select forces a value whatever the dependencies; imply only within them.
    for (const link of rule.selectedBy) best = Math.max(best, Math.min(level(link.symbol), max(link.condition)))
    if (rule.impliedBy.length > 0) {
      const dep = max(rule.directDep)
      for (const link of rule.impliedBy) best = Math.max(best, Math.min(dep, level(link.symbol), max(link.condition)))
    }
    return best as Tristate
  }

  // Sweep in dependency order until nothing rises: acyclic parts settle in one sweep, cycles in a few more.
  for (let changed = true; changed;) {
    changed = false
    for (const name of order) {
      const next = levelOf(ruleOf(name))
      if (next > working.get(name)!) {
        working.set(name, next)
        changed = true
      }
    }
  }
  for (const [name, value] of working) settled.set(name, value)
  return settled
}

/**
 * The highest value `e` can take given the symbols' attainable `levels` (an over-approximation:
 * toolchain macros and comparisons of symbols count as possibly true).
 */
function possibleLevel(tree: KconfigTree, levels: { get(name: string): Tristate | undefined }, e: Expr): Tristate {
  const modulesLevel = (): Tristate => ((levels.get(tree.modulesSymbol) ?? 0) > 0 ? 1 : 0)
  const constant = (x: Expr): boolean => x.kind === 'string' || (x.kind === 'symbol' && !tree.symbols.has(x.name))
  const constantCompare = (x: Expr & { kind: 'compare' }): Tristate | undefined =>
    constant(x.left) && constant(x.right) ? evalExpr(x, { value: () => undefined, typeOf: () => undefined, modules: true }) : undefined
  const max = (x: Expr): Tristate => {
    switch (x.kind) {
      case 'symbol':
        if (x.name === 'y') return 2
        if (x.name === 'm') return modulesLevel()
        return levels.get(x.name) ?? 0
      case 'string':
        return x.value === 'y' ? 2 : x.value === 'm' ? modulesLevel() : 0
      case 'macro':
        return 2
      case 'not':
        return (2 - min(x.operand)) as Tristate
      case 'and':
        return Math.min(max(x.left), max(x.right)) as Tristate
      case 'or':
        return Math.max(max(x.left), max(x.right)) as Tristate
      case 'compare':
        return constantCompare(x) ?? 2
    }
  }
  // A lower bound: any defined symbol may be off.
  const min = (x: Expr): Tristate => {
    switch (x.kind) {
      case 'symbol':
      case 'string':
        return (x.kind === 'symbol' ? x.name : x.value) === 'y' ? 2 : 0
      case 'macro':
        return 0
      case 'not':
        return (2 - max(x.operand)) as Tristate
      case 'and':
        return Math.min(min(x.left), min(x.right)) as Tristate
      case 'or':
        return Math.max(min(x.left), min(x.right)) as Tristate
      case 'compare':
        return constantCompare(x) ?? 0
    }
  }
  return max(e)
}

/** The highest value `e` can take on this arch, whatever the `.config` says. */
export function possibleValue(tree: KconfigTree, e: Expr): Tristate {
  return possibleLevel(tree, settle(tree, symbolsOf(e)), e)
}

/** The symbols reachable from `roots` through `reads`, in post-order (cycles broken anywhere). */
function dependencyOrder(roots: readonly string[], reads: (name: string) => readonly string[], include: (name: string) => boolean): string[] {
  const order: string[] = []
  const seen = new Set<string>()
  for (const root of roots) {
    if (seen.has(root)) continue
    seen.add(root)
    // An explicit stack: dependency chains can be deeper than the call stack likes.
    const names: string[] = [root]
    const positions: number[] = [0]
    while (names.length > 0) {
      const top = names.length - 1
      const children = reads(names[top]!)
      const position = positions[top]!
      if (position === children.length) {
        order.push(names.pop()!)
        positions.pop()
        continue
      }
      positions[top] = position + 1
      const child = children[position]!
      if (seen.has(child) || !include(child)) continue
      seen.add(child)
      names.push(child)
      positions.push(0)
    }
  }
  return order
}
