// Writes dist/licenses.txt: the licence of every package the bundles hold. A package is in a bundle when its files are
// among the sources of a dist/ source map; its own dependencies are added too, because a package may ship a prebuilt
// bundle of them (tar's index.min.js inlines minipass, minizlib, yallist and chownr, so no map names them).
import fs from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const dist = path.join(ROOT, 'dist')
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'))

/** `node_modules/a/node_modules/@b/c` of a source path, or undefined for our own sources and Node's built-ins. */
function packageDirOf(source) {
  const full = source.replace(/\\/g, '/')
  const start = full.indexOf('node_modules/')
  if (start < 0) return undefined
  // Nested paths keep every node_modules level: `node_modules/tar/node_modules/yallist`.
  const parts = full.slice(start).split('/')
  const dir = []
  for (let i = 0; i < parts.length; ) {
    if (parts[i] !== 'node_modules') break
    const name = parts[i + 1].startsWith('@') ? `${parts[i + 1]}/${parts[i + 2]}` : parts[i + 1]
    dir.push('node_modules', name)
    i += name.includes('/') ? 3 : 2
  }
  return dir.join('/')
}

/** Where Node would find `name` from the package at `from` (node_modules lookup up the tree, as npm laid it out). */
function resolveFrom(from, name) {
  for (let dir = from; ; dir = dir.replace(/\/?node_modules\/(?:@[^/]+\/)?[^/]+$/, '')) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`
    if (lock.packages[candidate]) return candidate
    if (!dir) return undefined
  }
}

const bundled = new Set()
for (const file of fs.readdirSync(dist, { recursive: true })) {
  if (!String(file).endsWith('.map')) continue
  for (const source of JSON.parse(fs.readFileSync(path.join(dist, String(file)), 'utf8')).sources) {
    const dir = packageDirOf(source)
    if (dir) bundled.add(dir)
  }
}
const queue = [...bundled]
while (queue.length > 0) {
  const dir = queue.pop()
  for (const name of Object.keys(lock.packages[dir]?.dependencies ?? {})) {
    const dep = resolveFrom(dir, name)
    if (dep && !bundled.has(dep)) {
      bundled.add(dep)
      queue.push(dep)
    }
  }
}

const entries = new Map()
for (const dir of bundled) {
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8'))
  const licenseFile = fs.readdirSync(path.join(ROOT, dir)).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f))
  const text = licenseFile ? fs.readFileSync(path.join(ROOT, dir, licenseFile), 'utf8').trim() : '(no licence file in the package)'
  entries.set(`${meta.name}@${meta.version}`, `${meta.name}@${meta.version}\n${meta.license ?? 'UNKNOWN'}\n${text}\n`)
}
const text = [...entries.keys()].sort().map((k) => entries.get(k)).join('\n')
fs.writeFileSync(path.join(dist, 'licenses.txt'), text)
console.log(`dist/licenses.txt: ${entries.size} packages`)
