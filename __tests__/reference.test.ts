import { afterAll, beforeAll, describe, it, expect } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../src/errors.js'
import { isLoopbackRegistry, isValidTag, parseRepository, registryBaseUrl } from '../src/oci/reference.js'
import { craftBzImage, zoneConfigIn } from './support/crafted-kernel.js'
import { runAction } from './support/run-action.js'

describe('parseRepository', () => {
  it('takes a first component with a dot as the registry', () => {
    expect(parseRepository('ghcr.io/org/zone-kernel')).toEqual({ registry: 'ghcr.io', repository: 'org/zone-kernel' })
  })

  it('takes a first component with a port as the registry', () => {
    expect(parseRepository('127.0.0.1:5000/k/zone')).toEqual({ registry: '127.0.0.1:5000', repository: 'k/zone' })
    expect(parseRepository('localhost:5000/x')).toEqual({ registry: 'localhost:5000', repository: 'x' })
  })

  it('takes a bare localhost as the registry', () => {
    expect(parseRepository('localhost/a/b')).toEqual({ registry: 'localhost', repository: 'a/b' })
  })

  it('sends other names to Docker Hub, with library/ for one component', () => {
    expect(parseRepository('krata/kernel')).toEqual({ registry: 'registry-1.docker.io', repository: 'krata/kernel' })
    expect(parseRepository('kernel')).toEqual({ registry: 'registry-1.docker.io', repository: 'library/kernel' })
    expect(parseRepository('docker.io/kernel')).toEqual({ registry: 'registry-1.docker.io', repository: 'library/kernel' })
  })

  it('accepts the separators the distribution grammar allows', () => {
    expect(parseRepository('ghcr.io/a.b/c_d/e__f/g---h').repository).toBe('a.b/c_d/e__f/g---h')
  })

  it('rejects uppercase with an InputError naming the repository input', () => {
    expect(() => parseRepository('ghcr.io/Org/kernel')).toThrow(new InputError('repository "ghcr.io/Org/kernel": must be lowercase'))
    expect(() => parseRepository('ghcr.io/Org/kernel')).toThrow(InputError)
  })

  it('rejects a tag or a digest in the repository', () => {
    expect(() => parseRepository('ghcr.io/org/kernel:v1')).toThrow(
      'repository "ghcr.io/org/kernel:v1": must not include a tag (give tags in the tags input)',
    )
    expect(() => parseRepository('ghcr.io/org/kernel@sha256:' + 'a'.repeat(64))).toThrow('must not include a digest')
  })

  it('rejects bad path components, empty input and a scheme', () => {
    expect(() => parseRepository('ghcr.io/org//kernel')).toThrow('repository "ghcr.io/org//kernel": "" is not a valid path component')
    expect(() => parseRepository('ghcr.io/-org/kernel')).toThrow('"-org" is not a valid path component')
    expect(() => parseRepository('ghcr.io/a_.b')).toThrow('"a_.b" is not a valid path component')
    expect(() => parseRepository('  ')).toThrow('repository "  ": is empty')
    expect(() => parseRepository('https://ghcr.io/org/k')).toThrow('must not include a scheme')
  })
})

describe('isValidTag', () => {
  it('accepts tags of the OCI grammar up to 128 characters', () => {
    expect(['v1', '6.12.1', '_x', 'A-b.c_d', 'a'.repeat(128)].map(isValidTag)).toEqual([true, true, true, true, true])
  })

  it('rejects a leading dot or dash, other characters, and 129 characters', () => {
    expect(['.v1', '-v1', 'v 1', 'v/1', 'v:1', '', 'a'.repeat(129)].map(isValidTag)).toEqual([false, false, false, false, false, false, false])
  })
})

describe('isLoopbackRegistry and registryBaseUrl', () => {
  it('treats 127.0.0.0/8, localhost and [::1] as loopback, with or without a port', () => {
    expect(['127.0.0.1:5000', '127.1.2.3', 'localhost', 'localhost:5000', '[::1]:5000', '[::1]'].map(isLoopbackRegistry)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
    ])
    expect(['ghcr.io', '10.0.0.1:5000', '127.example.com', 'localhost.example.com'].map(isLoopbackRegistry)).toEqual([false, false, false, false])
  })

  it('uses HTTPS except for loopback or when insecure is asked for', () => {
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io')
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000')
    expect(registryBaseUrl('registry.lan:5000', true)).toBe('http://registry.lan:5000')
  })
})

describe('parseRepository refuses what must not reach a request', () => {
  it('rejects user:password@ in the repository with its own message that never quotes the input', () => {
    for (const text of [
      'user:hunter2@ghcr.io/org/k',
      'https://user:hunter2@ghcr.io/org/k',
      'user:hunter2@127.0.0.1:5000',
      'tok@ghcr.io/k@sha256:' + 'a'.repeat(64),
    ]) {
      const error = (() => {
        try {
          parseRepository(text)
        } catch (caught) {
          return caught as Error
        }
        throw new Error(`${text} was accepted`)
      })()
      expect(error).toEqual(
        new InputError('repository: must not include a user name or password (user:password@host); give them as username and password'),
      )
      expect(error.message).not.toContain('hunter2')
    }
    // A digest is still told apart from user info.
    expect(() => parseRepository('kernel@sha256:' + 'a'.repeat(64))).toThrow('must not include a digest')
  })

  it('rejects a port outside 1-65535 when parsing, before anything is written', () => {
    expect(() => parseRepository('127.0.0.1:99999/k')).toThrow(
      new InputError('repository "127.0.0.1:99999/k": port 99999 of "127.0.0.1:99999" is not in 1-65535'),
    )
    expect(() => parseRepository('127.0.0.1:0/k')).toThrow('port 0 of "127.0.0.1:0" is not in 1-65535')
    expect(parseRepository('127.0.0.1:65535/k')).toEqual({ registry: '127.0.0.1:65535', repository: 'k' })
  })
})

describe('the repository input, through the action', () => {
  let dir: string
  let inputs: Record<string, string>
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'repository-input-'))
    fs.writeFileSync(path.join(dir, 'bzImage'), craftBzImage())
    inputs = { config: zoneConfigIn(dir), image: path.join(dir, 'bzImage'), tags: 'v1' }
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('user:password@ fails the step with one line that never shows the password, and writes no layout', () => {
    const layout = path.join(dir, 'layout-userinfo')
    const run = runAction({ ...inputs, repository: 'ci:hunter2-Secret@127.0.0.1:5000/kernels/zone', 'oci-layout': layout }, { workspace: dir })
    expect(run.status).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      '::error::repository: must not include a user name or password (user:password@host); give them as username and password',
    ])
    expect(`${run.stdout}${run.stderr}`).not.toContain('hunter2')
    expect(fs.existsSync(layout)).toBe(false)
  })

  it('a port of 99999 fails the step before the layout is written', () => {
    const layout = path.join(dir, 'layout-port')
    const run = runAction({ ...inputs, repository: '127.0.0.1:99999/kernels/zone', 'oci-layout': layout }, { workspace: dir })
    expect(run.status).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      '::error::repository "127.0.0.1:99999/kernels/zone": port 99999 of "127.0.0.1:99999" is not in 1-65535',
    ])
    expect(fs.existsSync(layout)).toBe(false)
  })
})
