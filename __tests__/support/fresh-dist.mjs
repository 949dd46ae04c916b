// jest globalSetup: the end-to-end tests run dist/ exactly as a runner does, so a dist/ older than src/ would test
// yesterday's code. Rebuild it first when any source is newer (`npm test` has just built it, so this is a no-op there).
import { execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const BUNDLES = ['dist/index.js', 'dist/cli/index.js']
const INPUTS = ['package.json', 'package-lock.json', 'tsconfig.json']

function newestSource() {
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true }).map((f) => join('src', String(f)))
  return Math.max(...[...sources, ...INPUTS].map((f) => statSync(join(ROOT, f)).mtimeMs))
}

function oldestBundle() {
  try {
    return Math.min(...BUNDLES.map((f) => statSync(join(ROOT, f)).mtimeMs))
  } catch {
    return 0
  }
}

export default function freshDist() {
  if (newestSource() <= oldestBundle()) return
  process.stderr.write('\ndist/ is older than src/: rebuilding it (npm run build) so the end-to-end tests run this code\n')
  try {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] })
  } catch (error) {
    throw new Error(`dist/ is stale and npm run build failed (${error.message}); the end-to-end tests would run old code`, {
      cause: error,
    })
  }
  if (newestSource() > oldestBundle()) throw new Error('dist/ is still older than src/ after npm run build')
}
