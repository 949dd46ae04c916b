// Addons that match their kernel (issue 20): the layouts and releases the check refuses, each one line through the
// real action with nothing written; the layouts it accepts; and the `modules` input, which builds the sample's own
// addons.squashfs byte for byte from the tree it holds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildAddons } from '../src/addons/build-addons.js'
import { checkAddonsTree, type AddonsExpectation } from '../src/addons/check-addons.js'
import { openAddons } from '../src/addons/open-addons.js'
import { ROOT, runActionAsync } from './support/run-action.js'

const SAMPLE = path.join(ROOT, 'assets', 'sample')
const RELEASE = '6.1.192-sample'
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')
let dir: string
/** The sample's modules/ as unsquashfs extracts it. */
let sampleModules: string

/** A squashfs made by mksquashfs from a tree `make` lays out in an empty folder; returns the image's path. */
function squash(name: string, make: (root: string) => void): string {
  const root = path.join(dir, 'trees', name)
  fs.mkdirSync(root, { recursive: true })
  make(root)
  const image = path.join(dir, `${name}.squashfs`)
  execFileSync('mksquashfs', [root, image, '-noappend', '-all-root', '-quiet', '-no-progress'], { stdio: ['ignore', 'ignore', 'inherit'] })
  return image
}

const copyModules = (to: string): void => fs.cpSync(sampleModules, to, { recursive: true })

/** Every .ko under `root`, its vermagic's release replaced by another of the same length (the ELF stays whole). */
function rebrand(root: string, release: string): void {
  for (const name of fs.readdirSync(root, { recursive: true }) as string[]) {
    if (!name.endsWith('.ko')) continue
    const file = path.join(root, name)
    const bytes = fs.readFileSync(file)
    const at = bytes.indexOf(`vermagic=${RELEASE}`)
    bytes.write(release, at + 'vermagic='.length, 'latin1')
    fs.writeFileSync(file, bytes)
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(tmpdir(), 'addons-check-'))
  execFileSync('unsquashfs', ['-q', '-n', '-d', path.join(dir, 'sample'), path.join(SAMPLE, 'addons.squashfs')], { stdio: 'ignore' })
  sampleModules = path.join(dir, 'sample', 'modules')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** An INSTALL_MOD_PATH holding the sample's modules as `make modules_install` leaves them (with its build link). */
function installModPath(name: string, release = RELEASE): string {
  const root = path.join(dir, name)
  copyModules(path.join(root, 'lib', 'modules', release))
  fs.symlinkSync('/usr/src/linux-build', path.join(root, 'lib', 'modules', release, 'build'))
  return root
}

describe('the addons check, through the action: one line, and nothing written', () => {
  const image = path.join(SAMPLE, 'bzImage')
  const at = (name: string): string => path.join(dir, `${name}.squashfs`)
  const rows: { name: string; inputs: () => Record<string, string>; error: () => string }[] = [
    {
      name: 'lib/modules/<release>/ at the top',
      inputs: () => ({ addons: squash('lib-layout', (root) => copyModules(path.join(root, 'lib', 'modules', RELEASE))) }),
      error: () =>
        `addons: ${at('lib-layout')} holds lib/modules/${RELEASE}/ at its top; krata mounts modules/ from it (move lib/modules/${RELEASE}/* to modules/)`,
    },
    {
      name: 'modules/<release>/ at the top',
      inputs: () => ({ addons: squash('nested', (root) => copyModules(path.join(root, 'modules', RELEASE))) }),
      error: () =>
        `addons: ${at('nested')} holds modules/${RELEASE}/ at its top; krata bind-mounts modules/ itself onto /lib/modules/$(uname -r) (move modules/${RELEASE}/* to modules/)`,
    },
    {
      name: 'no modules.dep',
      inputs: () => ({
        addons: squash('no-dep', (root) => {
          copyModules(path.join(root, 'modules'))
          fs.rmSync(path.join(root, 'modules', 'modules.dep'))
        }),
      }),
      error: () =>
        `addons: ${at('no-dep')} has modules/ but no modules/modules.dep, which modprobe needs (make modules_install writes it; or run depmod)`,
    },
    {
      name: 'modules of another release',
      inputs: () => ({
        addons: squash('other-release', (root) => {
          copyModules(path.join(root, 'modules'))
          rebrand(path.join(root, 'modules'), '6.1.192-zzzzzz')
        }),
      }),
      error: () =>
        `addons: ${at('other-release')} holds modules built for 6.1.192-zzzzzz (vermagic of modules/kernel/fs/efivarfs/efivarfs.ko, listed in modules.dep), but ${image} is ${RELEASE}; modprobe refuses modules of another release`,
    },
    {
      // The two samples share their release: only the modules' ELF machine tells a swapped matrix leg.
      name: "the arm64 sample's addons for the x86_64 sample (same release, other architecture)",
      inputs: () => ({ addons: path.join(SAMPLE, 'arm64', 'addons.squashfs') }),
      error: () =>
        `addons: ${path.join(SAMPLE, 'arm64', 'addons.squashfs')} holds modules built for aarch64 (ELF machine of modules/kernel/fs/efivarfs/efivarfs.ko, listed in modules.dep), but ${image} is an x86_64 kernel; the kernel refuses modules of another architecture`,
    },
    {
      name: 'no modules/ for a kernel with CONFIG_MODULES=y',
      inputs: () => ({ addons: squash('firmware-only', (root) => fs.mkdirSync(path.join(root, 'firmware', 'vendor'), { recursive: true })) }),
      error: () =>
        `addons: ${at('firmware-only')} has no modules/ at its top (it holds firmware/); krata bind-mounts modules/ onto /lib/modules/${RELEASE} (put the contents of lib/modules/${RELEASE}/ there)`,
    },
    {
      name: 'modules.dep naming a module that is not there',
      inputs: () => ({
        addons: squash('missing-module', (root) => {
          copyModules(path.join(root, 'modules'))
          fs.rmSync(path.join(root, 'modules', 'kernel', 'fs'), { recursive: true })
        }),
      }),
      error: () => `addons: ${at('missing-module')}: modules/modules.dep names kernel/fs/efivarfs/efivarfs.ko, which is not a file in modules/`,
    },
    {
      name: 'modules and addons together',
      inputs: () => ({ addons: path.join(SAMPLE, 'addons.squashfs'), modules: installModPath('both') }),
      error: () => 'modules: cannot be combined with addons (modules builds addons.squashfs; give one of them)',
    },
    {
      name: 'modules without lib/modules/<release>/',
      inputs: () => ({ modules: fs.mkdtempSync(path.join(dir, 'empty-modroot-')) }),
      error: () =>
        `modules: ${
          fs
            .readdirSync(dir)
            .filter((n) => n.startsWith('empty-modroot-'))
            .map((n) => path.join(dir, n))[0]
        } has no lib/modules/<release>/ (give the INSTALL_MOD_PATH of make modules_install)`,
    },
    {
      name: 'modules of another release (by its lib/modules/ name)',
      inputs: () => ({ modules: installModPath('other-modroot', '6.1.0-1-amd64') }),
      error: () => `modules: ${path.join(dir, 'other-modroot')} holds lib/modules/6.1.0-1-amd64/, but ${image} is ${RELEASE}`,
    },
  ]

  it.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const workspace = fs.mkdtempSync(path.join(dir, 'workspace-'))
    const runnerTemp = fs.mkdtempSync(path.join(dir, 'runner-temp-'))
    const run = await runActionAsync(
      { config: path.join(SAMPLE, 'config'), image, 'oci-layout': 'layout', ...row.inputs() },
      { workspace, env: { RUNNER_TEMP: runnerTemp } },
    )
    expect(run.commands.filter((line) => line.startsWith('::error'))).toEqual([`::error::${row.error()}`])
    expect(run.status).toBe(1)
    expect(run.stdout).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
    expect(fs.existsSync(path.join(workspace, 'layout'))).toBe(false)
    // No metadata file and no built addons left behind.
    expect(fs.readdirSync(runnerTemp).filter((name) => name.startsWith('kernel-action'))).toEqual(
      fs.existsSync(path.join(runnerTemp, 'kernel-action-addons')) ? ['kernel-action-addons'] : [],
    )
    expect(fs.existsSync(path.join(runnerTemp, 'kernel-action-addons', 'addons.squashfs'))).toBe(false)
  })
})

describe('the modules input', () => {
  it("builds the bundled sample's addons.squashfs byte for byte from the tree it holds, and publishes it", async () => {
    const workspace = fs.mkdtempSync(path.join(dir, 'workspace-'))
    const modules = installModPath('modroot-publish')
    const run = await runActionAsync(
      { config: path.join(SAMPLE, 'config'), image: path.join(SAMPLE, 'bzImage'), modules, 'oci-layout': 'layout' },
      { workspace, env: { RUNNER_TEMP: fs.mkdtempSync(path.join(dir, 'runner-temp-')) } },
    )
    expect(run.commands.filter((line) => line.startsWith('::error'))).toEqual([])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(
      new RegExp(
        `^addons: \\S+/kernel-action-addons/addons.squashfs, built from ${modules}/lib/modules/${RELEASE}, holds modules/ for ${RELEASE}: 11 modules in modules.dep; vermagic "${RELEASE} SMP mod_unload" in the 3 checked .*; read in-process \\(gzip, zlib\\) in \\d+ ms$`,
        'm',
      ),
    )
    // The published addons layer is the sample's file: the build is the one make-sample.sh does.
    const layout = path.join(workspace, 'layout')
    const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }
    const blob = (digest: string): string => path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length))
    const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { layers: { digest: string }[] }
    const tars = manifest.layers.map((layer) => blob(layer.digest))
    const addonsTar = tars.find((tar) => execFileSync('tar', ['-tf', tar], { encoding: 'utf8' }).includes('kernel/addons.squashfs'))!
    const extracted = path.join(workspace, 'extracted')
    fs.mkdirSync(extracted)
    execFileSync('tar', ['-xf', addonsTar, '-C', extracted])
    expect(sha256(path.join(extracted, 'kernel', 'addons.squashfs'))).toBe(sha256(path.join(SAMPLE, 'addons.squashfs')))
  })

  it("builds the arm64 sample's addons.squashfs byte for byte from the tree it holds", async () => {
    const squashfs = path.join(SAMPLE, 'arm64', 'addons.squashfs')
    const root = path.join(dir, 'modroot-arm64')
    execFileSync('unsquashfs', ['-q', '-n', '-d', path.join(dir, 'arm64-sample'), squashfs], { stdio: 'ignore' })
    fs.mkdirSync(path.join(root, 'lib', 'modules'), { recursive: true })
    fs.renameSync(path.join(dir, 'arm64-sample', 'modules'), path.join(root, 'lib', 'modules', RELEASE))
    const output = path.join(dir, 'arm64-built.squashfs')
    await buildAddons({ modules: root, release: RELEASE, image: 'Image.gz', output })
    expect(sha256(output)).toBe(sha256(squashfs))
  })

  it('gives the same bytes twice, hard-linked or copied (another file system), and never touches the tree', async () => {
    const modules = installModPath('modroot-twice')
    const before = execFileSync('find', [modules, '-printf', '%p %s %m %l\\n'], { encoding: 'utf8' })
    const outputs = [path.join(dir, 'twice-1.squashfs'), path.join(dir, 'twice-2.squashfs')]
    if (fs.existsSync('/dev/shm')) outputs.push(path.join(fs.mkdtempSync('/dev/shm/addons-check-'), 'twice-3.squashfs'))
    try {
      for (const output of outputs) await buildAddons({ modules, release: RELEASE, image: 'bzImage', output })
      const digests = outputs.map(sha256)
      expect(new Set(digests).size).toBe(1)
      expect(digests[0]).toBe(sha256(path.join(SAMPLE, 'addons.squashfs')))
    } finally {
      if (outputs[2]) fs.rmSync(path.dirname(outputs[2]), { recursive: true, force: true })
    }
    expect(execFileSync('find', [modules, '-printf', '%p %s %m %l\\n'], { encoding: 'utf8' })).toBe(before)
    // No staging folder is left beside the output.
    expect(fs.readdirSync(dir).filter((name) => name.startsWith('.addons-staging-'))).toEqual([])
  })
})

describe('the check itself (in-process)', () => {
  const expectation = (file: string, modular = true): AddonsExpectation => ({ input: 'addons', file, release: RELEASE, image: 'bzImage', modular })
  const check = async (file: string, modular = true) => {
    const tree = await openAddons(file, 'addons')
    try {
      return await checkAddonsTree(tree, expectation(file, modular))
    } finally {
      await tree.close()
    }
  }

  it('passes the bundled sample, checking the first, middle and last module of modules.dep and the first in the tree', async () => {
    const report = await check(path.join(SAMPLE, 'addons.squashfs'))
    expect(report.modules).toBe(11)
    expect(report.checked.map((module) => module.path)).toEqual([
      'kernel/fs/efivarfs/efivarfs.ko',
      'kernel/drivers/video/fbdev/xen-fbfront.ko',
      'kernel/drivers/thermal/intel/x86_pkg_temp_thermal.ko',
    ])
    expect(new Set(report.checked.map((module) => module.vermagic))).toEqual(new Set([`${RELEASE} SMP mod_unload `]))
  })

  it('passes the arm64 sample: its aarch64 modules carry the release of its Image.gz', async () => {
    const file = path.join(SAMPLE, 'arm64', 'addons.squashfs')
    const tree = await openAddons(file, 'addons')
    try {
      const report = await checkAddonsTree(tree, { input: 'addons', file, release: RELEASE, image: 'Image.gz', modular: true })
      expect(report.modules).toBe(9)
      expect(new Set(report.checked.map((module) => module.vermagic))).toEqual(new Set([`${RELEASE} SMP mod_unload aarch64`]))
    } finally {
      await tree.close()
    }
  })

  it('lets a kernel without CONFIG_MODULES have addons without modules/, empty or not', async () => {
    const empty = squash('empty', () => undefined)
    expect(await check(empty, false)).toEqual({ how: 'in-process (gzip, zlib)', checked: [] })
    expect((await check(path.join(dir, 'firmware-only.squashfs'), false)).modules).toBeUndefined()
  })

  it('reads the vermagic of compressed modules (.ko.gz and .ko.zst in-process or with zstd, .ko.xz with the xz program)', async () => {
    const image = squash('compressed', (root) => {
      copyModules(path.join(root, 'modules'))
      const kernel = path.join(root, 'modules', 'kernel')
      const renames = new Map<string, string>()
      const compressors: [string, (file: string) => void][] = [
        ['.ko.gz', (file) => fs.writeFileSync(`${file}.gz`, gzipSync(fs.readFileSync(file)))],
        ['.ko.zst', (file) => execFileSync('zstd', ['-q', '--rm', file])],
        ['.ko.xz', (file) => execFileSync('xz', ['-C', 'crc32', file])],
      ]
      let i = 0
      for (const name of (fs.readdirSync(kernel, { recursive: true }) as string[]).filter((n) => n.endsWith('.ko')).sort()) {
        const [suffix, compress] = compressors[i++ % compressors.length]!
        compress(path.join(kernel, name))
        fs.rmSync(path.join(kernel, name), { force: true })
        renames.set(`kernel/${name}`, `kernel/${name.slice(0, -3)}${suffix}`)
      }
      const dep = path.join(root, 'modules', 'modules.dep')
      fs.writeFileSync(
        dep,
        fs.readFileSync(dep, 'utf8').replace(/kernel\/\S+\.ko/g, (found) => renames.get(found) ?? found),
      )
    })
    const report = await check(image)
    expect(new Set(report.checked.map((module) => path.extname(module.path)))).toEqual(new Set(['.gz', '.xz', '.zst']))
    expect(report.checked.every((module) => module.vermagic === `${RELEASE} SMP mod_unload `)).toBe(true)
    // Without the xz program an .ko.xz module is named as not checked, not failed.
    const pathBefore = process.env.PATH
    process.env.PATH = path.join(dir, 'no-programs-here')
    try {
      const skipped = (await check(image)).checked.filter((module) => module.skipped !== undefined)
      expect(skipped.map((module) => [path.extname(module.path), module.skipped])).toContainEqual(['.xz', 'the xz program is not installed'])
    } finally {
      process.env.PATH = pathBefore
    }
  })
})
