import { describe, expect, it } from '@jest/globals'
import { moduleNameOf, moduleToLoad, parseModulesBuiltin, parseModulesDep } from '../src/addons/modules-dep.js'
import { planHostDom0 } from '../src/boot/dom0-bringup.js'
import { hostDom0Loads } from '../src/boot/addons-modules.js'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { firstFailure, readStages, stageSpecs } from '../src/boot/stages.js'
import { parseKernelConfig } from '../src/check/kernel-config.js'

// A host kernel booted as dom0 (issue 20, item 3), without booting: which modules dom0 takes from the addons, what its
// stages are, how its lines read, and what a failure names. The real boots are in boot-host.test.ts.

const DEBIAN_DEP = [
  'kernel/drivers/xen/xen-evtchn.ko:',
  'kernel/drivers/xen/xen-gntdev.ko:',
  'kernel/drivers/xen/xen-gntalloc.ko:',
  'kernel/drivers/xen/xen-privcmd.ko:',
  'kernel/drivers/xen/xenfs/xenfs.ko: kernel/drivers/xen/xen-privcmd.ko',
  'kernel/drivers/block/loop.ko:',
  'kernel/drivers/block/xen-blkback/xen-blkback.ko:',
  'kernel/drivers/net/xen-netback/xen-netback.ko.xz:',
  'kernel/lib/crc-itu-t.ko:',
  '',
].join('\n')

describe('modules.dep and modules.builtin (pure)', () => {
  it('names modules as the kernel does and keeps the paths relative to modules/', () => {
    expect(moduleNameOf('kernel/drivers/block/xen-blkback/xen-blkback.ko.xz')).toBe('xen_blkback')
    const dep = parseModulesDep('/lib/modules/6.1.0-1-amd64/kernel/fs/a.ko: /lib/modules/6.1.0-1-amd64/kernel/lib/b.ko\nnot a line\n')
    expect(dep.entries).toEqual([{ path: 'kernel/fs/a.ko', deps: ['kernel/lib/b.ko'] }])
    expect(parseModulesBuiltin('kernel/drivers/xen/xen-evtchn.ko\n\nkernel/fs/xenfs.ko\n')).toEqual(new Set(['xen_evtchn', 'xenfs']))
  })

  it('loads xen-fbfront in a zone when the addons hold it, else a Xen grant module or a library, never an arbitrary driver', () => {
    const sample = parseModulesDep(
      'kernel/drivers/xen/xen-acpi-processor.ko:\nkernel/drivers/video/fbdev/xen-fbfront.ko: kernel/drivers/video/fbdev/core/fb_sys_fops.ko\nkernel/drivers/xen/xen-gntalloc.ko:\n',
    )
    expect(moduleToLoad(sample)).toEqual({ module: 'xen_fbfront' })
    expect(moduleToLoad(parseModulesDep('kernel/drivers/xen/xen-acpi-processor.ko:\nkernel/drivers/xen/xen-gntalloc.ko:\n'))).toEqual({
      module: 'xen_gntalloc',
    })
    expect(
      moduleToLoad(parseModulesDep('kernel/drivers/net/e1000.ko:\nkernel/lib/test_bpf.ko:\nkernel/lib/crc-itu-t.ko:\nkernel/crypto/aegis128.ko:\n')),
    ).toEqual({
      module: 'aegis128',
    })
    expect(moduleToLoad(parseModulesDep('kernel/drivers/xen/xen-acpi-processor.ko:\nkernel/drivers/net/e1000.ko:\n'))).toEqual({
      none: 'none loaded: the addons hold no module known to be safe to load in a zone',
    })
  })

  it("skips modules busybox's modprobe cannot read (zstd), with their dependencies, and says so when only those are left", () => {
    const zstd = parseModulesDep(
      'kernel/drivers/video/fbdev/xen-fbfront.ko.xz: kernel/drivers/video/fbdev/core/fb_sys_fops.ko.zst\nkernel/drivers/xen/xen-gntalloc.ko.xz:\n',
    )
    expect(moduleToLoad(zstd)).toEqual({ module: 'xen_gntalloc' })
    expect(moduleToLoad(parseModulesDep('kernel/drivers/xen/xen-gntalloc.ko.zst:\nkernel/lib/crc-itu-t.ko.zst:\n'))).toEqual({
      none: "none loaded: busybox's modprobe (the boot test's) cannot read zstd modules",
    })
  })
})

describe("a host kernel's dom0 modules (pure)", () => {
  it("takes every driver from Debian's addons, dependencies first and each module once", () => {
    const plan = planHostDom0(parseModulesDep(DEBIAN_DEP), new Set())
    expect(plan.byStage).toEqual({
      evtchn: ['xen_evtchn.ko'],
      gntdev: ['xen_gntdev.ko', 'xen_gntalloc.ko'],
      privcmd: ['xen_privcmd.ko'],
      xenfs: ['xen_privcmd.ko', 'xenfs.ko'],
      blkback: ['loop.ko', 'xen_blkback.ko'],
      netback: ['xen_netback.ko'],
    })
    expect(plan.modules.map((m) => m.path)).toEqual([
      'kernel/drivers/xen/xen-evtchn.ko',
      'kernel/drivers/xen/xen-gntdev.ko',
      'kernel/drivers/xen/xen-gntalloc.ko',
      'kernel/drivers/xen/xen-privcmd.ko',
      'kernel/drivers/xen/xenfs/xenfs.ko',
      'kernel/drivers/block/loop.ko',
      'kernel/drivers/block/xen-blkback/xen-blkback.ko',
      'kernel/drivers/net/xen-netback/xen-netback.ko.xz',
    ])
    expect(plan.absent).toEqual({})
  })

  it('names the drivers that are neither built in nor in the addons; an optional one is never missed', () => {
    const dep = parseModulesDep('kernel/drivers/xen/xen-gntdev.ko:\n')
    const builtin = parseModulesBuiltin('kernel/drivers/xen/xen-evtchn.ko\nkernel/drivers/xen/xen-privcmd.ko\nkernel/drivers/xen/xenfs/xenfs.ko\n')
    const plan = planHostDom0(dep, builtin)
    expect(plan.byStage).toEqual({ gntdev: ['xen_gntdev.ko'] })
    expect(plan.absent).toEqual({
      blkback: "loop.ko, xen-blkback.ko are neither built in (modules.builtin) nor in the addons' modules.dep;",
      netback: "xen-netback.ko is neither built in (modules.builtin) nor in the addons' modules.dep;",
    })
    // Without modules.builtin (or without addons) a driver not in modules.dep may be built in: the phrase says what is
    // known, and shows only if its stage fails.
    expect(planHostDom0(dep, undefined).absent.evtchn).toBe(
      "xen-evtchn.ko is not in the addons' modules.dep (and the addons have no modules.builtin to say what is built in);",
    )
    expect(planHostDom0(undefined, undefined).absent.blkback).toBe(
      'loop.ko, xen-blkback.ko cannot be loaded: no addons (or no modules.dep in them) to load them from;',
    )
  })

  it('takes each module once by name, however modules.dep spells its path', () => {
    const plan = planHostDom0(parseModulesDep('kernel/drivers/xen/xen-evtchn.ko: kernel/z/a.ko kernel//z/a.ko kernel/y/a.ko\n'), new Set())
    expect(plan.modules.map((m) => m.file)).toEqual(['a.ko', 'xen_evtchn.ko'])
  })
})

describe('host boot stages (pure)', () => {
  const at = (n: number, text: string) => ({ at: n, text })
  const specs = stageSpecs('x86_64', 'host')

  it("are Xen, dom0's own stages, then the reference zone's; aarch64 has no XEN_PV_DOM0", () => {
    expect(specs.map((s) => s.id).slice(0, 10)).toEqual([
      'xen',
      'dom0',
      'evtchn',
      'gntdev',
      'privcmd',
      'xenfs',
      'xenstored',
      'blkback',
      'netback',
      'loaded',
    ])
    expect(specs.map((s) => s.id).slice(-2)).toEqual(['marker', 'poweroff'])
    expect(specs.find((s) => s.id === 'dom0')?.options).toContain('CONFIG_XEN_PV_DOM0')
    expect(stageSpecs('aarch64', 'host').find((s) => s.id === 'dom0')?.options).not.toContain('CONFIG_XEN_PV_DOM0')
  })

  it("reads dom0's stage lines, and names what a host needs: a module is as good as built in", () => {
    const lines = [
      at(0.4, '(XEN) Xen version 4.17.5'),
      at(6, 'ka-dom0: ok dom0 6.1.192-sample'),
      at(6.1, 'ka-dom0: ok evtchn'),
      at(
        6.2,
        "ka-dom0: fail blkback loop.ko, xen-blkback.ko are neither built in (modules.builtin) nor in the addons' modules.dep; no blkback driver",
      ),
    ]
    const stages = readStages(lines, specs)
    expect(stages[1]).toMatchObject({ id: 'dom0', state: 'ok', detail: '6.1.192-sample' })
    expect(stages.find((s) => s.id === 'blkback')).toMatchObject({ state: 'failed' })
    const config = parseKernelConfig('CONFIG_XEN_BLKDEV_BACKEND=m\n# CONFIG_BLK_DEV_LOOP is not set\n', 'host.config')
    const onlyBlkback = stages.map((s) => (s.state === 'missing' && s.id !== 'blkback' ? { ...s, state: 'ok' as const } : s))
    expect(firstFailure(onlyBlkback, config, specs)).toBe(
      "boot failed at blkback: no block backend to serve the zone its disks: loop.ko, xen-blkback.ko are neither built in (modules.builtin) nor in the addons' modules.dep; no blkback driver: CONFIG_BLK_DEV_LOOP is not set in host.config, a krata host needs it (=y, or =m with the module in the addons)",
    )
  })

  it('says why a kernel never came up as dom0 (its panic), and sums up the kit dom0 bring-up failures of a zone test as dom0', () => {
    const panicked = readStages(
      [at(0.4, '(XEN) Xen version 4.17.5'), at(3, '[    1.2] Kernel panic - not syncing: VFS: Unable to mount root fs')],
      specs,
    )
    expect(firstFailure(panicked, parseKernelConfig('CONFIG_XEN_DOM0=y\n', 'h.config'), specs)).toMatch(
      /^boot failed at dom0: the kernel did not come up as dom0 under Xen: kernel panic: VFS: Unable to mount root fs: CONFIG_XEN_PV_DOM0 is absent in h\.config, krata needs it built in \(=y\); CONFIG_HVC_XEN is absent/,
    )
    const zone = readStages([
      at(0.4, '(XEN) Xen version 4.17.5'),
      at(3, 'ka-dom0: ok evtchn'),
      at(4, 'ka-dom0: fail xenstored cannot store stub json config for domain 0'),
    ])
    expect(zone[1]).toMatchObject({ id: 'dom0', state: 'failed', detail: 'xenstored: cannot store stub json config for domain 0' })
    const toolstack = readStages(
      [
        at(0.4, '(XEN) Xen version 4.17.5'),
        at(6, 'ka-dom0: ok dom0 x'),
        ...['evtchn', 'gntdev', 'privcmd', 'xenfs'].map((s) => at(6.5, `ka-dom0: ok ${s}`)),
        at(7, 'ka-dom0: fail xenstored cannot store stub json config for domain 0'),
      ],
      specs,
    )
    expect(firstFailure(toolstack, parseKernelConfig('CONFIG_XEN_BACKEND=y\n# CONFIG_FILE_LOCKING is not set\n', 'h.config'), specs)).toBe(
      "boot failed at xenstored: dom0's toolstack did not start: cannot store stub json config for domain 0: CONFIG_FILE_LOCKING is not set in h.config, krata needs it built in (=y)",
    )
  })
})

describe("a host kernel's dom0 modules, taken out of a hostile addons image", () => {
  it('refuses sparse modules that would come to more than dom0 holds, before writing them all (a 4 KiB image, 3 x 40 MiB)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dom0-bomb-'))
    try {
      const modules = path.join(dir, 'tree', 'modules')
      fs.mkdirSync(path.join(modules, 'kernel', 'z'), { recursive: true })
      for (const name of ['a', 'b', 'c']) {
        fs.writeFileSync(path.join(modules, 'kernel', 'z', `${name}.ko`), '')
        fs.truncateSync(path.join(modules, 'kernel', 'z', `${name}.ko`), 40 << 20) // zeros: squashfs stores none of them
      }
      fs.writeFileSync(path.join(modules, 'kernel', 'z', 'xen-evtchn.ko'), 'x')
      fs.writeFileSync(path.join(modules, 'modules.dep'), 'kernel/z/xen-evtchn.ko: kernel/z/a.ko kernel/z/b.ko kernel/z/c.ko\n')
      const image = path.join(dir, 'bomb.squashfs')
      execFileSync('mksquashfs', [path.join(dir, 'tree'), image, '-noappend', '-all-root', '-quiet', '-no-progress'])
      expect(fs.statSync(image).size).toBeLessThanOrEqual(4096)
      const out = path.join(dir, 'out')
      await expect(hostDom0Loads(image, 'addons', out)).rejects.toThrow(
        /^addons: .*bomb\.squashfs holds modules\/kernel\/z\/\w\.ko of 41943040 bytes, more than the \d+ a file there can be$/,
      )
      const written = fs.readdirSync(out).reduce((n, f) => n + fs.statSync(path.join(out, f)).size, 0)
      expect(written).toBeLessThanOrEqual(64 << 20)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
