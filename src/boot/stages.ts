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
  { id: 'modules', title: 'addons modules bound at /lib/modules/$(uname -r)', missing: 'the addons modules could not be bind-mounted', options: [] },
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

/** The stages of one architecture's boot test: the same ids and order everywhere. */
export function stageSpecs(arch: KernelArch): readonly StageSpec[] {
  return arch === 'x86_64' ? STAGES : STAGES.map((s) => ({ ...s, ...AARCH64_STAGES[s.id] }))
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
  for (const { at, text } of lines) {
    // Not anchored: SeaBIOS leaves terminal escapes in front of Xen's first line.
    if (/\(XEN\) Xen version \d/.test(text)) mark('xen', 'ok', at)
    if (text.startsWith(DOM0_PREFIX)) {
      const what = text.slice(DOM0_PREFIX.length)
      if (what === 'ready') mark('dom0', 'ok', at)
      else if (what.startsWith('fail ')) mark('dom0', 'failed', at, what.slice(5))
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
  return specs.map((spec) => {
    const s = seen.get(spec.id)
    return { id: spec.id, title: spec.title, state: s?.state ?? 'missing', at: s?.at, detail: s?.detail }
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
    const cause = configCause(spec.options, config)
    if (cause) parts.push(cause)
  }
  return `boot failed at ${spec.id}: ${parts.join(': ')}`
}

/** Which of `options` explains the failure: the ones not built in when the config is known, else all of them. */
export function configCause(options: readonly string[], config?: KernelConfig): string | undefined {
  if (options.length === 0) return undefined
  if (!config) return `needs ${options.map((o) => `${o}=y`).join(', ')} (no config given to say which)`
  const notBuiltIn = options.filter((o) => config.entries.get(o)?.state !== 'y')
  if (notBuiltIn.length === 0) return `${options.join(', ')} ${options.length === 1 ? 'is' : 'are'} built in; see the guest console log`
  return notBuiltIn
    .map((o) => {
      const entry = config.entries.get(o)
      const state = entry?.state === 'm' ? 'is a module (=m)' : `is ${describeEntry(entry)}`
      return `${o} ${state} in ${config.file}, krata needs it built in (=y)`
    })
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
