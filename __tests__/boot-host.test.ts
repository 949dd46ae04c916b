// Real boots for issue 20's host and addons items: a host kernel booted as dom0 under Xen in QEMU (its drivers loaded
// from its own addons), running the bundled sample as its zone; and a zone whose addons' modules.dep is stale, so the
// module its guest loads with modprobe fails in the guest's kernel. Xen, the toolstack and busybox come from the
// test boot kit (support/boot-kit.ts); Debian's kernel and its module tree from scripts/debian-addons.sh (cached).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './support/run-action.js'
import { bootWithKit, stageLine, testBootKit } from './support/boot-kit.js'
import { runCliBundle, runCliBundleSync } from './support/cli.js'
import { craftArm64Image } from './support/crafted-kernel.js'
import type { KernelArch } from '../src/arch.js'
import { stageSpecs } from '../src/boot/stages.js'

const BOOT_TIMEOUT_MS = 15 * 60 * 1000
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-host-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
const sample = path.join(ROOT, 'assets', 'sample')

const bootOn = (arch: KernelArch, name: string, ...args: string[]) => bootWithKit(arch, path.join(dir, name), args)
const boot = (name: string, ...args: string[]) => bootOn('x86_64', name, ...args)

let debian: { addons: string; release: string; image: string; config: string }
beforeAll(() => {
  const [addons, release] = execFileSync('bash', [path.join(ROOT, 'scripts', 'debian-addons.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  })
    .trim()
    .split('\n') as [string, string]
  const pkg = addons.replace(/\.addons\.squashfs$/, '')
  debian = { addons, release, image: path.join(pkg, 'boot', `vmlinuz-${release}`), config: path.join(pkg, 'boot', `config-${release}`) }
}, 900_000)

describe('kernel-action boot --target host (the kernel as dom0)', () => {
  it(
    "boots Debian's amd64 kernel as dom0: its backends are modules, loaded from its own addons, and the sample zone gets its disks",
    async () => {
      const r = await boot('debian-host', '--target', 'host', '--image', debian.image, '--config', debian.config, '--addons', debian.addons)
      for (const stage of stageSpecs('x86_64', 'host')) expect(r.stdout).toMatch(stageLine('ok', stage.title))
      expect(r.stdout).toMatch(stageLine('ok', `the kernel came up as dom0 and ran init (${debian.release})`))
      expect(r.stdout).toMatch(/ ok {6}addons modules bound at \/lib\/modules\/\$\(uname -r\), one loaded with modprobe \(loaded xen_fbfront\)$/m)
      expect(r.stdout).toMatch(
        new RegExp(
          `\\nboot passed: ${debian.release} came up as dom0 under Xen, brought up what krata's daemon needs and served a zone its disks \\((KVM|TCG), \\d+ s\\)\\n$`,
        ),
      )
      expect(r.status).toBe(0)
      // The backends really were modules, loaded by dom0 from the addons (none is built into Debian's kernel).
      const serial = fs.readFileSync(path.join(r.out, 'qemu-serial.log'), 'utf8')
      expect(serial).toMatch(/ka-dom0: ok blkback\n/)
      expect(fs.readFileSync(debian.config, 'utf8')).toMatch(/^CONFIG_XEN_BLKDEV_BACKEND=m$/m)
      expect(fs.readFileSync(path.join(r.out, 'guest-console.log'), 'utf8')).toMatch(/^ka-boot: marker release=6\.1\.192-sample$/m)
    },
    BOOT_TIMEOUT_MS,
  )

  it(
    'fails the x86_64 zone sample as a host kernel at blkback: dom0 and its toolstack come up, but it has no block backend (nor netback)',
    async () => {
      const config = path.join(sample, 'config')
      const r = await boot(
        'sample-host',
        '--target',
        'host',
        '--image',
        path.join(sample, 'bzImage'),
        '--config',
        config,
        '--addons',
        path.join(sample, 'addons.squashfs'),
      )
      expect(r.stdout).toMatch(stageLine('ok', 'the kernel came up as dom0 and ran init (6.1.192-sample)'))
      // gntdev is =m in the sample: dom0 loaded it from the addons.
      for (const title of ['event channels', 'grant tables', 'hypercalls for xl', 'xenfs mounted at /proc/xen', 'xenstored, xen-init-dom0'])
        expect(r.stdout).toMatch(stageLine('ok', title))
      expect(r.stdout).toMatch(
        stageLine(
          'failed',
          "block backend and loop devices ready for the zone's disks (loop.ko, xen-blkback.ko are neither built in (modules.builtin) nor in the addons' modules.dep;",
        ),
      )
      expect(r.stdout).toMatch(stageLine('failed', 'network backend registered (vif) (xen-netback.ko is neither built in'))
      expect(r.stdout).toMatch(/^ +missing xl created the reference zone$/m)
      expect(r.stdout).toMatch(
        new RegExp(
          `\\nboot failed at blkback: no block backend to serve the zone its disks: loop\\.ko, xen-blkback\\.ko are neither built in \\(modules\\.builtin\\) nor in the addons' modules\\.dep; no blkback driver \\(/sys/bus/xen-backend/drivers/vbd\\): CONFIG_XEN_BLKDEV_BACKEND is not set in ${config.replace(/[.]/g, '\\.')}, a krata host needs it \\(=y, or =m with the module in the addons\\); CONFIG_BLK_DEV_LOOP is not set in [^\\n]*\\n$`,
        ),
      )
      expect(r.status).toBe(1)
    },
    BOOT_TIMEOUT_MS,
  )
})

describe('kernel-action boot --target host on aarch64', () => {
  it('refuses, before booting, an arm64 host image larger than the room guest-loader leaves for it', async () => {
    const image = path.join(dir, 'huge-Image')
    const header = craftArm64Image()
    const size = 113 * 2 ** 20
    header.writeBigUInt64LE(BigInt(size), 16) // image_size: the header agrees with the file
    fs.writeFileSync(image, header)
    fs.truncateSync(image, size)
    const r = await runCliBundle([
      'boot',
      '--target',
      'host',
      '--boot-kit',
      testBootKit('aarch64'),
      '--out',
      path.join(dir, 'huge'),
      '--image',
      image,
    ])
    expect({ status: r.status, stderr: r.stderr }).toEqual({
      status: 2,
      stderr: `kernel-action: image: ${image} is 113 MiB; the boot test places an arm64 dom0 kernel in 112 MiB (give Image.gz)\n`,
    })
  })

  it(
    "boots Debian's arm64 kernel as dom0 with addons built by `kernel-action addons --modules` from its Xen and block modules",
    async () => {
      const pkg = execFileSync('bash', [path.join(ROOT, 'scripts', 'debian-package.sh'), 'linux-image-arm64:arm64'], { encoding: 'utf8' }).trim()
      const release = fs.readdirSync(path.join(pkg, 'lib', 'modules'))[0]!
      // A modules_install tree of the drivers dom0 needs (Debian's whole tree takes minutes to squash): the
      // package's Xen, block and netback modules with its modules.builtin, indexed by depmod as its postinst would.
      const from = path.join(pkg, 'lib', 'modules', release)
      const root = path.join(dir, 'arm64-modroot')
      const to = path.join(root, 'lib', 'modules', release)
      for (const sub of ['kernel/drivers/xen', 'kernel/drivers/block', 'kernel/drivers/net/xen-netback']) {
        fs.cpSync(path.join(from, sub), path.join(to, sub), { recursive: true })
      }
      for (const f of ['modules.builtin', 'modules.builtin.modinfo', 'modules.order']) fs.copyFileSync(path.join(from, f), path.join(to, f))
      execFileSync('depmod', ['-b', root, release])
      const image = path.join(pkg, 'boot', `vmlinuz-${release}`)
      const addons = path.join(dir, 'arm64-addons.squashfs')
      const built = runCliBundleSync(['addons', '--image', image, '--modules', root, '--output', addons])
      expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' })
      const r = await bootOn(
        'aarch64',
        'debian-arm64-host',
        '--target',
        'host',
        '--image',
        image,
        '--config',
        path.join(pkg, 'boot', `config-${release}`),
        '--addons',
        addons,
      )
      for (const stage of stageSpecs('aarch64', 'host')) expect(r.stdout).toMatch(stageLine('ok', stage.title))
      expect(r.stdout).toMatch(
        new RegExp(`\\nboot passed: ${release} came up as dom0 under Xen, brought up what krata's daemon needs and served a zone its disks`),
      )
      expect(r.status).toBe(0)
    },
    BOOT_TIMEOUT_MS,
  )
})

describe('the guest loads a module from its addons', () => {
  it('refuses, before booting, a --module the addons do not list, and one with a host kernel', async () => {
    const addons = path.join(sample, 'addons.squashfs')
    const args = ['boot', '--boot-kit', testBootKit('x86_64'), '--image', path.join(sample, 'bzImage'), '--addons', addons]
    const missing = await runCliBundle([...args, '--out', path.join(dir, 'no-module'), '--module', 'e1000'])
    expect({ status: missing.status, stderr: missing.stderr }).toEqual({
      status: 2,
      stderr: `kernel-action: --module: e1000 is not in addons ${addons} (its modules/modules.dep does not list it)\n`,
    })
    expect(fs.existsSync(path.join(dir, 'no-module', 'qemu-serial.log'))).toBe(false)
    const host = await runCliBundle([...args, '--target', 'host', '--module', 'xen-fbfront'])
    expect({ status: host.status, stderr: host.stderr }).toEqual({
      status: 2,
      stderr: 'kernel-action: --module: with a host kernel the guest is the bundled sample zone\n',
    })
  })

  it(
    'fails at modules, naming the module and the kernel, when modules.dep no longer lists what it needs',
    async () => {
      // The sample's addons with xen-fbfront's dependencies dropped from modules.dep: a stale index, as after copying
      // a module in by hand. The addons check passes it (layout and vermagic are right); only loading it can tell.
      const tree = path.join(dir, 'stale')
      execFileSync('unsquashfs', ['-q', '-n', '-d', tree, path.join(sample, 'addons.squashfs')])
      const depFile = path.join(tree, 'modules', 'modules.dep')
      fs.writeFileSync(depFile, fs.readFileSync(depFile, 'utf8').replace(/^(kernel\/drivers\/video\/fbdev\/xen-fbfront\.ko):.*$/m, '$1:'))
      const addons = path.join(dir, 'stale.squashfs')
      execFileSync('mksquashfs', [tree, addons, '-all-root', '-noappend', '-quiet', '-no-progress'])
      // Named, as a user would with --module (the default choice is the same module).
      const r = await boot(
        'stale',
        '--image',
        path.join(sample, 'bzImage'),
        '--config',
        path.join(sample, 'config'),
        '--addons',
        addons,
        '--module',
        'xen-fbfront',
      )
      expect(r.stdout).toMatch(stageLine('ok', 'addons squashfs mounted from xvdc'))
      expect(r.stdout).toMatch(
        /\nboot failed at modules: the addons modules could not be bound or loaded: modprobe xen_fbfront: modprobe: can't load module xen_fbfront \(kernel\/drivers\/video\/fbdev\/xen-fbfront\.ko\): unknown symbol in module[^\n]*kernel: [^\n]*xen_fbfront: Unknown symbol [^\n]*\n$/,
      )
      expect(r.status).toBe(1)
    },
    BOOT_TIMEOUT_MS,
  )
})
