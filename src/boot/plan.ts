import type { CpioEntry } from './cpio.js'
import { DOM0_PREFIX, GUEST_PREFIX, GUEST_STAGE_PREFIX } from './stages.js'
import type { KernelArch } from '../arch.js'
import { InputError } from '../errors.js'
import type { ModuleChoice } from '../addons/modules-dep.js'
import type { Dom0Loads } from './dom0-bringup.js'

/**
 * Pure planning of a boot test: the scripts dom0 and the guest run, the xl config, the initramfs layouts and QEMU's
 * command line. Paths on the host come in; text and argument lists go out. The I/O lives in run-boot.ts.
 */

/** The guest's name in xl, and where dom0 keeps the guest's files. */
const GUEST_NAME = 'zone'
const GUEST_DIR = '/guest'
/** Where dom0's init finds its module files and each stage's load list. */
const DOM0_DIR = '/ka'

/** Whose kernel runs as dom0: the kit's (a zone kernel is tested as the guest) or the one under test (a host kernel). */
export type Dom0Kind = 'zone' | 'host'

/**
 * The guest's boot check, run by busybox's init from the ramdisk (so a kernel needs ELF support, not #! scripts, as
 * with krata's own init). It does what krata's zone init does, in its order, and reports each stage on hvc0.
 */
function guestCheckScript(deviceWaitSeconds = 20): string {
  const S = GUEST_STAGE_PREFIX
  return `export PATH=/bin
/bin/busybox --install -s /bin
say() { echo "${S}$*"; }
step() {
  name=$1; shift
  if out=$("$@" 2>&1); then state=ok; else state=fail; fi
  detail=$(printf %s "$out" | tr '\\n' ' ' | head -c 300)
  say "$state $name\${detail:+ $detail}"
}
# Xen lists its devices under /sys/bus/xen/devices whether or not a driver takes them; without blkfront's "vbd" driver
# waiting is pointless. Whole seconds: under TCG each sleep is a slow fork and exec (200 sleeps of 0.1 s took 90 s).
offered() { ls /sys/bus/xen/devices 2>/dev/null | tr "\\n" " "; }
waitdev() {
  while [ ! -b "$1" ] && [ -d /sys/bus/xen/drivers/vbd ] && [ $budget -gt 0 ]; do sleep 1; budget=$((budget-1)); done
  [ -b "$1" ] && return 0
  if [ -d /sys/bus/xen/drivers/vbd ]; then echo "none after ${deviceWaitSeconds} s, though Xen offers $(offered)"; else echo "no Xen block frontend driver, though Xen offers $(offered)"; fi
  return 1
}
overlay() { mount -t tmpfs tmpfs /overlay && mkdir -p /overlay/upper /overlay/work && mount -t overlay overlay -o lowerdir=/image,upperdir=/overlay/upper,workdir=/overlay/work /newroot; }
modules() {
  r=$(uname -r); m=/newroot/lib/modules/$r
  mkdir -p "$m" && mount --bind /newroot/addons/modules "$m" && mount -o remount,bind,ro "$m" || return 1
  [ -s /probe-module ] || { cat /probe-none 2>/dev/null; return 0; }
  # modprobe reads modules.dep below its own root's /lib/modules: the ramdisk's, bound to the same tree.
  name=$(cat /probe-module); mkdir -p /lib/modules/$r && mount --bind /newroot/addons/modules /lib/modules/$r || return 1
  if modprobe "$name" 2>/tmp/modprobe && [ -d "/sys/module/$name" ]; then echo "loaded $name"; return 0; fi
  echo "modprobe $name: $(cat /tmp/modprobe | tr '\\n' ' ')kernel: $(dmesg | tail -n 2 | tr '\\n' ' ')"; return 1
}
devpts() { mkdir -p /newroot/dev/pts && mount -t devpts devpts /newroot/dev/pts; }
budget=${deviceWaitSeconds}
say "ok init"
step devtmpfs mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc 2>/dev/null; mount -t sysfs sysfs /sys 2>/dev/null
step xvda waitdev /dev/xvda
step xvdc waitdev /dev/xvdc
step root mount -t squashfs -o ro /dev/xvda /image
step overlay overlay
step addons mount -t squashfs -o ro /dev/xvdc /newroot/addons
if [ -d /newroot/addons/modules ]; then step modules modules; else say "skip modules no modules directory in the addons"; fi
mount --move /dev /newroot/dev 2>/dev/null || mount -t devtmpfs devtmpfs /newroot/dev 2>/dev/null
step proc mount -t proc proc /newroot/proc
step sysfs mount -t sysfs sysfs /newroot/sys
step cgroup2 mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup
step devpts devpts
say "marker release=$(uname -r)"
poweroff -f
`
}

/**
 * The guest's ramdisk: an uncompressed newc cpio, as krata's is, with busybox as init running the boot check, and the
 * name of the module it loads from the addons (addons-modules.ts chooses it).
 */
export function guestRamdiskEntries(busybox: string, probe?: ModuleChoice): CpioEntry[] {
  return [
    ...['bin', 'dev', 'etc', 'proc', 'sys', 'tmp', 'image', 'overlay', 'newroot'].map((name): CpioEntry => ({ kind: 'dir', name })),
    { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
    { kind: 'host-file', name: 'bin/busybox', mode: 0o755, source: busybox },
    { kind: 'symlink', name: 'bin/sh', target: 'busybox' },
    { kind: 'symlink', name: 'init', target: 'bin/busybox' },
    { kind: 'file', name: 'etc/inittab', data: '::sysinit:/bin/sh /boot-check\n' },
    { kind: 'file', name: 'boot-check', mode: 0o755, data: guestCheckScript() },
    ...(probe === undefined
      ? []
      : [
          {
            kind: 'file' as const,
            name: 'module' in probe ? 'probe-module' : 'probe-none',
            data: `${'module' in probe ? probe.module : probe.none}\n`,
          },
        ]),
  ]
}

/** The tiny root image krata would mount from xvda: the directories its init mounts on, and nothing else. */
export const ROOT_IMAGE_DIRS = ['addons', 'dev', 'etc', 'lib/modules', 'proc', 'sys', 'tmp'] as const

/**
 * xl's block hotplug, reduced to what blkback needs: the disk is already a loop device (set up by dom0's init), so
 * write its major:minor and "connected" under the backend path. Debian's script wants bash, losetup and a lock dir.
 */
const HOTPLUG_SCRIPT = `#!/bin/sh
[ "$1" = add ] || exit 0
dev=$(xenstore-read "$XENBUS_PATH/params")
xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c '%t:%T' "$dev")" "$XENBUS_PATH/physical-device-path" "$dev" "$XENBUS_PATH/hotplug-status" connected
`

/**
 * The guest's type in xl: x86_64 zone kernels are PV guests (as under krata); arm64 has one guest type, PVH (xl
 * converts "pv" with a warning).
 */
export type GuestType = 'pv' | 'pvh'

export function guestTypeOf(arch: KernelArch): GuestType {
  return arch === 'x86_64' ? 'pv' : 'pvh'
}

/** krata's disk layout: xvda the root image, xvdc the addons (xvdb, the config block, is not needed to boot). */
export function guestXlConfig(type: GuestType = 'pv', memoryMiB = 128): string {
  const disk = (vdev: string, loop: string): string => `"format=raw, vdev=${vdev}, access=ro, script=${GUEST_DIR}/hotplug, target=${loop}"`
  return [
    `name = "${GUEST_NAME}"`,
    `type = "${type}"`,
    `kernel = "${GUEST_DIR}/kernel"`,
    `ramdisk = "${GUEST_DIR}/initrd"`,
    'extra = "console=hvc0"',
    `memory = ${memoryMiB}`,
    'vcpus = 1',
    'on_poweroff = "destroy"',
    'on_reboot = "destroy"',
    'on_crash = "destroy"',
    `disk = [ ${disk('xvda', '/dev/loop0')}, ${disk('xvdc', '/dev/loop1')} ]`,
    '',
  ].join('\n')
}

/**
 * dom0's init: the order that works (xen-in-qemu.md): pseudo-filesystems with devpts, then each bring-up stage
 * (dom0-bringup.ts) loads its modules and shows its device, xenfs, xenstored with xen-init-dom0 and xenconsoled, the
 * loop devices for blkback; then the guest is created paused, its console attached, and it is unpaused, so that not one
 * line of its console is lost. Every stage says `ok NAME` or `fail NAME why`; every guest console line is prefixed so
 * the harness can tell them apart. A host kernel under test (`host`) also says it came up as dom0 and shows netback.
 */
function dom0InitScript(xenBinDir: string, guestTimeoutSeconds: number, kind: Dom0Kind): string {
  const D = DOM0_PREFIX
  const host = kind === 'host'
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin:${xenBinDir}
say() { echo "${D}$*"; }
mount -t proc proc /proc; mount -t sysfs sysfs /sys
# Without devtmpfs no /dev/xen node ever appears: that is the dom0 stage failing, not evtchn.
if mount -t devtmpfs devtmpfs /dev 2>/tmp/devtmpfs; then ${host ? 'say "ok dom0 $(uname -r)"' : ':'}; else say "fail dom0 devtmpfs: $(cat /tmp/devtmpfs)"; fi
mkdir -p /dev/pts /var/run/xen /var/log/xen /var/lib/xen /var/lock /run
mount -t devpts devpts /dev/pts; mount -t tmpfs tmpfs /var/run/xen
# stage NAME CHECK...: load the stage's modules (unless loaded already), then CHECK decides; the failure line says why.
stage() {
  name=$1; shift; : >/tmp/why
  # One file name per line, written by dom0-bringup.ts; read as lines, never globbed or split further.
  [ -f "${DOM0_DIR}/$name.load" ] && while IFS= read -r f; do
    [ -d "/sys/module/\${f%.ko}" ] || insmod "${DOM0_DIR}/modules/$f" 2>/tmp/insmod || echo "insmod $f: $(cat /tmp/insmod)" >>/tmp/why
  done <"${DOM0_DIR}/$name.load"
  if "$@" >>/tmp/why 2>&1; then say "ok $name"; return 0; fi
  say "fail $name $(cat ${DOM0_DIR}/$name.absent /tmp/why 2>/dev/null | tr '\\n' ' ' | head -c 400)"; return 1
}
# The stage's own line names the device; a failure adds only what dom0 saw (insmod errors, a missing module).
device() { [ -c "$1" ]; }
toolstack() {
  xenstored || return 1
  xen-init-dom0 >/tmp/init-dom0 2>&1 || { tail -n 1 /tmp/init-dom0; return 1; }
  xenconsoled || { echo "xenconsoled failed"; return 1; }
  xenstore-write /kernel-action ready && [ "$(xenstore-read /kernel-action)" = ready ]
}
disks() {
  [ -d /sys/bus/xen-backend/drivers/vbd ] || { echo "no blkback driver (/sys/bus/xen-backend/drivers/vbd)"; return 1; }
  losetup -r /dev/loop0 ${GUEST_DIR}/root.squashfs && losetup -r /dev/loop1 ${GUEST_DIR}/addons.squashfs
}
netback() { [ -d /sys/bus/xen-backend/drivers/vif ] || { echo "no netback driver (/sys/bus/xen-backend/drivers/vif)"; return 1; }; }
up=1
stage evtchn device /dev/xen/evtchn || up=
stage gntdev device /dev/xen/gntdev || up=
stage privcmd device /dev/xen/privcmd || up=
stage xenfs mount -t xenfs xenfs /proc/xen || up=
[ -n "$up" ] && { stage xenstored toolstack || up=; }
stage blkback disks || up=
${host ? 'stage netback netback || up=\n' : ''}if [ -n "$up" ]; then
  say ready
  if xl create -p ${GUEST_DIR}/guest.cfg >/tmp/xl 2>&1; then created=1; else created=; fi
  sed 's/^/${D}xl| /' /tmp/xl
fi
if [ -z "$up" ]; then
  say "no guest: dom0 is not ready"
elif [ -n "$created" ]; then
  say created
  xl console ${GUEST_NAME} | while IFS= read -r line; do echo "${GUEST_PREFIX}$line"; done &
  console=$!
  ( sleep ${guestTimeoutSeconds}; touch /tmp/timeout; xl destroy ${GUEST_NAME} ) >/dev/null 2>&1 &
  watchdog=$!
  xl unpause ${GUEST_NAME}
  # xl console ends with the guest; polling xl list meanwhile would take CPU from the guest (each run is heavy under TCG).
  wait $console
  while xl list ${GUEST_NAME} >/dev/null 2>&1; do sleep 0.5; done
  if [ -e /tmp/timeout ]; then say "guest still running"; else kill $watchdog 2>/dev/null; say "guest gone"; fi
else
  say "create failed"
fi
say done
poweroff -f
`
}

/** A file of dom0's initramfs: its path there, and the file on the host that fills it. */
export interface LibraryFile {
  name: string
  source: string
}

/** Host paths of everything dom0's initramfs holds. */
export interface Dom0Files {
  busybox: string
  /** The modules dom0 loads, by bring-up stage. */
  loads: Dom0Loads
  kind: Dom0Kind
  xenBinDir: string
  /** Toolstack programs (xl, xenstored, xenconsoled, xen-init-dom0, libxl-save-helper, xenconsole). */
  xenPrograms: readonly string[]
  /** The multi-call xenstore client (xenstore-read/-write), for the hotplug script. */
  xenstoreClient: string
  /** Shared libraries, each at the path the dynamic linker looks for it in dom0. */
  libraries: readonly LibraryFile[]
  guest: { kernel: string; ramdisk: string; root: string; addons: string }
  guestType: GuestType
  guestTimeoutSeconds: number
}

export function dom0InitramfsEntries(files: Dom0Files): CpioEntry[] {
  const dirs = new Set<string>([
    'bin',
    'usr',
    'usr/bin',
    'dev',
    'proc',
    'sys',
    'tmp',
    'run',
    'var',
    'var/run',
    'etc',
    'etc/xen',
    'lib',
    GUEST_DIR.slice(1),
    DOM0_DIR.slice(1),
    `${DOM0_DIR.slice(1)}/modules`,
  ])
  const withParents = (p: string): void => {
    const parts = p.replace(/^\/+/, '').split('/').slice(0, -1)
    for (let i = 1; i <= parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  const programs = files.xenPrograms.map((p) => `${files.xenBinDir}/${p.split('/').pop()}`)
  ;[...programs, ...files.libraries.map((l) => l.name)].forEach(withParents)
  const sortedDirs = [...dirs].sort()
  return [
    ...sortedDirs.map((name): CpioEntry => ({ kind: 'dir', name })),
    { kind: 'char', name: 'dev/console', major: 5, minor: 1 },
    { kind: 'host-file', name: 'bin/busybox', mode: 0o755, source: files.busybox },
    { kind: 'file', name: 'init', mode: 0o755, data: dom0InitScript(files.xenBinDir, files.guestTimeoutSeconds, files.kind) },
    { kind: 'file', name: 'etc/xen/xl.conf', data: '' },
    ...files.loads.files.map((m): CpioEntry => ({ kind: 'host-file', name: `${DOM0_DIR.slice(1)}/modules/${m.name}`, source: m.source })),
    ...Object.entries(files.loads.byStage).map(([stage, names]): CpioEntry => ({
      kind: 'file',
      name: `${DOM0_DIR.slice(1)}/${stage}.load`,
      data: `${names.join('\n')}\n`,
    })),
    ...Object.entries(files.loads.absent).map(([stage, why]): CpioEntry => ({
      kind: 'file',
      name: `${DOM0_DIR.slice(1)}/${stage}.absent`,
      data: `${why}\n`,
    })),
    ...files.xenPrograms.map((p, i): CpioEntry => ({ kind: 'host-file', name: programs[i], mode: 0o755, source: p })),
    { kind: 'host-file', name: 'usr/bin/xenstore', mode: 0o755, source: files.xenstoreClient },
    { kind: 'symlink', name: 'usr/bin/xenstore-read', target: 'xenstore' },
    { kind: 'symlink', name: 'usr/bin/xenstore-write', target: 'xenstore' },
    ...files.libraries.map((l): CpioEntry => ({ kind: 'host-file', name: l.name, mode: 0o755, source: l.source })),
    { kind: 'file', name: `${GUEST_DIR}/hotplug`, mode: 0o755, data: HOTPLUG_SCRIPT },
    { kind: 'file', name: `${GUEST_DIR}/guest.cfg`, data: guestXlConfig(files.guestType) },
    { kind: 'host-file', name: `${GUEST_DIR}/kernel`, source: files.guest.kernel },
    { kind: 'host-file', name: `${GUEST_DIR}/initrd`, source: files.guest.ramdisk },
    { kind: 'host-file', name: `${GUEST_DIR}/root.squashfs`, source: files.guest.root },
    { kind: 'host-file', name: `${GUEST_DIR}/addons.squashfs`, source: files.guest.addons },
  ]
}

export type Accel = 'kvm' | 'tcg'

export interface QemuPlan {
  /** The guest's architecture, which is dom0's and Xen's. */
  arch: KernelArch
  accel: Accel
  xen: string
  dom0Kernel: string
  dom0Initramfs: string
  /** Bytes of guest files dom0 holds in its initramfs (it lives in dom0's memory). */
  guestBytes: number
}

/** dom0's memory: room for its own userland plus the guest's files twice (the initramfs, then its unpacked copy). */
function dom0MiB(base: number, guestBytes: number): number {
  return base + Math.ceil((guestBytes * 2) / 2 ** 20)
}

/** QEMU's arguments for the plan's architecture (the program is `qemuFor(arch)` in host-tools.ts). */
export function qemuArgs(plan: QemuPlan): string[] {
  return plan.arch === 'x86_64' ? qemuArgsX86(plan) : qemuArgsArm64(plan)
}

/**
 * x86_64: Xen as the multiboot kernel, dom0's kernel and initramfs as its modules. TCG needs
 * `-cpu Haswell-noTSX` (with `-cpu max` dom0 dies at once); KVM takes the host's CPU.
 * dom0 gets one vCPU (the guest runs on the other) and Xen does not scrub free RAM at boot: under TCG both cost
 * seconds (the sample's whole boot test went from 70 s to 33 s on the same loaded machine with these two).
 */
function qemuArgsX86(plan: QemuPlan): string[] {
  for (const p of [plan.xen, plan.dom0Kernel, plan.dom0Initramfs]) {
    // QEMU splits its multiboot list at commas and a module's command line at blanks.
    if (/[,\s]/.test(p)) throw new InputError(`${p}: QEMU's multiboot module list cannot hold a path with a comma or a blank (choose another --out)`)
  }
  const dom0 = dom0MiB(512, plan.guestBytes)
  return [
    '-accel',
    plan.accel,
    '-cpu',
    plan.accel === 'kvm' ? 'host' : 'Haswell-noTSX',
    '-m',
    String(dom0 + 384),
    '-smp',
    '2',
    '-nographic',
    '-nodefaults',
    '-no-reboot',
    '-serial',
    'stdio',
    '-kernel',
    plan.xen,
    '-append',
    `console=com1 dom0_mem=${dom0}M dom0_max_vcpus=1 bootscrub=0 noreboot`,
    '-initrd',
    `${plan.dom0Kernel} console=hvc0 quiet,${plan.dom0Initramfs}`,
  ]
}

/** Where QEMU's guest-loader puts dom0's kernel and initramfs: RAM starts at 1 GiB on `virt`; the kernel must end below the initramfs. */
const ARM64_DOM0_KERNEL_AT = 0x49000000
const ARM64_DOM0_INITRAMFS_AT = 0x50000000
const ARM64_RAM_AT = 0x40000000
/** The room guest-loader leaves for dom0's kernel file (Image or Image.gz, as stored) below the initramfs: 112 MiB. */
export const ARM64_DOM0_KERNEL_MAX_BYTES = ARM64_DOM0_INITRAMFS_AT - ARM64_DOM0_KERNEL_AT

/**
 * aarch64 (xen-arm64-in-qemu.md): Xen (an arm64 Image) boots at EL2, which needs `virtualization=on` (without it QEMU
 * prints nothing at all); dom0's kernel and initramfs are placed by QEMU's guest-loader device, which also writes the
 * device-tree nodes Xen reads them from. TCG takes `-cpu max`. RAM holds what lies below the initramfs, the initramfs
 * itself (about the guest's bytes), dom0 and the guest.
 */
function qemuArgsArm64(plan: QemuPlan): string[] {
  // QEMU's option syntax: a comma inside a value is written twice.
  const value = (p: string): string => p.replace(/,/g, ',,')
  const dom0 = dom0MiB(384, plan.guestBytes)
  const belowInitramfs = (ARM64_DOM0_INITRAMFS_AT - ARM64_RAM_AT) / 2 ** 20
  const ram = belowInitramfs + Math.ceil(plan.guestBytes / 2 ** 20) + dom0 + 384
  return [
    '-machine',
    'virt,virtualization=on,gic-version=3',
    '-accel',
    plan.accel,
    '-cpu',
    plan.accel === 'kvm' ? 'host' : 'max',
    '-m',
    String(ram),
    '-smp',
    '2',
    '-nographic',
    '-nodefaults',
    '-no-reboot',
    '-serial',
    'stdio',
    '-kernel',
    plan.xen,
    '-append',
    `console=dtuart dom0_mem=${dom0}M dom0_max_vcpus=1 bootscrub=0 noreboot`,
    '-device',
    `guest-loader,addr=0x${ARM64_DOM0_KERNEL_AT.toString(16)},kernel=${value(plan.dom0Kernel)},bootargs=console=hvc0 quiet`,
    '-device',
    `guest-loader,addr=0x${ARM64_DOM0_INITRAMFS_AT.toString(16)},initrd=${value(plan.dom0Initramfs)}`,
  ]
}
