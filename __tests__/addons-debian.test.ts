// Debian's real amd64 module tree (~4,000 modules, ~100 MB squashed the way Edera's build does it, by
// scripts/debian-addons.sh, cached) against its own vmlinuz and against the sample kernel, through the CLI as a user
// runs it. The first run builds the image (mksquashfs of ~390 MB: minutes on 2 cores); later runs take it from the cache.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { ROOT } from './support/run-action.js'
import { runCliBundleSync } from './support/cli.js'

let squashfs: string
let release: string
let vmlinuz: string

beforeAll(() => {
  ;[squashfs, release] = execFileSync('bash', [path.join(ROOT, 'scripts', 'debian-addons.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  })
    .trim()
    .split('\n') as [string, string]
  vmlinuz = path.join(squashfs.replace(/\.addons\.squashfs$/, ''), 'boot', `vmlinuz-${release}`)
}, 900_000)

const addons = (...args: string[]) => runCliBundleSync(['addons', ...args])

describe("Debian's module tree as addons", () => {
  it('passes against its own kernel, read in-process well within a second, and unsquashfs reads the same', () => {
    const lines: Record<string, string> = {}
    for (const reader of ['in-process', 'unsquashfs']) {
      const run = addons('--image', vmlinuz, '--addons', squashfs, '--reader', reader)
      expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' })
      lines[reader] = run.stdout.trim()
    }
    const line = new RegExp(
      `^addons: ${squashfs} holds modules/ for ${release}: (\\d{4}) modules in modules.dep; vermagic "${release} SMP preempt mod_unload modversions" in the 4 checked .*; read (.*) in (\\d+) ms$`,
    )
    const inProcess = line.exec(lines['in-process']!)!
    const unsquashfs = line.exec(lines.unsquashfs!)!
    expect(inProcess[2]).toBe('in-process (gzip, zlib)')
    expect(unsquashfs[2]).toBe('with unsquashfs (gzip, as asked)')
    expect(Number(inProcess[1])).toBeGreaterThan(3000)
    expect(unsquashfs[1]).toBe(inProcess[1])
    // The check alone (node start and the kernel image aside); the bench row measures the whole command.
    expect(Number(inProcess[3])).toBeLessThan(1000)
  })

  it('is refused for the sample kernel, in one line naming both releases', () => {
    const run = addons('--image', path.join(ROOT, 'assets', 'sample', 'bzImage'), '--addons', squashfs)
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(
      new RegExp(
        `^kernel-action: addons: ${squashfs} holds modules built for ${release} \\(vermagic of modules/kernel/\\S+\\.ko, listed in modules\\.dep\\), but \\S+/assets/sample/bzImage is 6\\.1\\.192-sample; modprobe refuses modules of another release\\n$`,
      ),
    )
  })
})
