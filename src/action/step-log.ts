import * as core from '@actions/core'
import { readFileSync, writeFileSync } from 'node:fs'
import { ANNOTATIONS_PER_JOB, fitAnnotations, type Annotation } from './annotations.js'
import { escapeLogLine } from '../log-line.js'

/**
 * The step's log, the one way the action writes to the runner: plain lines escaped so the runner never reads a
 * workflow command from user text, and every annotation (check results, duplicate options, publish warnings, the
 * sample notice and the step's own failure line) held back and fitted into GitHub's per-level budget at the end.
 */
export class StepLog {
  private readonly annotations: Annotation[] = []
  private overflowAt: { file?: string; startLine?: number } = {}

  private jobCounter?: string

  /**
   * A file in the job's temp folder counting the annotations this action's earlier steps in the job emitted, so that
   * two steps (a zone and a host check) share GitHub's 50 per job instead of the second one's being dropped.
   */
  countJobAnnotationsIn(file: string): void {
    this.jobCounter = file
  }

  info(text: string): void {
    core.info(escapeLogLine(text))
  }

  annotate(annotation: Annotation): void {
    this.annotations.push(annotation)
  }

  warning(message: string): void {
    this.annotate({ level: 'warning', message })
  }

  notice(message: string): void {
    this.annotate({ level: 'notice', message })
  }

  /** Where a "N more" annotation points when a level overflows (the config's first line, when there is one). */
  overflowOn(file: string | undefined): void {
    this.overflowAt = file ? { file, startLine: 1 } : {}
  }

  /**
   * Emits the annotations that fit, then the failure line (`core.setFailed`, itself an `::error`), which takes one of
   * the ten error slots. Whatever does not fit is still written to the log as a plain line.
   */
  finish(failure?: string): void {
    const used = this.readJobCounter()
    const reserved = failure === undefined ? 0 : 1
    const { shown, hidden } = fitAnnotations(this.annotations, {
      reserved: { error: reserved },
      overflowAt: this.overflowAt,
      jobRemaining: ANNOTATIONS_PER_JOB - used,
    })
    this.writeJobCounter(used + shown.length + reserved)
    for (const a of hidden) this.info(`${a.level}: ${a.title ? `${a.title}: ` : ''}${a.message}`)
    for (const a of shown) {
      // Only the properties there are: core writes `::notice ::` for a set of undefined ones.
      const properties = Object.fromEntries(
        Object.entries({ title: a.title, file: a.file, startLine: a.startLine }).filter(([, v]) => v !== undefined),
      )
      if (a.level === 'error') core.error(a.message, properties)
      else if (a.level === 'warning') core.warning(a.message, properties)
      else core.notice(a.message, properties)
    }
    this.annotations.length = 0
    if (failure !== undefined) core.setFailed(failure)
  }

  private readJobCounter(): number {
    if (!this.jobCounter) return 0
    try {
      const n = Number.parseInt(readFileSync(this.jobCounter, 'utf8'), 10)
      return Number.isInteger(n) && n >= 0 ? Math.min(n, ANNOTATIONS_PER_JOB) : 0
    } catch {
      return 0
    }
  }

  private writeJobCounter(n: number): void {
    if (!this.jobCounter) return
    try {
      writeFileSync(this.jobCounter, `${n}\n`)
    } catch {
      // A read-only or missing temp folder costs only the cross-step budget, never the step.
    }
  }
}
