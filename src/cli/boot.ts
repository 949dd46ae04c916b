// `kernel-action boot`: the action's boot test, for local use.
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { checkModuleName } from '../addons/modules-dep.js'
import { describeAddons, prepareAddons } from '../addons/prepare-addons.js'
import { readKernelConfig } from '../check/read-config.js'
import { assertSquashfs } from '../describe/squashfs.js'
import { InputError, oneOf } from '../errors.js'
import { checkKitReference } from '../boot/kit-oci-adapter.js'
import { guestTypeOf } from '../boot/plan.js'
import { runBootTest } from '../boot/run-boot.js'
import { escaped, type CliIo } from './io.js'

export const BOOT_USAGE = `usage: kernel-action boot --image bzImage|Image|Image.gz [--addons addons.squashfs] [--config .config]
                          [--target zone|host] [--module NAME] [--out DIR] [--accel auto|kvm|tcg] [--timeout SECONDS]
                          [--boot-kit REFERENCE]
  --target zone (default): the image is a zone kernel, booted as a Xen guest.
  --target host: the image is a host kernel, booted as dom0 (its modules loaded from --addons), running a sample zone.
  --module NAME: the module the guest loads from --addons with modprobe (default: xen-fbfront when there, see docs).
  --timeout: seconds for the QEMU runs together (a KVM attempt and the TCG run after it).
exit status: 0 passed, 1 failed, 2 usage or input error`

/**
 * Boots the kernel as a Xen guest (x86_64 PV, aarch64 PVH) under Xen in QEMU and prints each stage, a line at a time.
 */
export async function bootCommand(args: string[], io: CliIo): Promise<number> {
  // Escaped like every other command's lines: guest console text and paths are not the runner's commands.
  const write = escaped(io).out
  const { values } = parseArgs({
    args,
    options: {
      image: { type: 'string' },
      addons: { type: 'string' },
      config: { type: 'string' },
      out: { type: 'string' },
      accel: { type: 'string', default: 'auto' },
      timeout: { type: 'string', default: '600' },
      'boot-kit': { type: 'string' },
      target: { type: 'string', default: 'zone' },
      module: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (!values.image) throw new InputError('--image bzImage is required')
  const timeoutSeconds = Number(values.timeout)
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 30)
    throw new InputError(`--timeout: ${JSON.stringify(values.timeout)} is not a whole number of seconds, at least 30`)
  const accel = oneOf('--accel', values.accel ?? 'auto', ['auto', 'kvm', 'tcg'] as const)
  const target = oneOf('--target', values.target ?? 'zone', ['zone', 'host'] as const)
  const module = checkModuleName('--module', values.module ?? '')
  const bootKit = checkKitReference(values['boot-kit'] ?? '') || undefined
  // Through the checked opener first: a FIFO would hang the boot, /dev/zero would be copied until the disk fills.
  if (values.addons) await assertSquashfs(values.addons, '--addons')
  // Addons of another release or layout are refused before anything boots, as the action does.
  const config = values.config ? await readKernelConfig(values.config, '--config') : undefined
  const modular = config === undefined || config.entries.get('CONFIG_MODULES')?.state === 'y'
  const prepared = values.addons ? await prepareAddons({ image: values.image, addons: values.addons, modular, output: '' }) : undefined
  if (prepared) write(describeAddons(prepared))
  const outcome = await runBootTest({
    image: values.image,
    addons: values.addons,
    config: values.config,
    outDir: values.out ?? path.join(tmpdir(), `kernel-action-boot-${process.pid}`),
    accel,
    timeoutSeconds,
    bootKit,
    target,
    module: module ? { module, input: '--module' } : undefined,
    log: write,
  })
  for (const s of outcome.stages) {
    const time = s.at === undefined ? '      ' : `${s.at.toFixed(1).padStart(5)}s`
    write(`${time} ${s.state.padEnd(7)} ${s.title}${s.detail ? ` (${s.detail})` : ''}`)
  }
  write(`guest console: ${outcome.consoleLog}`)
  if (outcome.status === 'failed') {
    write(`${outcome.reason}`)
    return 1
  }
  const how = `${outcome.accel?.toUpperCase()}, ${outcome.seconds.toFixed(0)} s`
  write(
    outcome.target === 'host'
      ? `boot passed: ${outcome.release ?? 'the kernel'} came up as dom0 under Xen, brought up what krata's daemon needs and served a zone its disks (${how})`
      : `boot passed: ${outcome.release ?? 'the kernel'} booted as a Xen ${guestTypeOf(outcome.arch).toUpperCase()} guest and did what krata's zone init needs (${how})`,
  )
  return 0
}
