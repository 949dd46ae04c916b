import { afterAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runAction, runActionAsync } from './support/run-action.js'
import { testBootKit } from './support/boot-kit.js'
import { ROOT } from './support/run-action.js'

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-ws-'))
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))

describe('boot-test input (action)', () => {
  it('is off by default: boot is skipped and nothing is booted', () => {
    const r = runAction({}, { workspace })
    expect(r.status).toBe(0)
    expect(r.outputs.boot).toBe('skipped')
    expect(r.outputs['boot-log']).toBe('')
    expect(r.outputs['boot-serial-log']).toBe('')
    expect(r.summary).not.toContain('Boot test')
  })

  it(
    'boots an aarch64 kernel (the arm64 sample) as a Xen PVH guest, then publishes it',
    async () => {
      const arm64 = path.join(ROOT, 'assets', 'sample', 'arm64')
      const r = await runActionAsync(
        {
          config: path.join(arm64, 'config'),
          image: path.join(arm64, 'Image.gz'),
          addons: path.join(arm64, 'addons.squashfs'),
          'boot-test': 'true',
          'oci-layout': 'arm64-layout',
          'boot-kit': testBootKit('aarch64'),
        },
        { workspace, timeoutMs: 15 * 60 * 1000 },
      )
      expect(r.outputs.boot).toBe('passed')
      expect(fs.readFileSync(r.outputs['boot-log'], 'utf8')).toMatch(/^ka-boot: marker release=6\.1\.192-sample$/m)
      expect(r.summary).toContain('### Boot test: passed')
      expect(r.summary).toMatch(/Xen PVH guest under Xen in QEMU \(TCG, no KVM\), \d+ s/)
      expect(r.summary).toMatch(/\| ✅ \| Xen's domain builder loaded the kernel \| ok \| \d+\.\d s \|/)
      expect(r.status).toBe(0)
      expect(fs.existsSync(path.join(workspace, 'arm64-layout', 'index.json'))).toBe(true)
    },
    15 * 60 * 1000,
  )

  it(
    'boots a target: host kernel as dom0 (the x86_64 sample: it comes up, but has no block backend) and publishes nothing',
    async () => {
      const sample = path.join(ROOT, 'assets', 'sample')
      const r = await runActionAsync(
        {
          target: 'host',
          config: path.join(sample, 'config'),
          image: path.join(sample, 'bzImage'),
          addons: path.join(sample, 'addons.squashfs'),
          'fail-on': 'never',
          'boot-test': 'true',
          'oci-layout': 'host-layout',
          'boot-kit': testBootKit('x86_64'),
        },
        { workspace, timeoutMs: 15 * 60 * 1000 },
      )
      expect(r.outputs.boot).toBe('failed')
      // The host kernel's own console is in the serial log, with the stage lines of dom0's init.
      expect(fs.readFileSync(r.outputs['boot-serial-log'], 'utf8')).toMatch(/ka-dom0: ok dom0 6\.1\.192-sample\n/)
      expect(r.commands.find((c) => c.startsWith('::error::'))).toMatch(
        /^::error::boot failed at blkback: no block backend to serve the zone its disks: .*: CONFIG_XEN_BLKDEV_BACKEND is not set in .*config, a krata host needs it \(=y, or =m with the module in the addons\); CONFIG_BLK_DEV_LOOP is not set in .*$/,
      )
      expect(r.summary).toMatch(/dom0, with the bundled sample zone kernel as its guest, under Xen in QEMU/)
      expect(r.summary).toMatch(/\| ✅ \| the kernel came up as dom0 and ran init \| ok: 6\.1\.192-sample \| \d+\.\d s \|/)
      expect(r.summary).toMatch(/\| ❌ \| block backend and loop devices ready for the zone's disks \| failed: loop\.ko, xen-blkback\.ko are neither/)
      expect(r.status).toBe(1)
      expect(fs.existsSync(path.join(workspace, 'host-layout'))).toBe(false)
    },
    15 * 60 * 1000,
  )

  it(
    "fails the step before anything is published when the kernel does not boot (Debian's kernel: no xvda)",
    async () => {
      const pkg = execFileSync('bash', [path.join(ROOT, 'scripts', 'debian-package.sh'), 'linux-image-amd64'], { encoding: 'utf8' }).trim()
      const boot = fs.readdirSync(path.join(pkg, 'boot'))
      const image = path.join(
        pkg,
        'boot',
        boot.find((f) => f.startsWith('vmlinuz-'))!,
      )
      const config = path.join(
        pkg,
        'boot',
        boot.find((f) => f.startsWith('config-'))!,
      )
      const r = await runActionAsync(
        { config, image, 'fail-on': 'never', 'boot-test': 'true', 'oci-layout': 'debian-layout', 'boot-kit': testBootKit('x86_64') },
        { workspace, timeoutMs: 15 * 60 * 1000 },
      )
      expect(r.outputs.boot).toBe('failed')
      expect(fs.readFileSync(r.outputs['boot-log'], 'utf8')).toMatch(/^\[ *0\.0+\] Linux version 6\.1\.0-\d+-amd64 /m)
      const error = r.commands.find((c) => c.startsWith('::error::'))
      expect(error).toMatch(
        /^::error::boot failed at xvda: no xvda: no Xen block frontend driver, though Xen offers vbd-51712 vbd-51744: CONFIG_XEN_BLKDEV_FRONTEND is a module \(=m\) in .*config-6\.1\.0-\d+-amd64, krata needs it built in \(=y\)$/,
      )
      expect(r.summary).toContain('### Boot test: failed')
      expect(r.summary).toMatch(/\| ✅ \| init ran from the ramdisk \| ok \| \d+\.\d s \|/)
      expect(r.summary).toMatch(
        /\| ❌ \| Xen block device xvda \(root image\) present \| failed: no Xen block frontend driver, though Xen offers vbd-51712 vbd-51744 \|/,
      )
      expect(r.status).toBe(1)
      expect(fs.existsSync(path.join(workspace, 'debian-layout'))).toBe(false)
    },
    15 * 60 * 1000,
  )
})
