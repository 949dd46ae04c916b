// Types for import-graph.mjs, so the tests can use it.
export function readImportGraph(src: string): Map<string, string[]>
export function folderOf(file: string): string
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][]
