/**
 * The way in for the action: read the kernel's Kconfig for the arch, explain every failing
 * requirement and write the fragment that fixes them.
 */
import { explainOption, type Explanation } from './explain.js'
import { kconfigValue, symbolOf } from '../requirement.js'
import { fixFragment, type FixRequirement } from './fix-fragment.js'
import { readKconfigTree, type KconfigTree, type KernelArch } from './parse.js'

export type { Explanation, LinkState, TristateLetter, UnmetDependency } from './explain.js'
export type { FixRequirement } from './fix-fragment.js'
export type { KconfigTree, KernelArch, SourceLocation, SymbolDefinition } from './parse.js'
export { renderExplanation, explainOption } from './explain.js'
export { fixFragment } from './fix-fragment.js'
export { readKconfigTree } from './parse.js'

export interface RequirementExplanations {
  /** By symbol name (without `CONFIG_`), one per failing requirement. */
  explanations: Map<string, Explanation>
  fixFragment: string
  /** Kconfig lines the reader did not understand and sources it did not find: explanations may miss what they said. */
  skipped: KconfigTree['skipped']
}

/**
 * `sourceDir` is the `kernel-source` input; `values` the `.config` (symbol without `CONFIG_` →
 * `y`/`m`/`n`/value). Throws InputError when `sourceDir` has no `Kconfig`.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- a promise on purpose: the tree read may become async without changing callers
export async function explainRequirements(
  sourceDir: string,
  arch: KernelArch,
  values: ReadonlyMap<string, string>,
  failing: readonly FixRequirement[],
): Promise<RequirementExplanations> {
  const tree = readKconfigTree(sourceDir, arch)
  const explanations = new Map<string, Explanation>()
  for (const { option, wanted } of failing) explanations.set(symbolOf(option), explainOption(tree, values, symbolOf(option), kconfigValue(wanted)))
  return { explanations, fixFragment: fixFragment(tree, values, failing), skipped: tree.skipped }
}
