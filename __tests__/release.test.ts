// scripts/release on a scratch repository with a local bare "origin" (no network): tags, the moving major tag, the
// push, and every refusal. The scratch build is a one-line script, so a stale dist/ is made by changing its source.
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './support/run-action.js'

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'release-'))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const gitEnv = {
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'Release Test',
  GIT_AUTHOR_EMAIL: 'release@test.invalid',
  GIT_COMMITTER_NAME: 'Release Test',
  GIT_COMMITTER_EMAIL: 'release@test.invalid',
}

let origin: string
let work: string
let count = 0

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: work, env: { ...process.env, ...gitEnv }, encoding: 'utf8' }).trim()
}
const originGit = (...args: string[]): string => execFileSync('git', ['--git-dir', origin, ...args], { encoding: 'utf8' }).trim()
const write = (file: string, text: string): void => fs.writeFileSync(path.join(work, file), text)

function changelog(...versions: string[]): string {
  return ['# Changelog', '', '## [Unreleased]', '', ...versions.flatMap((v) => [`## [${v}] - 2026-11-27`, '', `- what changed in ${v}`, ''])].join(
    '\n',
  )
}

/** Sets the version in package.json and the CHANGELOG, commits, and pushes main (as a merged pull request would). */
function prepare(version: string, ...older: string[]): void {
  write('package.json', JSON.stringify({ name: 'scratch', version }, null, 2) + '\n')
  write('CHANGELOG.md', changelog(version, ...older))
  git('add', 'package.json', 'CHANGELOG.md')
  git('commit', '-q', '-m', `Release ${version}`)
  git('push', '-q', 'origin', 'main')
}

function release(tag: string, env: Record<string, string> = {}): { status: number | null; stderr: string } {
  const result = spawnSync('bash', ['scripts/release', tag], {
    cwd: work,
    env: { ...process.env, ...gitEnv, RELEASE_BUILD: 'bash build.sh', GH: 'gh-not-installed-here', ...env },
    encoding: 'utf8',
  })
  return { status: result.status, stderr: result.stderr }
}

const commitOf = (ref: string, at: (...a: string[]) => string = git): string => at('rev-parse', `${ref}^{commit}`)

beforeEach(() => {
  count++
  origin = path.join(scratch, `origin-${count}.git`)
  work = path.join(scratch, `work-${count}`)
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin], { env: { ...process.env, ...gitEnv } })
  fs.mkdirSync(work)
  git('init', '-q', '-b', 'main')
  git('remote', 'add', 'origin', origin)
  fs.mkdirSync(path.join(work, 'scripts'))
  fs.copyFileSync(path.join(ROOT, 'scripts', 'release'), path.join(work, 'scripts', 'release'))
  fs.mkdirSync(path.join(work, 'src'))
  write('src/main.txt', 'one\n')
  write('build.sh', 'mkdir -p dist && tr a-z A-Z < src/main.txt > dist/index.js\n')
  execFileSync('bash', ['build.sh'], { cwd: work })
  git('add', '.')
  git('commit', '-q', '-m', 'Initial')
  prepare('1.0.0')
})

describe('scripts/release', () => {
  it('tags vX.Y.Z with its CHANGELOG entry, creates the major tag and pushes both', () => {
    const { status, stderr } = release('v1.0.0')
    expect(stderr).toContain('release: gh is not installed: create the release for v1.0.0 on GitHub')
    expect(status).toBe(0)
    const head = git('rev-parse', 'HEAD')
    expect(commitOf('v1.0.0')).toBe(head)
    expect(commitOf('v1')).toBe(head)
    expect(commitOf('v1.0.0', originGit)).toBe(head)
    expect(commitOf('v1', originGit)).toBe(head)
    expect(git('cat-file', '-t', 'v1.0.0')).toBe('tag')
    expect(git('tag', '-l', '--format=%(contents)', 'v1.0.0')).toBe('kernel-action v1.0.0\n\n- what changed in 1.0.0')
  })

  it('moves v1 to the next release and leaves the older tag where it was', () => {
    expect(release('v1.0.0').status).toBe(0)
    const first = git('rev-parse', 'HEAD')
    prepare('1.1.0', '1.0.0')
    const { status } = release('v1.1.0')
    expect(status).toBe(0)
    const second = git('rev-parse', 'HEAD')
    expect(second).not.toBe(first)
    expect(commitOf('v1', originGit)).toBe(second)
    expect(commitOf('v1.0.0', originGit)).toBe(first)
    expect(commitOf('v1.1.0', originGit)).toBe(second)
  })

  it('starts v2 without touching v1', () => {
    expect(release('v1.0.0').status).toBe(0)
    const first = git('rev-parse', 'HEAD')
    prepare('2.0.0', '1.0.0')
    expect(release('v2.0.0').status).toBe(0)
    expect(commitOf('v2', originGit)).toBe(git('rev-parse', 'HEAD'))
    expect(commitOf('v1', originGit)).toBe(first)
  })

  it('refuses a stale dist/ and tags nothing', () => {
    write('src/main.txt', 'two\n') // source changed, dist/ not rebuilt
    git('commit', '-q', '-am', 'Change the source only')
    git('push', '-q', 'origin', 'main')
    const { status, stderr } = release('v1.0.0')
    expect(status).toBe(1)
    expect(stderr).toContain(' M dist/index.js')
    expect(stderr.trim().split('\n').pop()).toBe(
      'release: dist/ is stale: a fresh build changed it (above). Commit the rebuilt dist/ through a pull request, then release',
    )
    expect(git('tag', '-l')).toBe('')
    expect(originGit('tag', '-l')).toBe('')
  })

  it('refuses a dirty tree, untracked files included', () => {
    write('notes.txt', 'scratch\n')
    const { status, stderr } = release('v1.0.0')
    expect(status).toBe(1)
    expect(stderr).toBe('release: the working tree is not clean (git status): commit or stash first\n')
    expect(git('tag', '-l')).toBe('')
  })

  it('refuses a commit that is not on origin/main', () => {
    write('src/main.txt', 'local\n')
    execFileSync('bash', ['build.sh'], { cwd: work })
    git('commit', '-q', '-am', 'Not pushed')
    const { status, stderr } = release('v1.0.0')
    expect(status).toBe(1)
    expect(stderr).toBe('release: HEAD is not on origin/main: push it (through a pull request) first\n')
  })

  it('refuses a version package.json or CHANGELOG.md does not name, an existing tag, and a version that goes down', () => {
    expect(release('v1.0').stderr).toBe('release: v1.0: not a vX.Y.Z version\n')
    expect(release('v1.0.1').stderr).toBe('release: package.json says version 1.0.0, not 1.0.1\n')
    write('CHANGELOG.md', changelog())
    git('commit', '-q', '-am', 'Forget the entry')
    git('push', '-q', 'origin', 'main')
    expect(release('v1.0.0').stderr).toBe('release: CHANGELOG.md has no "## [1.0.0]" entry (or it is empty)\n')
    prepare('1.0.0')
    expect(release('v1.0.0').status).toBe(0)
    expect(release('v1.0.0').stderr).toBe('release: v1.0.0 exists already\n')
    prepare('0.9.0')
    expect(release('v0.9.0').stderr).toBe('release: v0.9.0 is not above the latest release v1.0.0\n')
  })

  it('creates the GitHub release with gh, notes from the CHANGELOG, after the tag is pushed', () => {
    const log = path.join(work, '..', `gh-${count}.log`)
    const fakeGh = path.join(work, '..', `gh-${count}`)
    // Records how it was called and whether the tag was on origin at that moment.
    fs.writeFileSync(fakeGh, `#!/bin/sh\n{ echo "$@"; git --git-dir '${origin}' tag -l "$3"; cat; } > '${log}'\n`, { mode: 0o755 })
    expect(release('v1.0.0', { GH: fakeGh }).status).toBe(0)
    expect(fs.readFileSync(log, 'utf8')).toBe('release create v1.0.0 --verify-tag --title v1.0.0 --notes-file -\nv1.0.0\n- what changed in 1.0.0\n')
  })
})
