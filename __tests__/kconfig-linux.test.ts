/**
 * The Kconfig reader, explainer and fix fragment on the real Linux 6.1 tree, proved with the kernel's
 * own `make olddefconfig`. Needs a source tree at $KERNEL_SRC or /opt/ksrc/linux-source-6.1, plus
 * make, gcc, flex and bison; KERNEL_SRC=skip skips it.
 */
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  explainOption,
  fixFragment,
  readKconfigTree,
  renderExplanation,
  type KconfigTree,
  type KernelArch,
  type Requirement,
} from '../src/kconfig/index.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kconfig')
const MAKE_TIMEOUT = 300_000

const requested = process.env['KERNEL_SRC']
const skip = requested === 'skip'
const kernelSrc = [requested, '/opt/ksrc/linux-source-6.1'].find((d): d is string => d !== undefined && d !== '' && existsSync(join(d, 'Kconfig')))

/** A tiny `.config` reader for these tests only (the action's own parser lives in src/check). */
function readDotConfig(path: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const set = /^CONFIG_(\w+)=(.*)$/.exec(line)
    if (set) values.set(set[1]!, set[2]!.replace(/^"(.*)"$/, '$1'))
    const unset = /^# CONFIG_(\w+) is not set$/.exec(line)
    if (unset) values.set(unset[1]!, 'n')
  }
  return values
}

/** The krata zone list (custom-kernels.md), as requirements. */
const ZONE: Requirement[] = readFileSync(join(FIXTURES, 'zone-requirements.config'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('CONFIG_'))
  .map((l) => {
    const [, symbol, wanted] = /^CONFIG_(\w+)=(.*)$/.exec(l)!
    return { symbol: symbol!, wanted: wanted! }
  })

const KBUILD_ARCH: Record<KernelArch, string> = { x86_64: 'x86_64', aarch64: 'arm64' }

function make(objDir: string, arch: KernelArch, target: string): void {
  execFileSync('make', ['-s', `O=${objDir}`, `ARCH=${KBUILD_ARCH[arch]}`, target], { cwd: kernelSrc!, stdio: 'pipe', timeout: MAKE_TIMEOUT })
}

const holds = (values: ReadonlyMap<string, string>, r: Requirement): boolean => values.get(r.symbol) === r.wanted

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

  for (const arch of ['x86_64', 'aarch64'] as const) {
    describe(arch, () => {
      let work: string
      let tree: KconfigTree
      let defconfig: Map<string, string>

      beforeAll(() => {
        work = mkdtempSync(join(tmpdir(), `kconfig-${arch}-`))
        make(join(work, 'defconfig'), arch, 'defconfig')
        defconfig = readDotConfig(join(work, 'defconfig', '.config'))
        const started = performance.now()
        tree = readKconfigTree(src, arch)
        const failing = ZONE.filter((r) => !holds(defconfig, r))
        for (const r of failing) explainOption(tree, defconfig, r.symbol, r.wanted)
        console.log(
          `${arch}: read ${tree.fileCount} Kconfig files (${tree.symbols.size} symbols) and explained ${failing.length} zone failures on defconfig in ${Math.round(performance.now() - started)} ms`,
        )
      }, MAKE_TIMEOUT)
      afterAll(() => rmSync(work, { recursive: true, force: true }))

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
          expect(renderExplanation(e)).toBe('depends on XEN (=n), XEN_PVHVM (=n); XEN_PVHVM: depends on XEN (=n) [arch/x86/xen/Kconfig:52]')
        })

        it('explains XEN_GRANT_DMA_OPS as promptless and only selected by XEN_VIRTIO', () => {
          const e = explainOption(tree, defconfig, 'XEN_GRANT_DMA_OPS', 'y')
          expect([e.hasPrompt, e.selectedBy]).toEqual([false, [{ symbol: 'XEN_VIRTIO', state: 'n' }]])
          expect(renderExplanation(e)).toBe('depends on XEN (=n); no prompt: only set by XEN_VIRTIO (=n) via select')
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
      }

      it(
        'writes a fragment that makes every zone requirement that can exist on the arch hold after make olddefconfig',
        () => {
          const failing = ZONE.filter((r) => !holds(defconfig, r))
          const fragment = fixFragment(tree, defconfig, failing)
          const objDir = join(work, 'fixed')
          make(objDir, arch, 'defconfig')
          copyFileSync(join(work, 'defconfig', '.config'), join(objDir, '.config'))
          appendFileSync(join(objDir, '.config'), fragment)
          make(objDir, arch, 'olddefconfig')
          const fixed = readDotConfig(join(objDir, '.config'))

          const unavailable = ZONE.filter((r) => {
            const e = explainOption(tree, defconfig, r.symbol, r.wanted)
            return !e.exists || !e.attainable
          }).map((r) => r.symbol)
          expect(unavailable).toEqual(
            arch === 'x86_64'
              ? []
              : [
                  'XEN_PV',
                  'XEN_512GB',
                  'XEN_PV_SMP',
                  'XEN_PVHVM',
                  'XEN_PVHVM_SMP',
                  'XEN_PVHVM_GUEST',
                  'XEN_SAVE_RESTORE',
                  'XEN_PVH',
                  'XEN_PV_MSR_SAFE',
                  'PCI_XEN',
                  'XEN_PCIDEV_FRONTEND',
                  'XEN_MEMORY_HOTPLUG_LIMIT',
                  'XEN_HAVE_PVMMU',
                  'XEN_ACPI',
                  'XEN_HAVE_VPMU',
                ],
          )
          for (const symbol of unavailable) expect(fragment).toContain(`# CONFIG_${symbol}=`)
          expect(ZONE.filter((r) => !unavailable.includes(r.symbol) && !holds(fixed, r))).toEqual([])
        },
        MAKE_TIMEOUT,
      )
    })
  }
})
