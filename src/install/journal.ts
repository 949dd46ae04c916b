// The install journal: which targets an install was replacing, so that the next run can undo one killed half-way.
// It lies in the zone folder, where a hostile or damaged one may be planted: it is read without following a link,
// bounded, and accepted only when it names the files install itself replaces, each once.
import { InputError } from '../errors.js'

export const JOURNAL = '.kernel-action-install.json'

/** A journal is a few short lines; anything larger is not one we wrote. */
export const JOURNAL_MAX_BYTES = 4096

export interface Journal {
  /** Targets being replaced, and whether each existed before (then its old content is in <target>.previous). */
  targets: { target: string; existed: boolean }[]
}

/** Pure: the journal's text, checked against the targets install replaces; `file` names it in the refusal. */
export function parseJournal(text: string, file: string, known: readonly string[]): Journal {
  const refuse = (why: string): InputError =>
    new InputError(`${file}: ${why}; nothing was changed (restore the *.previous files by hand, then remove the journal)`)
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw refuse('an interrupted install left a journal that cannot be read')
  }
  const targets = (value as { targets?: unknown } | null)?.targets
  if (typeof value !== 'object' || value === null || !Array.isArray(targets)) throw refuse('is not an install journal (no list of targets)')
  const seen = new Set<string>()
  for (const entry of targets as unknown[]) {
    const { target, existed } = (entry ?? {}) as { target?: unknown; existed?: unknown }
    if (typeof target !== 'string' || !known.includes(target)) {
      throw refuse(`names the target ${JSON.stringify(target) ?? 'undefined'}, which is not one of ${known.join(', ')}`)
    }
    if (typeof existed !== 'boolean') throw refuse(`says neither true nor false for whether ${target} existed`)
    if (seen.has(target)) throw refuse(`names ${target} twice`)
    seen.add(target)
  }
  return { targets: (targets as Journal['targets']).map(({ target, existed }) => ({ target, existed })) }
}
