import path from 'node:path'
import type { CheckResult } from '../check/evaluate.js'

export interface Annotation {
  level: 'error' | 'warning'
  message: string
  title?: string
  file?: string
  startLine?: number
}

/** Where an option is written in a committed fragment: annotations there show inline in a pull request. */
export type FragmentLines = ReadonlyMap<string, { file: string; line: number }>

// GitHub keeps 10 annotations of each level per step and silently drops the rest.
export const ANNOTATIONS_PER_LEVEL = 10

/**
 * One annotation per problem, on the fragment line that sets the option when there is one, else on the option's line
 * in the config, else on line 1 of the config. Past GitHub's cap, the last slot says how many more there are.
 */
export function planAnnotations(
  results: readonly CheckResult[],
  where: { config?: string; fragments?: FragmentLines },
): Annotation[] {
  const planned: Annotation[] = []
  for (const level of ['error', 'warning'] as const) {
    const problems = results.filter((r) => r.status === level)
    const shown = problems.length > ANNOTATIONS_PER_LEVEL ? problems.slice(0, ANNOTATIONS_PER_LEVEL - 1) : problems
    for (const result of shown) planned.push({ level, title: result.option, message: withExplanation(result), ...place(result, where) })
    const hidden = problems.length - shown.length
    if (hidden > 0) {
      planned.push({
        level,
        title: `${hidden} more ${level}s`,
        message: `${hidden} more ${level}s are not shown as annotations (GitHub shows ${ANNOTATIONS_PER_LEVEL} per step); the job summary and the JSON report list them all`,
        ...(where.config ? { file: where.config, startLine: 1 } : {}),
      })
    }
  }
  return planned
}

function place(result: CheckResult, where: { config?: string; fragments?: FragmentLines }): { file?: string; startLine?: number } {
  const inFragment = where.fragments?.get(result.option)
  if (inFragment) return { file: inFragment.file, startLine: inFragment.line }
  if (!where.config) return {}
  return { file: where.config, startLine: result.line ?? 1 }
}

/**
 * The path GitHub needs: relative to the workspace, `/`-separated, no `./`. A file outside the workspace cannot
 * carry an annotation, so it gets none (the annotation still shows on the run, without a file).
 */
export function workspacePath(file: string, workspace: string | undefined): string | undefined {
  const absolute = path.resolve(workspace ?? process.cwd(), file)
  const relative = path.relative(path.resolve(workspace ?? process.cwd()), absolute)
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return undefined
  return relative.split(path.sep).join('/')
}

/** The check's verdict, then why (from Kconfig) when it is known. */
export function withExplanation(result: CheckResult): string {
  return result.explanation ? `${result.message}. Why: ${result.explanation}` : result.message
}
