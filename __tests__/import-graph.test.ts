/**
 * The import graph of src/ has no cycles, neither between files nor between folders (type-only imports count: they
 * tie modules together for a reader as much as value imports do). `npm run cycles` prints the same check.
 */
import { describe, expect, it } from '@jest/globals'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findCycles, folderOf, readImportGraph } from '../scripts/import-graph.mjs'

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')

describe('the import graph of src/', () => {
  const graph = readImportGraph(SRC)

  it('reads every module and its relative imports', () => {
    expect(graph.get('check/evaluate.ts')).toEqual(expect.arrayContaining(['arch.ts', 'requirement.ts', 'check/kernel-config.ts']))
    expect(graph.size).toBeGreaterThan(40)
  })

  it('has no cycle between files', () => {
    expect(findCycles(graph)).toEqual([])
  })

  it('finds a cycle when there is one', () => {
    expect(
      findCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
          ['c.ts', ['a.ts']],
          ['d.ts', ['d.ts']],
        ]),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts'], ['d.ts']])
  })

  it('has no cycle between folders (the shared vocabulary at the root counts as its own layer)', () => {
    const folders = new Map<string, Set<string>>()
    for (const [file, deps] of graph) {
      const from = folderOf(file)
      if (!folders.has(from)) folders.set(from, new Set())
      for (const dep of deps) if (folderOf(dep) !== from) folders.get(from)!.add(folderOf(dep))
    }
    expect(findCycles(new Map([...folders].map(([k, v]) => [k, [...v]])))).toEqual([])
  })
})
