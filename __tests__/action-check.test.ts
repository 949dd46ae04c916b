import { afterAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT, runAction } from './support/run-action.js'
import { parseJson, type ReportJson } from './support/json.js'

const __dirname_ = path.join(ROOT, '__tests__')

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-'))
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }))

function write(name: string, text: string): string {
  const file = path.join(workspace, name)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return name
}

// All of krata's zone list, met.
const ZONE_LINES = [
  'CONFIG_XEN=y',
  'CONFIG_XEN_PV=y',
  'CONFIG_XEN_512GB=y',
  'CONFIG_XEN_PV_SMP=y',
  'CONFIG_XEN_PVHVM=y',
  'CONFIG_XEN_PVHVM_SMP=y',
  'CONFIG_XEN_PVHVM_GUEST=y',
  'CONFIG_XEN_SAVE_RESTORE=y',
  'CONFIG_XEN_PVH=y',
  'CONFIG_XEN_PV_MSR_SAFE=y',
  'CONFIG_PCI_XEN=y',
  'CONFIG_NET_9P_XEN=y',
  'CONFIG_XEN_PCIDEV_FRONTEND=y',
  'CONFIG_XEN_BLKDEV_FRONTEND=y',
  'CONFIG_XEN_NETDEV_FRONTEND=y',
  'CONFIG_INPUT_XEN_KBDDEV_FRONTEND=y',
  'CONFIG_HVC_XEN=y',
  'CONFIG_HVC_XEN_FRONTEND=y',
  'CONFIG_XEN_FBDEV_FRONTEND=m',
  'CONFIG_XEN_BALLOON=y',
  'CONFIG_XEN_BALLOON_MEMORY_HOTPLUG=y',
  'CONFIG_XEN_MEMORY_HOTPLUG_LIMIT=512',
  'CONFIG_XEN_SCRUB_PAGES_DEFAULT=y',
  'CONFIG_XEN_DEV_EVTCHN=y',
  'CONFIG_XEN_BACKEND=y',
  'CONFIG_XENFS=y',
  'CONFIG_XEN_COMPAT_XENFS=y',
  'CONFIG_XEN_SYS_HYPERVISOR=y',
  'CONFIG_XEN_XENBUS_FRONTEND=y',
  'CONFIG_SWIOTLB_XEN=y',
  'CONFIG_XEN_HAVE_PVMMU=y',
  'CONFIG_XEN_EFI=y',
  'CONFIG_XEN_AUTO_XLATE=y',
  'CONFIG_XEN_ACPI=y',
  'CONFIG_XEN_HAVE_VPMU=y',
  'CONFIG_XEN_GRANT_DMA_OPS=y',
  'CONFIG_XEN_VIRTIO=y',
]
// What krata's own code needs to boot it (the boot rules), on lines 5 to 15.
const BOOT_LINES = [
  'CONFIG_KERNEL_GZIP=y',
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
]
const HEADER = `#\n# Linux/x86 6.1.192 Kernel Configuration\n#\nCONFIG_X86_64=y\n${BOOT_LINES.join('\n')}\n`
const zoneConfig = (drop: string[] = [], add: string[] = []) =>
  HEADER + [...ZONE_LINES.filter((l) => !drop.includes(l.split('=')[0])), ...add].join('\n') + '\n'

describe('the action entry point, run as a runner runs it', () => {
  it('passes a config that meets the zone requirements and sets every check output', () => {
    const config = write('ok/.config', zoneConfig())
    const run = runAction({ config, report: 'out/report.json' }, { workspace })
    expect(run.status).toBe(0)
    expect(run.commands.filter((c) => c.startsWith('::error') || c.startsWith('::warning'))).toEqual([])
    expect(run.outputs).toMatchObject({ passed: 'true', errors: '0', warnings: '0', arch: 'x86_64', version: '6.1.192' })
    expect(run.outputs.report).toBe(path.join(workspace, 'out/report.json'))
    const report = parseJson<ReportJson>(fs.readFileSync(run.outputs.report, 'utf8'))
    expect(report).toMatchObject({ target: 'zone', arch: 'x86_64', version: '6.1.192', passed: true, errors: 0, warnings: 0 })
    expect(report.results).toHaveLength(37 + 11)
    expect(report.results[0]).toEqual({
      option: 'CONFIG_XEN',
      wanted: 'y',
      found: 'y',
      line: 16,
      status: 'ok',
      message: 'CONFIG_XEN=y',
      source: 'zone',
    })
    expect(run.summary).toContain('<h2>krata zone kernel check: passed</h2>')
  })

  it('annotates each problem on its config line and fails with one line', () => {
    const config = write('bad/.config', zoneConfig(['CONFIG_XEN_PVH', 'CONFIG_XEN_PV'], ['CONFIG_XEN_PV=m', '# CONFIG_XEN_PVH is not set']))
    const run = runAction({ config }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([
      '::error title=CONFIG_XEN_PV,file=bad/.config,line=51::CONFIG_XEN_PV=m: built as a module, krata needs it built in (=y)',
      '::error title=CONFIG_XEN_PVH,file=bad/.config,line=52::CONFIG_XEN_PVH is not set, a krata zone kernel needs =y',
      '::error::bad/.config: 2 errors, 0 warnings against the krata zone requirements (x86_64); see the annotations and the job summary',
    ])
    expect(run.outputs).toMatchObject({ passed: 'false', errors: '2', warnings: '0' })
    // Failures come first in the summary; passes are folded away.
    expect(run.summary.indexOf('CONFIG_XEN_PVH')).toBeLessThan(run.summary.indexOf('<details>'))
    expect(run.summary).toContain('<summary>46 other requirements</summary>')
  })

  it('puts annotations on the committed fragment line when the fragment sets the option', () => {
    const fragment = write('configs/zone.fragment', 'CONFIG_XEN=y\nCONFIG_XEN_PVH=y\n')
    const config = write('frag/.config', zoneConfig(['CONFIG_XEN_PVH']))
    const run = runAction({ config, fragment }, { workspace })
    expect(run.commands[0]).toBe(
      '::error title=CONFIG_XEN_PVH,file=configs/zone.fragment,line=2::CONFIG_XEN_PVH is absent from the config, a krata zone kernel needs =y',
    )
  })

  it('shows eight annotations, a ninth that counts the rest and the failure line: ten ::error lines in all', () => {
    const config = write('many/.config', HEADER + 'CONFIG_XEN=y\n')
    const run = runAction({ config }, { workspace })
    const errors = run.commands.filter((c) => c.startsWith('::error'))
    expect(errors).toHaveLength(10)
    expect(errors[8]).toBe(
      '::error title=28 more errors,file=many/.config,line=1::28 more errors are not shown as annotations (GitHub shows 10 per step); they are in the log, and every check result is in the job summary and the JSON report',
    )
    expect(errors[9]).toMatch(/^::error::many\/.config: 36 errors, 0 warnings against/)
    expect(run.outputs.errors).toBe('36')
  })

  it('reports but does not fail with fail-on: never; fails on a warning with fail-on: warning', () => {
    const config = write('warn/.config', zoneConfig(['CONFIG_XEN_FBDEV_FRONTEND'], ['CONFIG_XEN_FBDEV_FRONTEND=y']))
    const lenient = runAction({ config, 'fail-on': 'error' }, { workspace })
    expect(lenient.status).toBe(0)
    expect(lenient.outputs).toMatchObject({ passed: 'true', warnings: '1' })
    expect(lenient.commands[0]).toBe(
      '::warning title=CONFIG_XEN_FBDEV_FRONTEND,file=warn/.config,line=52::CONFIG_XEN_FBDEV_FRONTEND=y: built in where a krata zone kernel asks for a module (=m)',
    )
    expect(runAction({ config, 'fail-on': 'warning' }, { workspace }).status).toBe(1)
    const never = runAction({ config: write('never/.config', HEADER + 'CONFIG_XEN=y\n'), 'fail-on': 'never' }, { workspace })
    expect(never.status).toBe(0)
    expect(never.outputs.passed).toBe('false')
  })

  it.each([
    [{ config: 'missing/.config' }, '::error::config: missing/.config does not exist'],
    [{ config: 'ok' }, '::error::config: ok is a directory, not a file'],
    [{ config: 'ok/.config', target: 'dom0' }, '::error::target: "dom0" is not one of zone, host'],
    [{ config: 'ok/.config', 'fail-on': 'sometimes' }, '::error::fail-on: "sometimes" is not one of error, warning, never'],
    [{ config: 'ok/.config', arch: 'aarch64' }, '::error::arch: input says aarch64 but ok/.config is an x86_64 config'],
    [{ config: 'ok/.config', strict: 'yes' }, '::error::strict: "yes" is not a boolean (use true or false)'],
  ])('rejects unusable input %j with one line, whatever fail-on says', (inputs, line) => {
    write('ok/.config', zoneConfig())
    const run = runAction({ 'fail-on': 'never', ...inputs }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual([line])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
  })

  it('checks the boot rules only when asked to (boot-rules: false turns them off)', () => {
    const config = write('zstd/.config', zoneConfig().replace('CONFIG_KERNEL_GZIP=y', 'CONFIG_KERNEL_ZSTD=y'))
    const run = runAction({ config }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands[0]).toMatch(/^::error title=CONFIG_KERNEL_GZIP,file=zstd\/.config,line=1::none of CONFIG_KERNEL_GZIP, CONFIG_KERNEL_XZ is =y/)
    expect(runAction({ config, 'boot-rules': 'false' }, { workspace }).status).toBe(0)
  })

  it("explains failures from the kernel's Kconfig and writes the fix fragment, with kernel-source", () => {
    const kernelSource = process.env.KERNEL_SRC || '/opt/ksrc/linux-source-6.1'
    const config = path.join(__dirname_, 'fixtures', 'configs', 'x86_64-defconfig.config')
    const run = runAction({ config, 'kernel-source': kernelSource, 'fail-on': 'never', 'boot-rules': 'false' }, { workspace })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('FAIL CONFIG_XEN_PV is absent from the config, a krata zone kernel needs =y. Why: depends on XEN (=n)\n')
    expect(run.stdout).toContain(
      'FAIL CONFIG_XEN_GRANT_DMA_OPS is absent from the config, a krata zone kernel needs =y. Why: depends on XEN (=n); no prompt: only set by XEN_VIRTIO (=n) via select\n',
    )
    const fragment = fs.readFileSync(run.outputs['fix-fragment'], 'utf8')
    expect(fragment.split('\n')[0]).toBe('# Fix fragment for x86_64: append to .config, then run make olddefconfig')
    expect(fragment).toContain('\nCONFIG_XEN=y\n')
    expect(fragment).toContain('\nCONFIG_XEN_VIRTIO=y\n')
  })

  it('rejects a line that is not Kconfig syntax naming file:line', () => {
    const config = write('junk/.config', HEADER + 'CONFIG_XEN=y\nXEN_PV=y\n')
    const run = runAction({ config, 'fail-on': 'never' }, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands).toEqual(['::error::junk/.config:17: not a kernel config line: "XEN_PV=y"'])
  })
})
