// A real registry for tests: Debian's docker-registry (CNCF distribution 2.8), on 127.0.0.1 only, in a temp dir.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string
  /** `http://127.0.0.1:PORT` */
  url: string
  dir: string
  stop(): Promise<void>
}

export interface RegistryServerOptions {
  auth?: { user: string; pass: string }
  /** Token mode: the registry demands Bearer tokens from `realm` and verifies each one itself (signature, issuer,
   * audience, expiry, scope) against the certificates in `rootCertBundle`. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string }
}

const binary = '/usr/bin/docker-registry'

export async function startRegistry(options: RegistryServerOptions = {}): Promise<RunningRegistry> {
  if (!fs.existsSync(binary)) {
    throw new Error(`${binary} is missing: run the tests with \`npm test\`, whose script installs docker-registry`)
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await startRegistryOnce(options, await freePort())
    } catch (error) {
      // Someone took the port between the check and the registry's bind: take the next one.
      if (attempt >= 5 || !/address already in use/.test(String(error))) throw error
    }
  }
}

async function startRegistryOnce(options: RegistryServerOptions, port: number): Promise<RunningRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'))
  let authYaml = ''
  if (options.auth !== undefined) {
    // bcrypt is the only hash distribution accepts.
    const line = execFileSync('htpasswd', ['-Bbn', options.auth.user, options.auth.pass], { encoding: 'utf8' })
    fs.writeFileSync(path.join(dir, 'htpasswd'), line)
    authYaml = `auth:\n  htpasswd:\n    realm: test-registry\n    path: ${path.join(dir, 'htpasswd')}\n`
  }
  if (options.token !== undefined) {
    const { realm, service, issuer, rootCertBundle } = options.token
    authYaml = `auth:\n  token:\n    realm: ${realm}\n    service: ${service}\n    issuer: ${issuer}\n    rootcertbundle: ${rootCertBundle}\n`
  }
  const config = path.join(dir, 'config.yml')
  fs.writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      authYaml,
    ].join('\n'),
  )
  const logFile = fs.openSync(path.join(dir, 'registry.log'), 'w')
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', logFile, logFile] })
  fs.closeSync(logFile)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      await exited
    }
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitForRegistry(child, url, options.auth !== undefined || options.token !== undefined, path.join(dir, 'registry.log'))
  } catch (error) {
    await stop()
    throw error
  }
  return { host: `127.0.0.1:${port}`, url, dir, stop }
}

async function waitForRegistry(child: ChildProcess, url: string, withAuth: boolean, logPath: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) {
      throw new Error(`docker-registry exited at start-up: ${fs.readFileSync(logPath, 'utf8').trim()}`)
    }
    try {
      const response = await fetch(`${url}/v2/`)
      await response.body?.cancel()
      if (response.status === 200 || (withAuth && response.status === 401)) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`docker-registry did not answer on ${url}/v2/ within 10 s`)
}

// Ports are handed out below the kernel's ephemeral range (32768+), so a port the OS gives some other socket meanwhile
// never collides, and from a range of its own per jest worker, so two test files running in parallel never pick the
// same one. Another jest run on the machine may still race for it: startRegistry retries with the next port.
const PORTS_PER_WORKER = 400
const FIRST_PORT = 20000 + (Number(process.env.JEST_WORKER_ID ?? 1) % 30) * PORTS_PER_WORKER
let nextPort = FIRST_PORT + Math.floor(Math.random() * PORTS_PER_WORKER)

/** A port of this worker's range that is free on 127.0.0.1 (nothing listens on it). */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < PORTS_PER_WORKER; tries++) {
    const port = nextPort
    nextPort = FIRST_PORT + ((nextPort - FIRST_PORT + 1) % PORTS_PER_WORKER)
    if (await canListen(port)) return port
  }
  throw new Error(`no free port in ${FIRST_PORT}-${FIRST_PORT + PORTS_PER_WORKER - 1}`)
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}
