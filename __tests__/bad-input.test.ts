// Unusable input, run through the real action: one `::error::` line naming the input (or file:line), a non-zero exit
// whatever `fail-on` says, no stack trace, and nothing published. CRLF and duplicated symbols are not bad input.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { AARCH64_CONFIG, craftArm64Image, craftBzImage, zoneConfigIn } from './support/crafted-kernel.js'
import { freePort, startRegistry, type RunningRegistry } from './support/registry-server.js'
import { runActionAsync } from './support/run-action.js'

let dir: string
let registry: RunningRegistry
let authRegistry: RunningRegistry
let garbage: http.Server
let garbageHost: string
let deadPort: number
const files: Record<string, string> = {}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'))
  registry = await startRegistry()
  authRegistry = await startRegistry({ auth: { user: 'ci', pass: 'right-password' } })
  // A "registry" that answers every request 200 with an HTML page, as a captive portal or a misrouted proxy does.
  garbage = http.createServer((request, response) => {
    request.resume()
    response.writeHead(200, { 'content-type': 'text/html' })
    response.end('<html><body><h1>Welcome to nginx!</h1></body></html>\n')
  })
  await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve))
  garbageHost = `127.0.0.1:${(garbage.address() as AddressInfo).port}`
  deadPort = await freePort()

  const write = (name: string, content: string | Buffer): string => {
    const file = path.join(dir, name)
    fs.writeFileSync(file, content)
    return (files[name] = file)
  }
  const good = zoneConfigIn(dir)
  files.good = good
  const goodText = fs.readFileSync(good, 'utf8')
  write('bzImage', craftBzImage())
  write('arm64-Image', craftArm64Image())
  write('binary.config', craftBzImage(4096))
  write('empty.config', '')
  write('truncated.config.gz', gzipSync(goodText).subarray(0, 2000))
  const lines = goodText.split('\n')
  lines.splice(5, 0, 'CONFIG_XEN y') // becomes line 6
  write('not-kconfig.config', lines.join('\n'))
  write('not-a-kernel', 'this is a README, not a kernel image\n'.repeat(100))
  fs.mkdirSync(path.join(dir, 'a-directory'))
  // Running as root, chmod 000 does not stop reads; a symlink loop fails for every user (ELOOP).
  fs.symlinkSync('loop.config', path.join(dir, 'loop.config'))
  write('crlf.config', goodText.replace(/\n/g, '\r\n'))
  // Kernel files that are not what they claim (issue 9): cut short, or a header with nothing behind it.
  const wholeBzImage = craftBzImage(512 * 1024)
  files.wholeBzImageSize = String(wholeBzImage.length)
  write('truncated-bzImage', wholeBzImage.subarray(0, 100 * 1024))
  write('arm64-header-only', craftArm64Image().subarray(0, 64))
  const bigArm64 = Buffer.alloc(2 * 1024 * 1024)
  craftArm64Image().subarray(0, 64).copy(bigArm64)
  bigArm64.writeBigUInt64LE(BigInt(bigArm64.length), 16) // image_size: a real Image occupies at least its file
  bigArm64.write('Linux version 6.1.192-crafted (test@kernel-action) (gcc 12.2.0) #1 SMP\n\0', 1536 * 1024, 'latin1')
  write('arm64-first-1M.gz', gzipSync(bigArm64.subarray(0, 1024 * 1024)))
  write('empty-addons', '')
  // Files that are not regular files (issue 10): a FIFO with no writer blocks an open or a read forever.
  execFileSync('mkfifo', [path.join(dir, 'fifo')])
  // Over the 16 MiB size limit that keeps memory in proportion (a sparse file: nothing is written or read).
  fs.closeSync(fs.openSync(path.join(dir, 'huge.config'), 'w'))
  fs.truncateSync(path.join(dir, 'huge.config'), 16 * 1024 * 1024 + 1)
  write('bomb.config.gz', gzipSync(Buffer.alloc(17 * 1024 * 1024, 0x41)))
  // A layout whose index.json is JSON but not an index.
  fs.mkdirSync(path.join(dir, 'null-index-layout'))
  write('null-index-layout/oci-layout', '{"imageLayoutVersion":"1.0.0"}')
  write('null-index-layout/index.json', 'null')
  const comment = goodText.split('\n')
  comment.splice(5, 0, 'CONFIG_XEN=y # comment') // line 6
  write('comment.config', comment.join('\n'))
  write('text-addons', 'modules/modules.dep\n'.repeat(20))
  // A squashfs superblock claiming 96 bytes, then 1 GiB of zeros (sparse) riding along.
  const superblock = Buffer.alloc(96)
  superblock.write('hsqs', 0, 'latin1')
  superblock.writeUInt16LE(4, 28)
  superblock.writeBigUInt64LE(96n, 40)
  write('padded-addons', superblock)
  fs.truncateSync(at('padded-addons'), 1024 ** 3)
  write('duplicated.config', `${goodText}CONFIG_XEN=y\nCONFIG_HZ=250\n`)
})

afterAll(async () => {
  await new Promise<void>((resolve) => (garbage ? garbage.close(() => resolve()) : resolve()))
  await registry?.stop()
  await authRegistry?.stop()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

interface BadInput {
  name: string
  inputs: () => Record<string, string>
  /** The whole `::error::` line, or a pattern for it when it holds a port or a digest. */
  error: () => string | RegExp
  /**
   * Where a tag must not exist afterwards (default: the repository every row pushes to unless it names another);
   * `null` when the row's registry cannot be listed (nothing listens there, or it answers nonsense).
   */
  registry?: () => { url: string; repository: string; auth?: string } | null
  /** Environment of the run (e.g. SOURCE_DATE_EPOCH). */
  env?: () => Record<string, string>
  /** The input was good enough to build the local layout; the push to the registry failed. */
  pushed?: boolean
}

const at = (name: string): string => path.join(dir, name)
const publish = (extra: Record<string, string> = {}): Record<string, string> => ({ config: files.good!, image: files.bzImage!, ...extra })

const table: BadInput[] = [
  // --- check ---
  {
    name: 'binary config',
    inputs: () => ({ config: files['binary.config']! }),
    error: () => `config: ${at('binary.config')} is a binary file, not a kernel .config`,
  },
  { name: 'empty config', inputs: () => ({ config: files['empty.config']! }), error: () => `config: ${at('empty.config')} is empty` },
  {
    name: 'truncated gzip config',
    inputs: () => ({ config: files['truncated.config.gz']! }),
    error: () => `config: ${at('truncated.config.gz')} is not a readable gzip file (unexpected end of file)`,
  },
  {
    name: 'a line that is not Kconfig',
    inputs: () => ({ config: files['not-kconfig.config']! }),
    error: () => `${at('not-kconfig.config')}:6: not a kernel config line: "CONFIG_XEN y"`,
  },
  { name: 'nonexistent config', inputs: () => ({ config: at('no-such.config') }), error: () => `config: ${at('no-such.config')} does not exist` },
  {
    name: 'config is a directory',
    inputs: () => ({ config: at('a-directory') }),
    error: () => `config: ${at('a-directory')} is a directory, not a file`,
  },
  {
    name: 'unreadable config (symlink loop)',
    inputs: () => ({ config: at('loop.config') }),
    error: () => `config: ${at('loop.config')} cannot be read (ELOOP)`,
  },
  { name: 'unknown target', inputs: () => ({ config: files.good!, target: 'dom0' }), error: () => 'target: "dom0" is not one of zone, host' },
  {
    name: 'arch that disagrees with the config',
    inputs: () => ({ config: files.good!, arch: 'arm64' }),
    error: () => `arch: input says aarch64 but ${files.good} is an x86_64 config`,
  },
  // --- publish ---
  {
    name: 'image that is not a kernel',
    inputs: () => publish({ image: files['not-a-kernel']! }),
    error: () => `image: ${at('not-a-kernel')} is not a Linux kernel image (no bzImage "HdrS" header, no arm64 Image magic)`,
  },
  {
    name: 'image of the wrong arch',
    inputs: () => publish({ image: files['arm64-Image']! }),
    error: () => `image: ${at('arm64-Image')} is an aarch64 Image but config ${files.good} is for x86_64`,
  },
  {
    name: 'nonexistent image',
    inputs: () => publish({ image: at('no-such-bzImage') }),
    error: () => `image: ${at('no-such-bzImage')} does not exist`,
  },
  {
    name: 'image is a directory',
    inputs: () => publish({ image: at('a-directory') }),
    error: () => `image: ${at('a-directory')} is a directory, not a file`,
  },
  {
    name: 'addons is a directory',
    inputs: () => publish({ addons: at('a-directory') }),
    error: () => `addons: ${at('a-directory')} is a directory, not a file`,
  },
  {
    name: 'truncated bzImage (100 KB prefix)',
    inputs: () => publish({ image: files['truncated-bzImage']! }),
    error: () =>
      `image: ${at('truncated-bzImage')} is truncated: its boot header says ${files.wholeBzImageSize} bytes (setup + syssize) but the file has 102400`,
  },
  {
    name: 'arm64 Image that is only its 64-byte header',
    inputs: () => publish({ config: AARCH64_CONFIG, image: files['arm64-header-only']! }),
    error: () => `image: ${at('arm64-header-only')}: cannot read the kernel release (no "Linux version" banner in the Image)`,
  },
  {
    name: 'gzip of the first 1 MB of an arm64 Image',
    inputs: () => publish({ config: AARCH64_CONFIG, image: files['arm64-first-1M.gz']! }),
    error: () => `image: ${at('arm64-first-1M.gz')}: cannot read the kernel release (no "Linux version" banner in the inflated Image.gz)`,
  },
  {
    name: 'empty addons',
    inputs: () => publish({ addons: files['empty-addons']! }),
    error: () => `addons: ${at('empty-addons')} is not a squashfs image (no "hsqs" superblock)`,
  },
  {
    name: 'text file as addons',
    inputs: () => publish({ addons: files['text-addons']! }),
    error: () => `addons: ${at('text-addons')} is not a squashfs image (no "hsqs" superblock)`,
  },
  {
    name: 'addons longer than its squashfs',
    inputs: () => publish({ addons: at('padded-addons') }),
    error: () =>
      `addons: ${at('padded-addons')} is longer than its squashfs image: the superblock says 96 bytes (65536 padded to 64 KiB) but the file has ${1024 ** 3}`,
  },
  {
    name: 'bzImage as addons',
    inputs: () => publish({ addons: files.bzImage! }),
    error: () => `addons: ${at('bzImage')} is not a squashfs image (no "hsqs" superblock)`,
  },
  {
    name: 'config is /dev/zero',
    inputs: () => ({ config: '/dev/zero' }),
    error: () => 'config: /dev/zero is a character device, not a regular file',
  },
  {
    name: 'config is /dev/urandom',
    inputs: () => ({ config: '/dev/urandom' }),
    error: () => 'config: /dev/urandom is a character device, not a regular file',
  },
  {
    name: 'config is a FIFO',
    inputs: () => ({ config: at('fifo') }),
    error: () => `config: ${at('fifo')} is a named pipe (FIFO), not a regular file`,
  },
  {
    name: 'requirements is a FIFO',
    inputs: () => ({ config: files.good!, requirements: at('fifo') }),
    error: () => `requirements: ${at('fifo')} is a named pipe (FIFO), not a regular file`,
  },
  {
    name: 'fragment is a FIFO',
    inputs: () => ({ config: files.good!, fragment: at('fifo') }),
    error: () => `fragment: ${at('fifo')} is a named pipe (FIFO), not a regular file`,
  },
  {
    name: 'image is a FIFO',
    inputs: () => publish({ image: at('fifo') }),
    error: () => `image: ${at('fifo')} is a named pipe (FIFO), not a regular file`,
  },
  {
    name: 'addons is a FIFO',
    inputs: () => publish({ addons: at('fifo') }),
    error: () => `addons: ${at('fifo')} is a named pipe (FIFO), not a regular file`,
  },
  {
    name: 'addons is /dev/zero',
    inputs: () => publish({ addons: '/dev/zero' }),
    error: () => 'addons: /dev/zero is a character device, not a regular file',
  },
  {
    name: 'report is a directory',
    inputs: () => ({ config: files.good!, report: at('a-directory') }),
    error: () => `report: ${at('a-directory')} is a directory; give the path of a file`,
  },
  {
    name: 'report under a file',
    inputs: () => ({ config: files.good!, report: `${at('not-a-kernel')}/report.json` }),
    error: () => `report: ${at('not-a-kernel')}/report.json cannot be created: a folder on its path is a file`,
  },
  {
    name: 'report on a full disk (/dev/full)',
    inputs: () => ({ config: files.good!, report: '/dev/full' }),
    error: () => 'report: /dev/full cannot be written: no space left on the device',
  },
  {
    name: 'SOURCE_DATE_EPOCH past the year 9999',
    inputs: () => publish(),
    env: () => ({ SOURCE_DATE_EPOCH: '99999999999999999' }),
    error: () => 'SOURCE_DATE_EPOCH: 99999999999999999 is past the year 9999 (at most 253402300799)',
  },
  {
    name: 'index.json that is null',
    inputs: () => publish({ 'oci-layout': at('null-index-layout') }),
    error: () => `oci-layout: ${at('null-index-layout')}/index.json is not an OCI image index (schemaVersion 2 and a manifests list of descriptors)`,
  },
  {
    name: 'oci-layout is a file',
    inputs: () => publish({ 'oci-layout': files['not-a-kernel']! }),
    error: () => `oci-layout: ${at('not-a-kernel')} is a file, not a folder`,
  },
  {
    name: 'comment after a value',
    inputs: () => ({ config: files['comment.config']! }),
    error: () => `${at('comment.config')}:6: CONFIG_XEN: text after the value in "CONFIG_XEN=y # comment" (a comment must be on a line of its own)`,
  },
  {
    name: 'config over 16 MiB',
    inputs: () => ({ config: at('huge.config') }),
    error: () => `config: ${at('huge.config')} is too large to be a kernel config (16777217 bytes, at most 16777216)`,
  },
  {
    name: 'gzip config inflating past 16 MiB',
    inputs: () => ({ config: at('bomb.config.gz') }),
    error: () => `config: ${at('bomb.config.gz')} inflates to more than 16777216 bytes, too large to be a kernel config`,
  },
  {
    name: 'version that contradicts the config',
    inputs: () => publish({ version: '6.1.191' }),
    error: () => `version: 6.1.191 contradicts config ${files.good}, which is for 6.1.192`,
  },
  {
    name: 'tag starting with a dash',
    inputs: () => publish({ tags: '-latest' }),
    error: () => 'tags: "-latest" is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)',
  },
  {
    name: 'unknown tag placeholder',
    inputs: () => publish({ tags: '{{branch}}' }),
    error: () => 'tags: unknown placeholder {{branch}} in "{{branch}}"',
  },
  {
    name: 'uppercase repository',
    inputs: () => publish({ repository: `${registry.host}/Kernels/Zone` }),
    error: () => `repository "${registry.host}/Kernels/Zone": must be lowercase`,
  },
  {
    name: 'annotation line without =',
    inputs: () => publish({ annotations: 'org.example.team=xen\nno-equals-sign' }),
    error: () => 'annotations: "no-equals-sign" is not KEY=VALUE with a key such as org.example.name',
  },
  {
    name: 'unknown compression',
    inputs: () => publish({ compression: 'brotli' }),
    error: () => 'compression: "brotli" is not one of none, gzip, zstd',
  },
  {
    name: 'unreachable registry',
    inputs: () => publish({ repository: `127.0.0.1:${deadPort}/kernels/zone` }),
    error: () => `registry 127.0.0.1:${deadPort}: cannot connect (ECONNREFUSED)`,
    registry: () => null,
    pushed: true,
  },
  {
    name: 'wrong password',
    inputs: () => publish({ repository: `${authRegistry.host}/kernels/zone`, username: 'ci', password: 'wrong-password' }),
    error: () => `registry ${authRegistry.host}: authentication failed for user "ci" (401)`,
    registry: () => ({ url: authRegistry.url, repository: 'kernels/zone', auth: 'ci:right-password' }),
    pushed: true,
  },
  {
    name: 'registry answering HTML',
    inputs: () => publish({ repository: `${garbageHost}/kernels/zone` }),
    registry: () => null,
    // Its HEAD answers look like "blob present", so the manifest PUT is the first answer that can be judged.
    error: () => new RegExp(`^registry ${garbageHost}: PUT manifest sha256:[0-9a-f]{64} → 200 <html><body><h1>Welcome to nginx!</h1></body></html>$`),
    pushed: true,
  },
]

function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('::error'))
}

/** Tags in the local layout's index.json (none when it was never written). */
function layoutTags(layout: string): string[] {
  const index = path.join(layout, 'index.json')
  if (!fs.existsSync(index)) return []
  const manifests = (JSON.parse(fs.readFileSync(index, 'utf8')) as { manifests?: { annotations?: Record<string, string> }[] }).manifests ?? []
  return manifests.map((m) => m.annotations?.['org.opencontainers.image.ref.name']).filter((tag): tag is string => tag !== undefined)
}

async function registryTags(url: string, repository: string, auth?: string): Promise<string[]> {
  const headers: Record<string, string> = auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}
  const response = await fetch(`${url}/v2/${repository}/tags/list`, { headers })
  if (response.status === 404) return []
  expect(response.status).toBe(200)
  return ((await response.json()) as { tags: string[] | null }).tags ?? []
}

describe('bad input fails the step with one line, whatever fail-on says', () => {
  it.each(table.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const layout = path.join(dir, `layout-${row.name.replace(/\W+/g, '-')}`)
    // Every row names a real repository, so "nothing was pushed" is a real check: a row whose error came only after
    // the push would leave a tag there.
    const inputs = { 'fail-on': 'never', 'oci-layout': layout, repository: `${registry.host}/kernels/zone`, ...row.inputs() }
    const runnerTemp = fs.mkdtempSync(path.join(dir, 'runner-temp-'))
    const run = await runActionAsync(inputs, { workspace: dir, env: { RUNNER_TEMP: runnerTemp, ...row.env?.() } })

    const expected = row.error()
    const errors = errorLines(run.stdout)
    expect(errors).toHaveLength(1)
    if (typeof expected === 'string') expect(errors[0]).toBe(`::error::${expected}`)
    else expect(errors[0]!.slice('::error::'.length)).toMatch(expected)
    expect(run.status).toBe(1)
    expect(run.stderr).toBe('')
    expect(run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m) // no stack frame
    expect(run.stdout).not.toMatch(/^(Type|Reference|Syntax)?Error: /m)
    const registryRef = row.registry === undefined ? { url: registry.url, repository: 'kernels/zone' } : row.registry()
    if (registryRef !== null) expect(await registryTags(registryRef.url, registryRef.repository, registryRef.auth)).toEqual([])
    // A registry failure happens after the local layout is written (and tagged); everything else stops before it.
    expect(layoutTags(layout)).toEqual(row.pushed ? ['6.1.192'] : [])
    // Everything is validated before anything is written: no layout folder, and no metadata file left behind.
    expect(fs.existsSync(layout)).toBe(row.pushed === true)
    expect(fs.readdirSync(runnerTemp).filter((name) => name === 'kernel-action' || name === 'kernel-oci')).toEqual([])
  })
})

describe('not bad input', () => {
  it.each([
    ['CRLF line endings', 'crlf.config'],
    ['duplicated symbols (the last wins)', 'duplicated.config'],
  ])('%s: the config is checked and the kernel published', async (_name, config) => {
    const layout = path.join(dir, `layout-ok-${config}`)
    const run = await runActionAsync(
      {
        config: files[config]!,
        image: files.bzImage!,
        repository: `${registry.host}/kernels/ok-${config.replace('.config', '')}`,
        tags: 'v1',
        'oci-layout': layout,
      },
      { workspace: dir },
    )

    expect(errorLines(run.stdout)).toEqual([])
    expect(run.status).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(run.outputs.version).toBe('6.1.192')
    expect(layoutTags(layout)).toEqual(['v1'])
    expect(await registryTags(registry.url, `kernels/ok-${config.replace('.config', '')}`)).toEqual(['v1'])
  })
})
