import { readdir } from 'node:fs/promises'
import path from 'node:path'

/** Every `<name>.ko` below `dirs` (missing folders are skipped), by module name: where dom0's backends are found. */
export async function kernelModulesBelow(dirs: readonly string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(file)
      else if (entry.name.endsWith('.ko')) found.set(entry.name.slice(0, -3), file)
    }
  }
  for (const dir of dirs) await walk(dir)
  return found
}
