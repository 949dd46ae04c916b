import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fileError, InputError, IntegrityError, InternalError, RegistryError } from '../src/errors.js'
import { TagMismatchError } from '../src/oci/registry/errors.js'
import { ConnectionError } from '../src/oci/registry/transport.js'

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src')

describe('the error vocabulary', () => {
  it('words a file an input names that cannot be used one way only', () => {
    expect(fileError('config', 'a/.config', { code: 'ENOENT' })).toEqual(new InputError('config: a/.config does not exist'))
    expect(fileError('image', 'boot', { code: 'EISDIR' }).message).toBe('image: boot is a directory, not a file')
    expect(fileError('addons', 'x', { code: 'EACCES' }).message).toBe('addons: x cannot be read (permission denied)')
    expect(fileError('config', 'loop', { code: 'ELOOP' }).message).toBe('config: loop cannot be read (ELOOP)')
  })

  it('says an internal error is a bug to report', () => {
    expect(new InternalError('two layers, one history entry').message).toBe(
      'internal error: two layers, one history entry (a bug in kernel-action; please report it)',
    )
  })

  it('throws no plain Error anywhere in src/, and declares no kind of error outside src/errors.ts', () => {
    const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== 'errors.ts')
    const offending = files.flatMap((f) =>
      readFileSync(join(SRC, f), 'utf8')
        .split('\n')
        .map((line, i) => [`${f}:${i + 1}`, line] as const)
        .filter(([, line]) => /new Error\(|extends Error\b/.test(line))
        .map(([at]) => at),
    )
    expect(offending).toEqual([])
  })

  it('has the registry kind beside the others: its errors are RegistryErrors, integrity errors or input errors', () => {
    const error = new RegistryError('registry r.example: GET manifest v1 → 404 MANIFEST_UNKNOWN', 404, 'MANIFEST_UNKNOWN')
    expect([error.name, error.status, error.code, error instanceof Error]).toEqual(['RegistryError', 404, 'MANIFEST_UNKNOWN', true])
    expect(new ConnectionError('ECONNREFUSED', 'GET', 'http://127.0.0.1:1/v2/?x=secret')).toEqual(
      new RegistryError('GET http://127.0.0.1:1/v2/?…: cannot connect (ECONNREFUSED)'),
    )
    expect(new ConnectionError('ECONNREFUSED', 'GET', 'http://h/')).toBeInstanceOf(RegistryError)
    expect(new TagMismatchError('t', 'v1', 'sha256:a', undefined)).toBeInstanceOf(IntegrityError)
  })
})
