// With RUNNER_DEBUG=1, no password, Basic credential or bearer token reaches the log, in success or failure, except
// inside the `::add-mask::` commands that tell the runner to mask it; registry errors never carry them either.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { craftBzImage, zoneConfigIn } from './support/crafted-kernel.js'
import { always, isManifestRequest, startFaultProxy, type FaultProxy } from './support/fault-proxy.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { runActionAsync } from './support/run-action.js'
import { startJwtTokenServer, startTokenServer, type RunningTokenServer } from './support/token-server.js'
import type { ActionRun } from './support/run-action.js'

const user = 'ci-bot'
const password = 'p4ss-Word_that-must-not-leak'

let dir: string
let config: string
let image: string
let htpasswdRegistry: RunningRegistry
let plainRegistry: RunningRegistry
let tokens: RunningTokenServer
let echoInFrontOfHtpasswd: FaultProxy
let echoInFrontOfTokens: FaultProxy

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-'))
  config = zoneConfigIn(dir)
  image = path.join(dir, 'bzImage')
  fs.writeFileSync(image, craftBzImage())
  htpasswdRegistry = await startRegistry({ auth: { user, pass: password } })
  plainRegistry = await startRegistry()
  tokens = await startTokenServer({ upstream: plainRegistry.host, user, pass: password })
  // Careless proxies that answer a manifest PUT with an error echoing the request's headers, Authorization included.
  echoInFrontOfHtpasswd = await startFaultProxy(htpasswdRegistry.host, always(isManifestRequest, { kind: 'echo', status: 400 }))
  echoInFrontOfTokens = await startFaultProxy(tokens.host, always(isManifestRequest, { kind: 'echo', status: 400 }))
})

afterAll(async () => {
  await echoInFrontOfHtpasswd?.stop()
  await echoInFrontOfTokens?.stop()
  await tokens?.stop()
  await plainRegistry?.stop()
  await htpasswdRegistry?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

function publish(repository: string, pass: string): Promise<ActionRun> {
  return runActionAsync(
    { config, image, repository, username: user, password: pass, tags: 'v1', 'oci-layout': path.join(dir, `layout-${Math.random()}`) },
    { workspace: dir, env: { RUNNER_DEBUG: '1' } },
  )
}

/** Every form a secret can take on the wire: itself, in a Basic credential, and that credential's base64. */
function forms(secret: string): string[] {
  return [secret, Buffer.from(`${user}:${secret}`).toString('base64')]
}

/** The log as a reader sees it: everything but the `::add-mask::` commands, which the runner consumes. */
function visibleLog(run: ActionRun): string {
  const notMasks = (text: string): string =>
    text
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n')
  return `${notMasks(run.stdout)}\n${notMasks(run.stderr)}`
}

function masks(run: ActionRun): string[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => line.slice('::add-mask::'.length))
}

function expectNoSecret(run: ActionRun, secrets: string[]): void {
  const log = visibleLog(run)
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8)
    expect(log.includes(secret)).toBe(false)
  }
  expect(log).not.toMatch(/authorization/i)
}

describe('htpasswd registry (Basic)', () => {
  it('success: the password is masked and never shown', async () => {
    const run = await publish(`${htpasswdRegistry.host}/kernels/secret`, password)

    expect(run.status).toBe(0)
    expect(masks(run)).toEqual(expect.arrayContaining(forms(password)))
    expectNoSecret(run, forms(password))
  })

  it('failure (wrong password): one line naming the user, no password', async () => {
    const wrong = 'wrong-Secret-9876543'
    const run = await publish(`${htpasswdRegistry.host}/kernels/secret`, wrong)

    expect(run.status).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      `::error::registry ${htpasswdRegistry.host}: authentication failed for user "${user}" (401)`,
    ])
    expect(masks(run)).toEqual(expect.arrayContaining(forms(wrong)))
    expectNoSecret(run, forms(wrong))
  })

  it('an HTTP error whose body echoes the Authorization header is reported without it', async () => {
    const run = await publish(`${echoInFrontOfHtpasswd.host}/kernels/echo`, password)

    expect(run.status).toBe(1)
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(
      new RegExp(`^::error::registry ${echoInFrontOfHtpasswd.host}: PUT manifest sha256:[0-9a-f]{64} → 400 DENIED: request refused: `),
    )
    expect(errors[0]).toContain('authorization: Basic ***')
    const log = visibleLog(run)
    for (const secret of forms(password)) expect(log.includes(secret)).toBe(false)
  })
})

describe('token registry (Bearer)', () => {
  it('success: every token issued is masked and never shown', async () => {
    tokens.tokensUsed.clear()
    const run = await publish(`${tokens.host}/kernels/bearer`, password)

    expect(run.status).toBe(0)
    const used = [...tokens.tokensUsed]
    expect(used.length).toBeGreaterThan(0)
    expect(masks(run)).toEqual(expect.arrayContaining([...forms(password), ...used]))
    expectNoSecret(run, [...forms(password), ...used])
  })

  it('failure: an HTTP error echoing the bearer token is reported without it', async () => {
    const before = tokens.tokenRequests.length
    const run = await publish(`${echoInFrontOfTokens.host}/kernels/bearer-echo`, password)

    expect(run.status).toBe(1)
    expect(tokens.tokenRequests.length).toBeGreaterThan(before) // a token was obtained, then the manifest refused
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toContain('authorization: Bearer ***')
    const issued = masks(run).filter((mask) => /^[0-9a-f]{48}$/.test(mask))
    expect(issued.length).toBeGreaterThan(0)
    const log = visibleLog(run)
    for (const secret of [...forms(password), ...issued]) expect(log.includes(secret)).toBe(false)
  })
})

describe('credentials from a Docker credential helper', () => {
  /** A DOCKER_CONFIG naming `helper` for the htpasswd registry, and a PATH holding docker-credential-kat. */
  function helperEnv(helper: string): Record<string, string> {
    const root = fs.mkdtempSync(path.join(dir, 'helper-'))
    fs.mkdirSync(path.join(root, 'bin'))
    const answer = JSON.stringify({ ServerURL: htpasswdRegistry.host, Username: user, Secret: password })
    fs.writeFileSync(
      path.join(root, 'bin', 'docker-credential-kat'),
      `#!/bin/sh\nread -r server\n[ "$server" = "${htpasswdRegistry.host}" ] && printf '%s' '${answer}'\n`,
      { mode: 0o755 },
    )
    fs.writeFileSync(path.join(root, 'config.json'), JSON.stringify({ credHelpers: { [htpasswdRegistry.host]: helper } }))
    return { RUNNER_DEBUG: '1', DOCKER_CONFIG: root, PATH: `${path.join(root, 'bin')}:${process.env.PATH}` }
  }
  const publishWithHelper = (env: Record<string, string>): Promise<ActionRun> =>
    runActionAsync(
      { config, image, repository: `${htpasswdRegistry.host}/kernels/helper`, tags: 'v1', 'oci-layout': path.join(dir, `layout-${Math.random()}`) },
      { workspace: dir, env },
    )

  it('success: the helper is asked, and its secret is masked and never shown', async () => {
    const run = await publishWithHelper(helperEnv('kat'))

    expect(run.status).toBe(0)
    expect(masks(run)).toEqual(expect.arrayContaining(forms(password)))
    expectNoSecret(run, forms(password))
  })

  it('a helper that is not installed fails the step with one line naming it', async () => {
    const env = helperEnv('not-installed')
    const run = await publishWithHelper(env)

    expect(run.status).toBe(1)
    expect(run.stdout.split('\n').filter((line) => line.startsWith('::error'))).toEqual([
      `::error::${path.join(env.DOCKER_CONFIG!, 'config.json')}: credHelpers["${htpasswdRegistry.host}"]: credential helper docker-credential-not-installed is not on PATH`,
    ])
  })
})

describe('a registry in token mode (real JWTs, verified by the registry)', () => {
  it('success: every JWT issued is masked and never shown', async () => {
    const jwt = await startJwtTokenServer({
      service: 'secrets-test',
      issuer: 'secrets-test',
      users: { [user]: { pass: password, actions: ['pull', 'push'] } },
    })
    const registry = await startRegistry({
      token: { realm: jwt.realm, service: 'secrets-test', issuer: 'secrets-test', rootCertBundle: jwt.certificatePath },
    })
    try {
      const run = await publish(`${registry.host}/kernels/jwt`, password)

      expect(run.status).toBe(0)
      expect(jwt.issued.length).toBeGreaterThan(0)
      expect(masks(run)).toEqual(expect.arrayContaining([...forms(password), ...jwt.issued]))
      expectNoSecret(run, [...forms(password), ...jwt.issued])
    } finally {
      await registry.stop()
      await jwt.stop()
    }
  })
})
