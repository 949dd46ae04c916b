// The boot kit the boot tests take Xen, dom0 and its userland from: built once per test file with `npm run boot-kit`
// (from the cached Debian packages) into a temp layout, as `oci:<dir>:x86_64`. The pinned default on ghcr.io is not
// reachable from the tests, and this machine's own Xen packages have no dom0 kernel.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from './run-action.js'

let built: string | undefined

/** `oci:<layout>:x86_64`, built on first use; the layout is removed when the process exits. */
export function testBootKit(): string {
  if (built !== undefined) return built
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-boot-kit-'))
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli', 'index.js'), 'boot-kit', path.join(dir, 'layout'), '--arch', 'x86_64'], {
    stdio: 'ignore',
  })
  built = `oci:${path.join(dir, 'layout')}:x86_64`
  return built
}
