import * as core from '@actions/core'
import { fitAnnotations, type Annotation } from './annotations.js'
import { escapeLogLine } from '../log-line.js'

/**
 * The step's log, the one way the action writes to the runner: plain lines escaped so the runner never reads a
 * workflow command from user text, and every annotation (check results, duplicate options, publish warnings, the
 * sample notice and the step's own failure line) held back and fitted into GitHub's per-level budget at the end.
 */
export class StepLog {
  private readonly annotations: Annotation[] = []
  private overflowAt: { file?: string; startLine?: number } = {}

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
    const { shown, hidden } = fitAnnotations(this.annotations, { reserved: { error: failure === undefined ? 0 : 1 }, overflowAt: this.overflowAt })
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
}
