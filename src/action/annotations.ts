import path from 'node:path'
import type { CheckResult } from '../check/evaluate.js'

export type AnnotationLevel = 'error' | 'warning' | 'notice'

export interface Annotation {
  level: AnnotationLevel
  message: string
  title?: string
  file?: string
  startLine?: number
}

/** Where an option is written in a committed fragment: annotations there show inline in a pull request. */
export type FragmentLines = ReadonlyMap<string, { file: string; line: number }>

// GitHub keeps 10 annotations of each level per step, and 50 per job over all its steps, and silently drops the rest
// (actions/toolkit problem-matchers.md).
const ANNOTATIONS_PER_LEVEL = 10
export const ANNOTATIONS_PER_JOB = 50
const LEVELS: readonly AnnotationLevel[] = ['error', 'warning', 'notice']

/**
 * One annotation per problem, on the fragment line that sets the option when there is one, else on the option's line
 * in the config, else on line 1 of the config. The budget is applied later, over everything the step emits.
 */
export function planAnnotations(results: readonly CheckResult[], where: { config?: string; fragments?: FragmentLines }): Annotation[] {
  const planned: Annotation[] = []
  for (const level of ['error', 'warning'] as const) {
    for (const result of results.filter((r) => r.status === level)) {
      planned.push({ level, title: result.option, message: withExplanation(result), ...place(result, where) })
    }
  }
  return planned
}

/**
 * GitHub's budget: at most ten annotations per level, and at most `jobRemaining` in all (what the job's 50 leave after
 * the earlier steps), filled errors first; `reserved` slots are kept for lines emitted after these (the step's failure
 * line). Past the budget, the last slot of a level says how many more there are; the rest are `hidden`.
 */
export function fitAnnotations(
  annotations: readonly Annotation[],
  {
    reserved = {},
    overflowAt = {},
    jobRemaining = ANNOTATIONS_PER_JOB,
  }: { reserved?: Partial<Record<AnnotationLevel, number>>; overflowAt?: { file?: string; startLine?: number }; jobRemaining?: number } = {},
): { shown: Annotation[]; hidden: Annotation[] } {
  const shown: Annotation[] = []
  const hidden: Annotation[] = []
  let left = Math.max(0, jobRemaining - LEVELS.reduce((n, level) => n + (reserved[level] ?? 0), 0))
  for (const level of LEVELS) {
    const all = annotations.filter((a) => a.level === level)
    const slots = Math.min(ANNOTATIONS_PER_LEVEL - (reserved[level] ?? 0), left)
    const fits = all.length <= slots ? all : all.slice(0, Math.max(0, slots - 1))
    shown.push(...fits)
    const rest = all.slice(fits.length)
    hidden.push(...rest)
    if (rest.length > 0 && slots > 0) {
      const cap = slots < ANNOTATIONS_PER_LEVEL - (reserved[level] ?? 0) ? `${ANNOTATIONS_PER_JOB} per job` : `${ANNOTATIONS_PER_LEVEL} per step`
      shown.push({
        level,
        title: `${rest.length} more ${level}s`,
        message: `${rest.length} more ${level}s are not shown as annotations (GitHub shows ${cap}); they are in the log, and every check result is in the job summary and the JSON report`,
        ...overflowAt,
      })
    }
    left -= Math.min(slots, all.length)
  }
  return { shown, hidden }
}

/** Notices about options (drift since the last release), placed like the check's results; the step's budget caps them. */
export function planNotices(
  notices: readonly { option: string; line: number | null; title: string; message: string }[],
  where: { config?: string; fragments?: FragmentLines },
): Annotation[] {
  return notices.map((n) => ({ level: 'notice', title: n.title, message: n.message, ...place(n, where) }))
}

function place(
  result: { option: string; line: number | null },
  where: { config?: string; fragments?: FragmentLines },
): { file?: string; startLine?: number } {
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
