import { InputError } from '../errors.js'

export interface KernelAnnotationFacts {
  version: string
  flavor: string
  arch: string
  configDigest: string
  tags: readonly string[]
  created: string
  /** `https://github.com/<owner>/<repo>` when running in a workflow. */
  source?: string
  revision?: string
  title: string
}

/**
 * The manifest annotations: the three `dev.edera.kernel.*` keys krata's own tooling requires (format, version,
 * flavor), the config digest, tags and arch, the OCI standard keys, then the user's, which win on conflict.
 */
export function kernelAnnotations(facts: KernelAnnotationFacts, user: Record<string, string>): Record<string, string> {
  const generated: Record<string, string> = {
    'dev.edera.kernel.format': '1',
    'dev.edera.kernel.version': facts.version,
    'dev.edera.kernel.flavor': facts.flavor,
    'dev.edera.kernel.arch': facts.arch,
    'dev.edera.kernel.config': facts.configDigest,
    'dev.edera.kernel.tags': facts.tags.join(','),
    'org.opencontainers.image.created': facts.created,
    'org.opencontainers.image.title': facts.title,
    'org.opencontainers.image.version': facts.version,
    ...(facts.source ? { 'org.opencontainers.image.source': facts.source } : {}),
    ...(facts.revision ? { 'org.opencontainers.image.revision': facts.revision } : {}),
  }
  return { ...generated, ...user }
}

/** Input `annotations`: one `KEY=VALUE` per line; the key is a reverse-DNS style name. */
export function parseAnnotationLines(lines: readonly string[]): Record<string, string> {
  const annotations: Record<string, string> = {}
  for (const line of lines) {
    const eq = line.indexOf('=')
    const key = eq > 0 ? line.slice(0, eq).trim() : ''
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key)) {
      throw new InputError(`annotations: ${JSON.stringify(line)} is not KEY=VALUE with a key such as org.example.name`)
    }
    annotations[key] = line.slice(eq + 1).trim()
  }
  return annotations
}

// An OCI `created` is RFC 3339, whose year has four digits: 9999-12-31T23:59:59Z is the last second.
const LAST_RFC3339_SECOND = 253_402_300_799

/**
 * `created` must not change between two runs on the same inputs, or the digest would: take SOURCE_DATE_EPOCH,
 * else the commit time, else the Unix epoch.
 */
export function createdTimestamp(sourceDateEpoch: string | undefined, commitTime: number | undefined): string {
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== '') {
    if (!/^\d+$/.test(sourceDateEpoch)) throw new InputError(`SOURCE_DATE_EPOCH: ${JSON.stringify(sourceDateEpoch)} is not a number of seconds`)
    if (Number(sourceDateEpoch) > LAST_RFC3339_SECOND) {
      throw new InputError(`SOURCE_DATE_EPOCH: ${sourceDateEpoch} is past the year 9999 (at most ${LAST_RFC3339_SECOND})`)
    }
    return new Date(Number(sourceDateEpoch) * 1000).toISOString().replace('.000Z', 'Z')
  }
  return new Date((commitTime ?? 0) * 1000).toISOString().replace('.000Z', 'Z')
}
