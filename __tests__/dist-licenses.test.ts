import { describe, expect, it } from '@jest/globals'
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './support/run-action.js'

// dist/ ships third-party code, so it ships their licences: every runtime dependency's, and the packages tar's
// prebuilt bundle inlines (no source map names those).
describe('dist/licenses.txt', () => {
  const licenses = fs.readFileSync(path.join(ROOT, 'dist', 'licenses.txt'), 'utf8')
  const names = new Set([...licenses.matchAll(/^((?:@[^/\s]+\/)?[^@\s]+)@[0-9][^\s]*$/gm)].map((m) => m[1]))

  it.each(['@actions/core', '@actions/github', 'tar', 'minipass', 'minizlib', 'yallist', 'chownr', '@isaacs/fs-minipass'])('names %s', (name) => {
    expect(names).toContain(name)
  })

  it('holds each licence text, not only its name', () => {
    expect(licenses).toMatch(/^minizlib@[^\n]+\nMIT\nMinizlib was created by/m)
  })
})
