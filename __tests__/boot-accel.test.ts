import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './support/run-action.js'
import { kvmFailureIn, kvmGivenUp, KVM_UDEV_STEP, planAccels } from '../src/boot/accel.js'
import { testBootKit } from './support/boot-kit.js'
import { runBootTest } from '../src/boot/run-boot.js'

// The bounded KVM attempt. QEMU's KVM may start and then pause (not exit) on Xen's CET code; a stand-in QEMU does
// exactly that here, so the fallback is proven on every machine, with or without a working /dev/kvm.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-accel-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
const sample = path.join(ROOT, 'assets', 'sample')

type StandIn = 'internal-error' | 'silent' | 'late-error'

/**
 * A qemu-system-x86_64 that, under KVM, fails the way nested KVM does and then hangs; under TCG it prints a Xen line.
 * `late-error`: KVM gets as far as Xen, fails 3 s later, and TCG then hangs (to show what is left of the budget).
 */
function standInQemu(mode: StandIn): { bin: string; pids: string } {
  const bin = path.join(dir, `bin-${mode}`)
  fs.mkdirSync(bin, { recursive: true })
  const pids = path.join(bin, 'pids')
  fs.rmSync(pids, { force: true })
  const kvm = {
    'internal-error': 'echo "Booting from ROM.."; echo "KVM internal error. Suberror: 1" >&2; echo "emulation failure" >&2',
    silent: 'echo "SeaBIOS (version stand-in)"',
    'late-error': 'echo "(XEN) Xen version 4.17 (stand-in)"; sleep 3; echo "KVM internal error. Suberror: 1" >&2',
  }[mode]
  const tcg = mode === 'late-error' ? 'exec sleep 600' : 'echo "(XEN) Xen version 4.17 (stand-in)"; exit 0'
  fs.writeFileSync(
    path.join(bin, 'qemu-system-x86_64'),
    `#!/bin/sh
case " $* " in
  *" -accel kvm "*) echo "kvm $$" >> ${pids}; ${kvm}; exec sleep 600 ;;
  *) echo "tcg $$" >> ${pids}; ${tcg} ;;
esac
`,
    { mode: 0o755 },
  )
  return { bin, pids }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function bootWith(mode: StandIn, kvmDevice: string, kvmProbeSeconds?: number, accel?: 'kvm', timeoutSeconds = 120) {
  const bootKit = testBootKit()
  const { bin, pids } = standInQemu(mode)
  const savedPath = process.env.PATH
  process.env.PATH = `${bin}:${savedPath}`
  const lines: string[] = []
  const started = Date.now()
  try {
    const outcome = await runBootTest({
      image: path.join(sample, 'bzImage'),
      config: path.join(sample, 'config'),
      outDir: path.join(dir, `out-${mode}-${path.basename(kvmDevice)}-${accel ?? 'auto'}`),
      kvmDevice,
      accel,
      kvmProbeSeconds,
      timeoutSeconds,
      log: (line) => lines.push(line),
      bootKit,
    })
    const runs = fs
      .readFileSync(pids, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '))
    return { outcome, lines, seconds: (Date.now() - started) / 1000, runs }
  } finally {
    process.env.PATH = savedPath
  }
}

describe('bounded KVM attempt', () => {
  // The kit is built once, outside the timed runs.
  beforeAll(() => void testBootKit(), 10 * 60_000)
  const kvmDevice = path.join(dir, 'kvm')
  fs.writeFileSync(kvmDevice, '')

  it('kills a KVM run that reports a KVM internal error and boots with TCG at once, saying why', async () => {
    const r = await bootWith('internal-error', kvmDevice)
    expect(r.runs.map(([accel]) => accel)).toEqual(['kvm', 'tcg'])
    expect(alive(Number(r.runs[0]![1]))).toBe(false)
    expect(r.seconds).toBeLessThan(25)
    expect(r.outcome.accel).toBe('tcg')
    expect(r.outcome.accelNote).toMatch(
      /^KVM given up after \d+\.\d s \(KVM internal error\. Suberror: 1\); booting with TCG \(software emulation\) instead$/,
    )
    expect(r.lines).toEqual(
      expect.arrayContaining([
        'boot test: Xen in QEMU with KVM',
        `boot test: ${r.outcome.accelNote}`,
        'boot test: Xen in QEMU with TCG (no KVM: software emulation)',
      ]),
    )
    // The stand-in's TCG run prints a Xen line and stops: the harness reads it as far as it went.
    expect(r.outcome.stages[0]).toMatchObject({ state: 'ok' })
    expect(r.outcome.status).toBe('failed')
    expect(fs.readFileSync(r.outcome.serialLog.replace(/\.log$/, '.kvm.log'), 'utf8')).toContain('# given up: KVM internal error. Suberror: 1')
  }, 60_000)

  it('kills a KVM run asked for alone (--accel kvm) on its KVM error instead of waiting out the timeout', async () => {
    const r = await bootWith('internal-error', kvmDevice, undefined, 'kvm')
    expect(r.runs.map(([accel]) => accel)).toEqual(['kvm'])
    expect(alive(Number(r.runs[0]![1]))).toBe(false)
    expect(r.seconds).toBeLessThan(25)
    expect(r.outcome.accel).toBe('kvm')
    expect(r.outcome.status).toBe('failed')
  }, 60_000)

  it('kills a KVM run that prints no Xen line within the bound', async () => {
    const r = await bootWith('silent', kvmDevice, 3)
    expect(r.runs.map(([accel]) => accel)).toEqual(['kvm', 'tcg'])
    expect(alive(Number(r.runs[0]![1]))).toBe(false)
    expect(r.outcome.accelNote).toMatch(/^KVM given up after 3\.\d s \(no \(XEN\) line within 3 s\); booting with TCG/)
    expect(r.outcome.accel).toBe('tcg')
  }, 60_000)

  it('gives the TCG run after a KVM run that failed late only what is left of the one budget', async () => {
    const r = await bootWith('late-error', kvmDevice, undefined, undefined, 8)
    expect(r.runs.map(([accel]) => accel)).toEqual(['kvm', 'tcg'])
    expect(r.outcome.accelNote).toMatch(/^KVM given up after 3\.\d s \(KVM internal error/)
    expect(fs.readFileSync(r.outcome.serialLog, 'utf8')).toMatch(/qemu: killed after [45] s\n/)
    // 8 s in all, not 3 s of KVM and then 8 more of TCG.
    expect(r.seconds).toBeLessThan(10)
    expect(alive(Number(r.runs[1]![1]))).toBe(false)
  }, 60_000)

  it('does not try KVM without the device, and says so', async () => {
    const r = await bootWith('internal-error', path.join(dir, 'no-such-kvm'))
    expect(r.runs.map(([accel]) => accel)).toEqual(['tcg'])
    expect(r.outcome.accelNote).toBe(`KVM not tried: no ${path.join(dir, 'no-such-kvm')} on this machine`)
  }, 60_000)
})

describe('accelerator plan and KVM failure lines (pure)', () => {
  it('tries KVM then TCG only with auto and a usable device', () => {
    expect(planAccels('auto', 'usable')).toEqual({ order: ['kvm', 'tcg'] })
    expect(planAccels('kvm', 'absent')).toEqual({ order: ['kvm'] })
    expect(planAccels('tcg', 'usable')).toEqual({ order: ['tcg'] })
    expect(planAccels('auto', 'absent')).toEqual({ order: ['tcg'], kvmSkipped: 'no /dev/kvm on this machine' })
  })

  it("does not try KVM for a kernel of another architecture than the host's, and says why", () => {
    expect(planAccels('auto', 'other-arch')).toEqual({ order: ['tcg'], kvmSkipped: "the kernel is not of this machine's architecture" })
  })

  it("names GitHub's udev rule when /dev/kvm is there but not the user's", () => {
    const plan = planAccels('auto', 'denied')
    expect(plan.order).toEqual(['tcg'])
    expect(plan.kvmSkipped).toBe(`/dev/kvm exists but this user cannot open it (on GitHub's runners, add a step before this one: ${KVM_UDEV_STEP})`)
    expect(KVM_UDEV_STEP).toContain('/etc/udev/rules.d/99-kvm4all.rules')
  })

  it.each([
    ['qemu: KVM internal error. Suberror: 1', 'KVM internal error. Suberror: 1'],
    ['qemu: emulation failure', 'KVM internal error: emulation failure'],
    ['qemu: qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69', 'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69'],
    ['(XEN) Xen version 4.17.5', undefined],
    ['qemu: RAX=0000000000000000 RBX=0000000000000000', undefined],
  ])('%s → %s', (line, reason) => {
    expect(kvmFailureIn(line)).toBe(reason)
  })

  it('words the fallback in one line', () => {
    expect(kvmGivenUp('no (XEN) line within 20 s', 20.04)).toBe(
      'KVM given up after 20.0 s (no (XEN) line within 20 s); booting with TCG (software emulation) instead',
    )
  })
})
