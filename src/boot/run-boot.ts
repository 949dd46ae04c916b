import { execFile, spawn } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { access, constants, mkdir, mkdtemp, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { promisify } from 'node:util'
import { archOfNode, type KernelArch } from '../arch.js'
import { inspectKernelImage } from '../describe/kernel-image.js'
import { readKernelConfig } from '../check/read-config.js'
import { writeCpio } from './cpio.js'
import { findBootHost, type BootHost } from './host-tools.js'
import { dom0InitramfsEntries, guestRamdiskEntries, guestTypeOf, qemuArgs, ROOT_IMAGE_DIRS, type Accel } from './plan.js'
import { bootPassed, firstFailure, GUEST_PREFIX, readStages, stageSpecs, type ConsoleLine, type StageResult } from './stages.js'

const run = promisify(execFile)

export interface BootOptions {
  image: string
  addons?: string
  config?: string
  /** Directory for the logs and the work files (kept: the logs are outputs). */
  outDir: string
  /** 'auto' tries KVM and falls back to TCG. */
  accel?: Accel | 'auto'
  /** Whole run, QEMU included. */
  timeoutSeconds?: number
  /** Progress lines for the log. */
  log?: (line: string) => void
  /** Runs once the kernel's architecture is known, before any tool is looked for: installs them. */
  prepare?: (arch: KernelArch) => Promise<void>
}

export interface BootOutcome {
  status: 'passed' | 'failed'
  /** One line: the first stage that did not happen. */
  reason?: string
  /** The kernel's architecture, which decides the guest type (x86_64 PV, aarch64 PVH). */
  arch: KernelArch
  stages: StageResult[]
  accel?: Accel
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
  await options.prepare?.(info.arch)
  const host = await findBootHost(info.arch)
  const work = await mkdtemp(path.join(options.outDir, 'work-'))
  try {
    const guestRamdisk = path.join(work, 'guest-initrd.cpio')
    await writeCpio(guestRamdisk, guestRamdiskEntries(host.busybox))
    const root = await squashfsOfDirs(host, work, 'root', ROOT_IMAGE_DIRS)
    const addons = options.addons ?? (await squashfsOfDirs(host, work, 'empty-addons', []))
    const guestFiles = { kernel: options.image, ramdisk: guestRamdisk, root, addons }
    const guestBytes = (await Promise.all(Object.values(guestFiles).map((f) => stat(f)))).reduce((n, s) => n + s.size, 0)
    // Generous: a loaded 2-core machine without KVM took 140 s for a whole passing run.
    const timeoutSeconds = options.timeoutSeconds ?? 600
    const dom0Initramfs = path.join(work, 'dom0-initramfs.cpio')
    await writeCpio(
      dom0Initramfs,
      dom0InitramfsEntries({
        busybox: host.busybox,
        modules: host.dom0Modules,
        xenBinDir: host.xenBinDir,
        xenPrograms: host.xenPrograms,
        xenstoreClient: host.xenstoreClient,
        libraries: host.libraries,
        guest: guestFiles,
        guestType: guestTypeOf(info.arch),
        guestTimeoutSeconds: Math.max(30, timeoutSeconds - 60),
      }),
    )
    const plan = { arch: info.arch, xen: host.xen, dom0Kernel: host.dom0Kernel, dom0Initramfs, guestBytes }
    const accels: Accel[] =
      options.accel === 'kvm' || options.accel === 'tcg' ? [options.accel] : (await kvmUsable(info.arch)) ? ['kvm', 'tcg'] : ['tcg']
    let lines: ConsoleLine[] = []
    let accel: Accel = accels[0]
    for (const candidate of accels) {
      accel = candidate
      log(`boot test: Xen in QEMU with ${candidate === 'kvm' ? 'KVM' : 'TCG (no KVM: software emulation)'}`)
      const result = await runQemu(host.qemu, qemuArgs({ ...plan, accel: candidate }), timeoutSeconds, serialLog)
      lines = result.lines
      const xenStarted = lines.some((l) => l.text.includes('(XEN)'))
      if (xenStarted || candidate === accels[accels.length - 1]) break
      log(`boot test: QEMU with KVM failed before Xen started (${result.lastError ?? `exit ${result.exitCode}`}); falling back to TCG`)
    }
    const guestLines = lines.filter((l) => l.text.startsWith(GUEST_PREFIX)).map((l) => l.text.slice(GUEST_PREFIX.length))
    await writeLines(consoleLog, guestLines)
    const specs = stageSpecs(info.arch)
    const stages = readStages(lines, specs)
    const passed = bootPassed(stages)
    return {
      status: passed ? 'passed' : 'failed',
      reason: passed ? undefined : firstFailure(stages, config, specs),
      stages,
      arch: info.arch,
      accel,
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
 * KVM is worth trying when the guest is of the host's architecture and /dev/kvm can be opened; QEMU's own failure (e.g.
 * "failed to set MSR 0x10a") decides the rest.
 */
async function kvmUsable(arch: KernelArch): Promise<boolean> {
  if (archOfNode() !== arch) return false
  return access('/dev/kvm', constants.R_OK | constants.W_OK).then(
    () => true,
    () => false,
  )
}

async function squashfsOfDirs(host: BootHost, work: string, name: string, dirs: readonly string[]): Promise<string> {
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
}

/** Runs QEMU, timestamping each serial line as it arrives (the stage times), and writes them all to `serialLog`. */
function runQemu(qemu: string, args: string[], timeoutSeconds: number, serialLog: string): Promise<QemuRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const lines: ConsoleLine[] = []
    const out = createWriteStream(serialLog)
    out.write(`# ${qemu} ${args.join(' ')}\n`)
    const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let lastError: string | undefined
    const record = (raw: string): void => {
      // eslint-disable-next-line no-control-regex -- ESC (\x1b) is what starts the terminal escape sequences stripped here
      const text = raw.replace(/\r/g, '').replace(/\x1b(\[[0-9;?]*[A-Za-z]|[^[])/g, '')
      // hvc0 ends lines with CR CR LF: the blank line between every two lines is not output.
      if (text === '') return
      const at = Number(process.hrtime.bigint() - started) / 1e9
      lines.push({ at, text })
      out.write(`[${at.toFixed(2).padStart(7)}] ${text}\n`)
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
      out.end()
      reject(error)
    })
    child.on('close', (exitCode) => {
      clearTimeout(timer)
      out.end(() => resolve({ lines, exitCode, lastError }))
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
