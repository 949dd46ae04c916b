// Debian's docker-registry in token mode (auth.token: realm, service, issuer, rootcertbundle) behind a token server
// that signs real RS256 JWTs with scopes: the registry itself verifies every token the client presents.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../src/errors.js'
import { RegistryClient, RegistryError, type RegistryClientOptions } from '../src/oci/registry/client.js'
import { pushImage } from '../src/oci/registry/push.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { startJwtTokenServer, type RunningJwtTokenServer } from './support/token-server.js'
import { smallImage } from './support/small-image.js'

const service = 'kernel-action-test-registry'
const issuer = 'kernel-action-test-issuer'
const writer = { username: 'writer', password: 'writer-Pass-123' }
const reader = { username: 'reader', password: 'reader-Pass-456' }

let work: string
let tokens: RunningJwtTokenServer
let registry: RunningRegistry

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'token-mode-'))
  tokens = await startJwtTokenServer({
    service,
    issuer,
    users: {
      [writer.username]: { pass: writer.password, actions: ['pull', 'push'] },
      [reader.username]: { pass: reader.password, actions: ['pull'] },
    },
    refreshTokens: { 'identity-token-of-writer': writer.username },
    publicPrefix: 'public/',
  })
  registry = await startRegistry({ token: { realm: tokens.realm, service, issuer, rootCertBundle: tokens.certificatePath } })
})

afterAll(async () => {
  await registry?.stop()
  await tokens?.stop()
  if (work) fs.rmSync(work, { recursive: true, force: true })
})

const options = (extra: RegistryClientOptions = {}): RegistryClientOptions => ({
  env: { DOCKER_CONFIG: work },
  transport: { baseDelayMs: 5 },
  ...extra,
})

/** The registry's own answer to a token-less read: proof that it is in token mode and checks tokens. */
function anonymousStatus(repository: string): string {
  return execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `${registry.url}/v2/${repository}/tags/list`], { encoding: 'utf8' })
}

describe('a registry in token mode', () => {
  it('pushes with a push-scoped token; the registry accepted the JWTs, and skopeo reads the image back with one', async () => {
    const image = smallImage('token mode kernel ', 2000)
    const secrets: string[] = []
    const client = new RegistryClient(
      { registry: registry.host, repository: 'public/kernel' },
      options({ credentials: writer, onSecret: (s) => secrets.push(s) }),
    )
    const result = await pushImage(client, image, ['v1'])

    expect(result.blobsUploaded).toBe(2)
    expect(anonymousStatus('public/kernel')).toBe('401')
    expect(tokens.tokenRequests.some((r) => r.user === 'writer' && r.scopes.includes('repository:public/kernel:pull,push'))).toBe(true)
    // Every JWT was handed over for masking.
    expect(secrets.filter((s) => s.split('.').length === 3).length).toBeGreaterThan(0)
    // Asynchronously: skopeo asks the token server, which runs in this process.
    const skopeo = await promisify(execFile)(
      'skopeo',
      ['inspect', '--tls-verify=false', '--creds', `${writer.username}:${writer.password}`, '--raw', `docker://${registry.host}/public/kernel:v1`],
      { encoding: 'buffer' },
    )
    expect(skopeo.stdout.equals(image.manifest.bytes)).toBe(true)
  })

  it('reads a public image with the anonymous pull token, as krata does', async () => {
    const before = tokens.tokenRequests.length
    const client = new RegistryClient({ registry: registry.host, repository: 'public/kernel' }, options())
    const manifest = await client.getManifest('v1')
    const parsed = JSON.parse(manifest.bytes.toString('utf8')) as { layers: { digest: string }[] }
    const chunks: Buffer[] = []
    for await (const chunk of await client.getBlobStream(parsed.layers[0]!.digest)) chunks.push(chunk as Buffer)
    expect(Buffer.concat(chunks).toString('utf8')).toBe('token mode kernel '.repeat(2000))
    expect(tokens.tokenRequests.slice(before).map((r) => [r.grant, r.scopes])).toEqual([['anonymous', ['repository:public/kernel:pull']]])
  })

  it('anonymous push is refused with the no-credentials line', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'public/kernel' }, options())
    await expect(pushImage(client, smallImage('anonymous ', 2000), ['v2'])).rejects.toThrow(
      new InputError(`registry ${registry.host}: authentication required (401); no credentials given for ${registry.host}`),
    )
  })

  it('a token whose scope lacks push fails with one line naming the user and the scope, and nothing is written', async () => {
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/denied' }, options({ credentials: reader }))
    const error = (await pushImage(client, smallImage('reader ', 2000), ['v1']).catch((e: unknown) => e)) as RegistryError
    expect(error).toBeInstanceOf(RegistryError)
    expect([error.status, error.code, error.message]).toEqual([
      401,
      'insufficient_scope',
      `registry ${registry.host}: user "reader" is not allowed repository:kernels/denied:pull,push (insufficient_scope)`,
    ])
    const writerClient = new RegistryClient({ registry: registry.host, repository: 'kernels/denied' }, options({ credentials: writer }))
    expect(await writerClient.resolve('v1')).toBeUndefined()
  })

  it('an expired token is refreshed once, and the push goes on', async () => {
    tokens.expireNext(1)
    const before = tokens.tokenRequests.length
    const image = smallImage('expired token ', 2000)
    const client = new RegistryClient({ registry: registry.host, repository: 'kernels/refresh' }, options({ credentials: writer }))
    expect(await client.blobExists(image.blobs[0]!.descriptor.digest)).toBe(false)
    // The first token was refused by the registry (expired), the second one worked.
    expect(tokens.tokenRequests.slice(before).map((r) => r.scopes)).toEqual([
      ['repository:kernels/refresh:pull'],
      ['repository:kernels/refresh:pull'],
    ])
    expect((await pushImage(client, image, ['v1'])).digest).toBe(image.manifest.descriptor.digest)
  })

  it('an identity token from a credential helper is exchanged at the realm (refresh_token grant)', async () => {
    const before = tokens.tokenRequests.length
    const client = new RegistryClient(
      { registry: registry.host, repository: 'kernels/identity' },
      options({ credentials: { username: '<token>', password: 'identity-token-of-writer' } }),
    )
    const image = smallImage('identity ', 2000)
    expect((await pushImage(client, image, ['v1'])).blobsUploaded).toBe(2)
    expect(tokens.tokenRequests.slice(before).every((r) => r.grant === 'refresh_token' && r.user === 'writer')).toBe(true)
  })
})
