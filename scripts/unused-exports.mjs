// Lists the values src/ exports that no file (src/ or __tests__/) imports: each is either dead code or an
// `export` that says more than the module means. `npm run lint` runs it and fails on any.
import fs from 'node:fs'
import path from 'node:path'
import ts from 'typescript'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const files = (dir) => fs.readdirSync(path.join(ROOT, dir), { recursive: true }).filter((f) => f.endsWith('.ts')).map((f) => path.join(ROOT, dir, f))
const sources = files('src')
const all = [...sources, ...files('__tests__')]
// Entry points: what they export is for the bundler or a runtime (GitHub's runner emulator calls main.ts's `run`).
const ENTRIES = new Set(['src/index.ts', 'src/cli/index.ts', 'src/main.ts'].map((f) => path.join(ROOT, f)))

const exported = new Map() // file -> Set(name)
const used = new Map() // file -> Set(name) ('*' for a namespace import or export *)
const mark = (file, name) => (used.get(file) ?? used.set(file, new Set()).get(file)).add(name)

function resolve(from, spec) {
  if (!spec.startsWith('.')) return undefined
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''))
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate
  return undefined
}

for (const file of all) {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const names = new Set()
  for (const node of source.statements) {
    const modifiers = ts.canHaveModifiers(node) ? (ts.getModifiers(node) ?? []) : []
    const isExported = modifiers.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    // Values only: a type named in an exported signature is part of that signature, imported or not.
    const isType = ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)
    if (isExported && !isType) {
      if (ts.isVariableStatement(node)) for (const d of node.declarationList.declarations) names.add(d.name.getText(source))
      else if (node.name) names.add(node.name.getText(source))
    }
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const target = resolve(file, node.moduleSpecifier.text)
      if (!target) continue
      if (ts.isImportDeclaration(node)) {
        const clause = node.importClause
        if (!clause) continue
        if (clause.name) mark(target, 'default')
        const bindings = clause.namedBindings
        if (bindings && ts.isNamespaceImport(bindings)) mark(target, '*')
        else if (bindings) for (const e of bindings.elements) mark(target, (e.propertyName ?? e.name).getText(source))
      } else {
        if (!node.exportClause) mark(target, '*')
        else if (ts.isNamedExports(node.exportClause)) for (const e of node.exportClause.elements) mark(target, (e.propertyName ?? e.name).getText(source))
      }
    }
    if (ts.isExportDeclaration(node) && !node.moduleSpecifier && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const e of node.exportClause.elements) names.add(e.name.getText(source))
    }
  }
  exported.set(file, names)
}

const unused = []
for (const file of sources) {
  if (ENTRIES.has(file)) continue
  const marks = used.get(file) ?? new Set()
  if (marks.has('*')) continue
  for (const name of exported.get(file)) if (!marks.has(name)) unused.push(`${path.relative(ROOT, file)}: ${name}`)
}
for (const line of unused) console.log(line)
if (unused.length > 0) {
  console.error(`unused-exports: ${unused.length} exported values that no file imports (drop the export, or the code)`)
  process.exit(1)
}
