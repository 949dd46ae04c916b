import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { fileError, InputError, InternalError } from '../src/errors.js'

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

  it('throws no plain Error anywhere in src/ (the registry client has its own RegistryError)', () => {
    const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.startsWith(join('oci', 'registry')))
    const plain = files.flatMap((f) =>
      readFileSync(join(SRC, f), 'utf8')
        .split('\n')
        .map((line, i) => [`${f}:${i + 1}`, line] as const)
        .filter(([, line]) => /new Error\(/.test(line))
        .map(([at]) => at),
    )
    expect(plain).toEqual([])
  })
})
