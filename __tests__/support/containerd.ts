// containerd, started for a test on a private socket and state directory: a registry and OCI-layout client that shares
// no code with skopeo (containers/image) or with this action, so what it reads back is an independent verdict.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

export interface RunningContainerd {
  /** Runs `ctr` against this daemon and returns its stdout. */
  ctr: (...args: string[]) => Buffer
  stop: () => Promise<void>
}

export async function startContainerd(): Promise<RunningContainerd> {
  // A short path: a unix socket's path must fit in 108 bytes.
  const dir = fs.mkdtempSync('/tmp/ctrd-')
  const socket = path.join(dir, 'containerd.sock')
  fs.writeFileSync(
    path.join(dir, 'config.toml'),
    [
      'version = 2',
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '',
    ].join('\n'),
  )
  const log = fs.openSync(path.join(dir, 'containerd.log'), 'w')
  const daemon: ChildProcess = spawn('containerd', ['--config', path.join(dir, 'config.toml')], { stdio: ['ignore', log, log] })
  const ctr = (...args: string[]): Buffer => execFileSync('ctr', ['-a', socket, ...args], { maxBuffer: 256 << 20 })
  for (let waited = 0; ; waited += 50) {
    try {
      ctr('version')
      break
    } catch (error) {
      if (daemon.exitCode !== null || waited > 15_000) {
        throw new Error(`containerd did not start: ${fs.readFileSync(path.join(dir, 'containerd.log'), 'utf8').slice(-2000)}`, { cause: error })
      }
      await sleep(50)
    }
  }
  return {
    ctr,
    stop: async () => {
      daemon.kill('SIGTERM')
      if (daemon.exitCode === null) await new Promise((resolve) => daemon.once('exit', resolve))
      fs.closeSync(log)
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
