// getInputs: every input and every rule between inputs, in one place, returning one type per mode. Inputs are given
// as the runner gives them (text, with action.yml's defaults); the runner context is plain data.
import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import { getInputs, INPUT_DEFAULTS, type InputName, type Inputs } from '../src/action/inputs.js'
import { readRunnerContext, type RunnerContext } from '../src/action/runner-context.js'
import { InputError } from '../src/errors.js'

const context: RunnerContext = {
  onRunner: true,
  tempDir: '/runner/temp',
  workspace: '/work/repo',
  actor: 'octocat',
  created: '1970-01-01T00:00:00Z',
  debug: false,
}

/** The runner passes every input, with action.yml's default where the workflow set none. */
function inputs(given: Partial<Record<InputName, string>>, ctx: RunnerContext = context): Inputs {
  return getInputs(ctx, (name) => given[name] ?? (name === 'github-token' ? 'ghs_token' : INPUT_DEFAULTS[name]))
}
const fails = (given: Partial<Record<InputName, string>>) => () => inputs(given)
const DIGEST_A = `sha256:${'a'.repeat(64)}`
const DIGEST_B = `sha256:${'b'.repeat(64)}`

describe('getInputs: one type per mode', () => {
  it("is check-only with a config and no image, the report in the runner's temp folder", () => {
    expect(inputs({ config: 'build/.config', ignore: 'XEN_ACPI, CONFIG_XEN_MCE_LOG' })).toEqual({
      mode: 'check',
      bootTest: false,
      check: {
        config: 'build/.config',
        target: 'zone',
        arch: undefined,
        requirements: [],
        ignore: ['XEN_ACPI', 'CONFIG_XEN_MCE_LOG'],
        fragment: [],
        strict: false,
        bootRules: true,
        failOn: 'error',
        report: '/runner/temp/kernel-check.json',
        kernelSource: '',
        sample: false,
      },
      // compare-to works in check-only runs too: it needs where the kernel would go and under which tags.
      drift: {
        compareTo: '',
        output: { version: '', flavor: 'zone', tags: [], annotations: [], pushByDigest: false, ociLayout: '/runner/temp/kernel-oci' },
        registry: { repository: '', credentials: undefined, insecureRegistry: false },
      },
    })
    expect(inputs({ config: 'c', 'compare-to': ' latest ', repository: 'ghcr.io/o/k' })).toMatchObject({
      drift: { compareTo: 'latest', registry: { repository: 'ghcr.io/o/k' } },
    })
  })

  it("publishes with an image: flavor defaults to the target, the layout to the runner's temp folder", () => {
    const publish = inputs({ config: 'c', image: 'bzImage', target: 'host', tags: '{{version}}\nlatest', arch: 'amd64' })
    expect(publish).toMatchObject({
      mode: 'publish',
      image: 'bzImage',
      addons: '',
      compression: 'none',
      check: { arch: 'x86_64', target: 'host' },
      output: { flavor: 'host', version: '', tags: ['{{version}}', 'latest'], ociLayout: '/runner/temp/kernel-oci', pushByDigest: false },
      registry: { repository: '', credentials: undefined, insecureRegistry: false },
    })
    expect(inputs({ config: 'c', image: 'i' }, { ...context, onRunner: false })).toMatchObject({ output: { ociLayout: 'kernel-oci' } })
  })

  it('runs the bundled sample kernel when no config is given, into the local layout only', () => {
    const sample = inputs({})
    expect(sample.mode).toBe('publish')
    if (sample.mode !== 'publish') return
    expect(sample.check.sample).toBe(true)
    expect(path.basename(sample.check.config)).toBe('config')
    expect(path.basename(sample.image)).toBe('bzImage')
    expect(path.basename(sample.addons)).toBe('addons.squashfs')
    expect(fails({ image: 'bzImage' })).toThrow(new InputError('config: required when image or addons is given'))
    expect(fails({ addons: 'a.squashfs' })).toThrow(new InputError('config: required when image or addons is given'))
    expect(fails({ repository: 'ghcr.io/o/k' })).toThrow(
      new InputError('config: required with repository (the bundled sample kernel is never pushed)'),
    )
  })

  it('merges with merge, which builds nothing', () => {
    expect(inputs({ merge: `${DIGEST_A}, ${DIGEST_B}`, repository: 'registry.example/k', tags: 'latest' })).toEqual({
      mode: 'merge',
      sources: [DIGEST_A, DIGEST_B],
      verify: 'light',
      output: { version: '', flavor: '', tags: ['latest'], annotations: [], pushByDigest: false, ociLayout: '/runner/temp/kernel-oci' },
      registry: { repository: 'registry.example/k', credentials: undefined, insecureRegistry: false },
    })
    expect(fails({ merge: DIGEST_A, config: 'c', image: 'i' })).toThrow(
      new InputError('merge: cannot be combined with config, image (a merge step builds nothing; build in the per-architecture jobs)'),
    )
  })

  it('refuses addons without an image (nothing would publish them)', () => {
    expect(fails({ config: 'c', addons: 'addons.squashfs' })).toThrow(
      new InputError('addons: given without image (the kernel image is what gets published)'),
    )
  })
})

describe('getInputs: registry credentials', () => {
  it('needs username and password together', () => {
    expect(fails({ config: 'c', image: 'i', username: 'robot' })).toThrow(new InputError('password: required when username is given'))
    expect(fails({ config: 'c', image: 'i', password: 'pw' })).toThrow(new InputError('username: required when password is given'))
    expect(inputs({ config: 'c', image: 'i', username: 'robot', password: 'pw', repository: 'ghcr.io/o/k' })).toMatchObject({
      registry: { credentials: { username: 'robot', password: 'pw' } },
    })
  })

  it('uses the workflow token as the actor for ghcr.io only', () => {
    expect(inputs({ config: 'c', image: 'i', repository: 'ghcr.io/o/k' })).toMatchObject({
      registry: { credentials: { username: 'octocat', password: 'ghs_token' } },
    })
    expect(inputs({ config: 'c', image: 'i', repository: 'ghcr.io/o/k' }, { ...context, actor: undefined })).toMatchObject({
      registry: { credentials: { username: 'x-access-token' } },
    })
    expect(inputs({ config: 'c', image: 'i', repository: 'registry.example/o/k' })).toMatchObject({ registry: { credentials: undefined } })
  })
})

describe('getInputs: each value is checked, naming the input', () => {
  it.each([
    [{ target: 'dom0' }, 'target: "dom0" is not one of zone, host'],
    [{ 'fail-on': 'sometimes' }, 'fail-on: "sometimes" is not one of error, warning, never'],
    [{ compression: 'lz4' }, 'compression: "lz4" is not one of none, gzip, zstd'],
    [{ strict: 'yes' }, 'strict: "yes" is not a boolean (use true or false)'],
    [{ arch: 'riscv64' }, 'arch: "riscv64" is not one of x86_64, amd64, x86, aarch64, arm64'],
  ])('%j', (given, message) => {
    // Even in merge mode, where the input is not used: a typo never hides.
    expect(fails({ config: 'c', ...given })).toThrow(new InputError(message))
    expect(fails({ merge: DIGEST_A, ...given })).toThrow(new InputError(message))
  })
})

describe('getInputs: every rule judged from the text alone, before any work, in every mode', () => {
  it.each([
    [{ annotations: 'org.example.team=xen\nno-equals-sign' }, 'annotations: "no-equals-sign" is not KEY=VALUE with a key such as org.example.name'],
    [{ tags: '{{branch}}' }, 'tags: unknown placeholder {{branch}} in "{{branch}}"'],
    [{ tags: 'v1\n-latest' }, 'tags: "-latest" is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)'],
    [{ tags: '{{minor}}', version: '6' }, 'tags: {{minor}} in "{{minor}}" is empty for version "6"'],
    [
      { tags: '{{flavor}}', flavor: 'my flavor' },
      'tags: "my flavor" is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)',
    ],
    [{ 'compare-to': 'not a ref!' }, 'compare-to: "not a ref!" is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none'],
    [{ 'compare-to': 'ghcr.io/Org/k:1' }, 'compare-to: image reference "ghcr.io/Org/k:1": must be lowercase'],
    [{ 'boot-module': 'xen;reboot' }, 'boot-module: "xen;reboot" is not a module name (letters, digits, - and _, e.g. xen-fbfront)'],
    [
      { 'boot-module': 'xen-fbfront', target: 'host' },
      "boot-module: names the module a zone kernel's guest loads; with target: host the guest is the bundled sample zone",
    ],
    [
      { 'boot-kit': 'not a ref!' },
      'boot-kit: image reference "not a ref!": "not a ref!" is not a valid path component ([a-z0-9] separated by . _ __ or -)',
    ],
    [
      { 'boot-kit': 'ghcr.io/org/kit@sha256:00' },
      'boot-kit: image reference "ghcr.io/org/kit@sha256:00": "sha256:00" is not a sha256:<64 hex> digest',
    ],
    [
      { 'compare-to': 'ghcr.io/org/k:-1' },
      'compare-to: image reference "ghcr.io/org/k:-1": "-1" is not a valid OCI tag (letters, digits, _ . -; at most 128; not starting with . or -)',
    ],
  ])('%j', (given, message) => {
    // Check-only (the run that used to finish without a word), publish and merge alike.
    expect(fails({ config: 'c', ...given })).toThrow(new InputError(message))
    expect(fails({ config: 'c', image: 'i', ...given })).toThrow(new InputError(message))
    expect(fails({ merge: DIGEST_A, ...given })).toThrow(new InputError(message))
  })

  it('takes what the later steps take', () => {
    expect(
      inputs({ config: 'c', tags: '{{version}}\n{{major}}.{{minor}}-{{flavor}}-{{arch}}\nlatest', annotations: 'org.example.team=xen' }),
    ).toMatchObject({
      mode: 'check',
    })
    for (const compareTo of ['', 'none', 'stable', DIGEST_A, 'ghcr.io/o/k:6.1', `ghcr.io/o/k@${DIGEST_A}`, 'oci:/tmp/layout:v1']) {
      expect(inputs({ config: 'c', 'compare-to': compareTo })).toMatchObject({ drift: { compareTo } })
    }
  })

  it('never echoes a password given inside compare-to', () => {
    const run = fails({ config: 'c', 'compare-to': 'robot:hunter2@ghcr.io/o/k:1' })
    expect(run).toThrow(InputError)
    expect(run).toThrow(/^compare-to: image reference: must not include a user name or password/)
    expect(run).not.toThrow(/hunter2/)
  })

  it('checks each merge entry as the merge does: a digest, in the repository or layout the index goes to', () => {
    expect(fails({ merge: 'sha256:a' })).toThrow(new InputError('merge: "sha256:a" is not a sha256 digest or REPOSITORY@sha256:<64 hex>'))
    expect(fails({ merge: `${DIGEST_A}\n${DIGEST_A}` })).toThrow(new InputError(`merge: ${DIGEST_A} is listed twice`))
    expect(fails({ merge: `registry.example/other@${DIGEST_A}`, repository: 'registry.example/k' })).toThrow(
      new InputError(
        `merge: registry.example/other@${DIGEST_A} is in registry.example/other, not in registry.example/k; every image of an index must be in the repository the index goes to`,
      ),
    )
    expect(inputs({ merge: `registry.example/k@${DIGEST_A}\n${DIGEST_B}`, repository: 'registry.example/k' })).toMatchObject({ mode: 'merge' })
  })
})

describe('readRunnerContext', () => {
  it("reads the runner's variables once", () => {
    const env = {
      RUNNER_TEMP: '/rt',
      GITHUB_WORKSPACE: '/ws',
      GITHUB_ACTOR: 'octocat',
      GITHUB_REPOSITORY: 'krata/kernel',
      GITHUB_SERVER_URL: 'https://ghe.example',
      GITHUB_SHA: 'abc',
      GITHUB_STEP_SUMMARY: '/rt/summary',
      RUNNER_DEBUG: '1',
      SOURCE_DATE_EPOCH: '1700000000',
    }
    expect(readRunnerContext(env, '/cwd')).toEqual({
      onRunner: true,
      tempDir: '/rt',
      workspace: '/ws',
      actor: 'octocat',
      source: 'https://ghe.example/krata/kernel',
      revision: 'abc',
      created: '2023-11-14T22:13:20Z',
      summaryFile: '/rt/summary',
      debug: true,
    })
  })

  it("takes the checked-out commit's time without SOURCE_DATE_EPOCH, else the epoch; outside Actions the system temp", () => {
    const repo = fs.mkdtempSync(path.join(os.tmpdir(), 'ctx-'))
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: repo, env: { ...process.env, GIT_COMMITTER_DATE: '@1600000000 +0000', GIT_AUTHOR_DATE: '@1600000000 +0000' } })
    git('init', '-q')
    git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'x')
    expect(readRunnerContext({ GITHUB_WORKSPACE: repo }).created).toBe('2020-09-13T12:26:40Z')
    fs.rmSync(repo, { recursive: true, force: true })
    const outside = readRunnerContext({}, os.tmpdir())
    expect(outside).toMatchObject({ onRunner: false, tempDir: os.tmpdir(), workspace: os.tmpdir(), created: '1970-01-01T00:00:00Z', debug: false })
    expect(outside.source).toBeUndefined()
    expect(() => readRunnerContext({ SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      new InputError('SOURCE_DATE_EPOCH: "yesterday" is not a number of seconds'),
    )
  })
})

describe('the runner context is the one reader of the runner', () => {
  it('has no other module read RUNNER_*, GITHUB_*, SOURCE_DATE_EPOCH or run git', () => {
    const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', 'src')
    const files = (dir: string): string[] =>
      fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []))
    const readers = files(root).filter((file) =>
      /process\.env\.(RUNNER_|GITHUB_|SOURCE_DATE_EPOCH)|process\.env\[['"](RUNNER_|GITHUB_)|spawnSync\('git'|github\.context/.test(
        fs.readFileSync(file, 'utf8'),
      ),
    )
    expect(readers.map((file) => path.relative(root, file))).toEqual([path.join('action', 'runner-context.ts')])
  })
})
