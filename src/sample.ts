import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { InternalError } from './errors.js'

export interface SampleKernel {
  config: string
  image: string
  addons: string
}

/**
 * The bundled sample kernel (`assets/sample`, see its README). It is found by walking up from this file, which works
 * from `src/` under jest and from `dist/` in the bundle, without the bundler copying the assets into `dist/`.
 */
export function sampleKernel(): SampleKernel {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 4; depth++) {
    const candidate = path.join(dir, 'assets', 'sample')
    if (existsSync(path.join(candidate, 'config'))) {
      return {
        config: path.join(candidate, 'config'),
        image: path.join(candidate, 'bzImage'),
        addons: path.join(candidate, 'addons.squashfs'),
      }
    }
    dir = path.dirname(dir)
  }
  throw new InternalError('the bundled sample kernel (assets/sample) is missing from this copy of kernel-action')
}
