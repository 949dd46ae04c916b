import type { Accel } from './plan.js'

/**
 * Choosing QEMU's accelerator and judging a KVM attempt, as pure functions (the I/O is in run-boot.ts). KVM differs
 * from machine to machine of one kind: it may work, fail at once (`failed to set MSR 0x10a`), or start and then stop
 * on Xen's CET code with a KVM internal error while QEMU *pauses* instead of exiting (xen-in-qemu.md). So a KVM run is
 * judged by what QEMU prints, within a short bound, never by waiting for it to exit.
 */

/**
 * Whether this user may use KVM: `/dev/kvm` opened for reading and writing, missing, or there but not ours; or the
 * kernel is not of the host's architecture, which KVM cannot run.
 */
export type KvmAccess = 'usable' | 'absent' | 'denied' | 'other-arch'

/** Seconds a KVM run gets to print its first `(XEN)` line before it is given up for TCG. */
export const KVM_PROBE_SECONDS = 20

/**
 * The udev rule that lets the runner's user open /dev/kvm on GitHub's hosted runners (actions/runner-images #7670):
 * the device exists there, but belongs to the kvm group the `runner` user is not in.
 */
export const KVM_UDEV_STEP =
  'echo \'KERNEL=="kvm", GROUP="kvm", MODE="0666", OPTIONS+="static_node=kvm"\' | sudo tee /etc/udev/rules.d/99-kvm4all.rules && sudo udevadm control --reload-rules && sudo udevadm trigger --name-match=kvm'

export interface AccelPlan {
  /** Accelerators to try, in order; every one but the last is given up on the first sign of trouble. */
  order: Accel[]
  /** Why KVM is not tried, for the log and the summary (undefined when it is tried or TCG was asked for). */
  kvmSkipped?: string
}

/** `auto` tries KVM first when this user can open /dev/kvm; `kvm` or `tcg` asked for is used alone. */
export function planAccels(requested: Accel | 'auto', access: KvmAccess, device = '/dev/kvm'): AccelPlan {
  if (requested !== 'auto') return { order: [requested] }
  if (access === 'usable') return { order: ['kvm', 'tcg'] }
  if (access === 'other-arch') return { order: ['tcg'], kvmSkipped: "the kernel is not of this machine's architecture" }
  if (access === 'absent') return { order: ['tcg'], kvmSkipped: `no ${device} on this machine` }
  return {
    order: ['tcg'],
    kvmSkipped: `${device} exists but this user cannot open it (on GitHub's runners, add a step before this one: ${KVM_UDEV_STEP})`,
  }
}

/** The reason to give up a KVM run at this line of QEMU's output, or undefined: the line is no sign of trouble. */
export function kvmFailureIn(line: string): string | undefined {
  const text = line.replace(/^qemu: /, '').trim()
  if (/KVM internal error/i.test(text)) return text
  if (/^emulation failure/i.test(text)) return 'KVM internal error: emulation failure'
  if (/failed to set MSR|kvm_buf_set_msrs|Could not access KVM kernel module|failed to initialize kvm/i.test(text)) return text
  return undefined
}

/** The one line that says KVM was given up and why, for the log and the job summary. */
export function kvmGivenUp(reason: string, seconds: number): string {
  return `KVM given up after ${seconds.toFixed(1)} s (${reason}); booting with TCG (software emulation) instead`
}
