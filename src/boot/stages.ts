import type { KernelArch } from '../arch.js'
import { describeEntry, type KernelConfig } from '../check/kernel-config.js'

/**
 * The stages of a boot test, in the order they must happen. The first three are the harness (Xen, dom0, Xen's PV
 * domain builder); the rest are what the guest kernel and krata's zone init (crates/zone/src/init.rs) do: console on
 * hvc0, init from the ramdisk, the Xen disks (xvda the root image, xvdc the addons), the overlay root and the
 * pseudo-filesystems, then a marker with `uname -r` and a clean power-off.
 */
export interface StageSpec {
  id: string
  /** What the stage proves, for the summary table. */
  title: string
  /** The failure line when the stage never happened (before any config diagnosis). */
  missing: string
  /** The config options that must be built in (=y) for the stage to happen in a guest. */
  options: readonly string[]
  /** Harness stages fail for reasons outside the kernel under test. */
  harness?: boolean
  /** A host kernel's driver: =m is as good as =y when the addons hold the module (dom0 loads it from them). */
  modular?: boolean
  /** Happens in dom0 (a host kernel's stage): its evidence is in the serial log, not the guest's console. */
  inDom0?: boolean
}

export const STAGES: readonly StageSpec[] = [
  { id: 'xen', title: 'Xen hypervisor booted in QEMU', missing: 'Xen did not boot in QEMU', options: [], harness: true },
  {
    id: 'dom0',
    title: 'dom0 toolstack ready (xenstored, xenconsoled)',
    missing: 'dom0 did not get its Xen toolstack running',
    options: [],
    harness: true,
  },
  {
    id: 'loaded',
    title: "Xen's PV domain builder loaded the kernel",
    missing: "Xen's PV domain builder rejected the image (a krata zone kernel is a bzImage with a gzip or xz payload)",
    options: ['CONFIG_XEN_PV'],
  },
  {
    id: 'console',
    title: 'guest kernel wrote to hvc0',
    missing: 'the guest kernel never wrote to hvc0',
    options: ['CONFIG_XEN_PV', 'CONFIG_HVC_XEN', 'CONFIG_PRINTK'],
  },
  {
    id: 'init',
    title: 'init ran from the ramdisk',
    missing: 'the guest kernel did not run init from its ramdisk',
    options: ['CONFIG_BLK_DEV_INITRD', 'CONFIG_BINFMT_ELF'],
  },
  { id: 'devtmpfs', title: 'devtmpfs mounted', missing: 'devtmpfs could not be mounted', options: ['CONFIG_DEVTMPFS'] },
  { id: 'xvda', title: 'Xen block device xvda (root image) present', missing: 'no xvda', options: ['CONFIG_XEN_BLKDEV_FRONTEND'] },
  { id: 'xvdc', title: 'Xen block device xvdc (addons) present', missing: 'no xvdc', options: ['CONFIG_XEN_BLKDEV_FRONTEND'] },
  {
    id: 'root',
    title: 'root squashfs mounted from xvda',
    missing: 'the root squashfs on xvda did not mount',
    options: ['CONFIG_SQUASHFS', 'CONFIG_SQUASHFS_ZLIB'],
  },
  {
    id: 'overlay',
    title: 'overlay on the root with a tmpfs upper layer',
    missing: 'the overlay with a tmpfs upper layer did not mount',
    options: ['CONFIG_OVERLAY_FS', 'CONFIG_TMPFS'],
  },
  { id: 'addons', title: 'addons squashfs mounted from xvdc', missing: 'the addons squashfs on xvdc did not mount', options: ['CONFIG_SQUASHFS'] },
  {
    id: 'modules',
    title: 'addons modules bound at /lib/modules/$(uname -r), one loaded with modprobe',
    missing: 'the addons modules could not be bound or loaded',
    options: [],
  },
  { id: 'proc', title: 'proc mounted', missing: 'proc could not be mounted', options: ['CONFIG_PROC_FS'] },
  { id: 'sysfs', title: 'sysfs mounted', missing: 'sysfs could not be mounted', options: ['CONFIG_SYSFS'] },
  { id: 'cgroup2', title: 'cgroup2 mounted', missing: 'cgroup2 could not be mounted', options: ['CONFIG_CGROUPS'] },
  { id: 'devpts', title: 'devpts mounted', missing: 'devpts could not be mounted', options: ['CONFIG_UNIX98_PTYS'] },
  { id: 'marker', title: 'marker printed with uname -r', missing: 'the guest never printed its marker', options: [] },
  { id: 'poweroff', title: 'guest powered off', missing: 'the guest did not power off', options: [] },
]

/**
 * What differs on arm64: there Xen has one guest type (PVH, built by xl's arm64 loader from an Image or Image.gz), and
 * what a kernel needs to be a Xen guest at all is CONFIG_XEN (CONFIG_XEN_PV is x86-only).
 */
const AARCH64_STAGES: Readonly<Record<string, Partial<StageSpec>>> = {
  loaded: {
    title: "Xen's domain builder loaded the kernel",
    missing: "Xen's domain builder rejected the image (an arm64 zone kernel is arch/arm64/boot/Image or Image.gz)",
    options: ['CONFIG_XEN'],
  },
  console: { options: ['CONFIG_XEN', 'CONFIG_HVC_XEN', 'CONFIG_PRINTK'] },
}

/**
 * A host kernel (`target: host`) runs as dom0: its stages are what dom0 must do for krata (come up as dom0 under Xen,
 * give xl and xenstored their devices, run the toolstack, serve disks, have netback), then the reference zone guest
 * (the bundled sample) boots under it with its two disks. The guest's stages stay, their cause now the host's.
 */
const HOST_DOM0_STAGES: readonly StageSpec[] = [
  {
    id: 'dom0',
    title: 'the kernel came up as dom0 and ran init',
    missing: 'the kernel did not come up as dom0 under Xen',
    options: ['CONFIG_XEN_DOM0', 'CONFIG_XEN_PV_DOM0', 'CONFIG_HVC_XEN', 'CONFIG_BLK_DEV_INITRD', 'CONFIG_BINFMT_ELF', 'CONFIG_DEVTMPFS'],
  },
  { id: 'evtchn', title: 'event channels (/dev/xen/evtchn)', missing: 'no /dev/xen/evtchn', options: ['CONFIG_XEN_DEV_EVTCHN'], modular: true },
  { id: 'gntdev', title: 'grant tables (/dev/xen/gntdev)', missing: 'no /dev/xen/gntdev', options: ['CONFIG_XEN_GNTDEV'], modular: true },
  { id: 'privcmd', title: 'hypercalls for xl (/dev/xen/privcmd)', missing: 'no /dev/xen/privcmd', options: ['CONFIG_XEN_PRIVCMD'], modular: true },
  { id: 'xenfs', title: 'xenfs mounted at /proc/xen', missing: 'xenfs could not be mounted', options: ['CONFIG_XENFS'], modular: true },
  {
    id: 'xenstored',
    title: 'xenstored, xen-init-dom0 and xenconsoled running',
    missing: "dom0's toolstack did not start",
    // libxl locks its per-domain files with fcntl (xen-init-dom0 fails "cannot store stub json config" without it).
    options: ['CONFIG_FILE_LOCKING', 'CONFIG_XEN_BACKEND'],
  },
  {
    id: 'blkback',
    title: "block backend and loop devices ready for the zone's disks",
    missing: 'no block backend to serve the zone its disks',
    options: ['CONFIG_XEN_BLKDEV_BACKEND', 'CONFIG_BLK_DEV_LOOP'],
    modular: true,
  },
  {
    id: 'netback',
    title: 'network backend registered (vif)',
    missing: 'no network backend for the zone',
    options: ['CONFIG_XEN_NETDEV_BACKEND'],
    modular: true,
  },
]

/** What a guest stage means when the kernel under test is dom0: the reference guest is known to pass them. */
const HOST_GUEST_STAGES: Readonly<Record<string, Partial<StageSpec>>> = {
  loaded: { title: 'xl created the reference zone', missing: 'xl could not create the reference zone under this dom0', options: [] },
  xvda: { title: "zone's root disk (xvda) served by this dom0", options: ['CONFIG_XEN_BLKDEV_BACKEND'], modular: true },
  xvdc: { title: "zone's addons disk (xvdc) served by this dom0", options: ['CONFIG_XEN_BLKDEV_BACKEND'], modular: true },
}

/** Whether the kernel under test is a zone's (the guest) or a host's (dom0). */
export type BootTarget = 'zone' | 'host'

/** The stages of one architecture's boot test: the same ids and order everywhere. */
export function stageSpecs(arch: KernelArch, target: BootTarget = 'zone'): readonly StageSpec[] {
  const zone = arch === 'x86_64' ? STAGES : STAGES.map((s) => ({ ...s, ...AARCH64_STAGES[s.id] }))
  if (target === 'zone') return zone
  // XEN_PV_DOM0 is x86's; on arm64 CONFIG_XEN_DOM0 follows CONFIG_XEN.
  const dom0 = HOST_DOM0_STAGES.map((s) => ({
    ...s,
    inDom0: true,
    options: arch === 'x86_64' ? s.options : s.options.filter((o) => o !== 'CONFIG_XEN_PV_DOM0'),
  }))
  const guest = zone.filter((s) => !s.harness).map((s) => ({ ...s, options: [], ...HOST_GUEST_STAGES[s.id] }))
  return [zone[0]!, ...dom0, ...guest]
}

export type StageState = 'ok' | 'failed' | 'skipped' | 'missing'

export interface StageResult {
  id: string
  title: string
  state: StageState
  /** Seconds since QEMU started, when the stage was seen. */
  at?: number
  detail?: string
}

export interface ConsoleLine {
  /** Seconds since QEMU started. */
  at: number
  text: string
}

/** Lines the dom0 init writes about the guest, and the prefix it puts on every line of the guest's console. */
export const DOM0_PREFIX = 'ka-dom0: '
export const GUEST_PREFIX = 'ka-guest| '
/** Lines the guest's init writes: `ka-boot: ok NAME`, `ka-boot: fail NAME why`, `ka-boot: skip NAME why`. */
export const GUEST_STAGE_PREFIX = 'ka-boot: '

/** Reads the stages from QEMU's serial output (Xen, dom0 and, prefixed, the guest console). */
export function readStages(lines: readonly ConsoleLine[], specs: readonly StageSpec[] = STAGES): StageResult[] {
  const seen = new Map<string, { state: StageState; at: number; detail?: string }>()
  const mark = (id: string, state: StageState, at: number, detail?: string): void => {
    if (!seen.has(id)) seen.set(id, { state, at, detail })
  }
  const xlErrors: string[] = []
  const ids = new Set(specs.map((s) => s.id))
  let panic: string | undefined
  for (const { at, text } of lines) {
    panic ??= /Kernel panic - not syncing: (.*)/.exec(text)?.[1]?.trim()
    // Not anchored: SeaBIOS leaves terminal escapes in front of Xen's first line.
    if (/\(XEN\) Xen version \d/.test(text)) mark('xen', 'ok', at)
    if (text.startsWith(DOM0_PREFIX)) {
      const what = text.slice(DOM0_PREFIX.length)
      const stage = /^(ok|fail) (\S+)(?: (.*))?$/.exec(what)
      if (what === 'ready') mark('dom0', 'ok', at)
      else if (stage && ids.has(stage[2])) mark(stage[2], stage[1] === 'ok' ? 'ok' : 'failed', at, stage[3]?.trim() || undefined)
      // The kit's dom0 (a zone test) reports its bring-up stages too; they are the harness's, summed up as dom0.
      else if (stage?.[1] === 'fail') mark('dom0', 'failed', at, `${stage[2]}: ${stage[3]?.trim() ?? ''}`)
      else if (what.startsWith('xl| ') && /error|fail|invalid|not /i.test(what)) xlErrors.push(what.slice(4))
      else if (what === 'created') mark('loaded', 'ok', at)
      else if (what === 'create failed') mark('loaded', 'failed', at, mostTelling(xlErrors))
      else if (what === 'guest gone') mark('poweroff', 'ok', at)
      else if (what === 'guest still running') mark('poweroff', 'failed', at, 'the guest was still running after its init finished')
    }
    if (text.startsWith(GUEST_PREFIX)) {
      const guest = text.slice(GUEST_PREFIX.length)
      if (guest.trim() !== '') mark('console', 'ok', at)
      const stage = /^ka-boot: (ok|fail|skip) (\S+)(?: (.*))?$/.exec(guest)
      if (stage) mark(stage[2], stage[1] === 'ok' ? 'ok' : stage[1] === 'fail' ? 'failed' : 'skipped', at, stage[3]?.trim() || undefined)
      const marker = /^ka-boot: marker release=(\S+)/.exec(guest)
      if (marker) mark('marker', 'ok', at, marker[1])
    }
  }
  // A kernel that panicked says why once; the first stage it never reached carries it.
  let panicShown = panic === undefined
  return specs.map((spec) => {
    const s = seen.get(spec.id)
    const detail = s?.detail ?? (s === undefined && !panicShown ? `kernel panic: ${panic}` : undefined)
    if (s === undefined) panicShown = true
    return { id: spec.id, title: spec.title, state: s?.state ?? 'missing', at: s?.at, detail }
  })
}

/** libxl repeats itself while it cleans up; the first error that is not about destroying the domain is the cause. */
function mostTelling(errors: readonly string[]): string | undefined {
  const cause = errors.find((e) => !/destroy|Non-existant domain|Destruction/i.test(e)) ?? errors[0]
  return cause?.replace(/^libxl: error: \S+ /, '')
}

/** Passed only when every stage happened (the modules bind may be skipped: krata tolerates addons without modules). */
export function bootPassed(results: readonly StageResult[]): boolean {
  return results.every((r) => r.state === 'ok' || r.state === 'skipped')
}

/** The one line naming the first stage that did not happen, with the config options responsible when known. */
export function firstFailure(results: readonly StageResult[], config?: KernelConfig, specs: readonly StageSpec[] = STAGES): string | undefined {
  const failed = results.find((r) => r.state === 'failed' || r.state === 'missing')
  if (!failed) return undefined
  const spec = specs.find((s) => s.id === failed.id) as StageSpec
  const parts = [spec.missing]
  if (failed.detail) parts.push(failed.detail)
  if (!spec.harness) {
    const cause = spec.modular ? hostCause(spec.options, config) : configCause(spec.options, config, spec.inDom0 ? 'qemu-serial.log' : undefined)
    if (cause) parts.push(cause)
  }
  return `boot failed at ${spec.id}: ${parts.join(': ')}`
}

/** Which of `options` explains the failure: the ones not built in when the config is known, else all of them. */
export function configCause(options: readonly string[], config?: KernelConfig, log = 'the guest console log'): string | undefined {
  if (options.length === 0) return undefined
  if (!config) return `needs ${options.map((o) => `${o}=y`).join(', ')} (no config given to say which)`
  const notBuiltIn = options.filter((o) => config.entries.get(o)?.state !== 'y')
  if (notBuiltIn.length === 0) return `${options.join(', ')} ${options.length === 1 ? 'is' : 'are'} built in; see ${log}`
  return notBuiltIn
    .map((o) => {
      const entry = config.entries.get(o)
      const state = entry?.state === 'm' ? 'is a module (=m)' : `is ${describeEntry(entry)}`
      return `${o} ${state} in ${config.file}, krata needs it built in (=y)`
    })
    .join('; ')
}

/**
 * A host driver's cause: a module is fine there (dom0 loads it from the addons, and dom0's own line says when the
 * addons lack it), so only options that are not set at all are named.
 */
function hostCause(options: readonly string[], config?: KernelConfig): string | undefined {
  if (!config) return `needs ${options.join(', ')} (=y, or =m with the module in the addons; no config given to say which)`
  const unset = options.filter((o) => !['y', 'm'].includes(config.entries.get(o)?.state ?? ''))
  if (unset.length === 0) return undefined
  return unset
    .map((o) => `${o} is ${describeEntry(config.entries.get(o))} in ${config.file}, a krata host needs it (=y, or =m with the module in the addons)`)
    .join('; ')
}

/** The stages as a Markdown table for the job summary. */
export function stagesTable(results: readonly StageResult[]): string {
  const icon: Record<StageState, string> = { ok: '✅', failed: '❌', skipped: '➖', missing: '❌' }
  const rows = results.map((r) => {
    const time = r.at === undefined ? '' : `${r.at.toFixed(1)} s`
    const state = r.state === 'missing' ? 'did not happen' : r.state
    return `| ${icon[r.state]} | ${r.title} | ${state}${r.detail ? `: ${r.detail.replace(/\|/g, '\\|')}` : ''} | ${time} |`
  })
  return ['| | stage | result | time |', '| --- | --- | --- | --- |', ...rows].join('\n')
}
