// The workflows users copy (examples/*.yml), run for real: each `krata/kernel-action@v1` step's `with:` inputs go to
// the bundled action (dist/index.js) in a workspace laid out as the steps before it leave it, with `${{ ... }}`
// replaced by local values (a real registry on 127.0.0.1 instead of ghcr.io). Plain shell glue between the action
// steps (recording and collecting digests) is run with bash as written.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { parse } from 'yaml'
import { AARCH64_CONFIG, ZONE_CONFIG, craftArm64Image, craftBzImage } from './support/crafted-kernel.js'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { KVM_UDEV_STEP } from '../src/boot/accel.js'
import { inputsOf, readOutputs, runStepScript, substitute, type Step } from './support/workflow-steps.js'
import { ROOT, runAction, type ActionRun } from './support/run-action.js'
import { parseJson, type OciJson, type SkopeoInspect } from './support/json.js'

const ACTION = 'krata/kernel-action@v1'
const EXAMPLES = path.join(ROOT, 'examples')
const FIXTURES = path.join(ROOT, '__tests__', 'fixtures', 'configs')
const KERNEL_SOURCE = process.env.KERNEL_SRC || '/opt/ksrc/linux-source-6.1'
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-'))
const skopeo = (...args: string[]) => execFileSync('skopeo', args, { encoding: 'utf8' })

interface Job {
  'runs-on': unknown
  needs?: string | string[]
  permissions?: Record<string, string>
  strategy?: { matrix: { include: Record<string, string>[] } }
  outputs?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  name: string
  on: Record<string, unknown>
  permissions?: Record<string, string>
  jobs: Record<string, Job>
}

function readExample(name: string): Workflow {
  const workflow = parse(fs.readFileSync(path.join(EXAMPLES, name), 'utf8')) as Workflow
  // The shape GitHub needs: a trigger, and jobs whose steps each use an action or run a script.
  expect(Object.keys(workflow.on).length).toBeGreaterThan(0)
  for (const job of Object.values(workflow.jobs)) {
    expect(job['runs-on']).toBeTruthy()
    for (const step of job.steps) expect(Boolean(step.uses) !== Boolean(step.run)).toBe(true)
  }
  return workflow
}

function actionSteps(job: Job): Step[] {
  return job.steps.filter((step) => step.uses === ACTION)
}

function step(job: Job, id: string): Step {
  const found = job.steps.find((s) => s.id === id)
  if (!found) throw new Error(`no step with id ${id}`)
  return found
}

/** Runs a step's shell script as written; it must succeed and say nothing on stderr. */
function runScript(s: Step, values: Record<string, string>, env: Record<string, string>): void {
  const result = runStepScript(s, values, env)
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
}

function put(workspace: string, file: string, bytes: Buffer | string): void {
  fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true })
  fs.writeFileSync(path.join(workspace, file), bytes)
}

function workspaceFor(name: string): string {
  return fs.mkdtempSync(path.join(work, `${name}-`))
}

/**
 * The x86_64 kernel a build job leaves: a crafted bzImage (release 6.1.192-crafted) and the zone fixture.
 */
function x86Kernel(): { config: Buffer; image: Buffer; addons: Buffer } {
  return { config: fs.readFileSync(ZONE_CONFIG), image: craftBzImage(128 * 1024), addons: addonsSquashfs() }
}

/** An aarch64 build: the arm64 zone fixture and an arm64 Image.gz. */
function arm64Kernel(): { config: Buffer; image: Buffer; addons: Buffer } {
  return { config: fs.readFileSync(AARCH64_CONFIG), image: gzipSync(craftArm64Image()), addons: addonsSquashfs() }
}

/** What the "Pack the modules" step makes: modules/ at the top of a squashfs. */
function addonsSquashfs(): Buffer {
  const dir = workspaceFor('addons')
  put(dir, 'addons/modules/modules.dep', '')
  execFileSync('mksquashfs', [
    path.join(dir, 'addons'),
    path.join(dir, 'addons.squashfs'),
    '-all-root',
    '-noappend',
    '-quiet',
    '-mkfs-time',
    '0',
    '-all-time',
    '0',
  ])
  return fs.readFileSync(path.join(dir, 'addons.squashfs'))
}

function expectSuccess(run: ActionRun): void {
  if (run.status !== 0) throw new Error(`action failed (${run.status}): ${run.commands.join(' | ')}\n${run.stderr}`)
  expect(run.commands.filter((c) => c.startsWith('::error'))).toEqual([])
}

let registry: RunningRegistry
beforeAll(async () => {
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

describe('examples/check-pull-request.yml', () => {
  const workflow = readExample('check-pull-request.yml')
  const job = workflow.jobs.check!
  const [kernelStep] = actionSteps(job)

  it('annotates the fragment line whose option the final .config lost, explains it, and fails the check', () => {
    const workspace = workspaceFor('pr')
    const inputs = inputsOf(kernelStep!, {})
    // What "Make the final .config" leaves when Kconfig drops an option the fragment asked for.
    const dropped = fs.readFileSync(ZONE_CONFIG, 'utf8').replace('CONFIG_XEN_PVH=y\n', '# CONFIG_XEN_PVH is not set\n')
    put(workspace, inputs.config!, dropped)
    put(workspace, inputs.fragment!, fs.readFileSync(path.join(FIXTURES, 'x86_64-zone.fragment')))
    fs.symlinkSync(KERNEL_SOURCE, path.join(workspace, inputs['kernel-source']!))
    const run = runAction(inputs, { workspace })
    expect(run.status).toBe(1)
    expect(run.commands[0]).toBe(
      '::error title=CONFIG_XEN_PVH,file=configs/x86_64/zone.fragment,line=10::CONFIG_XEN_PVH is not set, a krata zone kernel needs =y. Why: dependencies met; set CONFIG_XEN_PVH=y',
    )
    expect(run.commands.at(-1)).toBe(
      '::error::build/.config: 1 error, 0 warnings against the krata zone requirements (x86_64); see the annotations and the job summary',
    )
    expect(run.outputs).toMatchObject({ passed: 'false', errors: '1', arch: 'x86_64', version: '6.1.192' })
    expect(fs.readFileSync(run.outputs['fix-fragment']!, 'utf8')).toContain('CONFIG_XEN_PVH=y')
    expect(run.outputs.digest).toBeUndefined()
  })

  it('passes a .config that kept everything the fragment asked for', () => {
    const workspace = workspaceFor('pr-ok')
    const inputs = inputsOf(kernelStep!, {})
    put(workspace, inputs.config!, fs.readFileSync(ZONE_CONFIG))
    put(workspace, inputs.fragment!, fs.readFileSync(path.join(FIXTURES, 'x86_64-zone.fragment')))
    fs.symlinkSync(KERNEL_SOURCE, path.join(workspace, inputs['kernel-source']!))
    const run = runAction(inputs, { workspace })
    expectSuccess(run)
    expect(run.outputs).toMatchObject({ passed: 'true', errors: '0', warnings: '0' })
  })
})

describe('examples/publish-single-arch.yml', () => {
  const workflow = readExample('publish-single-arch.yml')
  const job = workflow.jobs.kernel!
  const [kernelStep] = actionSteps(job)

  it('builds, checks and pushes the kernel, tagged from the templates, and skopeo reads it back', () => {
    const workspace = workspaceFor('single')
    const repository = `${registry.host}/acme/zone-kernel`
    const inputs = inputsOf(kernelStep!, { 'steps.image.outputs.repository': repository })
    const kernel = x86Kernel()
    put(workspace, inputs.config!, kernel.config)
    put(workspace, inputs.fragment!, fs.readFileSync(path.join(FIXTURES, 'x86_64-zone.fragment')))
    put(workspace, inputs.image!, kernel.image)
    put(workspace, inputs.addons!, kernel.addons)
    const run = runAction(inputs, { workspace })
    expectSuccess(run)
    expect(run.outputs.tags).toBe('6.1.192\n6.1\nlatest')
    expect(run.outputs['image-ref']).toBe(`${repository}@${run.outputs.digest}`)
    expect(run.outputs['uname-r']).toMatch(/^6\.1\.192-/)
    for (const tag of ['6.1.192', '6.1', 'latest']) {
      const inspected = parseJson<SkopeoInspect>(skopeo('inspect', '--tls-verify=false', `docker://${repository}:${tag}`))
      expect(inspected).toMatchObject({ Digest: run.outputs.digest, Architecture: 'amd64', Os: 'linux' })
    }
  })
})

describe('examples/multi-arch-matrix.yml', () => {
  const workflow = readExample('multi-arch-matrix.yml')
  const build = workflow.jobs.build!
  const merge = workflow.jobs.merge!

  it('runs both arch jobs, then the merge job: one index, linux/amd64 and linux/arm64, each pulling its own kernel', () => {
    const repository = `${registry.host}/acme/multi-kernel`
    const kernelStep = actionSteps(build)[0]!
    const collected = workspaceFor('merge-temp') // the merge job's $RUNNER_TEMP, after download-artifact
    const legs: Record<string, { digest: string; image: Buffer }> = {}

    for (const leg of build.strategy!.matrix.include) {
      const workspace = workspaceFor(`leg-${leg.arch}`)
      const runnerTemp = workspaceFor(`leg-temp-${leg.arch}`)
      const matrix = Object.fromEntries(Object.entries(leg).map(([k, v]) => [`matrix.${k}`, v]))
      const inputs = inputsOf(kernelStep, { ...matrix, 'steps.image.outputs.repository': repository })
      // Both legs boot their kernel first; these crafted kernels cannot, so the emulated run leaves the boot to
      // boot.test.ts and action-boot.test.ts, which boot real kernels of both architectures.
      expect(inputs['boot-test']).toBe('true')
      inputs['boot-test'] = 'false'
      const kernel = leg.arch === 'x86_64' ? x86Kernel() : arm64Kernel()
      put(workspace, inputs.config!, kernel.config)
      put(workspace, inputs.fragment!, fs.readFileSync(path.join(FIXTURES, `${leg.arch}-zone.fragment`)))
      put(workspace, inputs.image!, kernel.image)
      put(workspace, inputs.addons!, kernel.addons)
      const run = runAction(inputs, { workspace })
      expectSuccess(run)
      expect(run.outputs.arch).toBe(leg.arch)
      expect(run.outputs.tags).toBe('') // by digest: nothing tagged yet
      expect(run.outputs['image-ref']).toBe(`${repository}@${run.outputs.digest}`)
      legs[leg.arch] = { digest: run.outputs.digest!, image: kernel.image }

      // "Record the digest", as written; upload-artifact + download-artifact (merge-multiple) gather the files.
      runScript(
        build.steps.find((s) => s.name === 'Record the digest')!,
        { ...matrix, 'steps.kernel.outputs.digest': run.outputs.digest! },
        { RUNNER_TEMP: runnerTemp },
      )
      fs.mkdirSync(path.join(collected, 'digests'), { recursive: true })
      fs.copyFileSync(path.join(runnerTemp, 'digests', leg.arch), path.join(collected, 'digests', leg.arch))
    }
    const tagged = spawnSync('skopeo', ['inspect', '--tls-verify=false', '--raw', `docker://${repository}:latest`], { encoding: 'utf8' })
    expect(tagged.status).not.toBe(0) // no tag before the merge

    // "Collect the digests", as written, then the merge step with its output.
    const githubOutput = path.join(collected, 'output')
    fs.writeFileSync(githubOutput, '')
    runScript(step(merge, 'digests'), {}, { RUNNER_TEMP: collected, GITHUB_OUTPUT: githubOutput })
    const list = readOutputs(githubOutput).list!
    expect(list.split('\n').sort()).toEqual([legs.aarch64!.digest, legs.x86_64!.digest].sort())
    const inputs = inputsOf(step(merge, 'merge'), { 'steps.digests.outputs.list': list, 'steps.image.outputs.repository': repository })
    const merged = runAction(inputs, { workspace: workspaceFor('merge') })
    expectSuccess(merged)
    expect(merged.outputs.tags).toBe('6.1.192\n6.1\nlatest')
    expect(merged.outputs['image-ref']).toBe(`${repository}@${merged.outputs.digest}`)
    expect(merged.summary).toContain('linux/arm64')

    const raw = skopeo('inspect', '--tls-verify=false', '--raw', `docker://${repository}:latest`)
    const index = parseJson<OciJson>(raw)
    expect(index.manifests.map((m) => [m.digest, m.platform])).toEqual([
      [legs.x86_64!.digest, { os: 'linux', architecture: 'amd64' }],
      [legs.aarch64!.digest, { os: 'linux', architecture: 'arm64' }],
    ])
    expect(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${repository}:6.1`)).toBe(raw)
    expect(skopeo('inspect', '--tls-verify=false', '--raw', `docker://${merged.outputs['image-ref']}`)).toBe(raw)
    for (const [arch, leg] of [
      ['arm64', legs.aarch64!],
      ['amd64', legs.x86_64!],
    ] as const) {
      const pulled = path.join(workspaceFor(`pulled-${arch}`), 'layout')
      skopeo('copy', '--src-tls-verify=false', '--preserve-digests', '--override-arch', arch, `docker://${repository}:6.1.192`, `oci:${pulled}:t`)
      const bundle = path.join(workspaceFor(`bundle-${arch}`), 'b')
      execFileSync('umoci', ['unpack', '--image', `${pulled}:t`, bundle], { stdio: 'ignore' })
      expect(fs.readFileSync(path.join(bundle, 'rootfs', 'kernel', 'image')).equals(leg.image)).toBe(true)
    }
  })
})

describe('examples/sign-and-attest.yml', () => {
  const workflow = readExample('sign-and-attest.yml')
  const job = workflow.jobs.kernel!
  const [kernelStep] = actionSteps(job)
  const attest = job.steps.find((s) => s.uses?.startsWith('actions/attest-build-provenance@'))!
  const sign = job.steps.find((s) => s.name === 'Sign the pushed digest')!

  it('gives outputs that name exactly the pushed manifest: subject-name@subject-digest is image-ref', () => {
    const workspace = workspaceFor('signed')
    const repository = `${registry.host}/acme/signed-kernel`
    const values = { 'steps.image.outputs.repository': repository }
    const inputs = inputsOf(kernelStep!, values)
    const kernel = x86Kernel()
    put(workspace, inputs.config!, kernel.config)
    put(workspace, inputs.image!, kernel.image)
    put(workspace, inputs.addons!, kernel.addons)
    const run = runAction(inputs, { workspace })
    expectSuccess(run)
    const outputs = { ...values, 'steps.kernel.outputs.digest': run.outputs.digest!, 'steps.kernel.outputs.image-ref': run.outputs['image-ref']! }
    const subject = inputsOf(attest, outputs)
    expect(subject['subject-digest']).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(`${subject['subject-name']}@${subject['subject-digest']}`).toBe(substitute(sign.env!.IMAGE_REF, outputs))
    // What cosign would sign is in the registry, and it is the manifest the tags point at.
    const byDigest = parseJson<SkopeoInspect>(skopeo('inspect', '--tls-verify=false', `docker://${run.outputs['image-ref']}`))
    expect(byDigest.Digest).toBe(run.outputs.digest)
    expect(parseJson<SkopeoInspect>(skopeo('inspect', '--tls-verify=false', `docker://${repository}:latest`)).Digest).toBe(run.outputs.digest)
  })
})

// Rules every example must follow, checked against what the steps do and what the tools they call document, not
// against the examples' own text: changing an example cannot make these pass by changing the test with it.
describe('every example workflow', () => {
  const names = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.yml'))
  // The documented outputs (README "Outputs"), the contract a workflow may rely on.
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  const outputsTable = readme.slice(readme.indexOf('## Outputs'), readme.indexOf('\n## ', readme.indexOf('## Outputs') + 1))
  const outputs = new Set([...outputsTable.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1]!))
  const publishes = (s: Step) => s.uses === ACTION && ('repository' in (s.with ?? {}) || 'merge' in (s.with ?? {}))
  const permissionsOf = (workflow: Workflow, job: Job) => job.permissions ?? workflow.permissions ?? {}

  it.each(names)('%s: each job may do what its steps do (packages, id-token, attestations), and a pull request publishes nothing', (name) => {
    const workflow = readExample(name)
    for (const job of Object.values(workflow.jobs)) {
      const granted = permissionsOf(workflow, job)
      const needed = new Set<string>()
      if (job.steps.some(publishes)) needed.add('packages')
      if (job.steps.some((s) => /\bcosign sign\b/.test(s.run ?? ''))) needed.add('id-token').add('packages')
      if (job.steps.some((s) => s.uses?.startsWith('actions/attest-build-provenance@'))) needed.add('id-token').add('attestations')
      expect([...needed].filter((p) => granted[p] !== 'write')).toEqual([])
      if ('pull_request' in workflow.on) {
        expect(job.steps.filter(publishes)).toEqual([])
        expect(Object.entries(granted).filter(([, level]) => level === 'write')).toEqual([])
      }
    }
  })

  it.each(names)("%s: every ${{ steps.X.outputs.Y }} names an earlier step, and the kernel step's outputs are documented ones", (name) => {
    const workflow = readExample(name)
    for (const job of Object.values(workflow.jobs)) {
      job.steps.forEach((s, index) => {
        for (const [, id, output] of JSON.stringify(s).matchAll(/steps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
          const producer = job.steps.findIndex((p) => p.id === id)
          expect([id, producer >= 0 && producer < index]).toEqual([id, true])
          if (job.steps[producer]!.uses === ACTION) expect([output, outputs.has(output!)]).toEqual([output, true])
        }
      })
    }
  })

  it.each(names)('%s: every other action is pinned by its full commit SHA, with the release in a comment', (name) => {
    const text = fs.readFileSync(path.join(EXAMPLES, name), 'utf8')
    const uses = [...text.matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)].map((m) => [m[1]!, m[2]!.trim()] as const).filter(([ref]) => ref !== ACTION)
    for (const [ref, comment] of uses)
      expect([ref, comment]).toEqual([expect.stringMatching(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/), expect.stringMatching(/^# v\d+\.\d+\.\d+$/)])
  })

  it.each(names)(
    '%s: a job that boot-tests lets the runner open /dev/kvm first (the rule the boot log names) and keeps the boot kit per runner arch',
    (name) => {
      const workflow = readExample(name)
      for (const job of Object.values(workflow.jobs)) {
        const booting = job.steps.findIndex((s) => s.uses === ACTION && String(s.with?.['boot-test']) === 'true')
        if (booting < 0) continue
        const before = job.steps.slice(0, booting)
        // The step's lines, joined as one command, are the rule the boot test prints when /dev/kvm is not the user's.
        const commands = (s: Step): string =>
          (s.run ?? '')
            .trim()
            .split('\n')
            .map((line) => line.trim())
            .join(' && ')
        expect(before.filter((s) => commands(s) === KVM_UDEV_STEP)).toHaveLength(1)
        const cache = before.filter((s) => s.uses?.startsWith('actions/cache@'))
        expect(cache.map((s) => [s.with!.path, /\$\{\{ runner\.arch \}\}/.test(String(s.with!.key))])).toEqual([
          ['~/.cache/kernel-action/boot-kit', true],
        ])
      }
    },
  )

  it.each(names)('%s: a matrix job that publishes pushes by digest, and a job that needs it merges what it uploads', (name) => {
    const workflow = readExample(name)
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      if (job.strategy === undefined || !job.steps.some(publishes)) continue
      // Several legs tagging one repository would overwrite each other's tags: each pushes by digest instead.
      expect(
        actionSteps(job)
          .filter(publishes)
          .map((s) => s.with!['push-by-digest']),
      ).toEqual(
        actionSteps(job)
          .filter(publishes)
          .map(() => true),
      )
      const mergers = Object.values(workflow.jobs).filter(
        (j) => [j.needs ?? []].flat().includes(jobName) && actionSteps(j).some((s) => 'merge' in (s.with ?? {})),
      )
      expect(mergers).toHaveLength(1)
      const uploaded = job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')).map((s) => String(s.with!.name))
      const patterns = mergers[0]!.steps.filter((s) => s.uses?.startsWith('actions/download-artifact@')).map((s) => String(s.with!.pattern))
      for (const leg of job.strategy.matrix.include) {
        const names = uploaded.map((n) => n.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, key: string) => leg[key] ?? ''))
        const glob = (p: string) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)
        expect(names.some((n) => patterns.some((p) => glob(p).test(n)))).toBe(true)
      }
    }
  })
})
