// action.yml and every workflow in the repository, loaded by GitHub's own parser (@actions/workflow-parser), the code
// that decides whether `uses: krata/kernel-action@v1` loads at all. Any error it reports fails the test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import { loadWithGitHub, workflowFiles, type LoadedFile } from './support/github-loader.js'
import { ROOT } from './support/run-action.js'
import os from 'node:os'
import path from 'node:path'

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'github-loader-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

let loaded: LoadedFile[]
beforeAll(() => {
  loaded = loadWithGitHub(['action.yml', ...workflowFiles()])
})

describe("GitHub's parser", () => {
  it('loads action.yml with no error, as a node24 action running dist/index.js', () => {
    const action = loaded.find((f) => f.file === 'action.yml')!
    expect(action.errors).toEqual([])
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    expect(action.inputs!.length).toBeGreaterThan(20)
  })

  it('loads and converts every example and every workflow under .github/workflows with no error', () => {
    const workflows = loaded.filter((f) => f.file !== 'action.yml')
    expect(workflows.map((f) => f.file)).toEqual(expect.arrayContaining(['examples/check-pull-request.yml', 'examples/multi-arch-matrix.yml']))
    for (const workflow of workflows) {
      expect({ file: workflow.file, errors: workflow.errors }).toEqual({ file: workflow.file, errors: [] })
      expect(workflow.jobs!.length).toBeGreaterThan(0)
    }
  })

  it('rejects the unquoted `target: zone` description main once shipped, and a workflow job without runs-on', () => {
    // Proves the two checks above can fail: the exact line that made action.yml unloadable, and a broken workflow.
    const brokenAction = fs
      .readFileSync(path.join(ROOT, 'action.yml'), 'utf8')
      .replace(/description: "For `target: zone`(.*)"$/m, 'description: For `target: zone`$1')
    expect(brokenAction).not.toEqual(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))
    fs.mkdirSync(path.join(scratch, 'broken'))
    fs.writeFileSync(path.join(scratch, 'broken', 'action.yml'), brokenAction)
    fs.writeFileSync(path.join(scratch, 'broken', 'workflow.yml'), 'on: push\njobs:\n  build:\n    steps:\n      - run: make\n')
    const [action, workflow] = loadWithGitHub([path.join(scratch, 'broken', 'action.yml'), path.join(scratch, 'broken', 'workflow.yml')])
    expect(action!.errors.join('\n')).toMatch(/Nested mappings are not allowed in compact mappings at line 39/)
    expect(workflow!.errors.join('\n')).toMatch(/runs-on/)
  })
})
