/**
 * The Kconfig reader, explainer and fix fragment on the real Linux 6.1 tree, proved with the kernel's
 * own `make olddefconfig`. Needs a source tree at $KERNEL_SRC or /opt/ksrc/linux-source-6.1, plus
 * make, gcc, flex and bison; KERNEL_SRC=skip skips it.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { archNames, KERNEL_ARCHES, type KernelArch } from '../src/arch.js'
import { evaluateRequirements, type CheckResult } from '../src/check/evaluate.js'
import { kconfigValues, parseKernelConfig } from '../src/check/kernel-config.js'
import { bootRequirements, requirementsFor } from '../src/check/requirements.js'
import { explainOption, fixFragment, readKconfigTree, renderExplanation, type KconfigTree } from '../src/kconfig/index.js'

const MAKE_TIMEOUT = 300_000

const requested = process.env['KERNEL_SRC']
const skip = requested === 'skip'
const kernelSrc = [requested, '/opt/ksrc/linux-source-6.1'].find((d): d is string => d !== undefined && d !== '' && existsSync(join(d, 'Kconfig')))

// The kernel's kconfig tool is compiled once per machine and kernel tree, into a cache in the temp dir, by one `make`
// per architecture that also records the environment kbuild gives the tool; every config after that is one direct run
// of the tool (no make, no recompiling). Parallel first runs each build their own copy; the first to finish is kept.
let objDir: string | undefined
const kconfigEnv = new Map<KernelArch, NodeJS.ProcessEnv>()

function kconfigTool(): string {
  if (objDir !== undefined) return objDir
  const tree = `${kernelSrc}:${statSync(join(kernelSrc!, 'Makefile')).mtimeMs}`
  const cache = join(tmpdir(), `kernel-action-kconfig-${createHash('sha256').update(tree).digest('hex').slice(0, 16)}`)
  if (!existsSync(join(cache, 'ready')) || !existsSync(join(cache, 'scripts/kconfig/conf'))) {
    const building = mkdtempSync(`${cache}.building-`)
    for (const arch of KERNEL_ARCHES) {
      const seed = join(building, `${arch}.seed`)
      writeFileSync(seed, '')
      // The recipe is `conf --olddefconfig $(Kconfig)`: a shell line, so `env` runs right after, with conf's environment.
      execFileSync(
        'make',
        ['-s', `O=${building}`, `ARCH=${archNames(arch).kbuild}`, 'olddefconfig', `Kconfig=Kconfig; env -0 > ${building}/${arch}.env`],
        {
          cwd: kernelSrc!,
          stdio: 'pipe',
          timeout: MAKE_TIMEOUT,
          env: { ...process.env, KCONFIG_CONFIG: seed },
        },
      )
    }
    writeFileSync(join(building, 'ready'), '')
    rmSync(cache, { recursive: true, force: true })
    try {
      renameSync(building, cache)
    } catch {
      rmSync(building, { recursive: true, force: true }) // another run's copy landed first: use that one
    }
  }
  return (objDir = cache)
}

function envFor(arch: KernelArch): NodeJS.ProcessEnv {
  let env = kconfigEnv.get(arch)
  if (env === undefined) {
    env = Object.fromEntries(
      readFileSync(join(kconfigTool(), `${arch}.env`), 'utf8')
        .split('\0')
        .filter((kv) => kv.includes('=') && !kv.startsWith('MAKE'))
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    )
    kconfigEnv.set(arch, env)
  }
  return env
}

/** Runs the kernel's `conf` for `arch` on the config file `config` (absolute), as `make <mode>` would. */
function conf(arch: KernelArch, mode: string, config: string, extraEnv: Record<string, string> = {}): void {
  const env = { ...envFor(arch), KCONFIG_CONFIG: config, ...extraEnv }
  execFileSync(join(kconfigTool(), 'scripts/kconfig/conf'), ['-s', mode, 'Kconfig'], {
    cwd: kconfigTool(),
    stdio: 'pipe',
    timeout: MAKE_TIMEOUT,
    env,
  })
}

/** Writes the config `target` names (defconfig, tinyconfig, randconfig) to `config`, as the kernel's make targets do. */
function makeConfig(arch: KernelArch, target: string, config: string, extraEnv: Record<string, string> = {}): void {
  if (target === 'defconfig') return conf(arch, `--defconfig=arch/${archNames(arch).srcarch}/configs/${envFor(arch)['KBUILD_DEFCONFIG']}`, config)
  if (target === 'randconfig') return conf(arch, '--randconfig', config, extraEnv)
  // tinyconfig: allnoconfig, then kernel/configs/tiny.config and the arch's own merged in, then olddefconfig.
  conf(arch, '--allnoconfig', config)
  for (const tiny of ['kernel/configs/tiny.config', `arch/${archNames(arch).srcarch}/configs/tiny.config`]) {
    if (existsSync(join(kernelSrc!, tiny))) appendFileSync(config, readFileSync(join(kernelSrc!, tiny)))
  }
  conf(arch, '--olddefconfig', config)
}

/** The zone check with krata's boot rules, under `strict` (a y where m is asked for fails too), as the action runs it. */
function strictZoneCheck(file: string, arch: KernelArch): CheckResult[] {
  const config = parseKernelConfig(readFileSync(file, 'utf8'), file)
  const requirements = [...requirementsFor('zone'), ...bootRequirements()]
  return evaluateRequirements(config, requirements, { arch, version: config.header?.version, strict: true })
}

const unmet = (results: readonly CheckResult[]) => results.filter((r) => r.status === 'error' || r.status === 'warning')
const valuesOf = (file: string) => kconfigValues(parseKernelConfig(readFileSync(file, 'utf8'), file))

/**
 * The configs each architecture is proved on: the kernel's own defconfig, tinyconfig, seeded randconfigs (one seed per
 * arch by default; KCONFIG_SEEDS="1 2 3" tries more), and a defconfig with the wrong member of a choice.
 */
const SEEDS: Record<KernelArch, string[]> = {
  x86_64: (process.env['KCONFIG_SEEDS'] ?? '1').split(/\s+/).filter(Boolean),
  aarch64: (process.env['KCONFIG_SEEDS'] ?? '7').split(/\s+/).filter(Boolean),
}
const startsFor = (arch: KernelArch): { name: string; target: string; env?: Record<string, string>; append?: string }[] => [
  { name: 'defconfig', target: 'defconfig' },
  { name: 'tinyconfig', target: 'tinyconfig' },
  ...SEEDS[arch].map((seed) => ({ name: `randconfig seed ${seed}`, target: 'randconfig', env: { KCONFIG_SEED: seed } })),
  // EFI (so XEN_EFI) needs little-endian on arm64; a zstd kernel is the wrong compression member on x86_64.
  {
    name: 'defconfig with the wrong choice member',
    target: 'defconfig',
    append: arch === 'aarch64' ? 'CONFIG_CPU_BIG_ENDIAN=y\n' : 'CONFIG_KERNEL_ZSTD=y\n',
  },
]

const suite = skip ? describe.skip : describe

suite('Linux 6.1 Kconfig', () => {
  if (kernelSrc === undefined) {
    it('needs a Linux source tree', () => {
      throw new Error(
        'No kernel source: install it (apt-get install linux-source-6.1 && mkdir -p /opt/ksrc && ' +
          'tar -xf /usr/src/linux-source-6.1.tar.xz -C /opt/ksrc), or set KERNEL_SRC=<dir>, or KERNEL_SRC=skip to skip',
      )
    })
    return
  }
  const src = kernelSrc
  let work: string
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'kconfig-linux-'))
  })
  afterAll(() => {
    rmSync(work, { recursive: true, force: true })
  })

  for (const arch of ['x86_64', 'aarch64'] as const) {
    describe(arch, () => {
      let tree: KconfigTree
      let defconfig: ReadonlyMap<string, string>

      beforeAll(() => {
        makeConfig(arch, 'defconfig', join(work, `${arch}-defconfig`))
        defconfig = valuesOf(join(work, `${arch}-defconfig`))
        const started = performance.now()
        tree = readKconfigTree(src, arch)
        const failing = unmet(strictZoneCheck(join(work, `${arch}-defconfig`), arch))
        for (const r of failing) explainOption(tree, defconfig, r.option.slice(7), 'y')
        console.log(
          `${arch}: read ${tree.fileCount} Kconfig files (${tree.symbols.size} symbols) and explained ${failing.length} zone failures on defconfig in ${Math.round(performance.now() - started)} ms`,
        )
      }, MAKE_TIMEOUT)

      it('reads the whole tree without a line it does not understand', () => {
        expect(tree.skipped).toEqual([])
        expect(tree.modulesSymbol).toBe('MODULES')
      })

      if (arch === 'x86_64') {
        it('explains XEN_PVH on defconfig by XEN being off', () => {
          const e = explainOption(tree, defconfig, 'XEN_PVH', 'y')
          expect(e.definedAt).toEqual([{ file: 'arch/x86/xen/Kconfig', line: 80 }])
          expect(e.unmetDependencies.map((u) => [u.expr, u.value])).toEqual([
            ['XEN', 'n'],
            ['XEN_PVHVM', 'n'],
          ])
          expect(renderExplanation(e)).toBe(
            'depends on XEN (=n), XEN_PVHVM (=n); XEN_PVHVM: depends on XEN (=n); no prompt: defaults to y once its dependencies hold [arch/x86/xen/Kconfig:52]',
          )
        })

        it('explains XEN_GRANT_DMA_OPS as promptless and only selected by XEN_VIRTIO', () => {
          const e = explainOption(tree, defconfig, 'XEN_GRANT_DMA_OPS', 'y')
          expect([e.hasPrompt, e.selectedBy]).toEqual([false, [{ symbol: 'XEN_VIRTIO', state: 'n' }]])
          expect(renderExplanation(e)).toBe('depends on XEN (=n); no prompt: only set by XEN_VIRTIO (=n) via select')
        })

        it('says PCI_XEN comes on by its default once XEN is on, not only by a select', () => {
          expect(renderExplanation(explainOption(tree, defconfig, 'PCI_XEN', 'y'))).toBe(
            'depends on XEN (=n); no prompt: defaults to y once its dependencies hold, or set by XEN_PCIDEV_FRONTEND (=n) via select',
          )
        })

        it('explains XEN_PV down to the first option that can be set', () => {
          const values = new Map([...defconfig, ['PARAVIRT', 'n']])
          expect(renderExplanation(explainOption(tree, values, 'XEN_PV', 'y'))).toBe(
            'depends on XEN (=n); XEN: depends on PARAVIRT (=n) [arch/x86/xen/Kconfig:6]',
          )
        })
      } else {
        it('says XEN_PV does not exist on arm64', () => {
          const e = explainOption(tree, defconfig, 'XEN_PV', 'y')
          expect([e.exists, e.definedAt, renderExplanation(e)]).toEqual([false, [], 'not defined for aarch64 in this tree'])
        })

        it('says SWIOTLB_XEN comes on by its default, and XEN selects it', () => {
          const values = new Map([...defconfig, ['XEN', 'n'], ['SWIOTLB_XEN', 'n']])
          expect(renderExplanation(explainOption(tree, values, 'SWIOTLB_XEN', 'y'))).toBe(
            'depends on XEN (=n); no prompt: defaults to y once its dependencies hold, or set by XEN (=n) via select',
          )
        })
      }

      it('names modules being off as the reason an =m cannot hold', () => {
        const values = new Map([...defconfig, ['MODULES', 'n']])
        expect(renderExplanation(explainOption(tree, values, 'XEN_FBDEV_FRONTEND', 'm'))).toMatch(/^modules are off: CONFIG_MODULES is not set(;|$)/)
      })

      for (const start of startsFor(arch)) {
        it(
          `${start.name}: the fix fragment + make olddefconfig meets every zone requirement under strict`,
          () => {
            const file = join(work, `${arch}-${start.name.replace(/ /g, '-')}`)
            if (start.target === 'defconfig') copyFileSync(join(work, `${arch}-defconfig`), file)
            else makeConfig(arch, start.target, file, start.env)
            if (start.append) {
              appendFileSync(file, start.append)
              conf(arch, '--olddefconfig', file)
            }
            const before = unmet(strictZoneCheck(file, arch))
            expect(before.length).toBeGreaterThan(0)
            const fragment = fixFragment(
              tree,
              valuesOf(file),
              before.map((r) => r.requirement),
            )
            const fixed = `${file}.fixed`
            copyFileSync(file, fixed)
            appendFileSync(fixed, fragment)
            conf(arch, '--olddefconfig', fixed)
            expect(unmet(strictZoneCheck(fixed, arch)).map((r) => r.message)).toEqual([])
            if (start.name === 'tinyconfig') expect(fragment).toContain('\nCONFIG_MODULES=y\n')
            if (start.append && arch === 'aarch64') {
              expect(fragment).toContain('\nCONFIG_CPU_LITTLE_ENDIAN=y\n')
              expect(fragment).not.toContain('# CONFIG_CPU_BIG_ENDIAN is not set')
            }
          },
          MAKE_TIMEOUT,
        )
      }
    })
  }
})
