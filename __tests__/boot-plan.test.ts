import { describe, expect, it } from '@jest/globals'
import { dom0InitramfsEntries, guestTypeOf, guestXlConfig, qemuArgs, type Dom0Files } from '../src/boot/plan.js'
import { DOM0_MODULES, kitDom0Loads } from '../src/boot/dom0-bringup.js'
import { firstFailure, readStages, STAGES, stageSpecs } from '../src/boot/stages.js'
import { parseKernelConfig } from '../src/check/kernel-config.js'

// The boot test's plan for each architecture, without booting: what xl and QEMU are given.
describe('boot plan per architecture (pure)', () => {
  it('makes an x86_64 zone kernel a PV guest and an aarch64 one a PVH guest, with the same disks', () => {
    expect(guestTypeOf('x86_64')).toBe('pv')
    expect(guestTypeOf('aarch64')).toBe('pvh')
    const arm = guestXlConfig('pvh')
    expect(arm.split('\n').slice(0, 4)).toEqual(['name = "zone"', 'type = "pvh"', 'kernel = "/guest/kernel"', 'ramdisk = "/guest/initrd"'])
    expect(arm.replace('type = "pvh"', 'type = "pv"')).toBe(guestXlConfig('pv'))
    expect(guestXlConfig()).toBe(guestXlConfig('pv'))
  })

  it('runs aarch64 Xen at EL2 on virt with GICv3, dom0 placed by guest-loader, -cpu max under TCG', () => {
    const args = qemuArgs({
      arch: 'aarch64',
      accel: 'tcg',
      xen: '/c/xen-4.17-arm64',
      dom0Kernel: '/c/vmlinuz',
      dom0Initramfs: '/w/dom0.cpio',
      guestBytes: 3 * 2 ** 20,
    })
    expect(args.join(' ')).toBe(
      '-machine virt,virtualization=on,gic-version=3 -accel tcg -cpu max -m 1033 -smp 2 -nographic -nodefaults -no-reboot -serial stdio ' +
        '-kernel /c/xen-4.17-arm64 -append console=dtuart dom0_mem=390M dom0_max_vcpus=1 bootscrub=0 noreboot ' +
        '-device guest-loader,addr=0x49000000,kernel=/c/vmlinuz,bootargs=console=hvc0 quiet -device guest-loader,addr=0x50000000,initrd=/w/dom0.cpio',
    )
  })

  it('grows aarch64 RAM and dom0 memory with the guest files, and doubles commas in QEMU option values', () => {
    const args = qemuArgs({ arch: 'aarch64', accel: 'kvm', xen: '/x', dom0Kernel: '/a,b/Image', dom0Initramfs: '/w,1/i', guestBytes: 100 * 2 ** 20 })
    expect(args.slice(args.indexOf('-cpu'), args.indexOf('-cpu') + 4)).toEqual(['-cpu', 'host', '-m', String(256 + 100 + 584 + 384)])
    expect(args).toContain('console=dtuart dom0_mem=584M dom0_max_vcpus=1 bootscrub=0 noreboot')
    expect(args).toContain('guest-loader,addr=0x49000000,kernel=/a,,b/Image,bootargs=console=hvc0 quiet')
    expect(args).toContain('guest-loader,addr=0x50000000,initrd=/w,,1/i')
  })

  it("puts another architecture's libraries where its loader looks, and the PVH config in dom0", () => {
    const files: Dom0Files = {
      busybox: '/deb/busybox-static/bin/busybox',
      loads: kitDom0Loads(Object.fromEntries(DOM0_MODULES.map((m) => [m, `/deb/linux/${m}.ko`])) as Record<(typeof DOM0_MODULES)[number], string>),
      kind: 'zone',
      xenBinDir: '/usr/lib/xen-4.17/bin',
      xenPrograms: ['/deb/xen-utils/usr/lib/xen-4.17/bin/xl'],
      xenstoreClient: '/deb/xenstore-utils/usr/bin/xenstore-write',
      libraries: [
        { name: '/lib/aarch64-linux-gnu/libc.so.6', source: '/deb/libc6/lib/aarch64-linux-gnu/libc.so.6' },
        { name: '/lib/ld-linux-aarch64.so.1', source: '/deb/libc6/lib/ld-linux-aarch64.so.1' },
      ],
      guest: { kernel: '/k/Image.gz', ramdisk: '/w/initrd', root: '/w/root.squashfs', addons: '/k/addons.squashfs' },
      guestType: 'pvh',
      guestTimeoutSeconds: 60,
    }
    const entries = dom0InitramfsEntries(files)
    const byName = new Map(entries.map((e) => [e.name, e]))
    expect(byName.get('/lib/aarch64-linux-gnu/libc.so.6')).toEqual({
      kind: 'host-file',
      name: '/lib/aarch64-linux-gnu/libc.so.6',
      mode: 0o755,
      source: '/deb/libc6/lib/aarch64-linux-gnu/libc.so.6',
    })
    expect(byName.get('lib/aarch64-linux-gnu')).toEqual({ kind: 'dir', name: 'lib/aarch64-linux-gnu' })
    expect(byName.get('/usr/lib/xen-4.17/bin/xl')).toMatchObject({ source: '/deb/xen-utils/usr/lib/xen-4.17/bin/xl' })
    const cfg = byName.get('/guest/guest.cfg')
    expect(cfg?.kind === 'file' && cfg.data).toContain('type = "pvh"\n')
    expect(byName.get('/guest/kernel')).toMatchObject({ source: '/k/Image.gz' })
    // The kit's modules go to /ka/modules under the kernel's names, each stage's load list beside them.
    expect(byName.get('ka/modules/xen_blkback.ko')).toMatchObject({ source: '/deb/linux/xen-blkback.ko' })
    expect(byName.get('ka/blkback.load')).toEqual({ kind: 'file', name: 'ka/blkback.load', data: 'loop.ko\nxen_blkback.ko\n' })
    expect(byName.get('ka/gntdev.load')).toMatchObject({ data: 'xen_gntdev.ko\nxen_gntalloc.ko\n' })
    expect(byName.has('ka/netback.load')).toBe(false)
    const init = byName.get('init')
    expect(init?.kind === 'file' && init.data).not.toContain('ok dom0')
    expect(init?.kind === 'file' && init.data).not.toContain('stage netback')
    const host = dom0InitramfsEntries({ ...files, kind: 'host' }).find((e) => e.name === 'init')
    expect(host?.kind === 'file' && host.data).toContain('say "ok dom0 $(uname -r)"')
    expect(host?.kind === 'file' && host.data).toContain('stage netback netback')
  })
})

describe('boot stages per architecture (pure)', () => {
  const at = (n: number, text: string) => ({ at: n, text })

  it('has the same stages on aarch64, with CONFIG_XEN where x86_64 names CONFIG_XEN_PV', () => {
    const arm = stageSpecs('aarch64')
    expect(arm.map((s) => s.id)).toEqual(STAGES.map((s) => s.id))
    expect(stageSpecs('x86_64')).toBe(STAGES)
    const lines = [at(0.5, '(XEN) Xen version 4.17.7 (Debian)'), at(5, 'ka-dom0: ready'), at(8, 'ka-dom0: create failed')]
    const config = parseKernelConfig('CONFIG_ARM64=y\n# CONFIG_XEN is not set\n', 'arm64.config')
    expect(firstFailure(readStages(lines, arm), config, arm)).toBe(
      "boot failed at loaded: Xen's domain builder rejected the image (an arm64 zone kernel is arch/arm64/boot/Image or Image.gz): CONFIG_XEN is not set in arm64.config, krata needs it built in (=y)",
    )
    const created = readStages([...lines.slice(0, 2), at(8, 'ka-dom0: created')], arm)
    expect(firstFailure(created, undefined, arm)).toBe(
      'boot failed at console: the guest kernel never wrote to hvc0: needs CONFIG_XEN=y, CONFIG_HVC_XEN=y, CONFIG_PRINTK=y (no config given to say which)',
    )
    expect(readStages(lines, arm)[2].state).toBe('failed')
  })
})
