#!/usr/bin/env node
// Single-line mutations of the core modules, each run against the fast unit tests: a mutant the tests do not kill
// is a behaviour nothing checks. `node scripts/mutants.mjs [filter]` prints killed/SURVIVED per mutant and restores
// every file (contents and mtime) afterwards. Unit tests import src/ directly, so dist/ is not rebuilt per mutant.
import { spawnSync } from 'node:child_process'
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const UNIT = [
  'check-evaluate', 'check-parse', 'check-explain', 'kconfig-tree', 'kconfig-expr', 'describe-metadata', 'describe-banner-scanner',
  'describe-kernel-image', 'publish-facts', 'merge-index', 'action-report', 'errors',
].map((name) => `__tests__/${name}.test.ts`)

// The folders below have their own fast tables; a mutant there runs only them (a few seconds, not the whole UNIT list).
const FOCUSED = [
  ['src/verify/', ['verify-rules']],
  ['src/pull/', ['pull-layer-walk']],
  ['src/drift/', ['drift-core']],
  ['src/oci/', ['reference']],
].map(([folder, names]) => [folder, names.map((name) => `__tests__/${name}.test.ts`)])
const testsFor = (file) => FOCUSED.find(([folder]) => file.startsWith(folder))?.[1] ?? UNIT

// [file, what it breaks, the exact text, its replacement]
const MUTANTS = [
  ['src/check/evaluate.ts', 'hex values compared as text', 'BigInt(found) === BigInt(wanted)', 'found === wanted'],
  ['src/check/evaluate.ts', 'strict no longer makes =y-for-=m an error', 'return strict ? error(`${message}; an error with strict: true`)', 'return false ? error(`${message}; an error with strict: true`)'],
  ['src/check/evaluate.ts', 'warning-only requirements fail as errors', "requirement.severity === 'warning' && judged.status === 'error' ? 'warning'", "judged.status === 'error' ? 'error'"],
  ['src/check/evaluate.ts', 'a symbol is "too new" one minor version late', 'minor < sinceMinor', 'minor <= sinceMinor'],
  ['src/check/evaluate.ts', 'ignore needs the CONFIG_ prefix', "trimmed.startsWith('CONFIG_') ? trimmed : `CONFIG_${trimmed}`", 'trimmed'],
  ['src/check/evaluate.ts', 'a module where y is wanted passes', "if (entry.state === 'y') return ok(`${option}=y`)", "if (entry.state !== 'value') return ok(`${option}=y`)"],
  ['src/check/kernel-config.ts', '=n read as a value', "if (rawValue === 'n') return { option, entry: { state: 'not-set', line } }", ''],
  ['src/check/kernel-config.ts', 'escapes in strings kept', 'parts.push(raw.slice(from, escape), raw[escape + 1]!)', 'parts.push(raw.slice(from, escape + 2))'],
  ['src/check/kernel-config.ts', 'arm64 header not recognised', "return config.header?.srcarch === archNames('aarch64').srcarch ? 'aarch64' : undefined", 'return undefined'],
  ['src/check/kernel-config.ts', 'duplicates not reported', 'if (previous) duplicates.push', 'if (!previous) duplicates.push'],
  ['src/check/requirements.ts', 'a user rule no longer replaces a built-in one', 'for (const r of extra) byOption.set(r.option, r)', 'for (const r of extra) if (!byOption.has(r.option)) byOption.set(r.option, r)'],
  ['src/check/requirements.ts', '"is not set" read as y', "if (entry.state === 'not-set') return 'n'", "if (entry.state === 'not-set') return 'y'"],
  ['src/check/report.ts', 'fail-on error fails on warnings', "(failOn === 'warning' && counts.warnings > 0)", '(counts.warnings > 0)'],
  ['src/check/report.ts', 'fail-on never reports passed', "failOn === 'never' ? 'error' : failOn", 'failOn'],
  ['src/kconfig/expr.ts', 'octal constants read as decimal', "/^0\\d/.test(digits) && type !== 'int'", 'false'],
  ['src/kconfig/expr.ts', '! no longer negates', 'return (2 - evalExpr(expr.operand, ctx)) as Tristate', 'return evalExpr(expr.operand, ctx)'],
  ['src/kconfig/expr.ts', '<= treated as <', "op === '<=' ? order <= 0", "op === '<=' ? order < 0"],
  ['src/kconfig/explain.ts', 'a dependency named twice', 'if (seen.has(text)) continue', ''],
  ['src/kconfig/explain.ts', 'modules-off not named', "if (wanted === 'm' && this.values.get(this.tree.modulesSymbol) !== 'y')", 'if (false)'],
  ['src/kconfig/explain.ts', 'defaults ignored in the wording', "const defaulted = !e.hasPrompt && e.defaultsTo !== 'n'", 'const defaulted = false && e.defaultsTo !== "n"'],
  ['src/kconfig/fix-fragment.ts', 'choice member switched off by "# is not set"', 'if (members !== undefined) {', 'if (false) {'],
  ['src/kconfig/fix-fragment.ts', 'MODULES not switched on for =m', "if (wanted === 'm' && this.value(modules) !== 'y' &&", 'if (false &&'],
  ['src/kconfig/fix-fragment.ts', 'the most expensive alternative kept', 'cost < best.cost', 'cost > best.cost'],
  ['src/kconfig/symbol-facts.ts', 'modules read once, not as planned', "return values.get(tree.modulesSymbol) === 'y'", 'return true'],
  ['src/kconfig/symbol-facts.ts', 'prompts no longer make a symbol attainable', 'if (def.prompt) best = Math.max(best, Math.min(dep, max(def.prompt)))', ''],
  ['src/kconfig/parse.ts', 'visible if of menus ignored', 'visibleIf: this.stack.flatMap((b) => b.visibleIf),', 'visibleIf: [],'],
  ['src/kconfig/parse.ts', 'choice members not recorded', 'def.choiceMembers = choice.members', ''],
  ['src/kconfig/parse.ts', 'menu dependencies not inherited', 'inherited: this.inheritedDeps(),', 'inherited: [],'],
  ['src/describe/metadata.ts', 'an "=" in a metadata value accepted', "if (value.includes('=')) throw", 'if (false) throw'],
  ['src/describe/metadata.ts', 'KERNEL_TAGS comma check dropped', "if (tag.includes(',')) throw", 'if (false) throw'],
  ['src/describe/banner-scanner.ts', 'a needle split across chunks lost', 'Math.max(0, this.window.length - (NEEDLE.length - 1))', 'this.window.length'],
  ['src/publish/tags.ts', '+ kept in tags', "context.version.replace(/\\+/g, '-')", 'context.version'],
  ['src/publish/tags.ts', 'duplicate tags kept', 'return [...new Set(tags)]', 'return tags'],
  ['src/publish/tags.ts', 'empty placeholder accepted', "if (values[name] === '')", 'if (false)'],
  ['src/publish/merge-index.ts', 'a digest listed twice accepted', 'if (digests.includes(digest)) throw', 'if (false) throw'],
  ['src/publish/merge-index.ts', 'index entries not in architecture order', 'OCI_ARCHES.indexOf(a.platform.architecture) - OCI_ARCHES.indexOf(b.platform.architecture)', '0'],
  ['src/action/summary.ts', 'truncation keeps zero failures', 'const keep = Math.max(0, Math.floor(failing.length * (limit / 2 / failures.length)))', 'const keep = 0'],
  ['src/verify/rules.ts', 'an index served with a manifest Content-Type passes', 'if (isIndex && !indexTypes.includes(servedAs))', 'if (false)'],
  ['src/verify/rules.ts', 'a layout held to Content-Type rules', 'if (!fromRegistry) return []', ''],
  ['src/verify/rules.ts', 'a config without "os" passes', "if (typeof config.os !== 'string') lines.push", 'if (false) lines.push'],
  ['src/verify/rules.ts', 'architecture against the index platform unchecked', 'config.architecture !== platformArch', 'false'],
  ['src/verify/rules.ts', 'an index entry without a platform passes', "if (entry.platform === undefined) lines.push(`${at}: has no platform; krata skips it`)", 'if (entry.platform === undefined) {}'],
  ['src/verify/rules.ts', 'aarch64 taken for a platform krata matches', '!KRATA_PLATFORM_ARCHES.has(entry.platform.architecture)', 'false'],
  ['src/verify/rules.ts', 'annotations on the index no longer count', '!manifest?.[key] && !index?.[key]', '!manifest?.[key]'],
  ['src/verify/rules.ts', 'a file before its directory passes', 'if (!this.#directories.has(parent))', 'if (false)'],
  ['src/verify/rules.ts', 'a symbolic link as a kernel file passes', "bare.startsWith('kernel/') && !isRegularEntry(type) && type !== 'Directory'", 'false'],
  ['src/verify/rules.ts', 'tar rule lines no longer capped', 'if (this.#reported <= TAR_RULE_LINES_MAX) {', 'if (true) {'],
  ['src/verify/rules.ts', 'a zstd bzImage taken as loadable', '!LOADABLE_PAYLOADS.has(kernel.payloadCompression)', 'false'],
  ['src/verify/rules.ts', 'KERNEL_CONFIG not compared with config.gz', 'else if (configDigest !== facts.configDigest) {', 'else if (false) {'],
  ['src/verify/rules.ts', 'KERNEL_ARCH against the image config unchecked', 'if (fromConfig !== undefined && fromConfig !== arch)', 'if (false)'],
  ['src/drift/config-diff.ts', 'a changed value taken as the same', "return a.state !== 'value' || a.value === (b as { value: string }).value", 'return true'],
  ['src/drift/config-diff.ts', 'Xen options no longer classed apart', "option.includes('XEN') ? 'xen' : 'other'", "'other'"],
  ['src/drift/config-diff.ts', 'removed options not listed', "changes.push({ option, kind: 'removed'", "void ({ option, kind: 'removed'"],
  ['src/drift/drift.ts', 'percent not rounded to one decimal', 'Math.round(((after - before) / before) * 1000) / 10', '((after - before) / before) * 100'],
  ['src/drift/drift.ts', 'same config digests still compared', 'const changes = sameConfig ? [] : diffConfigs', 'const changes = diffConfigs'],
  ['src/pull/tar-header.ts', 'a negative base-256 size accepted', "if (size < 0) return 'size field is a negative base-256 number'", ''],
  ['src/pull/tar-header.ts', 'a bad checksum accepted', "if (!checksumMatches(block, checksum)) return 'header checksum does not match its bytes'", ''],
  ['src/pull/tar-header.ts', 'garbage after octal digits accepted', '(at < end && block[at] !== 0x20 && block[at] !== 0)', 'false'],
  ['src/pull/tar-header.ts', 'a malformed pax size accepted', "if (!/^\\d{1,15}$/.test(value)) return", 'if (false) return'],
  ['src/pull/layer-bytes.ts', 'any first byte taken for gzip', 'head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b\n      :', 'head.length >= 2\n      :'],
  ['src/pull/layer-bytes.ts', 'any frame magic taken for zstd', 'if (magic === ZSTD_MAGIC) {', 'if (true) {'],
  ['src/pull/layer-bytes.ts', 'the zstd reserved bit ignored', "if (d & 0x08) return 'a zstd frame header sets its reserved bit'", ''],
  ['src/pull/kernel-file-limits.ts', 'caps not applied', 'if (cap === undefined || size <= cap) return undefined', 'return undefined'],
  ['src/pull/kernel-file-limits.ts', './kernel/ escapes the caps', "return path.replace(/^(?:\\.\\/|\\/)+/, '')", 'return path'],
  ['src/pull/tar-gate.ts', 'reading goes on after the end-of-archive block', "if (isZeroBlock(block)) {", 'if (false) {'],
  ['src/pull/tar-gate.ts', 'pax size ignored', 'this.#nextSize = size\n', '\n'],
  ['src/pull/tar-gate.ts', 'trailing bytes unbounded', 'if (this.#trailing > MAX_TRAILING) throw', 'if (false) throw'],
  ['src/pull/layer-reader.ts', 'addons not checked unless consumed', "regular && placedPath(entry.path) === 'kernel/addons.squashfs'", 'false'],
  ['src/pull/layer-reader.ts', 'a consumer error leaves the walk waiting', '    for (const body of bodies) body.destroy(error as Error)\n', '\n'],
  ['src/oci/reference.ts', 'library/ not added for a Docker Hub name', 'if (registry === dockerHubRegistry && components.length === 1) repository', 'if (false) repository'],
  ['src/oci/reference.ts', '[::1] not loopback', "if (name === 'localhost' || name === '[::1]') return true", "if (name === 'localhost') return true"],
  ['src/oci/reference.ts', 'uppercase repositories accepted', "if (repository !== repository.toLowerCase()) fail('must be lowercase')", 'if (false) fail("")'],
  ['src/oci/reference.ts', 'a scheme in the repository accepted', "if (input.includes('://')) fail(", 'if (false) fail('],
]

const filter = process.argv[2]
// Unit tests need no fresh dist/: skip jest's rebuild (it would bundle the mutant).
const noSetup = join(tmpdir(), 'kernel-action-no-global-setup.mjs')
writeFileSync(noSetup, 'export default function noGlobalSetup() {}\n')
let survived = 0
for (const [file, what, from, to] of MUTANTS) {
  if (filter && !file.includes(filter)) continue
  const path = join(ROOT, file)
  const original = readFileSync(path, 'utf8')
  const { atime, mtime } = statSync(path)
  if (original.split(from).length !== 2) {
    // A mutant whose text is gone tests nothing: it counts against the run until it is updated.
    console.log(`STALE    ${file}: ${what} (text not found once)`)
    survived++
    continue
  }
  writeFileSync(path, original.replace(from, to))
  try {
    const run = spawnSync('npx', ['jest', '--globalSetup', noSetup, '--bail', ...testsFor(file)], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '--experimental-vm-modules', NODE_NO_WARNINGS: '1' },
      encoding: 'utf8',
    })
    const killed = run.status !== 0
    if (!killed) survived++
    console.log(`${killed ? 'killed  ' : 'SURVIVED'} ${file}: ${what}`)
  } finally {
    writeFileSync(path, original)
    utimesSync(path, atime, mtime)
  }
}
console.log(`${survived} survived or stale`)
process.exitCode = survived > 0 ? 1 : 0
