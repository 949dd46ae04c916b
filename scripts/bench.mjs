#!/usr/bin/env node
// `npm run bench`: measures the bundled action against the pipeline a user would write instead, side by side in one
// run, on a realistic payload, against a real registry on 127.0.0.1 (Debian's docker-registry). Not part of npm test.
//
//   publish      dist/index.js (check + build the OCI layout + push)  vs  tar + gzip + sha256sum + skopeo copy
//   re-publish   the same inputs again: blob bytes uploaded and wall time
//   peak RSS     publishing a 1 GiB addons file vs a 100 MB one
//   check        dist/cli/index.js check of a 10,000-line config, node start included
//   drift        dist/cli/index.js diff of two 10,000-line configs, minus the check of one (what compare-to adds)
//   explain      the same CLI with --kernel-source: every failure of a defconfig explained from Linux 6.1's Kconfig
//   config RSS   the action's peak RSS checking a 1 MiB and a 16 MiB (the limit) config of distinct options, and one
//                16 MiB line: memory in proportion to the config
//   boot kit     npm run boot-kit (from the cached Debian packages) per arch: build time, layer size; the x86_64 kit's pull
//                from the registry by the action's client into an empty cache, and again from the cache (no blob)
//   boot         dist/cli/index.js boot of the sample kernel from that kit: Xen in QEMU (TCG), dom0, the kernel as a PV guest
//   aarch64 boot the same for the arm64 sample from the aarch64 kit: Xen in qemu-system-aarch64 (TCG, -cpu max), the
//                kernel as a PVH guest
//   host boot    Debian's amd64 kernel booted as dom0 with its own addons, the sample zone under it (TCG)
//   addons       dist/cli/index.js addons of Debian's real module tree (~4,000 modules, ~100 MB squashed the Edera way by
//                scripts/debian-addons.sh, the tree __tests__/addons-debian.test.ts checks) against its vmlinuz, node
//                start included: in-process vs unsquashfs
//   install      dist/cli/index.js install of an image with 100 MB addons (peak RSS, time) vs skopeo copy of it to a dir
//
// Some rows run alone, without the registry and the payload: name them as arguments or in BENCH_ONLY (comma-separated),
// e.g. `npm run bench -- addons aarch64-boot` or `BENCH_ONLY=addons,aarch64-boot npm run bench`. The names are those of
// ALONE below; `boot` is both boot rows, or the one BENCH_BOOT_ARCH (x86_64 or aarch64) names.
// Everything it makes (registry, payload, layouts) lives in one temp dir that is removed at exit.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kernel-action-bench-'))
let registry

function cleanup() {
  if (registry && registry.exitCode === null && registry.signalCode === null) registry.kill('SIGTERM')
  registry?.unref()
  fs.rmSync(work, { recursive: true, force: true })
}
process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130))

const log = (line) => process.stderr.write(`bench: ${line}\n`)
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`
const mib = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

function need(tool, pkg) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0) return
  throw new Error(`${tool} is missing: apt-get install ${pkg}`)
}

/** Runs a command, returns wall milliseconds; throws with its stderr when it fails. */
function timed(command, args, options = {}) {
  const started = process.hrtime.bigint()
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0 && !options.allowFail) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout?.slice(-2000)}`)
  }
  return { ms, stdout: result.stdout, stderr: result.stderr, status: result.status }
}

// --- the registry -----------------------------------------------------------------------------------------------

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function startRegistry() {
  const dir = path.join(work, 'registry')
  fs.mkdirSync(dir)
  const port = await freePort()
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
      '  maintenance:',
      '    uploadpurging:',
      '      enabled: false',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString('hex')}`,
      '',
    ].join('\n'),
  )
  const out = fs.openSync(path.join(dir, 'registry.log'), 'w')
  registry = spawn('docker-registry', ['serve', config], { stdio: ['ignore', out, out] })
  fs.closeSync(out)
  for (let i = 0; i < 200; i++) {
    if (registry.exitCode !== null) throw new Error(`docker-registry exited: ${fs.readFileSync(path.join(dir, 'registry.log'), 'utf8')}`)
    try {
      const response = await fetch(`http://127.0.0.1:${port}/v2/`)
      await response.body?.cancel()
      if (response.status === 200) return `127.0.0.1:${port}`
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('docker-registry did not answer within 10 s')
}

// --- the payload ------------------------------------------------------------------------------------------------

/** A ~10 MB bzImage: a real x86 boot header (6.1.192) in front of ~10 MB of real ELF code from /usr/bin. */
function makeKernelImage(file) {
  const payloadBytes = 10 * 1024 * 1024
  const payload = Buffer.alloc(payloadBytes)
  let filled = 0
  for (const name of fs.readdirSync('/usr/bin').sort()) {
    if (filled >= payloadBytes) break
    const full = path.join('/usr/bin', name)
    const stat = fs.statSync(full, { throwIfNoEntry: false })
    if (!stat?.isFile()) continue
    filled += fs.readFileSync(full).copy(payload, filled)
  }
  // A whole gzip stream (stored, so it stays ~10 MB of real code): the action inflates a gzip payload to its end.
  const gzipped = gzipSync(payload, { level: 0 })
  const setupSects = 4
  const setup = Buffer.alloc((setupSects + 1) * 512 + 0x3c0)
  setup.writeUInt8(setupSects, 0x1f1)
  setup.writeUInt32LE(Math.ceil((0x3c0 + gzipped.length) / 16), 0x1f4) // syssize, in 16-byte units
  setup.write('HdrS', 0x202, 'latin1')
  setup.writeUInt16LE(0x020f, 0x206)
  setup.writeUInt16LE(0x800 - 0x200, 0x20e)
  setup.write('6.1.192-bench (bench@kernel-action) #1 SMP\0', 0x800, 'latin1')
  setup.writeUInt32LE(0x3c0, 0x248)
  setup.writeUInt32LE(gzipped.length, 0x24c)
  const padding = Buffer.alloc(Math.ceil((0x3c0 + gzipped.length) / 16) * 16 - 0x3c0 - gzipped.length)
  fs.writeFileSync(file, Buffer.concat([setup, gzipped, padding]))
}

/** ~100 MB addons.squashfs: mksquashfs (gzip, its default) of real library trees from /usr/lib. */
function makeAddons(file) {
  // About 275 MB of compilers, Python modules and Go/C binaries: squashed (gzip) to about 100 MB.
  const candidates = ['gcc', 'python3.11', 'python3', 'cni', 'git-core', 'jvm']
    .map((name) => path.join('/usr/lib', name))
    .filter((dir) => fs.existsSync(dir))
  const sources = []
  let total = 0
  for (const dir of candidates) {
    if (total >= 250 * 1024 * 1024) break
    total += Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0])
    sources.push(dir)
  }
  // krata's layout, which the action checks: modules/ at the top with a modules.dep (empty: no modules to check).
  const modules = path.join(work, 'addons-modules', 'modules')
  fs.mkdirSync(modules, { recursive: true })
  fs.writeFileSync(path.join(modules, 'modules.dep'), '')
  execFileSync('mksquashfs', [modules, ...sources, file, '-noappend', '-quiet', '-no-progress', '-all-root'], { stdio: ['ignore', 'ignore', 'inherit'] })
  return sources
}

/** The real x86_64 zone fixture: it meets the zone list and the boot rules, so the check passes and publish runs. */
function makeConfig(file) {
  fs.copyFileSync(path.join(ROOT, '__tests__/fixtures/configs/x86_64-zone.config'), file)
}

/** A config of `bytes` bytes, all distinct options (the worst case for the parsed map), or one long string line. */
function makeHugeConfig(file, bytes, shape) {
  const head = '# Linux/x86 6.1.192 Kernel Configuration\nCONFIG_X86_64=y\n'
  if (shape === 'line') {
    fs.writeFileSync(file, `${head}CONFIG_CMDLINE="${'a'.repeat(bytes - head.length - 18)}"\n`)
    return
  }
  const fd = fs.openSync(file, 'w')
  fs.writeSync(fd, head)
  let written = head.length
  for (let i = 0; written < bytes - 64; i++) {
    const line = `CONFIG_OPTION_NUMBER_${i}=y\n`
    fs.writeSync(fd, line)
    written += line.length
  }
  fs.closeSync(fd)
}

/** The action's check of `config` alone (no image: nothing is published); peak RSS in KiB. */
function checkRssWithAction(config) {
  const temp = fs.mkdtempSync(path.join(work, 'runner-'))
  const env = { PATH: process.env.PATH, HOME: temp, RUNNER_TEMP: temp, GITHUB_OUTPUT: path.join(temp, 'output'), INPUT_CONFIG: config, 'INPUT_FAIL-ON': 'never' }
  fs.writeFileSync(env.GITHUB_OUTPUT, '')
  const run = timed('/usr/bin/time', ['-v', process.execPath, path.join(ROOT, 'dist', 'index.js')], { env, cwd: temp })
  if (/^::error::/m.test(run.stdout)) throw new Error(`the check failed:\n${run.stdout.split('\n').filter((l) => l.startsWith('::error::')).join('\n')}`)
  fs.rmSync(temp, { recursive: true, force: true })
  return Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1])
}

// --- the two publishers -----------------------------------------------------------------------------------------

let runCounter = 0

/** The action as a runner runs it; returns wall ms, the upload summary it logs, and (with rss) the peak RSS in KiB. */
function publishWithAction({ config, image, addons, repository, layout, rss = false }) {
  const temp = fs.mkdtempSync(path.join(work, 'runner-'))
  const env = {
    PATH: process.env.PATH,
    HOME: temp,
    RUNNER_TEMP: temp,
    GITHUB_OUTPUT: path.join(temp, 'output'),
    GITHUB_WORKSPACE: work,
    INPUT_CONFIG: config,
    INPUT_IMAGE: image,
    INPUT_ADDONS: addons,
    INPUT_REPOSITORY: repository,
    INPUT_TAGS: 'v1',
    'INPUT_OCI-LAYOUT': layout,
    'INPUT_FAIL-ON': 'never',
    SOURCE_DATE_EPOCH: '0',
  }
  fs.writeFileSync(env.GITHUB_OUTPUT, '')
  const node = [process.execPath, path.join(ROOT, 'dist', 'index.js')]
  const run = rss
    ? timed('/usr/bin/time', ['-v', ...node], { env, cwd: work })
    : timed(node[0], node.slice(1), { env, cwd: work })
  if (/^::error/m.test(run.stdout)) throw new Error(`the action failed:\n${run.stdout.split('\n').filter((l) => l.startsWith('::error')).join('\n')}`)
  const pushed = /^pushed \S+: (\d+) blobs uploaded \(([^)]+)\), (\d+) already there/m.exec(run.stdout)
  if (!pushed) throw new Error(`no "pushed" line in the action's log:\n${run.stdout.slice(-3000)}`)
  const maxRss = rss ? Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]) : undefined
  fs.rmSync(temp, { recursive: true, force: true })
  return { ms: run.ms, blobsUploaded: Number(pushed[1]), bytesUploaded: pushed[2], alreadyThere: Number(pushed[3]), maxRss }
}

/** What a user would script instead (scripts/bench/reference-publish.sh): tar + gzip + sha256sum + skopeo copy. */
function publishWithReference({ source, layout, repository }) {
  // G2 in the registry notes: skopeo's blob-info cache would turn a repeat into a mount; measure real uploads.
  fs.rmSync('/var/lib/containers/cache/blob-info-cache-v1.boltdb', { force: true })
  return timed('bash', [path.join(ROOT, 'scripts', 'bench', 'reference-publish.sh'), source, layout, repository]).ms
}

// --- the boot test ----------------------------------------------------------------------------------------------

/**
 * The boot test of the sample kernel: Xen in QEMU without KVM (TCG, as on machines without usable KVM), the whole run
 * (initramfs built, Xen + dom0 + guest booted, powered off). The machine may be shared: the load average says how much
 * of the 2 cores QEMU really had. x86_64 boots assets/sample/bzImage as a PV guest, aarch64 assets/sample/arm64/Image.gz
 * as a PVH guest in qemu-system-aarch64.
 */
function benchBoot(arch, kit) {
  const runs = []
  const stages = []
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ')
  const sample = arch === 'x86_64' ? path.join(ROOT, 'assets/sample') : path.join(ROOT, 'assets/sample/arm64')
  const image = arch === 'x86_64' ? 'bzImage' : 'Image.gz'
  for (let i = 0; i < Number(process.env.BENCH_BOOT_RUNS ?? 1); i++) {
    log(`${arch} boot test run ${i + 1} (TCG)`)
    const args = [path.join(ROOT, 'dist/cli/index.js'), 'boot', '--accel', 'tcg', '--boot-kit', kit, '--out', path.join(work, `boot-${arch}-${i}`)]
    args.push('--image', path.join(sample, image), '--addons', path.join(sample, 'addons.squashfs'), '--config', path.join(sample, 'config'))
    const run = timed(process.execPath, args)
    runs.push(run.ms)
    stages.push(
      ['dom0 toolstack ready', 'guest kernel wrote to hvc0', 'init ran from the ramdisk', 'marker printed', 'guest powered off']
        .map((title) => `${title.split(' ')[0]} ${new RegExp(`^ *([0-9.]+)s ok +${title}`, 'm').exec(run.stdout)?.[1] ?? '?'}`)
        .join(', '),
    )
  }
  const m = median(runs)
  const what =
    arch === 'x86_64'
      ? 'boot test: sample kernel as a Xen PV guest, Xen in QEMU, TCG (no KVM), 2 cores'
      : 'aarch64 boot test: arm64 sample kernel as a Xen PVH guest, Xen in qemu-system-aarch64, TCG (-cpu max), 2 cores'
  return {
    row: [what, seconds(m), '', '≤ 60 s', m <= 60000],
    line: `${`${arch} boot runs:`.padEnd(25)}${runs.map(seconds).join(', ')} (load average before: ${load}); seconds since QEMU started, per run: ${stages.join('; ')}`,
  }
}

/** The boot rows to run: both, or the one BENCH_BOOT_ARCH names. */
function bootArches() {
  const only = process.env.BENCH_BOOT_ARCH
  return only ? [only] : ['x86_64', 'aarch64']
}

/**
 * The boot kit: built with `npm run boot-kit` into a layout (the Debian packages come from debian-package.sh's cache),
 * then, with a registry, pushed with skopeo and pulled by the action's own client into an empty cache (every blob
 * checked, unpacked), and once more with the cache warm. Returns the reference the boot row boots from.
 */
function benchKit(registryHost, arch) {
  const layout = path.join(work, `boot-kit-${arch}`)
  log(`${arch} boot kit build`)
  const build = timed(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), 'boot-kit', layout, '--arch', arch])
  const digest = new RegExp(`:${arch} (sha256:[0-9a-f]{64})$`, 'm').exec(build.stdout)?.[1]
  if (!digest) throw new Error(`boot-kit printed no digest: ${build.stdout}`)
  const manifest = JSON.parse(fs.readFileSync(path.join(layout, 'blobs/sha256', digest.slice(7)), 'utf8'))
  const layerBytes = manifest.layers[0].size
  const rows = [[`boot kit: npm run boot-kit (${arch}, cached .debs); layer size (gzip)`, `${seconds(build.ms)}; ${mib(layerBytes)}`, '', '≤ 20 MiB', layerBytes <= 20 * 1024 * 1024]]
  let line = `${`${arch} boot kit:`.padEnd(25)}${digest}, built in ${seconds(build.ms)}`
  if (registryHost) {
    execFileSync('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${layout}:${arch}`, `docker://${registryHost}/kernel-action-boot-kit:${arch}`])
    const ref = `${registryHost}/kernel-action-boot-kit@${digest}`
    const pull = (cache) => timed(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), 'boot-kit', '--pull', ref], { env: { ...process.env, KERNEL_ACTION_CACHE: cache } })
    const cold = []
    const warm = []
    for (let i = 0; i < RUNS; i++) {
      const cache = path.join(work, `kit-cache-${i}`)
      cold.push(pull(cache).ms)
      warm.push(pull(cache).ms)
      fs.rmSync(cache, { recursive: true, force: true })
    }
    rows.push(['boot kit pull from the local registry, empty cache vs cached (node start included)', `${seconds(median(cold))} vs ${seconds(median(warm))}`, '', '≤ 5 s cold', median(cold) <= 5000])
    line += `; pulls, empty cache: ${cold.map(seconds).join(', ')}; cached: ${warm.map(seconds).join(', ')}`
  }
  return { ref: `oci:${layout}:${arch}`, rows, line }
}

/**
 * `kernel-action install` of `ref` into a fresh root, under /usr/bin/time (wall ms, peak RSS in KiB), alternating with
 * `skopeo copy` of the same image to a local dir: the two do the same download and digest checks.
 */
function benchInstall(ref) {
  const installs = []
  const copies = []
  for (let i = 0; i < RUNS; i++) {
    log(`install run ${i + 1}/${RUNS}`)
    const root = fs.mkdtempSync(path.join(work, 'install-root-'))
    const run = timed('/usr/bin/time', ['-v', process.execPath, path.join(ROOT, 'dist/cli/index.js'), 'install', ref, '--root', root, '--arch', 'x86_64'], {
      env: { PATH: process.env.PATH, HOME: root },
    })
    installs.push({ ms: run.ms, maxRss: Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]) })
    fs.rmSync(root, { recursive: true, force: true })
    const dir = path.join(work, `skopeo-dir-${i}`)
    copies.push(timed('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${dir}`]).ms)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return { installMs: median(installs.map((x) => x.ms)), copyMs: median(copies), maxRss: Math.max(...installs.map((x) => x.maxRss)), installs, copies }
}

/**
 * The addons check (issue 20) on Debian's amd64 module tree squashed as Edera's build does: `kernel-action addons` with
 * the in-process reader (the default for gzip) and with unsquashfs, node start included; the check's own time is the
 * "in N ms" of its line. Needs apt-get (debian-package.sh), depmod and mksquashfs the first time (minutes), then cached.
 */
function benchAddons() {
  const [squashfs, release] = execFileSync('bash', [path.join(ROOT, 'scripts/debian-addons.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
  const vmlinuz = path.join(squashfs.replace(/\.addons\.squashfs$/, ''), 'boot', `vmlinuz-${release}`)
  const runs = { 'in-process': [], unsquashfs: [] }
  const own = { 'in-process': [], unsquashfs: [] }
  const bare = []
  for (let i = 0; i < 5; i++) {
    bare.push(timed(process.execPath, ['-e', '0']).ms)
    for (const reader of Object.keys(runs)) {
      const run = timed(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), 'addons', '--image', vmlinuz, '--addons', squashfs, '--reader', reader])
      runs[reader].push(run.ms)
      own[reader].push(Number(/ in (\d+) ms$/m.exec(run.stdout)?.[1]))
    }
  }
  const [a, u] = [median(runs['in-process']), median(runs.unsquashfs)]
  return {
    row: [
      `addons check, Debian ${release} module tree (${mib(fs.statSync(squashfs).size)} squashfs), node start included`,
      `${seconds(a)} in-process vs ${seconds(u)} unsquashfs (the check alone: ${median(own['in-process'])} ms vs ${median(own.unsquashfs)} ms; node -e 0: ${seconds(median(bare))})`,
      `${(a / u).toFixed(2)}×`,
      '≤ 1 s',
      a <= 1000,
    ],
    line: `addons runs:             in-process ${runs['in-process'].map(seconds).join(', ')}; unsquashfs ${runs.unsquashfs.map(seconds).join(', ')} (load average: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`,
  }
}

/**
 * A host kernel booted as dom0 under Xen in QEMU (issue 20, item 3): Debian's amd64 kernel with its own module tree as
 * addons (scripts/debian-addons.sh, as the tests use it), its backends loaded from them, the sample zone under it; TCG.
 */
function benchHostBoot(kit) {
  const [addons, release] = execFileSync('bash', [path.join(ROOT, 'scripts/debian-addons.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
  const boot = path.join(addons.replace(/\.addons\.squashfs$/, ''), 'boot')
  const runs = []
  const stages = []
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ')
  for (let i = 0; i < Number(process.env.BENCH_BOOT_RUNS ?? 1); i++) {
    log(`host boot test run ${i + 1} (TCG)`)
    const args = [path.join(ROOT, 'dist/cli/index.js'), 'boot', '--target', 'host', '--accel', 'tcg', '--boot-kit', kit, '--out', path.join(work, `boot-host-${i}`)]
    args.push('--image', path.join(boot, `vmlinuz-${release}`), '--config', path.join(boot, `config-${release}`), '--addons', addons)
    const run = timed(process.execPath, args)
    if (!/^boot passed: /m.test(run.stdout)) throw new Error(`the host boot failed:\n${run.stdout.slice(-2000)}`)
    runs.push(run.ms)
    stages.push(
      [['dom0', 'the kernel came up as dom0'], ['blkback', 'block backend'], ['zone', 'xl created the reference zone'], ['marker', 'marker printed'], ['off', 'guest powered off']]
        .map(([label, title]) => `${label} ${new RegExp(`^ *([0-9.]+)s ok +${title}`, 'm').exec(run.stdout)?.[1] ?? '?'}`)
        .join(', '),
    )
  }
  const m = median(runs)
  return {
    row: [`host boot test: Debian's ${release} as dom0, its backends loaded from its own addons, the sample zone under it, TCG, 2 cores`, seconds(m), '', '≤ 60 s', m <= 60000],
    line: `${'host boot runs:'.padEnd(25)}${runs.map(seconds).join(', ')} (load average before: ${load}); seconds since QEMU started, per run: ${stages.join('; ')}`,
  }
}

/** A kit and the boot row of the sample of `arch`: `{ rows, lines }`. */
function benchBootOf(arch) {
  const kit = benchKit(undefined, arch)
  const boot = benchBoot(arch, kit.ref)
  return { rows: [...kit.rows, boot.row], lines: [kit.line, boot.line] }
}

/** The rows that run alone (no registry, no payload), by the name an argument or BENCH_ONLY gives. */
const ALONE = {
  addons: () => {
    const { row, line } = benchAddons()
    return { rows: [row], lines: [line] }
  },
  'x86_64-boot': () => benchBootOf('x86_64'),
  'aarch64-boot': () => benchBootOf('aarch64'),
  'host-boot': () => {
    const kit = benchKit(undefined, 'x86_64')
    const measured = benchHostBoot(kit.ref)
    return { rows: [measured.row], lines: [kit.line, measured.line] }
  },
}

/** The rows asked for alone, in the order given (`boot`: both boot rows, or BENCH_BOOT_ARCH's); empty for the full run. */
function aloneRows() {
  const names = [...process.argv.slice(2), ...(process.env.BENCH_ONLY ?? '').split(',')].map((n) => n.trim()).filter(Boolean)
  const expanded = names.flatMap((n) => (n === 'boot' ? bootArches().map((arch) => `${arch}-boot`) : [n]))
  const unknown = expanded.filter((n) => !(n in ALONE))
  if (unknown.length > 0) throw new Error(`unknown row ${unknown.join(', ')}: the rows that run alone are ${[...Object.keys(ALONE), 'boot'].join(', ')}`)
  return expanded
}

// --- main -------------------------------------------------------------------------------------------------------

async function main() {
  const alone = aloneRows()
  if (alone.length > 0) {
    // Only the rows asked for, each printed as soon as it is measured.
    process.stdout.write('| measure | result | ratio | target | met |\n| --- | --- | --- | --- | --- |\n')
    const lines = []
    for (const name of alone) {
      log(`row ${name}`)
      const { rows, lines: more } = ALONE[name]()
      for (const row of rows) process.stdout.write(`| ${row.slice(0, 4).join(' | ')} | ${row[4] ? 'yes' : 'NO'} |\n`)
      lines.push(...more)
    }
    process.stdout.write(`\n${lines.join('\n')}\n`)
    return
  }
  for (const [tool, pkg] of [['docker-registry', 'docker-registry'], ['skopeo', 'skopeo'], ['mksquashfs', 'squashfs-tools'], ['gzip', 'gzip'], ['sha256sum', 'coreutils']]) {
    need(tool, pkg)
  }
  if (!fs.existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing: apt-get install time')
  for (const bundle of ['dist/index.js', 'dist/cli/index.js']) {
    if (!fs.existsSync(path.join(ROOT, bundle))) throw new Error(`${bundle} is missing: npm run build`)
  }

  const cpu = /model name\s*:\s*(.+)/.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown'
  const memGiB = (os.totalmem() / 1024 ** 3).toFixed(0)
  const skopeo = execFileSync('skopeo', ['--version'], { encoding: 'utf8' }).trim()
  const registryVersion = execFileSync('docker-registry', ['--version'], { encoding: 'utf8' }).trim()

  log('starting the registry')
  const host = await startRegistry()
  log('making the payload (bzImage, mksquashfs of /usr/lib trees)')
  const payload = path.join(work, 'payload')
  fs.mkdirSync(path.join(payload, 'kernel'), { recursive: true })
  const image = path.join(payload, 'kernel', 'image')
  const addons = path.join(payload, 'kernel', 'addons.squashfs')
  const config = path.join(work, 'zone.config')
  makeKernelImage(image)
  const squashSources = makeAddons(addons)
  makeConfig(config)
  // The reference pipeline publishes the same four files the action does.
  fs.writeFileSync(path.join(payload, 'kernel', 'config.gz'), execFileSync('gzip', ['-9n', '-c', config], { maxBuffer: 64 * 1024 * 1024 }))
  fs.writeFileSync(path.join(payload, 'kernel', 'metadata'), 'KERNEL_ARCH=x86_64\nKERNEL_VERSION=6.1.192\nKERNEL_FLAVOR=zone\n')
  const imageSize = fs.statSync(image).size
  const addonsSize = fs.statSync(addons).size

  // 1. publish vs reference, alternating, each run to a fresh repository and layout (nothing to skip or mount).
  const actionMs = []
  const referenceMs = []
  let cold
  for (let i = 0; i < RUNS; i++) {
    log(`publish run ${i + 1}/${RUNS}`)
    cold = publishWithAction({ config, image, addons, repository: `${host}/bench/action-${++runCounter}`, layout: path.join(work, `layout-a${i}`) })
    actionMs.push(cold.ms)
    referenceMs.push(publishWithReference({ source: payload, layout: path.join(work, `layout-r${i}`), repository: `${host}/bench/reference-${++runCounter}` }))
    if (i < RUNS - 1) for (const dir of [`layout-a${i}`, `layout-r${i}`]) fs.rmSync(path.join(work, dir), { recursive: true, force: true })
  }

  // 2. re-publish of unchanged inputs to the same repository and layout as the last cold run.
  const repeatRepository = `${host}/bench/action-${runCounter - 1}`
  const repeatLayout = path.join(work, `layout-a${RUNS - 1}`)
  const repeats = []
  for (let i = 0; i < RUNS; i++) {
    log(`re-publish run ${i + 1}/${RUNS}`)
    repeats.push(publishWithAction({ config, image, addons, repository: repeatRepository, layout: repeatLayout }))
  }
  const repeatMs = median(repeats.map((r) => r.ms))
  const repeatBytes = [...new Set(repeats.map((r) => r.bytesUploaded))].join(', ')
  const repeatBlobs = Math.max(...repeats.map((r) => r.blobsUploaded))

  // 3. peak RSS: 100 MB addons vs 1 GiB addons (random bytes: nothing can be deduplicated or compressed away).
  log('peak RSS with the ~100 MB addons')
  const rssSmall = publishWithAction({ config, image, addons, repository: `${host}/bench/rss-small`, layout: path.join(work, 'layout-rss-small'), rss: true })
  fs.rmSync(path.join(work, 'layout-rss-small'), { recursive: true, force: true })
  log('making a 1 GiB addons file')
  const big = path.join(work, 'addons-1g.squashfs')
  {
    const fd = fs.openSync(big, 'w')
    const chunk = Buffer.alloc(16 * 1024 * 1024)
    for (let i = 0; i < 64; i++) {
      // Cheap, incompressible-looking bytes: a fresh random block per 16 MiB, repeated with a counter.
      const block = randomBytes(4096)
      for (let o = 0; o < chunk.length; o += block.length) {
        block.copy(chunk, o)
        chunk.writeUInt32LE(o ^ (i << 24), o)
      }
      fs.writeSync(fd, chunk)
    }
    // A real squashfs at its start (modules/ with an empty modules.dep): the action checks the addons' layout, and reads
    // only the bytes its superblock's bytes_used covers; the rest of the GiB is what gets published.
    const tree = path.join(work, 'addons-1g-tree', 'modules')
    fs.mkdirSync(tree, { recursive: true })
    fs.writeFileSync(path.join(tree, 'modules.dep'), '')
    const head = path.join(work, 'addons-1g-head.squashfs')
    execFileSync('mksquashfs', [path.dirname(tree), head, '-noappend', '-quiet', '-no-progress', '-all-root'], { stdio: ['ignore', 'ignore', 'inherit'] })
    const headBytes = fs.readFileSync(head)
    fs.writeSync(fd, headBytes, 0, headBytes.length, 0)
    fs.closeSync(fd)
  }
  log('peak RSS with the 1 GiB addons')
  const rssBig = publishWithAction({ config, image, addons: big, repository: `${host}/bench/rss-big`, layout: path.join(work, 'layout-rss-big'), rss: true })
  fs.rmSync(path.join(work, 'layout-rss-big'), { recursive: true, force: true })
  fs.rmSync(big, { force: true })

  // 4b. install of the image published for the peak-RSS row (a real mksquashfs addons of ~100 MB, tar layers).
  const install = benchInstall(`${host}/bench/rss-small:v1`)

  // 4. check of a 10,000-line config (the aarch64 zone fixture: a real olddefconfig output), node start included.
  const bigConfig = path.join(ROOT, '__tests__/fixtures/configs/aarch64-zone.config')
  const configLines = fs.readFileSync(bigConfig, 'utf8').split('\n').length - 1
  const checkMs = []
  const nodeMs = []
  for (let i = 0; i < 5; i++) {
    checkMs.push(timed(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), 'check', '--config', bigConfig, '--fail-on', 'never'], { allowFail: true }).ms)
    nodeMs.push(timed(process.execPath, ['-e', '0']).ms)
  }

  // 4b. drift: `diff` of two 10,000-line configs (the aarch64 fixture and a copy with every 40th y turned to m and every
  //     97th option line dropped: 105 changes), node start included, against the check above: what compare-to adds.
  const driftConfig = path.join(work, 'drift.config')
  let yCount = 0
  const driftText = fs
    .readFileSync(bigConfig, 'utf8')
    .split('\n')
    .filter((line, index) => !(line.startsWith('CONFIG_') && index % 97 === 0))
    .map((line) => (line.endsWith('=y') && ++yCount % 40 === 0 ? `${line.slice(0, -1)}m` : line))
    .join('\n')
  fs.writeFileSync(driftConfig, driftText)
  const diffMs = []
  for (let i = 0; i < 5; i++) diffMs.push(timed(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), 'diff', bigConfig, driftConfig], { allowFail: true }).ms)
  const driftChanges = timed(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), 'diff', bigConfig, driftConfig, '--json'], { allowFail: true })
  const driftCount = JSON.parse(driftChanges.stdout).configChanged

  // 5. explaining every failure of a defconfig from Linux 6.1's whole x86 Kconfig (kernel-source), node start included,
  //    against the same check without it.
  const kernelSource = [process.env.KERNEL_SRC, '/opt/ksrc/linux-source-6.1'].find((dir) => dir && fs.existsSync(path.join(dir, 'Kconfig')))
  const defconfig = path.join(ROOT, '__tests__/fixtures/configs/x86_64-defconfig.config')
  const explainMs = []
  const plainMs = []
  if (kernelSource) {
    log(`explain runs against ${kernelSource}`)
    const cli = [path.join(ROOT, 'dist/cli/index.js'), 'check', '--config', defconfig, '--fail-on', 'never']
    for (let i = 0; i < 3; i++) {
      explainMs.push(timed(process.execPath, [...cli, '--kernel-source', kernelSource], { allowFail: true }).ms)
      plainMs.push(timed(process.execPath, cli, { allowFail: true }).ms)
    }
  } else {
    log('no kernel source (set KERNEL_SRC or run npm test once): the explain row is skipped')
  }

  // 6. memory in proportion to the config: 1 MiB and 16 MiB (the size limit) of distinct options, and one 16 MiB line.
  log('peak RSS of the check on huge configs')
  const configRss = {}
  for (const [name, bytes, shape] of [['1 MiB', 1 << 20, 'options'], ['16 MiB', 16 << 20, 'options'], ['line', 16 << 20, 'line']]) {
    const file = path.join(work, `huge-${shape}-${bytes}.config`)
    makeHugeConfig(file, bytes, shape)
    configRss[name] = checkRssWithAction(file)
    fs.rmSync(file, { force: true })
  }

  // 6b. the addons check on Debian's module tree (BENCH_ADDONS=0 skips it: it needs apt-get, depmod and mksquashfs).
  const addonsRow = process.env.BENCH_ADDONS === '0' ? undefined : benchAddons()

  // 7. each arch's boot kit, and the boot test of its sample kernel from it (BENCH_BOOT=0 skips them: they need Debian's apt and QEMU).
  const kits = process.env.BENCH_BOOT === '0' ? [] : bootArches().map((arch) => ({ arch, kit: benchKit(arch === 'x86_64' ? host : undefined, arch) }))
  const boots = kits.map(({ arch, kit }) => benchBoot(arch, kit.ref))
  const x86Kit = kits.find((k) => k.arch === 'x86_64')
  const hostBoot = x86Kit ? benchHostBoot(x86Kit.kit.ref) : undefined

  // --- the table ---
  const a = median(actionMs)
  const r = median(referenceMs)
  const rows = [
    ['publish (check + layout + push)', `${seconds(a)} vs ${seconds(r)} reference`, `${(a / r).toFixed(2)}×`, '≤ 0.50×', a / r <= 0.5],
    ['re-publish, unchanged inputs', `${seconds(repeatMs)}, ${repeatBlobs} blobs / ${repeatBytes} uploaded`, `${(repeatMs / a).toFixed(2)}× cold`, '0 B in ≤ 2 s', repeatBlobs === 0 && repeatMs <= 2000],
    ['peak RSS, 1 GiB vs ~100 MB addons', `${mib(rssBig.maxRss * 1024)} vs ${mib(rssSmall.maxRss * 1024)}`, `${(rssBig.maxRss / rssSmall.maxRss).toFixed(2)}×`, '≤ 150 MB at 1 GiB', rssBig.maxRss * 1024 <= 150e6],
    ['install, 100 MB addons image (peak RSS; time vs skopeo copy to dir)', `${mib(install.maxRss * 1024)}; ${seconds(install.installMs)} vs ${seconds(install.copyMs)}`, `${(install.installMs / install.copyMs).toFixed(2)}×`, '< 150 MB, ≤ 1.00×', install.maxRss * 1024 < 150e6 && install.installMs <= install.copyMs],
    [`check, ${configLines}-line config`, `${seconds(median(checkMs))} (node -e 0: ${seconds(median(nodeMs))})`, `${(median(checkMs) / median(nodeMs)).toFixed(2)}× bare node`, '≤ 0.5 s', median(checkMs) <= 500],
    ['peak RSS of the check, 16 MiB config (distinct options) vs 1 MiB', `${mib(configRss['16 MiB'] * 1024)} vs ${mib(configRss['1 MiB'] * 1024)}`, `${((configRss['16 MiB'] - configRss['1 MiB']) / 1024 / 15).toFixed(1)} MiB per MiB`, '≤ 250 MB at the 16 MiB limit', configRss['16 MiB'] * 1024 <= 250e6],
    ['peak RSS of the check, one 16 MiB line', mib(configRss.line * 1024), '', '≤ 150 MB', configRss.line * 1024 <= 150e6],
    [`drift: diff of two ${configLines}-line configs (${driftCount} changes), beyond the check of one`, `${seconds(median(diffMs) - median(checkMs))} (diff ${seconds(median(diffMs))}, check ${seconds(median(checkMs))})`, '', '≤ 0.3 s', median(diffMs) - median(checkMs) <= 300],
    ...(kernelSource
      ? [['explain all failures of x86_64 defconfig from the whole 6.1 Kconfig', `${seconds(median(explainMs))} (same check without: ${seconds(median(plainMs))})`, `${(median(explainMs) / median(plainMs)).toFixed(2)}× plain check`, '< 2 s', median(explainMs) < 2000]]
      : []),
    ...(addonsRow ? [addonsRow.row] : []),
    ...kits.flatMap((k) => k.kit.rows),
    ...boots.map((b) => b.row),
    ...(hostBoot ? [hostBoot.row] : []),
  ]
  const out = []
  out.push(`machine: ${os.cpus().length} cpus (nproc ${execFileSync('nproc', { encoding: 'utf8' }).trim()}), ${cpu}, ${memGiB} GiB RAM, ${os.type()} ${os.release()}`)
  out.push(`tools:   node ${process.version}, ${skopeo}, ${registryVersion}`)
  out.push(`payload: kernel/image ${mib(imageSize)} (bzImage header + /usr/bin ELF code), addons.squashfs ${mib(addonsSize)} (mksquashfs gzip of ${squashSources.join(' ')}), 1 GiB addons for RSS`)
  out.push(`runs:    medians of ${RUNS} (check: 5); the reference is tar + gzip -6 + sha256sum + hand-made OCI layout + skopeo copy --preserve-digests`)
  out.push('')
  out.push('| measure | result | ratio | target | met |')
  out.push('| --- | --- | --- | --- | --- |')
  for (const [name, result, ratio, target, met] of rows) out.push(`| ${name} | ${result} | ${ratio} | ${target} | ${met ? 'yes' : 'NO'} |`)
  out.push('')
  out.push(`publish runs, action:    ${actionMs.map(seconds).join(', ')} (cold: ${cold.blobsUploaded} blobs, ${cold.bytesUploaded} uploaded)`)
  out.push(`publish runs, reference: ${referenceMs.map(seconds).join(', ')}`)
  out.push(`re-publish runs:         ${repeats.map((x) => seconds(x.ms)).join(', ')}`)
  out.push(`install runs:            ${install.installs.map((x) => `${seconds(x.ms)} ${mib(x.maxRss * 1024)}`).join(', ')}; skopeo copy: ${install.copies.map(seconds).join(', ')}`)
  out.push(`check runs:              ${checkMs.map(seconds).join(', ')}`)
  out.push(`diff runs:               ${diffMs.map(seconds).join(', ')}`)
  if (kernelSource) out.push(`explain runs:            ${explainMs.map(seconds).join(', ')}`)
  if (addonsRow) out.push(addonsRow.line)
  for (const k of kits) out.push(k.kit.line)
  for (const b of boots) out.push(b.line)
  if (hostBoot) out.push(hostBoot.line)
  process.stdout.write(`${out.join('\n')}\n`)
}

main()
  .catch((error) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  })
  // The registry child would keep node alive (and 'exit' would never come): stop it here.
  .finally(cleanup)
