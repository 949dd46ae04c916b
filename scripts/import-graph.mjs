#!/usr/bin/env node
// The import graph of src/ (relative imports, type-only ones included) and its cycles, between files and between
// folders. `node scripts/import-graph.mjs` prints the cycles and exits 1 when there is one (npm run cycles).
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'

// The root holds the shared vocabulary and leaves (imported by every folder: errors, arch, requirements, escaping log
// lines, opening input files, where the bundled sample is) and the entry points (importing them): two layers.
const VOCABULARY = new Set(['arch.ts', 'errors.ts', 'requirement.ts', 'log-line.ts', 'input-file.ts', 'sample.ts'])

/** Each .ts file under `src` (posix path relative to it) → the files it imports with `./` or `../`. */
export function readImportGraph(src) {
  const graph = new Map()
  for (const file of readdirSync(src, { recursive: true }).map((f) => f.split('\\').join('/')).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(join(src, file), 'utf8')
    const specifiers = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gm)].map((m) => m[1])
    graph.set(file, [...new Set(specifiers.map((s) => posix.normalize(posix.join(posix.dirname(file), s)).replace(/\.js$/, '.ts')))])
  }
  return graph
}

/** The folder a file belongs to, for the folder graph: root vocabulary files and root entry points are apart. */
export function folderOf(file) {
  if (file.includes('/')) return file.slice(0, file.lastIndexOf('/'))
  return VOCABULARY.has(file) ? '(vocabulary)' : '(entry points)'
}

/** Every strongly connected component with more than one node, or a self-loop (Tarjan), each sorted. */
export function findCycles(graph) {
  let index = 0
  const indices = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const cycles = []
  const visit = (node) => {
    indices.set(node, index)
    low.set(node, index++)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node), low.get(next)))
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), indices.get(next)))
    }
    if (low.get(node) === indices.get(node)) {
      const component = []
      let member
      do {
        member = stack.pop()
        onStack.delete(member)
        component.push(member)
      } while (member !== node)
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort())
    }
  }
  for (const node of graph.keys()) if (!indices.has(node)) visit(node)
  return cycles
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')
  const graph = readImportGraph(src)
  const folders = new Map()
  for (const [file, deps] of graph) {
    const from = folderOf(file)
    folders.set(from, [...new Set([...(folders.get(from) ?? []), ...deps.map(folderOf).filter((f) => f !== from)])])
  }
  const fileCycles = findCycles(graph)
  const folderCycles = findCycles(folders)
  console.log(`${graph.size} modules, ${[...graph.values()].flat().length} imports: ${fileCycles.length} file cycles, ${folderCycles.length} folder cycles`)
  for (const c of [...fileCycles, ...folderCycles]) console.log(`cycle: ${c.join(' <-> ')}`)
  for (const [from, to] of [...folders].sort()) console.log(`${from} -> ${to.sort().join(', ') || '(nothing)'}`)
  process.exitCode = fileCycles.length + folderCycles.length > 0 ? 1 : 0
}
