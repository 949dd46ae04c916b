import { describe, expect, it } from '@jest/globals'
import { parseKernelConfig } from '../src/check/kernel-config.js'
import { evaluateRequirements, type CheckResult } from '../src/check/evaluate.js'
import { bootRequirements, mergeRequirements, parseRequirementsFile, requirementsFor } from '../src/check/requirements.js'
import { buildReport, failureLine, failureSummary, isFailing, reportJson, type CheckReport } from '../src/check/report.js'
import { parseJson } from './support/json.js'

// A config that meets every zone requirement, written out by hand from krata's list.
const ZONE_OK = `# Linux/x86 6.1.192 Kernel Configuration
CONFIG_X86_64=y
CONFIG_XEN=y
CONFIG_XEN_PV=y
CONFIG_XEN_512GB=y
CONFIG_XEN_PV_SMP=y
CONFIG_XEN_PVHVM=y
CONFIG_XEN_PVHVM_SMP=y
CONFIG_XEN_PVHVM_GUEST=y
CONFIG_XEN_SAVE_RESTORE=y
CONFIG_XEN_PVH=y
CONFIG_XEN_PV_MSR_SAFE=y
CONFIG_PCI_XEN=y
CONFIG_NET_9P_XEN=y
CONFIG_XEN_PCIDEV_FRONTEND=y
CONFIG_XEN_BLKDEV_FRONTEND=y
CONFIG_XEN_NETDEV_FRONTEND=y
CONFIG_INPUT_XEN_KBDDEV_FRONTEND=y
CONFIG_HVC_XEN=y
CONFIG_HVC_XEN_FRONTEND=y
CONFIG_XEN_FBDEV_FRONTEND=m
CONFIG_XEN_BALLOON=y
CONFIG_XEN_BALLOON_MEMORY_HOTPLUG=y
CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=512
CONFIG_XEN_SCRUB_PAGES_DEFAULT=y
CONFIG_XEN_DEV_EVTCHN=y
CONFIG_XEN_BACKEND=y
CONFIG_XENFS=y
CONFIG_XEN_COMPAT_XENFS=y
CONFIG_XEN_SYS_HYPERVISOR=y
CONFIG_XEN_XENBUS_FRONTEND=y
CONFIG_SWIOTLB_XEN=y
CONFIG_XEN_HAVE_PVMMU=y
CONFIG_XEN_EFI=y
CONFIG_XEN_AUTO_XLATE=y
CONFIG_XEN_ACPI=y
CONFIG_XEN_HAVE_VPMU=y
CONFIG_XEN_GRANT_DMA_OPS=y
CONFIG_XEN_VIRTIO=y
`

function edit(text: string, replacements: Record<string, string | null>): string {
  let out = text
  for (const [option, line] of Object.entries(replacements)) {
    out = out.replace(new RegExp(`^${option}=.*$`, 'm'), line ?? '')
  }
  return out
}

function check(text: string, opts: { target?: 'zone' | 'host'; arch?: 'x86_64' | 'aarch64'; strict?: boolean; ignore?: string[] } = {}) {
  const config = parseKernelConfig(text, 'kernel/.config')
  return evaluateRequirements(config, requirementsFor(opts.target ?? 'zone'), {
    arch: opts.arch ?? 'x86_64',
    version: config.header?.version,
    strict: opts.strict,
    ignore: opts.ignore,
  })
}

const byOption = (results: CheckResult[], option: string) => results.find((r) => r.option === option)!
const statuses = (results: CheckResult[]) => results.filter((r) => r.status !== 'ok').map((r) => [r.option, r.status])

describe('requirement sets', () => {
  it("zone is krata's 37-option list; host adds the 18 host options without repeating the shared ones", () => {
    const zone = requirementsFor('zone')
    const host = requirementsFor('host')
    expect(zone).toHaveLength(37)
    expect(zone[0]).toEqual({ option: 'CONFIG_XEN', wanted: 'y', source: 'zone' })
    expect(zone.find((r) => r.option === 'CONFIG_XEN_FBDEV_FRONTEND')?.wanted).toBe('m')
    expect(zone.find((r) => r.option === 'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT')?.wanted).toEqual({ value: '512' })
    // PCI_XEN, XEN_DEV_EVTCHN and SWIOTLB_XEN are in both lists.
    expect(host).toHaveLength(37 + 18 - 3)
    expect(new Set(host.map((r) => r.option)).size).toBe(host.length)
  })
})

describe('evaluateRequirements', () => {
  it('passes a config that meets every zone requirement', () => {
    expect(statuses(check(ZONE_OK))).toEqual([])
  })

  it('words each failure by its state: module, not set, absent, wrong value', () => {
    const results = check(
      edit(ZONE_OK, {
        CONFIG_XEN_PV: 'CONFIG_XEN_PV=m',
        CONFIG_XEN_PVH: '# CONFIG_XEN_PVH is not set',
        CONFIG_HVC_XEN: null,
        CONFIG_XEN_MEMORY_HOTPLUG_LIMIT: 'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=256',
      }),
    )
    expect(byOption(results, 'CONFIG_XEN_PV')).toEqual({
      requirement: { option: 'CONFIG_XEN_PV', wanted: 'y', source: 'zone', arches: ['x86_64'] },
      option: 'CONFIG_XEN_PV',
      wanted: 'y',
      found: 'm',
      line: 4,
      status: 'error',
      source: 'zone',
      message: 'CONFIG_XEN_PV=m: built as a module, krata needs it built in (=y)',
    })
    expect(byOption(results, 'CONFIG_XEN_PVH')).toMatchObject({
      found: 'not set',
      line: 11,
      status: 'error',
      message: 'CONFIG_XEN_PVH is not set, a krata zone kernel needs =y',
    })
    expect(byOption(results, 'CONFIG_HVC_XEN')).toMatchObject({
      found: 'absent',
      line: null,
      status: 'error',
      message: 'CONFIG_HVC_XEN is absent from the config, a krata zone kernel needs =y',
    })
    expect(byOption(results, 'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT')).toMatchObject({
      found: '256',
      status: 'error',
      message: 'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=256, a krata zone kernel needs =512',
    })
  })

  it('warns when a wanted module is built in, and makes it an error with strict', () => {
    const text = edit(ZONE_OK, { CONFIG_XEN_FBDEV_FRONTEND: 'CONFIG_XEN_FBDEV_FRONTEND=y' })
    expect(byOption(check(text), 'CONFIG_XEN_FBDEV_FRONTEND')).toMatchObject({
      status: 'warning',
      message: 'CONFIG_XEN_FBDEV_FRONTEND=y: built in where a krata zone kernel asks for a module (=m)',
    })
    expect(byOption(check(text, { strict: true }), 'CONFIG_XEN_FBDEV_FRONTEND').status).toBe('error')
  })

  it('does not demand x86-only Xen symbols of an aarch64 kernel', () => {
    const arm = `# Linux/arm64 6.1.192 Kernel Configuration\nCONFIG_ARM64=y\nCONFIG_XEN=y\n`
    const results = check(arm, { arch: 'aarch64' })
    expect(byOption(results, 'CONFIG_XEN_PV')).toMatchObject({
      status: 'not-applicable',
      message: 'CONFIG_XEN_PV: not applicable on aarch64 (the symbol exists only on x86_64)',
    })
    expect(results.filter((r) => r.status === 'not-applicable').map((r) => r.option)).toEqual([
      'CONFIG_XEN_PV',
      'CONFIG_XEN_512GB',
      'CONFIG_XEN_PV_SMP',
      'CONFIG_XEN_PVHVM',
      'CONFIG_XEN_PVHVM_SMP',
      'CONFIG_XEN_PVHVM_GUEST',
      'CONFIG_XEN_SAVE_RESTORE',
      'CONFIG_XEN_PVH',
      'CONFIG_XEN_PV_MSR_SAFE',
      'CONFIG_PCI_XEN',
      'CONFIG_XEN_PCIDEV_FRONTEND',
      'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT',
      'CONFIG_XEN_HAVE_PVMMU',
      'CONFIG_XEN_ACPI',
      'CONFIG_XEN_HAVE_VPMU',
    ])
    expect(byOption(results, 'CONFIG_XEN').status).toBe('ok')
    expect(byOption(results, 'CONFIG_XEN_VIRTIO').status).toBe('error')
  })

  it("only warns about symbols that the config's kernel version predates", () => {
    const old = edit(ZONE_OK.replace('6.1.192', '5.15.170'), {
      CONFIG_XEN_PV_MSR_SAFE: null,
      CONFIG_XEN_VIRTIO: null,
      CONFIG_XEN_GRANT_DMA_OPS: null,
    })
    expect(statuses(check(old))).toEqual([
      ['CONFIG_XEN_PV_MSR_SAFE', 'warning'],
      ['CONFIG_XEN_GRANT_DMA_OPS', 'warning'],
      ['CONFIG_XEN_VIRTIO', 'warning'],
    ])
    expect(byOption(check(old), 'CONFIG_XEN_VIRTIO').message).toBe(
      'CONFIG_XEN_VIRTIO is absent: it does not exist before Linux 5.19 (config is 5.15.170)',
    )
    // The same absence on a 6.1 kernel is an error.
    const recent = edit(ZONE_OK, { CONFIG_XEN_VIRTIO: null })
    expect(statuses(check(recent))).toEqual([['CONFIG_XEN_VIRTIO', 'error']])
    // At the boundary: 5.19 has XEN_VIRTIO (an error when absent), 5.18 does not (a warning); 6.0 lacks XEN_PV_MSR_SAFE.
    const at = (version: string) =>
      statuses(check(edit(ZONE_OK.replace('6.1.192', version), { CONFIG_XEN_VIRTIO: null, CONFIG_XEN_PV_MSR_SAFE: null })))
    expect(at('5.19.0')).toEqual([
      ['CONFIG_XEN_PV_MSR_SAFE', 'warning'],
      ['CONFIG_XEN_VIRTIO', 'error'],
    ])
    expect(at('5.18.19')).toEqual([
      ['CONFIG_XEN_PV_MSR_SAFE', 'warning'],
      ['CONFIG_XEN_VIRTIO', 'warning'],
    ])
    expect(at('6.1.0')).toEqual([
      ['CONFIG_XEN_PV_MSR_SAFE', 'error'],
      ['CONFIG_XEN_VIRTIO', 'error'],
    ])
  })

  it('skips ignored options, with or without the CONFIG_ prefix', () => {
    const results = check(edit(ZONE_OK, { CONFIG_XEN_PV: null, CONFIG_XEN_PVH: null }), { ignore: ['XEN_PV', 'CONFIG_XEN_PVH'] })
    expect(statuses(results)).toEqual([
      ['CONFIG_XEN_PV', 'skipped'],
      ['CONFIG_XEN_PVH', 'skipped'],
    ])
  })

  it('checks host kernels for the host list too', () => {
    expect(statuses(check(ZONE_OK, { target: 'host' })).map(([o]) => o)).toEqual([
      'CONFIG_XEN_PV_DOM0',
      'CONFIG_XEN_DOM0',
      'CONFIG_XEN_PCIDEV_BACKEND',
      'CONFIG_XEN_BLKDEV_BACKEND',
      'CONFIG_XEN_NETDEV_BACKEND',
      'CONFIG_XEN_SCSI_BACKEND',
      'CONFIG_XEN_PVCALLS_BACKEND',
      'CONFIG_TCG_XEN',
      'CONFIG_XEN_WDT',
      'CONFIG_XEN_GNTDEV',
      'CONFIG_XEN_GRANT_DEV_ALLOC',
      'CONFIG_XEN_GRANT_DMA_ALLOC',
      'CONFIG_XEN_PRIVCMD',
      'CONFIG_XEN_ACPI_PROCESSOR',
      'CONFIG_XEN_MCE_LOG',
    ])
  })
})

describe('user requirements', () => {
  it('adds rules in fragment syntax, including must-be-off, and replaces built-in ones', () => {
    const extra = parseRequirementsFile('# ours\nCONFIG_SQUASHFS=y\n# CONFIG_KERNEL_ZSTD is not set\nCONFIG_XEN_FBDEV_FRONTEND=y\n', 'krata.req')
    expect(extra).toEqual([
      { option: 'CONFIG_SQUASHFS', wanted: 'y', source: 'krata.req:2' },
      { option: 'CONFIG_KERNEL_ZSTD', wanted: 'n', source: 'krata.req:3' },
      { option: 'CONFIG_XEN_FBDEV_FRONTEND', wanted: 'y', source: 'krata.req:4' },
    ])
    const config = parseKernelConfig(`${ZONE_OK}CONFIG_KERNEL_ZSTD=y\n`, '.config')
    const results = evaluateRequirements(config, mergeRequirements(requirementsFor('zone'), extra), { arch: 'x86_64' })
    expect(statuses(results)).toEqual([
      ['CONFIG_XEN_FBDEV_FRONTEND', 'error'],
      ['CONFIG_SQUASHFS', 'error'],
      ['CONFIG_KERNEL_ZSTD', 'error'],
    ])
    expect(byOption(results, 'CONFIG_KERNEL_ZSTD').message).toBe('CONFIG_KERNEL_ZSTD=y, krata.req:3 needs it off (# CONFIG_KERNEL_ZSTD is not set)')
    expect(byOption(results, 'CONFIG_XEN_FBDEV_FRONTEND').message).toBe(
      'CONFIG_XEN_FBDEV_FRONTEND=m: built as a module, krata.req:4 needs it built in (=y)',
    )
  })

  it('rejects a line that is not a requirement, naming file and line', () => {
    expect(() => parseRequirementsFile('CONFIG_A=y\nXEN_PV\n', 'r.req')).toThrow(
      'r.req:2: not a requirement (want CONFIG_X=y|m|<value> or "# CONFIG_X is not set")',
    )
  })
})

describe('report and fail-on', () => {
  const results = check(edit(ZONE_OK, { CONFIG_XEN_PV: null, CONFIG_XEN_FBDEV_FRONTEND: 'CONFIG_XEN_FBDEV_FRONTEND=y' }))

  it('counts errors and warnings and decides passed by fail-on', () => {
    const fields = { target: 'zone' as const, arch: 'x86_64' as const, version: '6.1.192', config: 'kernel/.config' }
    expect(buildReport(fields, results, 'error')).toMatchObject({ passed: false, errors: 1, warnings: 1 })
    // fail-on: never keeps the step green, but the report still says the requirements are not met.
    expect(buildReport(fields, results, 'never')).toMatchObject({ passed: false, errors: 1, warnings: 1 })
    const warningOnly = check(edit(ZONE_OK, { CONFIG_XEN_FBDEV_FRONTEND: 'CONFIG_XEN_FBDEV_FRONTEND=y' }))
    expect([buildReport(fields, warningOnly, 'error').passed, buildReport(fields, warningOnly, 'warning').passed]).toEqual([true, false])
    expect(isFailing({ errors: 0, warnings: 1 }, 'error')).toBe(false)
    expect(isFailing({ errors: 0, warnings: 1 }, 'warning')).toBe(true)
    expect(isFailing({ errors: 3, warnings: 0 }, 'never')).toBe(false)
    expect(failureLine(buildReport(fields, results, 'error'))).toBe(
      'kernel/.config: 1 error, 1 warning against the krata zone requirements (x86_64); see the annotations and the job summary',
    )
  })
})

describe('krata boot rules', () => {
  const boot = (text: string, arch: 'x86_64' | 'aarch64' = 'x86_64') =>
    evaluateRequirements(parseKernelConfig(text, '.config'), bootRequirements(), { arch })
  const BOOTABLE = [
    'CONFIG_KERNEL_XZ=y',
    'CONFIG_BLK_DEV_INITRD=y',
    'CONFIG_SQUASHFS=y',
    'CONFIG_OVERLAY_FS=y',
    'CONFIG_TMPFS=y',
    'CONFIG_DEVTMPFS=y',
    'CONFIG_PROC_FS=y',
    'CONFIG_SYSFS=y',
    'CONFIG_CGROUPS=y',
    'CONFIG_UNIX98_PTYS=y',
    'CONFIG_EROFS_FS=y',
  ].join('\n')

  it('accepts an xz kernel as well as a gzip one', () => {
    const results = boot(BOOTABLE)
    expect(statuses(results)).toEqual([])
    expect(byOption(results, 'CONFIG_KERNEL_GZIP')).toMatchObject({ status: 'ok', found: 'CONFIG_KERNEL_XZ=y', line: 1 })
  })

  it('rejects a zstd kernel, saying why krata cannot load it', () => {
    const results = boot(BOOTABLE.replace('CONFIG_KERNEL_XZ=y', 'CONFIG_KERNEL_ZSTD=y\n# CONFIG_KERNEL_GZIP is not set'))
    expect(byOption(results, 'CONFIG_KERNEL_GZIP')).toMatchObject({
      status: 'error',
      message:
        "none of CONFIG_KERNEL_GZIP, CONFIG_KERNEL_XZ is =y (CONFIG_KERNEL_GZIP not set, CONFIG_KERNEL_XZ absent): krata's loader finds the kernel inside a gzip or xz stream; zstd, lz4, lzo, lzma and bzip2 kernels do not boot",
    })
    expect(byOption(boot(BOOTABLE, 'aarch64'), 'CONFIG_KERNEL_GZIP').status).toBe('not-applicable')
  })

  it('needs root-mount support built in, and only warns about erofs', () => {
    const results = boot(BOOTABLE.replace('CONFIG_SQUASHFS=y', 'CONFIG_SQUASHFS=m').replace('CONFIG_EROFS_FS=y', ''))
    expect(statuses(results)).toEqual([
      ['CONFIG_SQUASHFS', 'error'],
      ['CONFIG_EROFS_FS', 'warning'],
    ])
    expect(byOption(results, 'CONFIG_SQUASHFS').message).toBe(
      'CONFIG_SQUASHFS=m: built as a module, krata needs it built in (=y): the zone root image, its config disk and the addons disk are squashfs',
    )
    expect(byOption(results, 'CONFIG_EROFS_FS').message).toBe(
      'CONFIG_EROFS_FS is absent from the config, a krata zone kernel needs =y: images packed as erofs are mounted with it',
    )
  })
})

describe('values and the one config-line grammar', () => {
  const rules = parseRequirementsFile('CONFIG_PHYS_START=0x1000000\nCONFIG_NR_CPUS=64\nCONFIG_NAME="a \\"b\\""\nCONFIG_OFF=n\n', 'v.req')
  const run = (text: string) => evaluateRequirements(parseKernelConfig(text, '.config'), rules, { arch: 'x86_64' })

  it('reads requirement values with the config grammar: quoted strings unescaped, =n as off', () => {
    expect(rules.map((r) => [r.option, r.wanted])).toEqual([
      ['CONFIG_PHYS_START', { value: '0x1000000' }],
      ['CONFIG_NR_CPUS', { value: '64' }],
      ['CONFIG_NAME', { value: 'a "b"' }],
      ['CONFIG_OFF', 'n'],
    ])
    expect(() => parseRequirementsFile('CONFIG_NAME="open\n', 'v.req')).toThrow('v.req:1: CONFIG_NAME has an unterminated string value')
  })

  it('compares hex values by value, and anything else as written', () => {
    const ok = run('CONFIG_PHYS_START=0X01000000\nCONFIG_NR_CPUS=64\nCONFIG_NAME="a \\"b\\""\n')
    expect(statuses(ok)).toEqual([])
    const bad = run('CONFIG_PHYS_START=0x2000000\nCONFIG_NR_CPUS=064\nCONFIG_NAME="a b"\n')
    expect(statuses(bad)).toEqual([
      ['CONFIG_PHYS_START', 'error'],
      ['CONFIG_NR_CPUS', 'error'],
      ['CONFIG_NAME', 'error'],
    ])
    expect(byOption(bad, 'CONFIG_PHYS_START').message).toBe('CONFIG_PHYS_START=0x2000000, v.req:1 needs =0x1000000')
  })
})

describe('the JSON report', () => {
  it('has the documented fields only; the structured requirement stays inside', () => {
    const results = check(edit(ZONE_OK, { CONFIG_XEN_PV: null }))
    const fields = { target: 'zone' as const, arch: 'x86_64' as const, version: '6.1.192', config: 'kernel/.config' }
    const json = parseJson<CheckReport>(reportJson(buildReport(fields, results, 'error')))
    expect(Object.keys(json)).toEqual(['target', 'arch', 'version', 'config', 'passed', 'errors', 'warnings', 'results', 'duplicates'])
    expect(json.results.find((r: { option: string }) => r.option === 'CONFIG_XEN_PV')).toEqual({
      option: 'CONFIG_XEN_PV',
      wanted: 'y',
      found: 'absent',
      line: null,
      status: 'error',
      source: 'zone',
      message: 'CONFIG_XEN_PV is absent from the config, a krata zone kernel needs =y',
    })
    expect(failureSummary(buildReport(fields, results, 'error'))).toBe(
      'kernel/.config: 1 error, 0 warnings against the krata zone requirements (x86_64)',
    )
  })
})
