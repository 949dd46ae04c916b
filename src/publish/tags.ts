import { InputError } from '../errors.js'
import { isValidTag, tagError } from '../oci/reference.js'

export interface TagContext {
  version: string
  flavor: string
  arch: string
}

const PLACEHOLDER = /\{\{\s*([a-z]+)\s*\}\}/g

/**
 * Expands tag templates (`{{version}}`, `{{major}}`, `{{minor}}`, `{{patch}}`, `{{flavor}}`, `{{arch}}`) and checks
 * each result against the OCI tag grammar before anything is written. Docker tags cannot hold `+`, so a version such
 * as `6.18.44+nvidia` is written with `-`, as Edera's publisher does. Duplicates are dropped, order kept.
 */
export function expandTags(templates: readonly string[], context: TagContext): string[] {
  const version = context.version.replace(/\+/g, '-')
  const [major = '', minor = '', patch = ''] = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version)?.slice(1) ?? []
  const values: Record<string, string> = { version, major, minor, patch, flavor: context.flavor, arch: context.arch }
  const tags = (templates.length ? templates : ['{{version}}']).map((template) => {
    const tag = template.replace(PLACEHOLDER, (whole, name: string) => {
      if (!(name in values)) throw new InputError(`tags: unknown placeholder ${whole} in ${JSON.stringify(template)}`)
      if (values[name] === '')
        throw new InputError(`tags: ${whole} in ${JSON.stringify(template)} is empty for version ${JSON.stringify(context.version)}`)
      return values[name]
    })
    if (!isValidTag(tag)) throw tagError('tags', tag)
    return tag
  })
  return [...new Set(tags)]
}
