/**
 * The check and the Kconfig explainer joined: failing results are explained from their structured requirement (an
 * "off" requirement included), and the fix fragment covers them, on the fixture tree.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { explainFailures } from '../src/check/explain-results.js'
import { runCheck } from '../src/check/run-check.js'

const TREE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kconfig', 'tree')

describe('explainFailures', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'check-explain-'))
    writeFileSync(
      join(dir, '.config'),
      '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_X86_64=y\nCONFIG_MODULES=y\nCONFIG_HAVE_ZSTD=y\nCONFIG_KERNEL_ZSTD=y\n',
    )
    writeFileSync(join(dir, 'extra.req'), '# CONFIG_KERNEL_ZSTD is not set\nCONFIG_HYPERVISOR_GUEST=y\n')
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('explains an "off" requirement and fixes it through the choice', async () => {
    const outcome = await runCheck({ config: join(dir, '.config'), target: 'zone', requirements: [join(dir, 'extra.req')], bootRules: false })
    const explained = await explainFailures(outcome, TREE)
    const zstd = explained.results.find((r) => r.option === 'CONFIG_KERNEL_ZSTD')!
    expect([zstd.wanted, zstd.status]).toEqual(['not set', 'error'])
    expect(explained.explanations.get('KERNEL_ZSTD')).toMatchObject({ symbol: 'KERNEL_ZSTD', wanted: 'n', found: 'y' })
    expect(explained.results.find((r) => r.option === 'CONFIG_HYPERVISOR_GUEST')!.explanation).toBe('dependencies met; set CONFIG_HYPERVISOR_GUEST=y')
    expect(explained.fixFragment).toContain('# KERNEL_ZSTD is one of a choice: choose KERNEL_GZIP instead\nCONFIG_KERNEL_GZIP=y\n')
    expect(explained.fixFragment).not.toContain('# CONFIG_KERNEL_ZSTD is not set')
    // The fixture has one line the reader does not understand; the step logs the count and, under RUNNER_DEBUG, the line.
    expect(explained.skipped).toEqual(['Kconfig:70: unknown line "frobnicate"'])
  })
})
