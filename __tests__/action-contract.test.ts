// action.yml (as GitHub's parser reads it), the README's Inputs/Outputs tables and src/action/inputs.ts describe one
// public contract. Adding an input or output in one place and not the others fails here, naming what is missing.
import { beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { getInputs, INPUT_DEFAULTS, type InputName } from '../src/action/inputs.js'
import { readRunnerContext } from '../src/action/runner-context.js'
import { OUTPUTS, outputValues, type ActionResult } from '../src/action/outputs.js'
import type { CheckReport } from '../src/check/report.js'
import { loadWithGitHub, workflowFiles, type LoadedFile } from './support/github-loader.js'
import { ROOT } from './support/run-action.js'

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8')

/** The rows of the first table under a `## heading` of the README: first cell (the backticked name) -> cells. */
function readmeTable(heading: string): Map<string, string[]> {
  const start = README.indexOf(`\n## ${heading}\n`)
  expect(start).toBeGreaterThan(0)
  const section = README.slice(start + 1).split(/\n## /)[0]!
  const rows = new Map<string, string[]>()
  for (const line of section.split('\n')) {
    const cells = /^\|(.*)\|$/
      .exec(line.trim())?.[1]!
      .split(' | ')
      .map((c) => c.trim())
    const name = cells && /^`([a-z0-9-]+)`$/.exec(cells[0]!)?.[1]
    if (name) rows.set(name, cells.slice(1))
  }
  return rows
}

/** Every .ts file under src/, with its text. */
function sourceFiles(dir = path.join(ROOT, 'src')): { file: string; text: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(file)
    return entry.name.endsWith('.ts') ? [{ file: path.relative(ROOT, file), text: fs.readFileSync(file, 'utf8') }] : []
  })
}

/** A run that reached every stage: a check, a fix fragment, a published image, a boot test and a comparison. */
const EVERY_STAGE: ActionResult = {
  check: { report: { passed: true, errors: 0, warnings: 1, arch: 'x86_64', version: '6.1.192' } as CheckReport, reportPath: '/t/kernel-check.json' },
  fixFragment: '/t/kernel-fix.config',
  publish: {
    metadataPath: '/t/metadata',
    configDigest: `sha256:${'c'.repeat(64)}`,
    digest: `sha256:${'d'.repeat(64)}`,
    imageRef: 'oci:/t/kernel-oci@sha256:d',
    tags: ['6.1.192', 'latest'],
    kernel: { release: '6.1.192-zone' },
  },
  boot: { status: 'passed', log: '/t/guest-console.log', serialLog: '/t/qemu-serial.log' },
  drift: { configChanged: 3, reportPath: '/t/kernel-drift.json' },
}

let action: LoadedFile
beforeAll(() => {
  action = loadWithGitHub(['action.yml'])[0]!
  expect(action.errors).toEqual([])
})

describe('action.yml, README and src/action/inputs.ts agree', () => {
  it('documents every input of action.yml in the README, and nothing else', () => {
    const declared = action.inputs!.map((i) => i.id)
    expect([...readmeTable('Inputs').keys()].sort()).toEqual([...declared].sort())
  })

  it('gives each input the same default in action.yml, the README and inputs.ts', () => {
    const readme = readmeTable('Inputs')
    for (const input of action.inputs!) {
      const fromCode = (INPUT_DEFAULTS as Record<string, string>)[input.id]
      expect({ input: input.id, default: fromCode }).toEqual({ input: input.id, default: input.default ?? '' })
      expect({ input: input.id, required: input.required }).toEqual({ input: input.id, required: false })
      // The README's Default column: the literal default in backticks; an empty default may describe what is computed.
      const documented = readme.get(input.id)![1]!
      if (input.default) expect({ input: input.id, readme: /^`([^`]*)`/.exec(documented)?.[1] }).toEqual({ input: input.id, readme: input.default })
    }
    expect(Object.keys(INPUT_DEFAULTS).sort()).toEqual(action.inputs!.map((i) => i.id).sort())
  })

  it('reads every declared input when the step starts', () => {
    const read = new Set<string>()
    const context = readRunnerContext({ SOURCE_DATE_EPOCH: '0' }, ROOT)
    getInputs(context, (name: InputName) => {
      read.add(name)
      return name === 'github-token' ? '' : INPUT_DEFAULTS[name]
    })
    expect([...read].sort()).toEqual(action.inputs!.map((i) => i.id).sort())
  })

  it('reads inputs only in src/action/inputs.ts (so the test above sees every read)', () => {
    const readers = sourceFiles().filter(({ text }) => /\b(getInput|getBooleanInput|getMultilineInput)\(|process\.env\.INPUT_/.test(text))
    expect(readers.map((r) => r.file)).toEqual([path.join('src', 'action', 'inputs.ts')])
  })

  it('documents every output of action.yml in the README, and the action sets each of them', () => {
    const declared = [...action.outputs!].sort()
    expect([...readmeTable('Outputs').keys()].sort()).toEqual(declared)
    expect([...OUTPUTS].sort()).toEqual(declared)
    // Each one is derived from the result of a run that got that far.
    const values = outputValues(EVERY_STAGE)
    expect(Object.keys(values).sort()).toEqual(declared)
    expect(declared.filter((name) => values[name as keyof typeof values] === undefined)).toEqual([])
    expect(values).toMatchObject({ passed: 'true', warnings: '1', tags: '6.1.192\nlatest', 'uname-r': '6.1.192-zone', 'config-changed': '3' })
    // A stage not reached sets nothing: no output holds a value from a stage that did not run.
    expect(Object.values(outputValues({})).filter((value) => value !== undefined)).toEqual([])
    // A merge boots nothing: `boot` says so (skipped, with no log), as in every other mode.
    expect(outputValues({ merge: { digest: 'sha256:e', imageRef: 'r@sha256:e', tags: [], version: '6.1.192' } })).toMatchObject({
      digest: 'sha256:e',
      version: '6.1.192',
      passed: undefined,
      boot: 'skipped',
      'boot-log': '',
      'boot-serial-log': '',
    })
  })

  it('sets outputs in one place: one call of setOutput in src/, in src/action/outputs.ts, and no other writer of GITHUB_OUTPUT', () => {
    const calls = sourceFiles().flatMap(({ file, text }) => [...text.matchAll(/\bsetOutput\(/g)].map(() => file))
    expect(calls).toEqual([path.join('src', 'action', 'outputs.ts')])
    expect(sourceFiles().filter(({ text }) => /GITHUB_OUTPUT|issueFileCommand|set-output/.test(text))).toEqual([])
  })

  it('uses only inputs action.yml declares in the examples and workflows that call the action', () => {
    const declared = new Set(action.inputs!.map((i) => i.id))
    for (const file of workflowFiles()) {
      const workflow = parse(fs.readFileSync(path.join(ROOT, file), 'utf8')) as {
        jobs: Record<string, { steps?: { uses?: string; with?: object }[] }>
      }
      for (const job of Object.values(workflow.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses || !/^(krata\/kernel-action@|\.\/?$)/.test(step.uses)) continue
          const unknown = Object.keys(step.with ?? {}).filter((name) => !declared.has(name))
          expect({ file, unknown }).toEqual({ file, unknown: [] })
        }
      }
    }
  })
})
