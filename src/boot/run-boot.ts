import { execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { access, constants, mkdir, mkdtemp, rename, rm, stat, symlink } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { archOfNode, type KernelArch } from '../arch.js'
import { inspectKernelImage } from '../describe/kernel-image.js'
import { readKernelConfig } from '../check/read-config.js'
import { kvmFailureIn, kvmGivenUp, KVM_PROBE_SECONDS, planAccels, type KvmAccess } from './accel.js'
import { InputError, InternalError } from '../errors.js'
import { writeCpio } from './cpio.js'
import { findBootHost, type BootHost } from './host-tools.js'
import { ARM64_DOM0_KERNEL_MAX_BYTES, dom0InitramfsEntries, guestRamdiskEntries, guestTypeOf, qemuArgs, ROOT_IMAGE_DIRS, type Accel } from './plan.js'
import { bootPassed, firstFailure, GUEST_PREFIX, readStages, stageSpecs, type BootTarget, type ConsoleLine, type StageResult } from './stages.js'
import { guestModuleOf, hostDom0Loads } from './addons-modules.js'
import { kitDom0Loads } from './dom0-bringup.js'
import { sampleKernel } from '../sample.js'

const run = promisify(execFile)

export interface BootOptions {
  image: string
  addons?: string
  config?: string
  /** Directory for the logs and the work files (kept: the logs are outputs). */
  outDir: string
  /** 'auto' tries KVM and falls back to TCG. */
  accel?: Accel | 'auto'
  /** The QEMU runs together (a KVM attempt and the TCG run after it share it); 600 by default. */
  timeoutSeconds?: number
  /** The KVM device to try (tests point it elsewhere). */
  kvmDevice?: string
  /** Seconds a KVM run gets to print its first `(XEN)` line before TCG is used instead. */
  kvmProbeSeconds?: number
  /** Progress lines for the log. */
  log?: (line: string) => void
  /** Runs once the kernel's architecture is known, before any tool is looked for: installs QEMU for it. */
  prepare?: (arch: KernelArch) => Promise<void>
  /** The boot kit to take Xen, dom0 and its userland from (`oci:<dir>[:tag]`, `host/repo@sha256:...`); the pinned one by default. */
  bootKit?: string
  /**
   * `zone` (default): the image is a zone kernel, booted as the guest. `host`: the image is a host kernel, booted as
   * dom0 with its modules from `addons`, and the bundled sample zone kernel is its guest.
   */
  target?: BootTarget
  /** The module the guest loads from the addons (a zone kernel's; `input` names where it was given); chosen when absent. */
  module?: { module: string; input: string }
}

export interface BootOutcome {
  status: 'passed' | 'failed'
  /** One line: the first stage that did not happen. */
  reason?: string
  /** The kernel's architecture, which decides the guest type (x86_64 PV, aarch64 PVH). */
  arch: KernelArch
  target: BootTarget
  stages: StageResult[]
  accel?: Accel
  /** Why the boot ran without KVM though `auto` was asked for (KVM absent, not ours, or given up), for the summary. */
  accelNote?: string
  /** The guest's console (hvc0), one line per line. */
  consoleLog: string
  /** Everything QEMU's serial printed: Xen, dom0, and the guest with a prefix. */
  serialLog: string
  seconds: number
  release?: string
}

export async function runBootTest(options: BootOptions): Promise<BootOutcome> {
  const log = options.log ?? (() => undefined)
  const started = Date.now()
  await mkdir(options.outDir, { recursive: true })
  const consoleLog = path.join(options.outDir, 'guest-console.log')
  const serialLog = path.join(options.outDir, 'qemu-serial.log')
  const info = await inspectKernelImage(options.image)
  const config = options.config ? await readKernelConfig(options.config) : undefined
  const target = options.target ?? 'zone'
  // What the inputs alone can refuse is refused before QEMU or the kit are looked for.
  if (options.module && (target === 'host' || !options.addons)) {
    throw new InputError(
      `${options.module.input}: ${target === 'host' ? 'with a host kernel the guest is the bundled sample zone' : 'no addons to load it from'}`,
    )
  }
  if (target === 'host' && info.arch === 'aarch64' && info.size > ARM64_DOM0_KERNEL_MAX_BYTES) {
    throw new InputError(
      `image: ${options.image} is ${Math.ceil(info.size / 2 ** 20)} MiB; the boot test places an arm64 dom0 kernel in ${ARM64_DOM0_KERNEL_MAX_BYTES / 2 ** 20} MiB (give Image.gz)`,
    )
  }
  await options.prepare?.(info.arch)
  const host = await findBootHost(info.arch, { kit: options.bootKit, log })
  const work = await mkdtemp(path.join(options.outDir, 'work-'))
  try {
    // A host kernel is dom0, loading its drivers from its own addons; the bundled sample is the zone it must run.
    const reference = target === 'host' ? sampleKernel(info.arch) : undefined
    const loads = reference ? await hostDom0Loads(options.addons, 'addons', path.join(work, 'dom0-modules')) : kitDom0Loads(host.dom0Modules)
    const guestAddons = reference
      ? { file: reference.addons, input: 'the reference zone addons' }
      : options.addons
        ? { file: options.addons, input: 'addons' }
        : undefined
    const probe = guestAddons ? await guestModuleOf(guestAddons.file, guestAddons.input, options.module) : undefined
    const guestRamdisk = path.join(work, 'guest-initrd.cpio')
    await writeCpio(guestRamdisk, guestRamdiskEntries(host.busybox, probe))
    const root = host.rootImage ?? (await squashfsOfDirs(host, work, 'root', ROOT_IMAGE_DIRS))
    const addons = guestAddons?.file ?? host.emptyAddons ?? (await squashfsOfDirs(host, work, 'empty-addons', []))
    const guestFiles = { kernel: reference?.image ?? options.image, ramdisk: guestRamdisk, root, addons }
    const guestBytes = (await Promise.all(Object.values(guestFiles).map((f) => stat(f)))).reduce((n, s) => n + s.size, 0)
    // Generous: a loaded 2-core machine without KVM took 140 s for a whole passing run.
    const timeoutSeconds = options.timeoutSeconds ?? 600
    const dom0Initramfs = path.join(work, 'dom0-initramfs.cpio')
    await writeCpio(
      dom0Initramfs,
      dom0InitramfsEntries({
        busybox: host.busybox,
        loads,
        kind: target,
        xenBinDir: host.xenBinDir,
        xenPrograms: host.xenPrograms,
        xenstoreClient: host.xenstoreClient,
        libraries: host.libraries,
        guest: guestFiles,
        guestType: guestTypeOf(info.arch),
        guestTimeoutSeconds: Math.max(30, timeoutSeconds - 60),
      }),
    )
    // A host kernel is QEMU's multiboot module on x86_64: linked into the work folder, its own path may hold anything.
    const dom0Kernel = reference ? path.join(work, 'dom0-kernel') : host.dom0Kernel
    if (reference) await symlink(path.resolve(options.image), dom0Kernel)
    const plan = { arch: info.arch, xen: host.xen, dom0Kernel, dom0Initramfs, guestBytes }
    const device = options.kvmDevice ?? '/dev/kvm'
    const accels = planAccels(options.accel ?? 'auto', await kvmAccess(device, info.arch), device)
    let accelNote = accels.kvmSkipped && `KVM not tried: ${accels.kvmSkipped}`
    if (accelNote) log(`boot test: ${accelNote}`)
    let lines: ConsoleLine[] = []
    let accel: Accel = accels.order[0]!
    // One budget for all QEMU runs: a KVM run given up late leaves the TCG run only what is left, not a fresh timeout.
    const deadline = Date.now() + timeoutSeconds * 1000
    for (const [i, candidate] of accels.order.entries()) {
      accel = candidate
      const last = i === accels.order.length - 1
      log(`boot test: Xen in QEMU with ${candidate === 'kvm' ? 'KVM' : 'TCG (no KVM: software emulation)'}`)
      // A KVM run is watched: its failures pause QEMU instead of ending it. Only one that may fall back gets the
      // short bound for its first Xen line; one asked for alone is still killed on a KVM error line.
      const kvm = candidate === 'kvm' ? { probeSeconds: last ? undefined : (options.kvmProbeSeconds ?? KVM_PROBE_SECONDS) } : undefined
      const left = Math.max(1, Math.round((deadline - Date.now()) / 1000))
      const result = await runQemu(host.qemu, qemuArgs({ ...plan, accel: candidate }), left, serialLog, kvm)
      lines = result.lines
      const xenStarted = lines.some((l) => l.text.includes('(XEN)'))
      if (last || (!result.givenUp && xenStarted)) break
      accelNote = kvmGivenUp(result.givenUp ?? result.lastError ?? `QEMU exited with ${result.exitCode} before Xen started`, result.seconds)
      log(`boot test: ${accelNote}`)
      // The KVM attempt's log is kept beside the one of the run that counts.
      await rename(serialLog, serialLog.replace(/\.log$/, `.${candidate}.log`))
    }
    const guestLines = lines.filter((l) => l.text.startsWith(GUEST_PREFIX)).map((l) => l.text.slice(GUEST_PREFIX.length))
    await writeLines(consoleLog, guestLines)
    const specs = stageSpecs(info.arch, target)
    const stages = readStages(lines, specs)
    const passed = bootPassed(stages)
    return {
      status: passed ? 'passed' : 'failed',
      reason: passed ? undefined : firstFailure(stages, config, specs),
      stages,
      arch: info.arch,
      target,
      accel,
      accelNote,
      consoleLog,
      serialLog,
      seconds: (Date.now() - started) / 1000,
      release: info.release,
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

/**
 * KVM is worth trying when the kernel is of the host's architecture and this user can open the device; what QEMU
 * prints under it decides the rest.
 */
async function kvmAccess(device: string, arch: KernelArch): Promise<KvmAccess> {
  if (archOfNode(process.arch) !== arch) return 'other-arch'
  return access(device, constants.R_OK | constants.W_OK).then(
    (): KvmAccess => 'usable',
    (error: NodeJS.ErrnoException): KvmAccess => (error.code === 'ENOENT' ? 'absent' : 'denied'),
  )
}

async function squashfsOfDirs(host: BootHost, work: string, name: string, dirs: readonly string[]): Promise<string> {
  if (host.mksquashfs === undefined) throw new InternalError(`boot test: ${host.source} brings no ${name} image and mksquashfs was not looked for`)
  const tree = path.join(work, `${name}.d`)
  await mkdir(tree, { recursive: true })
  for (const d of dirs) await mkdir(path.join(tree, d), { recursive: true })
  const image = path.join(work, `${name}.squashfs`)
  await run(host.mksquashfs, [tree, image, '-noappend', '-all-root', '-no-xattrs', '-mkfs-time', '0', '-all-time', '0', '-quiet', '-no-progress'])
  return image
}

interface QemuRun {
  lines: ConsoleLine[]
  exitCode: number | null
  lastError?: string
  /** Why the run was killed early (a KVM run that failed or printed no Xen line in time). */
  givenUp?: string
  seconds: number
}

/**
 * Runs QEMU, timestamping each serial line as it arrives (the stage times), and writes them all to `serialLog`. With
 * `kvm` (a KVM run), QEMU is killed at the first sign of a KVM failure, and with `kvm.probeSeconds` also when no
 * `(XEN)` line came in that time.
 */
function runQemu(qemu: string, args: string[], timeoutSeconds: number, serialLog: string, kvm?: { probeSeconds?: number }): Promise<QemuRun> {
  const probeSeconds = kvm?.probeSeconds
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const lines: ConsoleLine[] = []
    const out = createWriteStream(serialLog)
    // A full disk or an unwritable --out is this run's failure, not an uncaught one (the handler runs after spawn).
    out.on('error', (error) => {
      child.kill('SIGKILL')
      reject(error)
    })
    out.write(`# ${qemu} ${args.join(' ')}\n`)
    const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let lastError: string | undefined
    let givenUp: string | undefined
    const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9
    const giveUp = (why: string): void => {
      if (givenUp !== undefined) return
      givenUp = why
      out.write(`# given up: ${why}\n`)
      child.kill('SIGKILL')
    }
    let xenSeen = false
    const probe = probeSeconds === undefined ? undefined : setTimeout(() => giveUp(`no (XEN) line within ${probeSeconds} s`), probeSeconds * 1000)
    const watch = (text: string): void => {
      if (kvm === undefined) return
      const failure = kvmFailureIn(text)
      if (failure) giveUp(failure)
      if (!xenSeen && text.includes('(XEN)')) {
        xenSeen = true
        clearTimeout(probe)
      }
    }
    const record = (raw: string): void => {
      // eslint-disable-next-line no-control-regex -- ESC (\x1b) is what starts the terminal escape sequences stripped here
      const text = raw.replace(/\r/g, '').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[^[])/g, '')
      // hvc0 ends lines with CR CR LF: the blank line between every two lines is not output.
      if (text === '') return
      const at = seconds()
      lines.push({ at, text })
      out.write(`[${at.toFixed(2).padStart(7)}] ${text}\n`)
      watch(text)
    }
    createInterface({ input: child.stdout }).on('line', record)
    createInterface({ input: child.stderr }).on('line', (l) => {
      lastError = l.trim() || lastError
      record(`qemu: ${l}`)
    })
    const timer = setTimeout(() => {
      record(`qemu: killed after ${timeoutSeconds} s`)
      child.kill('SIGKILL')
    }, timeoutSeconds * 1000)
    child.on('error', (error) => {
      clearTimeout(timer)
      clearTimeout(probe)
      out.end()
      reject(error)
    })
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      clearTimeout(probe)
      const ran = seconds()
      out.end(() => resolve({ lines, exitCode, lastError, givenUp, seconds: ran }))
    })
  })
}

async function writeLines(file: string, lines: readonly string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file)
    out.on('error', reject)
    for (const l of lines) out.write(`${l}\n`)
    out.end(resolve)
  })
}
