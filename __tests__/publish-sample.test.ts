// .github/workflows/publish-sample.yml, run for real against a registry on 127.0.0.1 instead of ghcr.io: both matrix
// legs push their bundled sample (x86_64 and aarch64) by digest with the bundled action, the digests travel as the
// artifacts would, the merge job joins them into one tagged index, and the verify job's scripts, as written (skopeo,
// jq, cmp), read both platforms back. Only the runner's plumbing is supplied here: checkout (a copy of assets/sample),
// upload/download-artifact (a copy of each leg's digest file), and skopeo's login (an empty auth file; skopeo itself is
// run with the flag that lets it speak plain HTTP to the loopback registry).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { startRegistry, type RunningRegistry } from './support/registry-server.js'
import { ROOT, runAction, type ActionRun } from './support/run-action.js'
import { inputsOf, readOutputs, runStepScript, substitute, type Step } from './support/workflow-steps.js'

interface Job {
  strategy?: { matrix: { include: Record<string, string>[] } }
  outputs?: Record<string, string>
  env?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  jobs: Record<string, Job>
}

const workflow = parse(fs.readFileSync(path.join(ROOT, '.github', 'workflows', 'publish-sample.yml'), 'utf8')) as Workflow
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-sample-'))
const byName = (job: Job, name: string): Step => {
  const found = job.steps.find((s) => s.name === name)
  if (!found) throw new Error(`no step named ${name}`)
  return found
}
const fresh = (name: string): string => fs.mkdtempSync(path.join(work, `${name}-`))

/** A checkout: the files the workflow reads (the samples, and dist/ for `node dist/cli/index.js`). */
function checkout(): string {
  const workspace = fresh('checkout')
  fs.cpSync(path.join(ROOT, 'assets', 'sample'), path.join(workspace, 'assets', 'sample'), { recursive: true })
  fs.symlinkSync(path.join(ROOT, 'dist'), path.join(workspace, 'dist'))
  return workspace
}

function expectSuccess(run: ActionRun): void {
  if (run.status !== 0) throw new Error(`action failed (${run.status}): ${run.commands.join(' | ')}\n${run.stderr}`)
  expect(run.commands.filter((c) => c.startsWith('::error'))).toEqual([])
}

let registry: RunningRegistry
let skopeoEnv: Record<string, string>
beforeAll(async () => {
  registry = await startRegistry()
  // skopeo's login leaves an auth file; the loopback registry needs none. It speaks HTTP, which skopeo 1.9 can be told
  // only by a flag (as root it reads no registries.conf but /etc's): the real skopeo, run with that flag added.
  const home = fresh('home')
  fs.mkdirSync(path.join(home, '.docker'))
  fs.writeFileSync(path.join(home, '.docker', 'config.json'), '{"auths":{}}\n')
  const bin = path.join(home, 'bin')
  fs.mkdirSync(bin)
  const skopeo = execFileSync('sh', ['-c', 'command -v skopeo'], { encoding: 'utf8' }).trim()
  fs.writeFileSync(
    path.join(bin, 'skopeo'),
    `#!/bin/sh\ncase "$1" in\n  inspect) shift && exec ${skopeo} inspect --tls-verify=false "$@" ;;\n  copy) shift && exec ${skopeo} copy --src-tls-verify=false "$@" ;;\n  *) exec ${skopeo} "$@" ;;\nesac\n`,
    { mode: 0o755 },
  )
  skopeoEnv = { HOME: home, PATH: `${bin}:${process.env.PATH ?? ''}` }
})
afterAll(async () => {
  await registry?.stop()
  fs.rmSync(work, { recursive: true, force: true })
})

describe('.github/workflows/publish-sample.yml', () => {
  const { push, merge, verify } = workflow.jobs as Record<'push' | 'merge' | 'verify', Job>

  it('pushes both samples by digest, merges them into one index tagged 6.1.192 and latest, and its verify scripts read both platforms back', () => {
    const repository = `${registry.host}/krata/kernel-action-sample`
    const legs = push.strategy!.matrix.include
    expect(legs.map((leg) => leg.arch)).toEqual(['x86_64', 'aarch64'])
    // The merge job's $RUNNER_TEMP once download-artifact (merge-multiple) has run; the verify job downloads the same.
    const downloaded = fresh('merge-temp')
    fs.mkdirSync(path.join(downloaded, 'digests'))
    const pushed: Record<string, string> = {}

    for (const leg of legs) {
      const matrix = Object.fromEntries(Object.entries(leg).map(([k, v]) => [`matrix.${k}`, v]))
      const run = runAction(
        inputsOf(byName(push, 'Check, describe and push by digest'), { ...matrix, 'steps.image.outputs.repository': repository }),
        {
          workspace: checkout(),
        },
      )
      expectSuccess(run)
      expect(run.outputs).toMatchObject({ arch: leg.arch, version: '6.1.192', 'uname-r': '6.1.192-sample', tags: '' })
      // The addons check passed on the sample's own modules.
      expect(run.stdout).toMatch(/^addons: \S+ holds modules\/ for 6\.1\.192-sample: \d+ modules in modules\.dep; /m)
      pushed[leg.arch!] = run.outputs.digest!

      const legTemp = fresh(`leg-temp-${leg.arch}`)
      const record = runStepScript(
        byName(push, 'Record the digest'),
        { ...matrix, 'steps.kernel.outputs.digest': run.outputs.digest! },
        { RUNNER_TEMP: legTemp },
      )
      expect([record.status, record.stderr]).toEqual([0, ''])
      fs.copyFileSync(path.join(legTemp, 'digests', leg.arch!), path.join(downloaded, 'digests', leg.arch!))
    }
    expect(pushed.x86_64).not.toBe(pushed.aarch64)

    const githubOutput = path.join(downloaded, 'output')
    fs.writeFileSync(githubOutput, '')
    const collect = runStepScript(byName(merge, 'Collect the digests'), {}, { RUNNER_TEMP: downloaded, GITHUB_OUTPUT: githubOutput })
    expect([collect.status, collect.stderr]).toEqual([0, ''])
    const list = readOutputs(githubOutput).list!
    expect(list.split('\n')).toEqual([pushed.x86_64, pushed.aarch64])
    const merged = runAction(
      inputsOf(byName(merge, 'Merge into an index and tag it'), { 'steps.digests.outputs.list': list, 'needs.push.outputs.repository': repository }),
      { workspace: checkout() },
    )
    expectSuccess(merged)
    expect(merged.outputs.tags).toBe('6.1.192\nlatest')

    const values = { 'needs.push.outputs.repository': repository, 'needs.merge.outputs.digest': merged.outputs.digest! }
    const env = {
      ...Object.fromEntries(Object.entries(verify.env!).map(([k, v]) => [k, substitute(v, values)])),
      RUNNER_TEMP: downloaded,
      ...skopeoEnv,
    }
    const workspace = checkout()
    for (const name of ['Index and tags, as skopeo reads them', 'Each platform pulls its own kernel files, byte for byte', 'kernel-action verify']) {
      const result = runStepScript(byName(verify, name), values, env, workspace)
      if (result.status !== 0) throw new Error(`${name} failed (${result.status}):\n${result.stderr}\n${result.stdout}`)
    }
    const index = JSON.parse(fs.readFileSync(path.join(workspace, 'index.json'), 'utf8')) as { manifests: { digest: string; platform: unknown }[] }
    expect(index.manifests.map((m) => [m.digest, m.platform])).toEqual([
      [pushed.x86_64, { os: 'linux', architecture: 'amd64' }],
      [pushed.aarch64, { os: 'linux', architecture: 'arm64' }],
    ])
  })

  it('refuses an index without the arm64 leg: the collect step before the merge, the verify job after it', () => {
    const repository = `${registry.host}/krata/one-leg`
    const leg = push.strategy!.matrix.include[0]!
    const matrix = Object.fromEntries(Object.entries(leg).map(([k, v]) => [`matrix.${k}`, v]))
    const run = runAction(inputsOf(byName(push, 'Check, describe and push by digest'), { ...matrix, 'steps.image.outputs.repository': repository }), {
      workspace: checkout(),
    })
    expectSuccess(run)
    const temp = fresh('one-leg-temp')
    fs.mkdirSync(path.join(temp, 'digests'))
    fs.writeFileSync(path.join(temp, 'digests', 'x86_64'), `${run.outputs.digest}\n`)
    // The collect step refuses a missing leg before anything is merged.
    const githubOutput = path.join(temp, 'output')
    fs.writeFileSync(githubOutput, '')
    expect(runStepScript(byName(merge, 'Collect the digests'), {}, { RUNNER_TEMP: temp, GITHUB_OUTPUT: githubOutput }).status).not.toBe(0)
    // And an index of one platform, had it been made, fails the verify job's platform check.
    const merged = runAction({ merge: run.outputs.digest!, repository, tags: 'latest' }, { workspace: checkout() })
    expectSuccess(merged)
    fs.writeFileSync(path.join(temp, 'digests', 'aarch64'), `${run.outputs.digest}\n`)
    const values = { 'needs.push.outputs.repository': repository, 'needs.merge.outputs.digest': merged.outputs.digest! }
    const env = { REPOSITORY: repository, INDEX_DIGEST: merged.outputs.digest!, RUNNER_TEMP: temp, ...skopeoEnv }
    const result = runStepScript(byName(verify, 'Index and tags, as skopeo reads them'), values, env, checkout())
    expect(result.status).not.toBe(0)
    expect(result.stderr).toMatch(/\n\+ test linux\/amd64 = 'linux\/amd64 linux\/arm64'\n$/)
  })
})
