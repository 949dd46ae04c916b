import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KernelArch } from './arch.js'
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
export function sampleKernel(arch: KernelArch = 'x86_64'): SampleKernel {
  let dir = path.dirname(fileURLToPath(import.meta.url))
  for (let depth = 0; depth < 4; depth++) {
    const candidate = path.join(dir, 'assets', 'sample')
    if (existsSync(path.join(candidate, 'config'))) {
      // The arm64 sample lives in arm64/ beside the x86_64 one (assets/sample/README.md).
      const at = arch === 'x86_64' ? candidate : path.join(candidate, 'arm64')
      return {
        config: path.join(at, 'config'),
        image: path.join(at, arch === 'x86_64' ? 'bzImage' : 'Image.gz'),
        addons: path.join(at, 'addons.squashfs'),
      }
    }
    dir = path.dirname(dir)
  }
  throw new InternalError('the bundled sample kernel (assets/sample) is missing from this copy of kernel-action')
}
