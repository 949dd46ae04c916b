import { describe, it, expect } from '@jest/globals'
import { InputError } from '../src/errors.js'
import { isLoopbackRegistry, isValidTag, parseRepository, registryBaseUrl } from '../src/oci/reference.js'

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
    expect(['.v1', '-v1', 'v 1', 'v/1', 'v:1', '', 'a'.repeat(129)].map(isValidTag)).toEqual([
      false, false, false, false, false, false, false,
    ])
  })
})

describe('isLoopbackRegistry and registryBaseUrl', () => {
  it('treats 127.0.0.0/8, localhost and [::1] as loopback, with or without a port', () => {
    expect(['127.0.0.1:5000', '127.1.2.3', 'localhost', 'localhost:5000', '[::1]:5000', '[::1]'].map(isLoopbackRegistry)).toEqual([
      true, true, true, true, true, true,
    ])
    expect(['ghcr.io', '10.0.0.1:5000', '127.example.com', 'localhost.example.com'].map(isLoopbackRegistry)).toEqual([
      false, false, false, false,
    ])
  })

  it('uses HTTPS except for loopback or when insecure is asked for', () => {
    expect(registryBaseUrl('ghcr.io')).toBe('https://ghcr.io')
    expect(registryBaseUrl('127.0.0.1:5000')).toBe('http://127.0.0.1:5000')
    expect(registryBaseUrl('registry.lan:5000', true)).toBe('http://registry.lan:5000')
  })
})
