import { InputError } from '../errors.js'
import type { Requirement, Wanted } from '../requirement.js'
import { parseConfigLine, type ConfigEntry } from './kernel-config.js'

export type { Requirement, Wanted } from '../requirement.js'

export type Target = 'zone' | 'host'

/**
 * What krata's own code needs to boot a zone kernel, beyond its documented list (krata v0.0.21: the x86 PV ELF
 * loader, and zone init mounting its root, config and addons disks). A `-k` kernel gets the *system's* modules,
 * so all of it must be built in.
 */
export function bootRequirements(): Requirement[] {
  const source = 'krata-boot'
  const builtIn = (option: string, reason: string, severity?: 'warning'): Requirement => ({
    option,
    wanted: 'y',
    source,
    reason,
    ...(severity ? { severity } : {}),
  })
  return [
    {
      option: 'CONFIG_KERNEL_GZIP',
      anyOf: ['CONFIG_KERNEL_XZ'],
      wanted: 'y',
      source,
      arches: ['x86_64'],
      reason: "krata's loader finds the kernel inside a gzip or xz stream; zstd, lz4, lzo, lzma and bzip2 kernels do not boot",
    },
    builtIn('CONFIG_BLK_DEV_INITRD', 'krata boots every zone with its initrd'),
    builtIn('CONFIG_SQUASHFS', 'the zone root image, its config disk and the addons disk are squashfs'),
    builtIn('CONFIG_OVERLAY_FS', 'zone init overlays a writable layer on the root image'),
    builtIn('CONFIG_TMPFS', 'zone init mounts tmpfs for the writable layer and /tmp'),
    builtIn('CONFIG_DEVTMPFS', 'zone init mounts /dev as devtmpfs'),
    builtIn('CONFIG_PROC_FS', 'zone init mounts /proc'),
    builtIn('CONFIG_SYSFS', 'zone init mounts /sys'),
    builtIn('CONFIG_CGROUPS', 'zone init mounts cgroup2 for the workload'),
    builtIn('CONFIG_UNIX98_PTYS', 'zone init mounts /dev/pts for the workload console'),
    builtIn('CONFIG_EROFS_FS', 'images packed as erofs are mounted with it', 'warning'),
  ]
}
export const TARGETS: readonly Target[] = ['zone', 'host']

// Symbols defined only in arch/x86 (or depending on X86/XEN_PV): an arm64 kernel can never have them.
const X86_ONLY = new Set([
  'CONFIG_XEN_PV',
  'CONFIG_XEN_512GB',
  'CONFIG_XEN_PV_SMP',
  'CONFIG_XEN_PVHVM',
  'CONFIG_XEN_PVHVM_SMP',
  'CONFIG_XEN_PVHVM_GUEST',
  'CONFIG_XEN_SAVE_RESTORE',
  'CONFIG_XEN_PVH',
  'CONFIG_XEN_PV_MSR_SAFE',
  'CONFIG_XEN_PV_DOM0',
  'CONFIG_PCI_XEN',
  'CONFIG_XEN_PCIDEV_FRONTEND',
  'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT',
  'CONFIG_XEN_HAVE_PVMMU',
  'CONFIG_XEN_HAVE_VPMU',
  'CONFIG_XEN_ACPI',
  'CONFIG_XEN_PCIDEV_BACKEND',
  'CONFIG_XEN_ACPI_PROCESSOR',
  'CONFIG_XEN_MCE_LOG',
])

// Symbols younger than the oldest kernels people still build (5.15): XEN_PV_MSR_SAFE came in 6.1, XEN_VIRTIO and
// XEN_GRANT_DMA_OPS in 5.19.
const INTRODUCED: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['CONFIG_XEN_PV_MSR_SAFE', [6, 1]],
  ['CONFIG_XEN_VIRTIO', [5, 19]],
  ['CONFIG_XEN_GRANT_DMA_OPS', [5, 19]],
])

// krata's "Minimum requirements for a zone-wide/system-wide kernel", in the order of its documentation.
const ZONE_LIST = `
CONFIG_XEN=y
CONFIG_XEN_PV=y
CONFIG_XEN_512GB=y
CONFIG_XEN_PV_SMP=y
CONFIG_XEN_PVHVM=y
CONFIG_XEN_PVHVM_SMP=y
CONFIG_XEN_PVHVM_GUEST=y
CONFIG_XEN_SAVE_RESTORE=y
CONFIG_XEN_PVH=y
CONFIG_XEN_PV_MSR_SAFE=y
CONFIG_PCI_XEN=y
CONFIG_NET_9P_XEN=y
CONFIG_XEN_PCIDEV_FRONTEND=y
CONFIG_XEN_BLKDEV_FRONTEND=y
CONFIG_XEN_NETDEV_FRONTEND=y
CONFIG_INPUT_XEN_KBDDEV_FRONTEND=y
CONFIG_HVC_XEN=y
CONFIG_HVC_XEN_FRONTEND=y
CONFIG_XEN_FBDEV_FRONTEND=m
CONFIG_XEN_BALLOON=y
CONFIG_XEN_BALLOON_MEMORY_HOTPLUG=y
CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=512
CONFIG_XEN_SCRUB_PAGES_DEFAULT=y
CONFIG_XEN_DEV_EVTCHN=y
CONFIG_XEN_BACKEND=y
CONFIG_XENFS=y
CONFIG_XEN_COMPAT_XENFS=y
CONFIG_XEN_SYS_HYPERVISOR=y
CONFIG_XEN_XENBUS_FRONTEND=y
CONFIG_SWIOTLB_XEN=y
CONFIG_XEN_HAVE_PVMMU=y
CONFIG_XEN_EFI=y
CONFIG_XEN_AUTO_XLATE=y
CONFIG_XEN_ACPI=y
CONFIG_XEN_HAVE_VPMU=y
CONFIG_XEN_GRANT_DMA_OPS=y
CONFIG_XEN_VIRTIO=y
`

// krata's additional "Minimum requirements for a host kernel" (a host needs the zone list too).
const HOST_LIST = `
CONFIG_XEN_PV_DOM0=y
CONFIG_XEN_DOM0=y
CONFIG_PCI_XEN=y
CONFIG_XEN_PCIDEV_BACKEND=y
CONFIG_XEN_BLKDEV_BACKEND=y
CONFIG_XEN_NETDEV_BACKEND=y
CONFIG_XEN_SCSI_BACKEND=y
CONFIG_XEN_PVCALLS_BACKEND=y
CONFIG_TCG_XEN=m
CONFIG_XEN_WDT=y
CONFIG_XEN_DEV_EVTCHN=y
CONFIG_XEN_GNTDEV=y
CONFIG_XEN_GRANT_DEV_ALLOC=y
CONFIG_XEN_GRANT_DMA_ALLOC=y
CONFIG_SWIOTLB_XEN=y
CONFIG_XEN_PRIVCMD=y
CONFIG_XEN_ACPI_PROCESSOR=y
CONFIG_XEN_MCE_LOG=y
`

/** What a `.config` line asks for when read as a requirement: its state is the wanted one. */
function wantedOf(entry: ConfigEntry): Wanted {
  if (entry.state === 'not-set') return 'n'
  return entry.state === 'value' ? { value: entry.value } : entry.state
}

/** Requirements in fragment syntax (`CONFIG_X=y|m|<value>`, `# CONFIG_X is not set`: must be off), read with the config grammar. */
function parseRequirementLines(text: string, file: string, source: (line: number) => string): Requirement[] {
  const requirements: Requirement[] = []
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    const parsed = parseConfigLine(raw.replace(/\r$/, ''), file, line)
    if (parsed === 'invalid') {
      throw new InputError(`${file}:${line}: not a requirement (want CONFIG_X=y|m|<value> or "# CONFIG_X is not set")`)
    }
    if (parsed) requirements.push({ option: parsed.option, wanted: wantedOf(parsed.entry), source: source(line) })
  })
  return requirements
}

function builtIn(list: string, source: Target): Requirement[] {
  return parseRequirementLines(list, `built-in ${source} list`, () => source).map((requirement) => ({
    ...requirement,
    ...(X86_ONLY.has(requirement.option) ? { arches: ['x86_64'] as const } : {}),
    ...(INTRODUCED.has(requirement.option) ? { since: INTRODUCED.get(requirement.option) } : {}),
  }))
}

/** The built-in set for a target: `host` is the zone list plus the host list, each option once (first listing wins). */
export function requirementsFor(target: Target): Requirement[] {
  const lists = target === 'zone' ? [builtIn(ZONE_LIST, 'zone')] : [builtIn(ZONE_LIST, 'host'), builtIn(HOST_LIST, 'host')]
  return mergeRequirements(lists.flat(), [])
}

/**
 * Adds user rules to a base set. A user rule for an option the base already has replaces it in place (the user knows
 * their kernel); new options are appended in the order given.
 */
export function mergeRequirements(base: Requirement[], extra: Requirement[]): Requirement[] {
  const byOption = new Map<string, Requirement>()
  for (const r of base) if (!byOption.has(r.option)) byOption.set(r.option, r)
  for (const r of extra) byOption.set(r.option, r)
  return [...byOption.values()]
}

/** Parses a user requirements file (fragment syntax); any other non-comment line is an error naming file:line. */
export function parseRequirementsFile(text: string, file: string): Requirement[] {
  return parseRequirementLines(text, file, (line) => `${file}:${line}`)
}
