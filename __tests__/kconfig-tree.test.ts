import { describe, it, expect, beforeAll, afterAll } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { InputError } from '../src/errors.js'
import { formatExpr } from '../src/kconfig/expr.js'
import { explainOption, explainRequirements, fixFragment, readKconfigTree, renderExplanation, type KconfigTree } from '../src/kconfig/index.js'

const TREE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kconfig', 'tree')

// A .config of the fixture tree on x86_64 with nothing Xen switched on.
const X86_VALUES = new Map(Object.entries({ MODULES: 'y', X86_64: 'y', '64BIT': 'y', LOCAL_APIC: 'y', HZ: '250', KERNEL_GZIP: 'y', NET_NAME: 'eth' }))
const ARM64_VALUES = new Map(Object.entries({ MODULES: 'y', ARM64: 'y', KERNEL_GZIP: 'y' }))

let x86: KconfigTree
let arm64: KconfigTree
beforeAll(() => {
  x86 = readKconfigTree(TREE, 'x86_64')
  arm64 = readKconfigTree(TREE, 'aarch64')
})

const why = (tree: KconfigTree, values: ReadonlyMap<string, string>, symbol: string, wanted: string) =>
  renderExplanation(explainOption(tree, values, symbol, wanted))

describe('reading a Kconfig tree', () => {
  it('follows source, rsource, $(SRCARCH) variables and globs, and skips a missing osource', () => {
    expect(x86.fileCount).toBe(7)
    expect(arm64.fileCount).toBe(6)
    expect(x86.mainmenu).toBe('Test/x86_64 Kernel Configuration')
    expect(arm64.mainmenu).toBe('Test/arm64 Kernel Configuration')
    expect(x86.symbols.get('XEN_PV')?.[0]?.location).toEqual({ file: 'arch/x86/xen/Kconfig', line: 1 })
    expect(x86.symbols.get('VIRTIO_NET')?.[0]?.location).toEqual({ file: 'drivers/net/Kconfig', line: 4 })
    expect(arm64.symbols.has('XEN_PV')).toBe(false)
  })

  it('skips help text, including lines that look like keywords', () => {
    expect(x86.symbols.has('NOT_A_SYMBOL')).toBe(false)
    expect(x86.symbols.get('HYPERVISOR_GUEST')?.[0]?.location.line).toBe(16)
  })

  it('records an unknown line and goes on', () => {
    expect(x86.skipped).toEqual([{ location: { file: 'Kconfig', line: 70 }, reason: 'unknown line "frobnicate"' }])
    expect(x86.symbols.has('HAVE_ZSTD')).toBe(true)
  })

  it('adds the conditions of enclosing menus and ifs to each definition, but not visible if', () => {
    const xen = x86.symbols.get('XEN')![0]!
    expect(xen.inherited.map(formatExpr)).toEqual(['HYPERVISOR_GUEST', 'PARAVIRT'])
    expect(xen.dependsOn.map(formatExpr)).toEqual(['X86_64 && LOCAL_APIC'])
    expect(xen.visibleIf.map(formatExpr)).toEqual(['!HIDE_MENUS'])
    expect(xen.selects).toEqual([{ value: 'PARAVIRT_CLOCK' }])
  })

  it('reads types, prompts with if, defaults with if, ranges, def_bool, def_tristate, select if and imply', () => {
    const limit = x86.symbols.get('XEN_MEMORY_LIMIT')![0]!
    expect(limit.type).toBe('int')
    expect(limit.prompt).toEqual({ text: 'Xen memory limit (GiB)' })
    expect(limit.defaults.map((d) => [formatExpr(d.value), d.condition && formatExpr(d.condition)])).toEqual([
      ['512', '64BIT'],
      ['128', undefined],
    ])
    expect(limit.ranges.map((r) => r.value.map(formatExpr))).toEqual([['0', '65536']])
    expect(x86.symbols.get('EXPERT_OPTION')![0]!.prompt).toEqual({ text: 'An expert option', condition: { kind: 'symbol', name: 'EXPERT' } })
    expect(x86.symbols.get('64BIT')![0]!.prompt?.condition && formatExpr(x86.symbols.get('64BIT')![0]!.prompt!.condition!)).toBe('"x86_64" = "x86"')
    expect(x86.symbols.get('XEN_FBDEV_FRONTEND')![0]!.type).toBe('tristate')
    expect(x86.selectedBy.get('XEN_GRANT_DMA_OPS')?.map((l) => [l.symbol, l.condition && formatExpr(l.condition)])).toEqual([['XEN_VIRTIO', 'XEN']])
    expect(x86.impliedBy.get('XEN_GRANT_DMA_IOMMU')?.map((l) => l.symbol)).toEqual(['XEN_VIRTIO'])
    expect(x86.modulesSymbol).toBe('MODULES')
  })

  it('gives choice members the choice dependencies', () => {
    const zstd = x86.symbols.get('KERNEL_ZSTD')![0]!
    expect(zstd.inChoice).toBe(true)
    expect([...zstd.inherited, ...zstd.dependsOn].map(formatExpr)).toEqual(['!HIDE_MENUS', 'HAVE_ZSTD'])
  })

  it('keeps a toolchain macro in an expression as an unknown term', () => {
    expect(x86.symbols.get('FAST_PATH')![0]!.dependsOn.map(formatExpr)).toEqual(['$(cc-option,-mfast) && X86_64'])
  })

  describe('without a Kconfig', () => {
    let empty: string
    beforeAll(() => {
      empty = mkdtempSync(join(tmpdir(), 'kconfig-empty-'))
    })
    afterAll(() => rmSync(empty, { recursive: true, force: true }))

    it('fails with an InputError naming the kernel-source input', () => {
      expect(() => readKconfigTree(empty, 'x86_64')).toThrow(InputError)
      expect(() => readKconfigTree(empty, 'x86_64')).toThrow(`kernel-source: ${join(empty, 'Kconfig')} not found`)
    })
  })
})

describe('explaining a missing option', () => {
  it('lists the unmet terms of the dependency and, recursively, why each is off', () => {
    expect(why(x86, X86_VALUES, 'XEN_PV', 'y')).toBe(
      'depends on HYPERVISOR_GUEST (=n), PARAVIRT (=n), XEN (=n); PARAVIRT: depends on HYPERVISOR_GUEST (=n) [Kconfig:26]; ' +
        'XEN: depends on HYPERVISOR_GUEST (=n), PARAVIRT (=n) [arch/x86/Kconfig.xen:1]',
    )
  })

  it('explains as data: where it is defined, the unmet terms, and a cause only for what is not settable directly', () => {
    const e = explainOption(x86, X86_VALUES, 'XEN', 'y')
    expect(e).toEqual({
      symbol: 'XEN',
      wanted: 'y',
      found: undefined,
      arch: 'x86_64',
      definedAt: [{ file: 'arch/x86/Kconfig.xen', line: 1 }],
      exists: true,
      attainable: true,
      hasPrompt: true,
      defaultsTo: 'n',
      unmetDependencies: [
        { expr: 'HYPERVISOR_GUEST', value: 'n' },
        {
          expr: 'PARAVIRT',
          value: 'n',
          cause: {
            symbol: 'PARAVIRT',
            wanted: 'y',
            found: undefined,
            arch: 'x86_64',
            definedAt: [{ file: 'Kconfig', line: 26 }],
            exists: true,
            attainable: true,
            hasPrompt: true,
            defaultsTo: 'n',
            unmetDependencies: [{ expr: 'HYPERVISOR_GUEST', value: 'n' }],
            selectedBy: [],
            impliedBy: [],
            toolchainDependent: [],
          },
        },
      ],
      selectedBy: [],
      impliedBy: [],
      toolchainDependent: [],
    })
  })

  it('says a promptless option is only set by its selectors, with their state', () => {
    const values = new Map([...X86_VALUES, ['HYPERVISOR_GUEST', 'y'], ['PARAVIRT', 'y'], ['XEN', 'y']])
    expect(why(x86, values, 'XEN_GRANT_DMA_OPS', 'y')).toBe('no prompt: only set by XEN_VIRTIO (=n) via select')
    const e = explainOption(x86, values, 'XEN_GRANT_DMA_OPS', 'y')
    expect([e.hasPrompt, e.selectedBy]).toEqual([false, [{ symbol: 'XEN_VIRTIO', state: 'n', condition: 'XEN' }]])
    expect(why(x86, values, 'XEN_GRANT_DMA_IOMMU', 'y')).toBe('no prompt: only set by XEN_VIRTIO (=n) via imply')
  })

  it('says when a prompt is hidden by its if', () => {
    expect(why(x86, X86_VALUES, 'EXPERT_OPTION', 'y')).toBe('prompt hidden: needs EXPERT (=n)')
  })

  it('says when nothing but setting it is missing', () => {
    expect(why(x86, X86_VALUES, 'HYPERVISOR_GUEST', 'y')).toBe('dependencies met; set CONFIG_HYPERVISOR_GUEST=y')
  })

  it('points out a toolchain-dependent condition it cannot evaluate', () => {
    expect(why(x86, X86_VALUES, 'FAST_PATH', 'y')).toBe('toolchain-dependent: $(cc-option,-mfast)')
  })

  it('explains a wanted m by the dependencies that are n', () => {
    const values = new Map([...X86_VALUES, ['HYPERVISOR_GUEST', 'y'], ['PARAVIRT', 'y'], ['XEN', 'y']])
    expect(why(x86, values, 'XEN_FBDEV_FRONTEND', 'm')).toBe('depends on FB (=n); no prompt: defaults to m once its dependencies hold')
  })

  it('says a def_tristate m option can never be y', () => {
    const values = new Map([...X86_VALUES, ['FB', 'y'], ['HYPERVISOR_GUEST', 'y'], ['PARAVIRT', 'y'], ['XEN', 'y'], ['XEN_FBDEV_FRONTEND', 'm']])
    expect(explainOption(x86, values, 'XEN_FBDEV_FRONTEND', 'y')).toMatchObject({ attainable: false, unmetDependencies: [] })
  })

  it('says a symbol is not defined for the arch', () => {
    expect(why(arm64, ARM64_VALUES, 'XEN_PV', 'y')).toBe('not defined for aarch64 in this tree')
    expect(explainOption(arm64, ARM64_VALUES, 'XEN_PV', 'y')).toMatchObject({ exists: false, attainable: false, definedAt: [] })
  })

  it('says a defined symbol cannot reach the value when its dependency can never hold on the arch', () => {
    const values = new Map([...ARM64_VALUES, ['HYPERVISOR_GUEST', 'y'], ['PARAVIRT', 'y'], ['XEN', 'y']])
    expect(why(arm64, values, 'XEN_MEMORY_LIMIT', '512')).toBe(
      'cannot be set to 512 on aarch64: depends on XEN_HAVE_PVMMU (=n); XEN_HAVE_PVMMU: cannot be y on aarch64: no prompt, and nothing selects it [drivers/xen/Kconfig:4]',
    )
    expect(why(x86, X86_VALUES, 'KERNEL_ZSTD', 'y')).toBe(
      'cannot be y on x86_64: depends on HAVE_ZSTD (=n); HAVE_ZSTD: cannot be y on x86_64: no prompt, and nothing selects it [Kconfig:64]',
    )
  })
})

describe('the fix fragment', () => {
  it('switches dependencies on first, each with a why comment, and selectors for promptless options', () => {
    const fragment = fixFragment(x86, X86_VALUES, [
      { option: 'CONFIG_XEN_PV', wanted: 'y' },
      { option: 'CONFIG_XEN_GRANT_DMA_OPS', wanted: 'y' },
      { option: 'CONFIG_XEN_MEMORY_LIMIT', wanted: { value: '512' } },
      { option: 'CONFIG_EXPERT_OPTION', wanted: 'y' },
      { option: 'CONFIG_NET_NAME', wanted: { value: 'wlan' } },
    ])
    expect(fragment).toBe(
      [
        '# Fix fragment for x86_64: append to .config, then run make olddefconfig',
        '# XEN_PV depends on HYPERVISOR_GUEST',
        'CONFIG_HYPERVISOR_GUEST=y',
        '# XEN_PV depends on PARAVIRT',
        'CONFIG_PARAVIRT=y',
        '# XEN_PV depends on XEN',
        'CONFIG_XEN=y',
        'CONFIG_XEN_PV=y',
        '# VIRTIO_NET selects VIRTIO, which has no prompt',
        'CONFIG_VIRTIO_NET=y',
        '# XEN_VIRTIO selects XEN_GRANT_DMA_OPS, which has no prompt',
        'CONFIG_XEN_VIRTIO=y',
        'CONFIG_XEN_MEMORY_LIMIT=512',
        '# shows the prompt of EXPERT_OPTION: EXPERT',
        'CONFIG_EXPERT=y',
        'CONFIG_EXPERT_OPTION=y',
        'CONFIG_NET_NAME="wlan"',
        '',
      ].join('\n'),
    )
  })

  it('relies on the default of a promptless option once its dependencies are on', () => {
    const values = new Map([...X86_VALUES, ['HYPERVISOR_GUEST', 'y'], ['PARAVIRT', 'y'], ['XEN', 'y'], ['XEN_PV', 'y']])
    expect(fixFragment(x86, values, [{ option: 'CONFIG_XEN_PV_SMP', wanted: 'y' }])).toBe(
      '# Fix fragment for x86_64: append to .config, then run make olddefconfig\n# XEN_PV_SMP depends on SMP\nCONFIG_SMP=y\n',
    )
  })

  it('lists options that cannot exist on the arch as comments, not assignments', () => {
    expect(
      fixFragment(arm64, ARM64_VALUES, [
        { option: 'CONFIG_XEN_PV', wanted: 'y' },
        { option: 'CONFIG_XEN', wanted: 'y' },
      ]),
    ).toBe(
      [
        '# Fix fragment for aarch64: append to .config, then run make olddefconfig',
        '# XEN depends on HYPERVISOR_GUEST',
        'CONFIG_HYPERVISOR_GUEST=y',
        '# XEN depends on PARAVIRT',
        'CONFIG_PARAVIRT=y',
        'CONFIG_XEN=y',
        '# CONFIG_XEN_PV=y: not defined for aarch64 in this tree',
        '',
      ].join('\n'),
    )
  })
})

describe('exact explanations and fixes', () => {
  const xen = new Map([...X86_VALUES, ['HYPERVISOR_GUEST', 'y'], ['PARAVIRT', 'y'], ['XEN', 'y'], ['FB', 'y']])

  it('names a dependency once when a menu and the entry both ask for it', () => {
    expect(why(x86, X86_VALUES, 'XEN_SCRUB_PAGES', 'y')).toBe(
      'depends on XEN (=n); XEN: depends on HYPERVISOR_GUEST (=n), PARAVIRT (=n) [arch/x86/Kconfig.xen:1]; PARAVIRT: depends on HYPERVISOR_GUEST (=n) [Kconfig:26]',
    )
  })

  it('names modules being off as what keeps an =m from holding, and the fragment switches them on', () => {
    const off = new Map([...xen, ['MODULES', 'n']])
    expect(why(x86, off, 'XEN_FBDEV_FRONTEND', 'm')).toBe(
      'modules are off: CONFIG_MODULES is not set; depends on MODULES (=n); no prompt: defaults to m once its dependencies hold',
    )
    expect(fixFragment(x86, off, [{ option: 'CONFIG_XEN_FBDEV_FRONTEND', wanted: 'm' }])).toBe(
      '# Fix fragment for x86_64: append to .config, then run make olddefconfig\n# XEN_FBDEV_FRONTEND=m needs loadable modules\nCONFIG_MODULES=y\n',
    )
  })

  it('takes the alternative of an || that adds the fewest lines', () => {
    expect(fixFragment(x86, X86_VALUES, [{ option: 'CONFIG_NET_FAST', wanted: 'y' }])).toBe(
      '# Fix fragment for x86_64: append to .config, then run make olddefconfig\n# NET_FAST depends on VIRTIO_NET\nCONFIG_VIRTIO_NET=y\nCONFIG_NET_FAST=y\n',
    )
  })

  it('counts an m as y when modules are off, as olddefconfig will make it', () => {
    const off = new Map([...X86_VALUES, ['MODULES', 'n'], ['VIRTIO_NET', 'm']])
    expect(fixFragment(x86, off, [{ option: 'CONFIG_VIRTIO_NET', wanted: 'y' }])).toBe(
      '# Fix fragment for x86_64: append to .config, then run make olddefconfig\n',
    )
  })

  it('switches a choice member off by choosing another member, which kconfig honours', () => {
    const zstd = new Map([...X86_VALUES, ['HAVE_ZSTD', 'y'], ['KERNEL_ZSTD', 'y'], ['KERNEL_GZIP', 'n']])
    expect(fixFragment(x86, zstd, [{ option: 'CONFIG_KERNEL_ZSTD', wanted: 'n' }])).toBe(
      '# Fix fragment for x86_64: append to .config, then run make olddefconfig\n# KERNEL_ZSTD is one of a choice: choose KERNEL_GZIP instead\nCONFIG_KERNEL_GZIP=y\n',
    )
  })
})

describe('explainRequirements', () => {
  it('explains each failing requirement and writes one fragment', async () => {
    const result = await explainRequirements(TREE, 'aarch64', ARM64_VALUES, [
      { option: 'CONFIG_XEN_PV', wanted: 'y' },
      { option: 'CONFIG_HYPERVISOR_GUEST', wanted: 'y' },
    ])
    expect([...result.explanations.keys()]).toEqual(['XEN_PV', 'HYPERVISOR_GUEST'])
    expect(result.explanations.get('XEN_PV')?.exists).toBe(false)
    expect(result.fixFragment).toBe(
      '# Fix fragment for aarch64: append to .config, then run make olddefconfig\nCONFIG_HYPERVISOR_GUEST=y\n# CONFIG_XEN_PV=y: not defined for aarch64 in this tree\n',
    )
  })
})
