import { createHash } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { ROOT } from './run-action.js'

/** What GitHub's parser made of one file (see github-parser-cli.mjs). */
export interface LoadedFile {
  file: string
  errors: string[]
  inputs?: { id: string; required: boolean; default: string | null }[]
  outputs?: string[]
  runs?: Record<string, unknown>
  jobs?: string[]
}

const SCRIPT = path.join(ROOT, '__tests__', 'support', 'github-parser-cli.mjs')

/**
 * The loader script bundled with ncc (which inlines the parser's JSON schemas). The bundle is cached under
 * node_modules/.cache, keyed by the script and the parser's version, and written by rename so parallel test files
 * never see half of it.
 */
function bundledLoader(): string {
  const parser = fs.readFileSync(path.join(ROOT, 'node_modules', '@actions', 'workflow-parser', 'package.json'))
  const key = createHash('sha256').update(fs.readFileSync(SCRIPT)).update(parser).digest('hex').slice(0, 16)
  const cache = path.join(ROOT, 'node_modules', '.cache', 'kernel-action', `github-loader-${key}`)
  const bundle = path.join(cache, 'index.mjs')
  if (fs.existsSync(bundle)) return bundle
  const staging = `${cache}.${process.pid}`
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'ncc'), ['build', SCRIPT, '-o', staging, '-q'], { cwd: ROOT, stdio: 'pipe' })
  fs.mkdirSync(path.dirname(cache), { recursive: true })
  try {
    fs.renameSync(staging, cache)
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }) // another test file won the race; its bundle is the same
  }
  return bundle
}

/** Loads each file (paths relative to the repository root, or absolute) with GitHub's own parser. */
export function loadWithGitHub(files: readonly string[]): LoadedFile[] {
  const out = execFileSync(process.execPath, [bundledLoader(), ...files], { cwd: ROOT, encoding: 'utf8' })
  return JSON.parse(out) as LoadedFile[]
}

/** The example workflows users copy, and the repository's own workflows (when it has them). */
export function workflowFiles(): string[] {
  return ['examples', path.join('.github', 'workflows')].flatMap((dir) => {
    const absolute = path.join(ROOT, dir)
    if (!fs.existsSync(absolute)) return []
    return fs
      .readdirSync(absolute)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
      .map((name) => path.posix.join(dir.split(path.sep).join('/'), name))
  })
}
