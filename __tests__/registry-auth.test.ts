import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../src/errors.js'
import { RegistryAuth, parseChallenge, readDockerConfigCredentials } from '../src/oci/registry/auth.js'
import { Transport } from '../src/oci/registry/transport.js'

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

describe('credential helpers (credHelpers, credsStore)', () => {
  let dir: string
  let bin: string
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cred-helpers-'))
    bin = path.join(dir, 'bin')
    fs.mkdirSync(bin)
    // A helper speaking Docker's protocol: server URL on stdin, JSON on stdout; "not found" for unknown servers.
    const helper = (name: string, answers: Record<string, string>): void => {
      const cases = Object.entries(answers)
        .map(([server, json]) => `  '${server}') printf '%s' '${json}' ;;`)
        .join('\n')
      const script = `#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r server\ncase "$server" in\n${cases}\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n`
      fs.writeFileSync(path.join(bin, `docker-credential-${name}`), script, { mode: 0o755 })
    }
    helper('kat', { 'r.example:5000': '{"ServerURL":"r.example:5000","Username":"helper-user","Secret":"helper-Secret-123"}' })
    helper('store', {
      'https://index.docker.io/v1/': '{"Username":"hub","Secret":"hub-Secret-456"}',
      'id.example': '{"Username":"<token>","Secret":"identity-refresh-789"}',
    })
    helper('broken', { 'r.example:5000': 'not json' })
  })
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  const withConfig = (config: object): NodeJS.ProcessEnv => {
    const configDir = fs.mkdtempSync(path.join(dir, 'config-'))
    fs.writeFileSync(path.join(configDir, 'config.json'), JSON.stringify(config))
    return { DOCKER_CONFIG: configDir, PATH: `${bin}:${process.env.PATH}` }
  }

  it('asks credHelpers[host] first, and hands its secret to onSecret', () => {
    const env = withConfig({ credHelpers: { 'r.example:5000': 'kat' }, credsStore: 'store', auths: { 'r.example:5000': { auth: 'eDp5' } } })
    const secrets: string[] = []
    expect(readDockerConfigCredentials('r.example:5000', env, dir, (s) => secrets.push(s))).toEqual({
      username: 'helper-user',
      password: 'helper-Secret-123',
    })
    expect(secrets).toEqual(['helper-Secret-123'])
  })

  it('uses credsStore for every other registry, with Docker Hub under its v1 URL, and an identity token as <token>', () => {
    const env = withConfig({ credsStore: 'store', auths: { 'index.docker.io': {} } })
    expect(readDockerConfigCredentials('registry-1.docker.io', env, dir)).toEqual({ username: 'hub', password: 'hub-Secret-456' })
    expect(readDockerConfigCredentials('id.example', env, dir)).toEqual({ username: '<token>', password: 'identity-refresh-789' })
    // The store does not know it: no credentials (as docker does), not an error.
    expect(readDockerConfigCredentials('unknown.example', env, dir)).toBeUndefined()
  })

  it('a helper that is not on PATH is one line naming it and where it is configured', () => {
    const env = withConfig({ credHelpers: { 'r.example:5000': 'absent' } })
    expect(() => readDockerConfigCredentials('r.example:5000', env, dir)).toThrow(
      new InputError(
        `${path.join(env.DOCKER_CONFIG!, 'config.json')}: credHelpers["r.example:5000"]: credential helper docker-credential-absent is not on PATH`,
      ),
    )
  })

  it('a helper answering something other than JSON is one line that does not repeat its output', () => {
    const env = withConfig({ credsStore: 'broken' })
    expect(() => readDockerConfigCredentials('r.example:5000', env, dir)).toThrow(
      new InputError(
        `${path.join(env.DOCKER_CONFIG!, 'config.json')}: credsStore: credential helper docker-credential-broken did not answer JSON for r.example:5000`,
      ),
    )
  })
})

describe('RegistryAuth.redact', () => {
  // No credentials are known here, so only the pattern can catch these: the known-secret pass cannot hide a mutant.
  const auth = new RegistryAuth({ registry: 'r.example', origin: 'https://r.example', transport: new Transport() })

  it('hides any Basic or Bearer credential, whatever its case and token characters', () => {
    expect(auth.redact('refused: authorization: Bearer eyJhbGc.iOi-J_SU~zI+1/NiJ9=; accept: */*')).toBe(
      'refused: authorization: Bearer ***; accept: */*',
    )
    expect(auth.redact('Authorization: basic dXNlcjpwYXNz')).toBe('Authorization: basic ***')
    expect(auth.redact('BEARER\tabc and Basic  x/y+z==')).toBe('BEARER *** and Basic ***')
  })

  it('keeps the rest of the text as it was', () => {
    expect(auth.redact('manifest unknown: Bearers are animals')).toBe('manifest unknown: Bearers are animals')
  })

  it('also removes known secrets wherever they stand', () => {
    const withPassword = new RegistryAuth({
      registry: 'r.example',
      origin: 'https://r.example',
      transport: new Transport(),
      credentials: { username: 'u', password: 'Pa55word-x' },
    })
    expect(withPassword.redact('user u with Pa55word-x, base64 dTpQYTU1d29yZC14')).toBe('user u with ***, base64 ***')
  })
})
