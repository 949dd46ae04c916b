import { describe, expect, it } from '@jest/globals'
import { expandTags } from '../src/publish/tags.js'
import { createdTimestamp, kernelAnnotations, parseAnnotationLines } from '../src/publish/annotations.js'

describe('expandTags', () => {
  const context = { version: '6.1.192', flavor: 'zone', arch: 'x86_64' }

  it('expands version parts, flavor and arch, and keeps plain words', () => {
    expect(expandTags(['{{version}}', '{{major}}.{{minor}}', '{{major}}', 'latest', '{{version}}-{{flavor}}-{{arch}}'], context)).toEqual([
      '6.1.192',
      '6.1',
      '6',
      'latest',
      '6.1.192-zone-x86_64',
    ])
  })

  it('defaults to the version and drops duplicates', () => {
    expect(expandTags([], context)).toEqual(['6.1.192'])
    expect(expandTags(['latest', 'latest', '{{ version }}'], context)).toEqual(['latest', '6.1.192'])
  })

  it('writes + as - as Docker tags require', () => {
    expect(expandTags(['{{version}}'], { ...context, version: '6.18.44+nvidia-610.57.04' })).toEqual(['6.18.44-nvidia-610.57.04'])
  })

  it('rejects tags outside the OCI grammar and unknown placeholders before anything is pushed', () => {
    expect(() => expandTags(['-latest'], context)).toThrow('tags: "-latest" is not a valid OCI tag')
    expect(() => expandTags(['a/b'], context)).toThrow('tags: "a/b" is not a valid OCI tag')
    expect(() => expandTags(['x'.repeat(129)], context)).toThrow('is not a valid OCI tag')
    expect(() => expandTags(['{{branch}}'], context)).toThrow('tags: unknown placeholder {{branch}} in "{{branch}}"')
  })

  it('refuses a placeholder the version has no value for, rather than a tag like "6.1."', () => {
    expect(() => expandTags(['{{major}}.{{minor}}.{{patch}}'], { ...context, version: '6.1' })).toThrow(
      'tags: {{patch}} in "{{major}}.{{minor}}.{{patch}}" is empty for version "6.1"',
    )
    expect(() => expandTags(['v{{patch}}'], { ...context, version: 'rolling' })).toThrow(
      'tags: {{patch}} in "v{{patch}}" is empty for version "rolling"',
    )
  })
})

describe('manifest annotations', () => {
  const facts = {
    version: '6.1.192',
    flavor: 'zone',
    arch: 'x86_64',
    configDigest: `sha256:${'a'.repeat(64)}`,
    tags: ['6.1.192', 'latest'],
    created: '2026-11-25T00:00:00Z',
    source: 'https://github.com/krata/kernels',
    revision: 'abc',
    title: 'zone-kernel',
  }

  it('carries the keys krata tooling requires, the config digest and the OCI standard keys', () => {
    expect(kernelAnnotations(facts, {})).toEqual({
      'dev.edera.kernel.format': '1',
      'dev.edera.kernel.version': '6.1.192',
      'dev.edera.kernel.flavor': 'zone',
      'dev.edera.kernel.arch': 'x86_64',
      'dev.edera.kernel.config': `sha256:${'a'.repeat(64)}`,
      'dev.edera.kernel.tags': '6.1.192,latest',
      'org.opencontainers.image.created': '2026-11-25T00:00:00Z',
      'org.opencontainers.image.title': 'zone-kernel',
      'org.opencontainers.image.version': '6.1.192',
      'org.opencontainers.image.source': 'https://github.com/krata/kernels',
      'org.opencontainers.image.revision': 'abc',
    })
  })

  it('lets user annotations win, and rejects lines that are not KEY=VALUE', () => {
    const user = parseAnnotationLines(['org.opencontainers.image.title=my kernel', 'org.example.team = xen'])
    expect(user).toEqual({ 'org.opencontainers.image.title': 'my kernel', 'org.example.team': 'xen' })
    expect(kernelAnnotations(facts, user)['org.opencontainers.image.title']).toBe('my kernel')
    expect(() => parseAnnotationLines(['no-equals-sign'])).toThrow('annotations: "no-equals-sign" is not KEY=VALUE')
    expect(() => parseAnnotationLines(['=value'])).toThrow('annotations: "=value" is not KEY=VALUE')
  })

  it('takes created from SOURCE_DATE_EPOCH, else the commit time, else the epoch', () => {
    expect(createdTimestamp('1700000000', 5)).toBe('2023-11-14T22:13:20Z')
    expect(createdTimestamp(undefined, 1700000000)).toBe('2023-11-14T22:13:20Z')
    expect(createdTimestamp('', undefined)).toBe('1970-01-01T00:00:00Z')
    expect(() => createdTimestamp('yesterday', undefined)).toThrow('SOURCE_DATE_EPOCH: "yesterday" is not a number of seconds')
  })
})
