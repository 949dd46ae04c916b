// The pure half of drift: config diff in the five states, classes, sizes, and how it reads (text, summary, notices).
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { parseKernelConfig } from '../src/check/kernel-config.js'
import { diffConfigs, requirementOptionSet } from '../src/drift/config-diff.js'
import { buildDrift, configOnlySide, sizeChange, type KernelSide } from '../src/drift/drift.js'
import { imageSide } from '../src/drift/kernel-side.js'
import { driftNotices, renderDriftSummary, renderDriftText } from '../src/drift/render.js'
import { ZONE_CONFIG } from './support/crafted-kernel.js'
import { compareToReference } from '../src/action/drift-step.js'
import { fitAnnotations, planNotices } from '../src/action/annotations.js'
import type { CheckOutcome } from '../src/check/run-check.js'

const requirements = requirementOptionSet()
const config = (text: string, file = 'c') => parseKernelConfig(text, file)
const side = (ref: string, over: Partial<KernelSide> = {}): KernelSide => ({
  ref,
  digest: null,
  configDigest: `sha256:${ref.length.toString().repeat(64).slice(0, 64)}`,
  version: null,
  unameR: null,
  flavor: null,
  tags: [],
  sizes: { 'kernel/image': null, 'kernel/addons.squashfs': null },
  ...over,
})

describe('diffConfigs', () => {
  it('tells the five states apart: absent, not set, y, m and a value', () => {
    const before = config('CONFIG_XEN_PV=y\n# CONFIG_A is not set\nCONFIG_B=m\nCONFIG_NR_CPUS=64\nCONFIG_GONE=y\nCONFIG_SAME=y\nCONFIG_S="x"\n')
    const after = config(
      'CONFIG_XEN_PV=m\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_NR_CPUS=128\nCONFIG_SAME=y\nCONFIG_NEW_XEN_THING=y\nCONFIG_S="y"\n# CONFIG_OFF is not set\n',
    )
    expect(diffConfigs(before, after, requirements)).toEqual([
      { option: 'CONFIG_XEN_PV', kind: 'changed', class: 'requirement', before: 'y', after: 'm', line: 1 },
      { option: 'CONFIG_NEW_XEN_THING', kind: 'added', class: 'xen', before: 'absent', after: 'y', line: 6 },
      { option: 'CONFIG_A', kind: 'changed', class: 'other', before: 'not set', after: 'y', line: 2 },
      { option: 'CONFIG_B', kind: 'changed', class: 'other', before: 'm', after: 'not set', line: 3 },
      { option: 'CONFIG_GONE', kind: 'removed', class: 'other', before: 'y', after: 'absent', line: null },
      { option: 'CONFIG_NR_CPUS', kind: 'changed', class: 'other', before: '64', after: '128', line: 4 },
      { option: 'CONFIG_OFF', kind: 'added', class: 'other', before: 'absent', after: 'not set', line: 8 },
      { option: 'CONFIG_S', kind: 'changed', class: 'other', before: 'x', after: 'y', line: 7 },
    ])
  })

  it('classes host-list options, boot rules and their alternatives, and user rules as requirements', () => {
    expect(['CONFIG_XEN_PRIVCMD', 'CONFIG_SQUASHFS', 'CONFIG_KERNEL_XZ', 'CONFIG_XEN'].every((o) => requirements.has(o))).toBe(true)
    expect(requirements.has('CONFIG_XEN_DEBUG_FS')).toBe(false)
    const withUser = requirementOptionSet([{ option: 'CONFIG_HZ', wanted: { value: '1000' }, source: 'extra.req:1' }])
    expect(diffConfigs(config('CONFIG_HZ=250'), config('CONFIG_HZ=1000'), withUser)[0]!.class).toBe('requirement')
  })

  it('finds nothing between a real 5,000-line config and itself re-read with CRLF endings', () => {
    const text = fs.readFileSync(ZONE_CONFIG, 'utf8')
    expect(diffConfigs(config(text), config(text.replace(/\n/g, '\r\n')), requirements)).toEqual([])
  })
})

describe('buildDrift', () => {
  const before = config('# Linux/x86_64 6.1.191 Kernel Configuration\nCONFIG_XEN_PRIVCMD=y\nCONFIG_HZ=250\n')
  const after = config('# Linux/x86_64 6.1.192 Kernel Configuration\nCONFIG_XEN_PRIVCMD=m\nCONFIG_HZ=250\nCONFIG_XEN_DEBUG_FS=y\n')

  it('counts by kind and class, and compares layer sizes in bytes and percent', () => {
    const drift = buildDrift(
      {
        side: side('r:latest', { digest: 'sha256:b', version: '6.1.191', sizes: { 'kernel/image': 2000, 'kernel/addons.squashfs': 4096 } }),
        config: before,
      },
      {
        side: side('this build', { digest: 'sha256:a', version: '6.1.192', sizes: { 'kernel/image': 2500, 'kernel/addons.squashfs': null } }),
        config: after,
      },
      requirements,
    )
    expect(drift.configChanged).toBe(2)
    expect(drift.counts).toEqual({ added: 1, removed: 0, changed: 1, requirement: 1, xen: 1, other: 0 })
    expect(drift.sizes).toEqual([
      { file: 'kernel/image', before: 2000, after: 2500, bytes: 500, percent: 25 },
      { file: 'kernel/addons.squashfs', before: 4096, after: null, bytes: null, percent: null },
    ])
    expect(renderDriftText(drift)).toBe(
      'Since r:latest (sha256:b):\n' +
        '  kernel version: 6.1.191 → 6.1.192\n' +
        `  config: ${drift.before.configDigest} → ${drift.after.configDigest}\n` +
        '  kernel/image layer: 2,000 B → 2,500 B, +500 B (+25 %)\n' +
        '  kernel/addons.squashfs layer: 4,096 B → —\n' +
        '2 options changed (1 added, 0 removed, 1 changed): 1 requirement, 1 Xen, 0 other\n' +
        '  requirement changed CONFIG_XEN_PRIVCMD   y → m\n' +
        '  xen         added   CONFIG_XEN_DEBUG_FS  absent → y\n',
    )
    expect(driftNotices(drift)).toEqual([
      {
        option: 'CONFIG_XEN_PRIVCMD',
        line: 2,
        title: 'CONFIG_XEN_PRIVCMD changed since 6.1.191',
        message: 'CONFIG_XEN_PRIVCMD was =y in 6.1.191, now =m',
      },
    ])
  })

  it('says "no config change" and compares no option when the config digests are equal', () => {
    const same = side('x', { configDigest: `sha256:${'a'.repeat(64)}` })
    const drift = buildDrift({ side: same, config: before }, { side: { ...same, ref: 'this build' }, config: after }, requirements)
    expect(drift.changes).toEqual([])
    expect(drift.configChanged).toBe(0)
    expect(renderDriftSummary(drift)).toContain(`<p>no config change (both are sha256:${'a'.repeat(64)})</p>`)
  })

  it('puts requirement and Xen changes in the open and folds the rest', () => {
    const other = config('CONFIG_XEN_PRIVCMD=m\nCONFIG_HZ=1000\nCONFIG_XEN_DEBUG_FS=y\n')
    const html = renderDriftSummary(buildDrift({ side: side('r:1'), config: before }, { side: side('now!'), config: other }, requirements))
    const [open, folded] = html.split('<details>')
    expect(open).toContain('<h3>Since <code>r:1</code></h3>')
    expect(open).toContain('<tr><td><code>CONFIG_XEN_PRIVCMD</code></td><td>requirement</td><td>changed</td><td>y</td><td>m</td><td>1</td></tr>')
    expect(open).toContain('<tr><td><code>CONFIG_XEN_DEBUG_FS</code></td><td>xen</td><td>added</td><td>absent</td><td>y</td><td>3</td></tr>')
    expect(open).not.toContain('CONFIG_HZ')
    expect(folded).toContain('<summary>1 other option changed</summary>')
    expect(folded).toContain('<tr><td><code>CONFIG_HZ</code></td><td>other</td><td>changed</td><td>250</td><td>1000</td><td>2</td></tr>')
  })
})

describe('sides', () => {
  it('reads an image side from its metadata, falling back to the manifest annotations', () => {
    const s = imageSide({
      ref: 'reg/k:latest',
      digest: 'sha256:1',
      configDigest: 'sha256:2',
      annotations: { 'dev.edera.kernel.version': '6.1.1', 'dev.edera.kernel.flavor': 'zone', 'dev.edera.kernel.tags': '6.1.1,latest' },
      metadata: 'KERNEL_ARCH=x86_64\nKERNEL_VERSION=6.1.191\nKERNEL_UNAME_R=6.1.191-x\nKERNEL_CONFIG=sha256:2\n',
      layerSizes: { 'kernel/image': 10 },
    })
    expect(s).toEqual({
      ref: 'reg/k:latest',
      digest: 'sha256:1',
      configDigest: 'sha256:2',
      version: '6.1.191',
      unameR: '6.1.191-x',
      flavor: 'zone',
      tags: ['6.1.1', 'latest'],
      sizes: { 'kernel/image': 10, 'kernel/addons.squashfs': null },
    })
  })

  it('a config-only side takes its version from the header', () => {
    expect(configOnlySide('a.config', 'sha256:x', config('# Linux/arm64 6.6.1 Kernel Configuration\nCONFIG_A=y')).version).toBe('6.6.1')
  })

  it('rounds the percentage to one decimal and leaves it out from zero', () => {
    expect(sizeChange('kernel/image', 3, 4)).toMatchObject({ bytes: 1, percent: 33.3 })
    expect(sizeChange('kernel/image', 0, 4)).toMatchObject({ bytes: 4, percent: null })
    expect(sizeChange('kernel/image', 1000, 900)).toMatchObject({ bytes: -100, percent: -10 })
  })
})

describe('compare-to', () => {
  const check = { config: config('# Linux/x86_64 6.1.192 Kernel Configuration\nCONFIG_X86_64=y\n'), arch: 'x86_64' } as unknown as CheckOutcome
  const inputs = {
    compareTo: '',
    repository: 'ghcr.io/org/zone',
    ociLayout: '',
    tags: ['{{major}}.{{minor}}', 'latest'],
    version: '',
    flavor: '',
    target: 'zone' as const,
  }
  const resolve = (over: Partial<typeof inputs>) => {
    const given = { ...inputs, ...over }
    return compareToReference(
      {
        compareTo: given.compareTo,
        output: {
          version: given.version,
          flavor: given.flavor || given.target,
          tags: given.tags,
          annotations: [],
          pushByDigest: false,
          ociLayout: given.ociLayout || 'no-such-layout',
        },
        registry: { repository: given.repository, insecureRegistry: false },
      },
      check,
    )
  }

  it('defaults to the first tag in the repository, expanded; without a repository, to the layout if there is one', () => {
    expect(resolve({})).toEqual({ reference: 'ghcr.io/org/zone:6.1', implicit: true })
    expect(resolve({ repository: '' })).toBeUndefined()
    expect(resolve({ compareTo: 'none' })).toBeUndefined()
  })

  it('reads a tag or digest in the repository, or a full reference as given', () => {
    const digest = `sha256:${'a'.repeat(64)}`
    expect(resolve({ compareTo: 'stable' })).toEqual({ reference: 'ghcr.io/org/zone:stable', implicit: false })
    expect(resolve({ compareTo: digest })).toEqual({ reference: `ghcr.io/org/zone@${digest}`, implicit: false })
    expect(resolve({ compareTo: 'stable', repository: '' })).toEqual({ reference: 'oci:no-such-layout:stable', implicit: false })
    expect(resolve({ compareTo: 'ghcr.io/other/k:6.1' })).toEqual({ reference: 'ghcr.io/other/k:6.1', implicit: false })
    expect(resolve({ compareTo: 'oci:/tmp/layout@' + digest })).toEqual({ reference: `oci:/tmp/layout@${digest}`, implicit: false })
  })

  it('refuses what is no reference, naming the input', () => {
    expect(() => resolve({ compareTo: 'two words' })).toThrow(
      'compare-to: "two words" is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none',
    )
    expect(() => resolve({ compareTo: 'ghcr.io/Org/k:1' })).toThrow('image reference "ghcr.io/Org/k:1": must be lowercase')
  })
})

describe('planNotices', () => {
  const notice = (option: string, line: number | null) => ({
    option,
    line,
    title: `${option} changed since 6.1.191`,
    message: `${option} was =y in 6.1.191, now =m`,
  })

  it('puts a notice on the fragment line that sets the option, else its config line, else line 1', () => {
    const fragments = new Map([['CONFIG_A', { file: 'configs/zone.fragment', line: 7 }]])
    expect(planNotices([notice('CONFIG_A', 40), notice('CONFIG_B', 41), notice('CONFIG_C', null)], { config: 'build/.config', fragments })).toEqual([
      {
        level: 'notice',
        title: 'CONFIG_A changed since 6.1.191',
        message: 'CONFIG_A was =y in 6.1.191, now =m',
        file: 'configs/zone.fragment',
        startLine: 7,
      },
      {
        level: 'notice',
        title: 'CONFIG_B changed since 6.1.191',
        message: 'CONFIG_B was =y in 6.1.191, now =m',
        file: 'build/.config',
        startLine: 41,
      },
      {
        level: 'notice',
        title: 'CONFIG_C changed since 6.1.191',
        message: 'CONFIG_C was =y in 6.1.191, now =m',
        file: 'build/.config',
        startLine: 1,
      },
    ])
  })

  it("leaves the cap to the step's one budget: 12 notices become 9 and one that counts the rest", () => {
    const planned = planNotices(
      Array.from({ length: 12 }, (_, i) => notice(`CONFIG_${i}`, i + 1)),
      { config: 'c' },
    )
    expect(planned).toHaveLength(12)
    const { shown, hidden } = fitAnnotations(planned, { overflowAt: { file: 'c', startLine: 1 } })
    expect(shown).toHaveLength(10)
    expect(shown[9]).toMatchObject({ level: 'notice', title: '3 more notices', file: 'c', startLine: 1 })
    expect(hidden.map((a) => a.title)).toEqual([
      'CONFIG_9 changed since 6.1.191',
      'CONFIG_10 changed since 6.1.191',
      'CONFIG_11 changed since 6.1.191',
    ])
  })
})
