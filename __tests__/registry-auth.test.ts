import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../src/errors.js'
import { parseChallenge, readDockerConfigCredentials } from '../src/oci/registry/auth.js'

describe('parseChallenge', () => {
  it('reads a Bearer challenge as ghcr.io sends it', () => {
    expect(parseChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/k:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:org/k:pull' },
    })
  })

  it('reads a Basic challenge, unquoted values, spaces and escaped quotes', () => {
    expect(parseChallenge('Basic realm="local-registry"')).toEqual({ scheme: 'basic', params: { realm: 'local-registry' } })
    expect(parseChallenge('Bearer realm=https://x/t, service = "a \\"b\\""')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://x/t', service: 'a "b"' },
    })
  })

  it('returns undefined without a header', () => {
    expect(parseChallenge(null)).toBeUndefined()
    expect(parseChallenge('')).toBeUndefined()
  })
})

describe('readDockerConfigCredentials', () => {
  let home: string
  beforeAll(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-'))
    fs.mkdirSync(path.join(home, '.docker'))
    const auth = (text: string): { auth: string } => ({ auth: Buffer.from(text).toString('base64') })
    fs.writeFileSync(
      path.join(home, '.docker', 'config.json'),
      JSON.stringify({
        auths: {
          'ghcr.io': auth('octo:ghp_token:with:colons'),
          'https://index.docker.io/v1/': auth('hubuser:hubpass'),
          'https://registry.example.com': auth('no-colon-here'),
          'empty.example.com': { auth: '' },
        },
      }),
    )
  })
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

  it('finds auths[host].auth and splits at the first colon', () => {
    expect(readDockerConfigCredentials('ghcr.io', {}, home)).toEqual({ username: 'octo', password: 'ghp_token:with:colons' })
  })

  it('maps Docker Hub to the index.docker.io key docker login writes', () => {
    expect(readDockerConfigCredentials('registry-1.docker.io', {}, home)).toEqual({ username: 'hubuser', password: 'hubpass' })
  })

  it('returns undefined for an unknown host, an empty entry, or no config file', () => {
    expect(readDockerConfigCredentials('quay.io', {}, home)).toBeUndefined()
    expect(readDockerConfigCredentials('empty.example.com', {}, home)).toBeUndefined()
    expect(readDockerConfigCredentials('ghcr.io', { DOCKER_CONFIG: path.join(home, 'nowhere') }, home)).toBeUndefined()
  })

  it('prefers $DOCKER_CONFIG over ~/.docker', () => {
    expect(readDockerConfigCredentials('ghcr.io', { DOCKER_CONFIG: path.join(home, 'nowhere') }, home)).toBeUndefined()
    expect(readDockerConfigCredentials('ghcr.io', { DOCKER_CONFIG: path.join(home, '.docker') }, '/nonexistent')).toEqual({
      username: 'octo',
      password: 'ghp_token:with:colons',
    })
  })

  it('reports an auth entry that is not user:password as an InputError naming the file', () => {
    const file = path.join(home, '.docker', 'config.json')
    expect(() => readDockerConfigCredentials('registry.example.com', {}, home)).toThrow(
      new InputError(`${file}: auths["https://registry.example.com"].auth is not base64 of user:password`),
    )
  })
})
