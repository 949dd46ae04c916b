// Where the boot test keeps things between runs, and where the action's own scripts are.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { InternalError } from '../errors.js'

/** Where downloads and unpacked pieces are kept between runs (the same cache as scripts/debian-package.sh). */
export function cacheDir(): string {
  if (process.env.KERNEL_ACTION_CACHE) return process.env.KERNEL_ACTION_CACHE
  // A runner's user cannot write /var/cache; its home can be kept between jobs with actions/cache.
  return process.getuid?.() === 0 ? '/var/cache/kernel-action' : path.join(homedir(), '.cache', 'kernel-action')
}

/** scripts/debian-package.sh, found by walking up from this file (src/boot under jest, dist/ or dist/cli bundled). */
export function actionScript(name: string): string {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 5; depth++) {
    const candidate = path.join(dir, 'scripts', name)
    if (existsSync(candidate)) return candidate
    dir = path.dirname(dir)
  }
  throw new InternalError(`scripts/${name} is missing from this copy of kernel-action`)
}
