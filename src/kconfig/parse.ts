/**
 * Reads a kernel source tree's Kconfig (from `<src>/Kconfig`, for one architecture) into symbol
 * definitions with their dependencies, the way scripts/kconfig/parser.y builds its menu tree.
 * Tolerant: a line it does not understand is recorded in `skipped`, never fatal.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, posix, relative, sep } from 'node:path'
import { InputError, KconfigSyntaxError } from '../errors.js'
import { readInputFileSync } from '../input-file.js'
import { parseExpr, type Expr, type SymbolType, type Token } from './expr.js'
import { assignVariable, expandMacros, parseAssignment, tokenize, type MacroScope } from './tokenize.js'
import { archNames, type KernelArch } from '../arch.js'

export type { KernelArch }

/** A place in the tree; `file` is relative to the source dir, with `/`. */
export interface SourceLocation {
  file: string
  line: number
}

export interface Conditional<T> {
  value: T
  condition?: Expr
}

/** One `config`/`menuconfig` entry. A symbol may have several. */
export interface SymbolDefinition {
  name: string
  location: SourceLocation
  type?: SymbolType
  prompt?: { text: string; condition?: Expr }
  /** The entry's own `depends on` lines. */
  dependsOn: Expr[]
  /** Conditions of the enclosing `menu ... depends on`, `if` and `choice` blocks, outermost first. */
  inherited: Expr[]
  /** `visible if` of enclosing menus: they hide the prompt but are no dependency. */
  visibleIf: Expr[]
  defaults: Conditional<Expr>[]
  selects: Conditional<string>[]
  implies: Conditional<string>[]
  ranges: Conditional<[Expr, Expr]>[]
  inChoice: boolean
  /** The symbols of the innermost enclosing `choice` (this one included), when there is one. */
  choiceMembers?: readonly string[]
}

/** `symbol` selects (or implies) the symbol this link is filed under, when `condition` holds. */
export interface ReverseLink {
  symbol: string
  condition?: Expr
  location: SourceLocation
}

export interface KconfigTree {
  sourceDir: string
  arch: KernelArch
  srcarch: string
  mainmenu?: string
  symbols: ReadonlyMap<string, readonly SymbolDefinition[]>
  selectedBy: ReadonlyMap<string, readonly ReverseLink[]>
  impliedBy: ReadonlyMap<string, readonly ReverseLink[]>
  /** The symbol marked `modules` (MODULES in Linux): with it off, `m` counts as `y`. */
  modulesSymbol: string
  fileCount: number
  /** Lines not understood, and sources not found; for diagnostics. */
  skipped: { location: SourceLocation; reason: string }[]
}

/** How the parser reaches files, so that the parser itself needs no file system. */
export interface KconfigFiles {
  /** The text of a file relative to the source dir, or undefined if there is none. */
  read(file: string): string | undefined
  /** Files matching a relative pattern with `*`/`?` in its last parts, sorted. */
  glob(pattern: string): string[]
}

interface Block {
  kind: 'menu' | 'if' | 'choice'
  deps: Expr[]
  visibleIf: Expr[]
  /** For a choice: the symbols defined in it. */
  members?: string[]
}

type Current = { kind: 'config'; def: SymbolDefinition } | { kind: 'block'; block: Block } | { kind: 'other' }

const TYPE_WORDS: Record<string, SymbolType> = {
  bool: 'bool',
  boolean: 'bool',
  tristate: 'tristate',
  int: 'int',
  hex: 'hex',
  string: 'string',
}

/** Columns of leading blanks, tabs to the next multiple of 8 (the lexer's help-text rule). */
function indentation(line: string): number {
  let col = 0
  for (const c of line) {
    if (c === ' ') col++
    else if (c === '\t') col = (col & ~7) + 8
    else break
  }
  return col
}

/** Splits `... if COND` at the first top-level `if` word. */
function splitIf(tokens: readonly Token[]): [Token[], Token[] | undefined] {
  let depth = 0
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t.kind === 'op' && t.text === '(') depth++
    else if (t.kind === 'op' && t.text === ')') depth--
    else if (depth === 0 && t.kind === 'word' && t.text === 'if') return [tokens.slice(0, i), tokens.slice(i + 1)]
  }
  return [[...tokens], undefined]
}

class TreeBuilder {
  readonly symbols = new Map<string, SymbolDefinition[]>()
  readonly skipped: KconfigTree['skipped'] = []
  readonly stack: Block[] = []
  readonly scope: MacroScope
  mainmenu: string | undefined
  modulesSymbol = 'MODULES'
  fileCount = 0
  current: Current = { kind: 'other' }
  private readonly reading = new Set<string>()

  constructor(
    private readonly files: KconfigFiles,
    private readonly sourceDir: string,
    variables: Record<string, string>,
  ) {
    this.scope = new Map(Object.entries(variables).map(([k, v]) => [k, { value: v, recursive: false }]))
  }

  readFile(file: string, from?: SourceLocation): void {
    const text = this.files.read(file)
    if (text === undefined) {
      if (from) this.skipped.push({ location: from, reason: `source "${file}" not found` })
      return
    }
    // A file sourcing itself would never end; the kernel reports recursion too.
    if (this.reading.has(file)) return
    this.reading.add(file)
    this.fileCount++
    this.parseText(file, text)
    this.reading.delete(file)
  }

  private parseText(file: string, text: string): void {
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    let i = 0
    while (i < lines.length) {
      const lineNo = i + 1
      let line = lines[i]!
      i++
      while (line.endsWith('\\') && i < lines.length) line = line.slice(0, -1) + ' ' + lines[i++]!
      const trimmed = line.trimStart()
      if (trimmed === '' || trimmed.startsWith('#')) continue
      const location = { file, line: lineNo }
      const assignment = trimmed.includes('=') ? parseAssignment(line) : undefined
      if (assignment !== undefined) {
        assignVariable(this.scope, assignment.name, assignment.op, assignment.value)
        continue
      }
      const tokens = tokenize(expandMacros(line, this.scope))
      if (tokens.length === 0) continue
      const first = tokens[0]!
      // A line of macro calls only (`$(error-if,...)`) expands to nothing when the toolchain is fine.
      if (first.kind === 'macro') continue
      if (first.kind === 'word' && (first.text === 'help' || first.text === '---help---')) {
        i = skipHelp(lines, i)
        continue
      }
      try {
        this.statement(first.kind === 'word' ? first.text : '', tokens.slice(1), location)
      } catch (err) {
        // An unusable file (a FIFO, a link out of the tree, a block nested too deep) stops the read; syntax is skipped.
        if (err instanceof InputError) throw err
        this.skipped.push({ location, reason: err instanceof Error ? err.message : String(err) })
      }
    }
  }

  /** Opens a menu, choice or if block; Linux nests a handful, so a deeper tree is refused rather than walked. */
  private enter(block: Block, location: SourceLocation): void {
    if (this.stack.length >= MAX_BLOCK_DEPTH) {
      throw new InputError(
        `kernel-source: ${location.file}:${location.line}: menu, choice and if blocks nested deeper than ${MAX_BLOCK_DEPTH}; not a kernel Kconfig`,
      )
    }
    this.stack.push(block)
  }

  private inheritedDeps(): Expr[] {
    return this.stack.flatMap((b) => b.deps)
  }

  private statement(keyword: string, rest: Token[], location: SourceLocation): void {
    switch (keyword) {
      case 'config':
      case 'menuconfig': {
        const name = wordAt(rest, 0, keyword)
        const def: SymbolDefinition = {
          name,
          location,
          dependsOn: [],
          inherited: this.inheritedDeps(),
          visibleIf: this.stack.flatMap((b) => b.visibleIf),
          defaults: [],
          selects: [],
          implies: [],
          ranges: [],
          inChoice: this.stack.some((b) => b.kind === 'choice'),
        }
        const choice = this.stack.findLast((b) => b.kind === 'choice')
        if (choice?.members !== undefined) {
          if (!choice.members.includes(name)) choice.members.push(name)
          def.choiceMembers = choice.members
        }
        const defs = this.symbols.get(name)
        if (defs) defs.push(def)
        else this.symbols.set(name, [def])
        this.current = { kind: 'config', def }
        return
      }
      case 'menu':
      case 'choice': {
        const block: Block =
          keyword === 'choice' ? { kind: keyword, deps: [], visibleIf: [], members: [] } : { kind: keyword, deps: [], visibleIf: [] }
        this.enter(block, location)
        this.current = { kind: 'block', block }
        return
      }
      case 'if': {
        this.enter({ kind: 'if', deps: [parseExpr(rest)], visibleIf: [] }, location)
        this.current = { kind: 'other' }
        return
      }
      case 'endmenu':
      case 'endchoice':
      case 'endif': {
        const kind = keyword.slice(3)
        const top = this.stack[this.stack.length - 1]
        if (top?.kind !== kind) throw new KconfigSyntaxError(`${keyword} without ${kind}`)
        this.stack.pop()
        this.current = { kind: 'other' }
        return
      }
      case 'comment':
        this.current = { kind: 'other' }
        return
      case 'mainmenu':
        this.mainmenu = rest[0]?.text
        this.current = { kind: 'other' }
        return
      case 'source':
      case 'rsource':
      case 'osource':
      case 'orsource':
        this.source(keyword, rest, location)
        return
      default:
        this.property(keyword, rest, location)
    }
  }

  private source(keyword: string, rest: Token[], location: SourceLocation): void {
    const pathToken = rest[0]
    if (pathToken === undefined || pathToken.kind !== 'string') throw new KconfigSyntaxError(`${keyword} needs a quoted path`)
    if (pathToken.text.includes('$(')) throw new KconfigSyntaxError(`${keyword} "${pathToken.text}": unknown variable`)
    const optional = keyword.startsWith('o')
    const relativeToFile = keyword.endsWith('rsource')
    let path = pathToken.text
    if (relativeToFile) path = posix.join(posix.dirname(location.file), path)
    path = posix.normalize(path)
    if (path.startsWith(`${this.sourceDir}/`)) path = path.slice(this.sourceDir.length + 1)
    const saved = this.current
    if (/[*?]/.test(path)) {
      const matches = this.files.glob(path)
      if (matches.length === 0 && !optional) this.skipped.push({ location, reason: `${keyword} "${path}" matches nothing` })
      for (const match of matches) this.readFile(match, location)
    } else if (optional) {
      if (this.files.read(path) !== undefined) this.readFile(path, location)
    } else this.readFile(path, location)
    // Properties after a source line do not belong to the last entry of the sourced file.
    this.current = saved.kind === 'config' ? { kind: 'other' } : saved
  }

  private property(keyword: string, rest: Token[], location: SourceLocation): void {
    const current = this.current
    if (current.kind === 'block') {
      this.blockProperty(current.block, keyword, rest)
      return
    }
    if (current.kind !== 'config') {
      // Properties of comments (depends on) and anything unknown outside an entry carry nothing we use.
      if (keyword !== 'depends') this.skipped.push({ location, reason: `unknown line "${keyword}"` })
      return
    }
    const def = current.def
    const type = TYPE_WORDS[keyword]
    if (type !== undefined) {
      def.type = type
      const [prompt, condition] = splitIf(rest)
      if (prompt[0]?.kind === 'string') def.prompt = promptOf(prompt[0].text, condition)
      return
    }
    switch (keyword) {
      case 'prompt': {
        const [prompt, condition] = splitIf(rest)
        if (prompt[0]?.kind === 'string') def.prompt = promptOf(prompt[0].text, condition)
        return
      }
      case 'def_bool':
      case 'def_tristate': {
        def.type = keyword === 'def_bool' ? 'bool' : 'tristate'
        const [value, condition] = splitIf(rest)
        def.defaults.push(withCondition(parseExpr(value), condition))
        return
      }
      case 'default': {
        const [value, condition] = splitIf(rest)
        def.defaults.push(withCondition(parseExpr(value), condition))
        return
      }
      case 'depends':
        def.dependsOn.push(parseExpr(dropOn(rest)))
        return
      case 'select':
      case 'imply': {
        const [target, condition] = splitIf(rest)
        const link = withCondition(wordAt(target, 0, keyword), condition)
        if (keyword === 'select') def.selects.push(link)
        else def.implies.push(link)
        return
      }
      case 'range': {
        const [bounds, condition] = splitIf(rest)
        if (bounds.length !== 2) throw new KconfigSyntaxError('range needs two bounds')
        def.ranges.push(withCondition([parseExpr([bounds[0]!]), parseExpr([bounds[1]!])], condition))
        return
      }
      case 'modules':
        this.modulesSymbol = def.name
        return
      case 'option':
        if (rest[0]?.text === 'modules') this.modulesSymbol = def.name
        return
      default:
        this.skipped.push({ location, reason: `unknown line "${keyword}"` })
    }
  }

  private blockProperty(block: Block, keyword: string, rest: Token[]): void {
    if (keyword === 'depends') block.deps.push(parseExpr(dropOn(rest)))
    else if (keyword === 'visible' && rest[0]?.text === 'if') block.visibleIf.push(parseExpr(rest.slice(1)))
    // A choice's type, prompt, default and `optional` do not change its members' dependencies.
  }
}

function withCondition<T>(value: T, condition: Token[] | undefined): Conditional<T> {
  return condition === undefined ? { value } : { value, condition: parseExpr(condition) }
}

function promptOf(text: string, condition: Token[] | undefined): { text: string; condition?: Expr } {
  return condition === undefined ? { text } : { text, condition: parseExpr(condition) }
}

function dropOn(tokens: Token[]): Token[] {
  if (tokens[0]?.kind !== 'word' || tokens[0].text !== 'on') throw new KconfigSyntaxError('"depends" without "on"')
  return tokens.slice(1)
}

function wordAt(tokens: readonly Token[], index: number, keyword: string): string {
  const t = tokens[index]
  if (t === undefined || t.kind !== 'word') throw new KconfigSyntaxError(`${keyword} needs a symbol name`)
  return t.text
}

/** Index of the first line after a help block that starts at `start`. */
function skipHelp(lines: readonly string[], start: number): number {
  let i = start
  let helpIndent = -1
  for (; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    const indent = indentation(line)
    if (indent === 0) break
    if (helpIndent < 0) helpIndent = indent
    else if (indent < helpIndent) break
  }
  return i
}

/** The pure core: builds the tree from files reached through `files`. */
function parseKconfig(files: KconfigFiles, sourceDir: string, arch: KernelArch): KconfigTree {
  const { kbuild: kbuildArch, srcarch } = archNames(arch)
  const builder = new TreeBuilder(files, sourceDir, { ARCH: kbuildArch, SRCARCH: srcarch, srctree: sourceDir })
  builder.readFile('Kconfig')

  const selectedBy = new Map<string, ReverseLink[]>()
  const impliedBy = new Map<string, ReverseLink[]>()
  for (const defs of builder.symbols.values()) {
    for (const def of defs) {
      for (const [links, index] of [
        [def.selects, selectedBy],
        [def.implies, impliedBy],
      ] as const) {
        for (const link of links) {
          const entry: ReverseLink = { symbol: def.name, location: def.location }
          if (link.condition) entry.condition = link.condition
          const list = index.get(link.value)
          if (list) list.push(entry)
          else index.set(link.value, [entry])
        }
      }
    }
  }
  const tree: KconfigTree = {
    sourceDir,
    arch,
    srcarch,
    symbols: builder.symbols,
    selectedBy,
    impliedBy,
    modulesSymbol: builder.modulesSymbol,
    fileCount: builder.fileCount,
    skipped: builder.skipped,
  }
  if (builder.mainmenu !== undefined) tree.mainmenu = builder.mainmenu
  return tree
}

/** Linux nests menu/choice/if blocks about ten deep. */
const MAX_BLOCK_DEPTH = 256

/** The largest Kconfig file in Linux is ~100 KB; this bound keeps a hostile tree from filling memory. */
const KCONFIG_FILE_MAX_BYTES = 4 * 1024 * 1024

/**
 * Files of a real directory; paths outside it are refused, and so is a file that resolves outside it through a
 * symbolic link (a tree must not make the action read /etc or a FIFO elsewhere). Each is opened by the checked opener.
 */
function directoryFiles(sourceDir: string): KconfigFiles {
  const toRelative = (file: string): string | undefined => {
    const rel = isAbsolute(file) ? relative(sourceDir, file).split(sep).join('/') : file
    return rel.startsWith('..') ? undefined : rel
  }
  let root: string | undefined
  return {
    read(file) {
      const rel = toRelative(file)
      if (rel === undefined) return undefined
      const path = join(sourceDir, rel)
      let real: string
      try {
        real = realpathSync(path)
      } catch {
        return undefined // not there (or a dangling link): a source that is not found, as make reports it
      }
      root ??= realpathSync(sourceDir)
      if (real !== root && !real.startsWith(`${root}${sep}`)) {
        throw new InputError(`kernel-source: ${path} resolves to ${real}, outside ${sourceDir}; a Kconfig file must be inside the tree`)
      }
      return readInputFileSync(path, 'kernel-source', KCONFIG_FILE_MAX_BYTES, 'Kconfig file')?.toString('utf8')
    },
    glob(pattern) {
      const rel = toRelative(pattern)
      if (rel === undefined) return []
      let paths = ['']
      for (const part of rel.split('/')) {
        if (!/[*?]/.test(part)) {
          paths = paths.map((p) => (p === '' ? part : `${p}/${part}`))
          continue
        }
        const re = new RegExp(
          `^${part
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]')}$`,
        )
        paths = paths.flatMap((dir) => {
          try {
            return readdirSync(join(sourceDir, dir))
              .filter((name) => re.test(name))
              .sort()
              .map((name) => (dir === '' ? name : `${dir}/${name}`))
          } catch {
            return []
          }
        })
      }
      return paths.filter((p) => {
        try {
          return statSync(join(sourceDir, p)).isFile()
        } catch {
          return false
        }
      })
    },
  }
}

/** Reads `<sourceDir>/Kconfig` and everything it sources, for `arch`. */
export function readKconfigTree(sourceDir: string, arch: KernelArch): KconfigTree {
  let isFile: boolean
  try {
    isFile = statSync(join(sourceDir, 'Kconfig')).isFile()
  } catch {
    isFile = false
  }
  if (!isFile) throw new InputError(`kernel-source: ${join(sourceDir, 'Kconfig')} not found (is "${sourceDir}" a Linux source tree?)`)
  return parseKconfig(directoryFiles(sourceDir), sourceDir, arch)
}
