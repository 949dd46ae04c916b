import * as core from '@actions/core'
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { checkModuleName } from '../addons/modules-dep.js'
import { InputError, oneLine, oneOf } from '../errors.js'
import { assertInputFile } from '../input-file.js'
import { parseArch, type KernelArch } from '../arch.js'
import { TARGETS, type Target } from '../check/requirements.js'
import { FAIL_ON, type FailOn } from '../check/report.js'
import { isSha256Digest } from '../oci/digest.js'
import { isValidTag, parseRepository } from '../oci/reference.js'
import { parseImageReference } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import { sampleKernel } from '../sample.js'
import { parseAnnotationLines } from '../publish/annotations.js'
import { parseMergeSources } from '../publish/merge-index.js'
import { expandTags } from '../publish/tags.js'
import { checkKitReference } from '../boot/kit-oci-adapter.js'
import { READ_BACK_VERIFY, type ReadBackVerify } from '../publish/verify-pushed.js'
import type { RunnerContext } from './runner-context.js'

// Adding an input: a row in INPUT_DEFAULTS (action.yml's default, exactly), a row in action.yml and the README's
// Inputs table (__tests__/action-contract.test.ts holds the three together), then read it below into the settings of
// the mode(s) it belongs to, with its rules. Nothing else in the action calls `core.getInput`, and every rule that can
// be judged from the text alone is judged here, before any work, whatever the mode: a run that would fail on an input
// late (after the check wrote its report and outputs) fails on it first.

export type Compression = 'none' | 'gzip' | 'zstd'
const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'zstd']

/**
 * Every input of action.yml with its default there, exactly (a test keeps action.yml, the README and this in step).
 * The runner always passes the default; a run outside Actions passes nothing, so the same default applies here.
 */
export const INPUT_DEFAULTS = {
  config: '',
  target: 'zone',
  arch: '',
  requirements: '',
  ignore: '',
  fragment: '',
  strict: 'false',
  'boot-rules': 'true',
  'fail-on': 'error',
  report: '',
  'kernel-source': '',
  image: '',
  addons: '',
  modules: '',
  flavor: '',
  version: '',
  tags: '',
  repository: '',
  'oci-layout': '',
  username: '',
  password: '',
  'github-token': '${{ github.token }}',
  annotations: '',
  compression: 'none',
  'insecure-registry': 'false',
  'push-by-digest': 'false',
  merge: '',
  'boot-test': 'false',
  'boot-kit': '',
  'boot-module': '',
  verify: 'light',
  'compare-to': '',
} as const
export type InputName = keyof typeof INPUT_DEFAULTS

/** How an input's raw text is read: `core.getInput` on a runner, anything else in a test. */
export type ReadInput = (name: InputName) => string

/** The runner's value, else the action.yml default (an expression default like `${{ github.token }}` only exists on a runner). */
function actionInput(name: InputName): string {
  const given = core.getInput(name)
  const fallback: string = INPUT_DEFAULTS[name]
  return given !== '' || fallback.includes('${{') ? given : fallback
}

/** What the check reads: the config and the rules it is held to. */
export interface CheckSettings {
  config: string
  target: Target
  arch?: KernelArch
  requirements: string[]
  ignore: string[]
  fragment: string[]
  strict: boolean
  bootRules: boolean
  failOn: FailOn
  /** Where the JSON report goes (resolved: the runner's temp folder by default). */
  report: string
  kernelSource: string
  /** No config was given: the bundled sample kernel is checked and written to the local layout. */
  sample: boolean
}

/** What the written image is called and how: shared by publish and merge. */
export interface ImageSettings {
  version: string
  flavor: string
  tags: string[]
  annotations: string[]
  pushByDigest: boolean
  /** The local OCI layout (resolved: the runner's temp folder on a runner, `./kernel-oci` elsewhere). */
  ociLayout: string
}

/** Where the image goes beyond the local layout, and as whom. */
export interface RegistrySettings {
  /** Empty: the local OCI layout only. */
  repository: string
  /** Explicit username/password, or the workflow token for ghcr.io; else none (the client reads ~/.docker/config.json). */
  credentials?: Credentials
  insecureRegistry: boolean
}

/**
 * Input `compare-to`, and what resolving it needs: where this kernel goes, as whom and under which tags (its default
 * is the first tag, in the repository or else the local layout). Read in check-only runs too.
 */
export interface DriftSettings {
  compareTo: string
  output: ImageSettings
  registry: RegistrySettings
}

/** Check only: no image given. */
export interface CheckInputs {
  mode: 'check'
  check: CheckSettings
  drift: DriftSettings
  /** Input `boot-test`: with no image there is nothing to boot, which the step says. */
  bootTest: boolean
}

/** Check, then describe and publish the kernel image. */
export interface PublishInputs {
  mode: 'publish'
  check: CheckSettings
  drift: DriftSettings
  image: string
  addons: string
  /** Input `modules`: the INSTALL_MOD_PATH that addons.squashfs is built from (never with `addons`). */
  modules: string
  compression: Compression
  /** Boot the kernel as a Xen PV guest before anything is written (input `boot-test`). */
  bootTest: boolean
  /** Where the boot test's Xen, dom0 and userland come from (input `boot-kit`); empty: the pinned kit. */
  bootKit: string
  /** The module the boot test's guest loads from the addons (input `boot-module`); empty: chosen from the addons. */
  bootModule: string
  /** Read the pushed image back before tagging it: manifest and config (`light`), every layer too (`full`), or not. */
  verify: ReadBackVerify
  output: ImageSettings
  registry: RegistrySettings
}

/** Join per-architecture images already published into one index; nothing is checked or built. */
export interface MergeInputs {
  mode: 'merge'
  sources: string[]
  /** Read the index back before tagging it (input `verify`), as for a single image. */
  verify: ReadBackVerify
  output: ImageSettings
  registry: RegistrySettings
}

/** Every input, read and validated once, every cross-input rule included, as one type per mode. */
export type Inputs = CheckInputs | PublishInputs | MergeInputs

export function getInputs(context: RunnerContext, read: ReadInput = actionInput): Inputs {
  // Secrets first, so that no later error can echo them.
  const password = read('password')
  if (password) core.setSecret(password)
  const githubToken = read('github-token')
  if (githubToken) core.setSecret(githubToken)
  const list = (name: InputName, { csv = false } = {}): string[] => parseList(read(name), csv)
  const bool = (name: InputName): boolean => parseBool(name, read(name))

  // Every input is read and checked whatever the mode, so a bad value never hides behind another input.
  const given = {
    config: read('config'),
    image: read('image'),
    addons: read('addons'),
    modules: read('modules'),
    merge: list('merge', { csv: true }),
    bootTest: bool('boot-test'),
    bootKit: checkKitReference(read('boot-kit').trim()),
    bootModule: checkModuleName('boot-module', read('boot-module').trim()),
    verify: oneOf('verify', verifyInput(read('verify')), READ_BACK_VERIFY),
    compareTo: compareToInput(read('compare-to')),
  }
  const target = oneOf('target', read('target'), TARGETS)
  if (given.bootModule !== '' && target === 'host') {
    throw new InputError("boot-module: names the module a zone kernel's guest loads; with target: host the guest is the bundled sample zone")
  }
  const check = {
    target,
    arch: read('arch').trim() === '' ? undefined : parseArch('arch', read('arch').trim()),
    requirements: list('requirements'),
    ignore: list('ignore', { csv: true }),
    fragment: list('fragment'),
    strict: bool('strict'),
    bootRules: bool('boot-rules'),
    failOn: oneOf('fail-on', read('fail-on'), FAIL_ON),
    report: path.resolve(read('report') || path.join(context.tempDir, 'kernel-check.json')),
    kernelSource: read('kernel-source'),
  }
  const output: ImageSettings = {
    version: read('version'),
    flavor: read('flavor'),
    tags: list('tags', { csv: true }),
    annotations: list('annotations'),
    pushByDigest: bool('push-by-digest'),
    ociLayout: read('oci-layout') || (context.onRunner ? path.join(context.tempDir, 'kernel-oci') : 'kernel-oci'),
  }
  // What can be known before the kernel's version is read: the templates' placeholders and characters, the annotations.
  checkTagTemplates(output.tags, { version: output.version, flavor: output.flavor || target, arch: check.arch ?? 'x86_64' })
  parseAnnotationLines(output.annotations)
  const compression = oneOf('compression', read('compression'), COMPRESSIONS)
  const repository = read('repository')
  // Checked before anything is read or written (compare-to reads from it first), and never echoed when it holds a password.
  if (repository) parseRepository(repository)
  const registry: RegistrySettings = {
    repository,
    credentials: registryCredentials({ username: read('username'), password, githubToken, repository }, context),
    insecureRegistry: bool('insecure-registry'),
  }

  const built = { ...output, flavor: output.flavor || target }
  const drift: DriftSettings = { compareTo: given.compareTo, output: built, registry }

  if (given.merge.length > 0) {
    const building = (['config', 'image', 'addons', 'modules'] as const).filter((name) => given[name] !== '')
    if (building.length > 0) {
      throw new InputError(`merge: cannot be combined with ${building.join(', ')} (a merge step builds nothing; build in the per-architecture jobs)`)
    }
    // The same rules as the merge itself: digests, each in the repository (or layout) the index goes to.
    parseMergeSources(
      given.merge,
      repository ? { kind: 'registry', ref: parseRepository(repository), name: repository } : { kind: 'layout', dir: output.ociLayout },
    )
    return { mode: 'merge', sources: given.merge, verify: given.verify, output, registry }
  }
  if (given.addons !== '' && given.modules !== '')
    throw new InputError('modules: cannot be combined with addons (modules builds addons.squashfs; give one of them)')
  if (given.config === '') {
    // The quick start: the bundled sample kernel, into the local layout only.
    if (given.image !== '' || given.addons !== '') throw new InputError('config: required when image or addons is given')
    if (given.modules !== '') throw new InputError('config: required when modules is given')
    if (repository !== '') throw new InputError('config: required with repository (the bundled sample kernel is never pushed)')
    const sample = sampleKernel()
    return {
      mode: 'publish',
      check: { ...check, config: sample.config, sample: true },
      drift,
      image: sample.image,
      addons: sample.addons,
      modules: '',
      compression,
      bootTest: given.bootTest,
      bootKit: given.bootKit,
      bootModule: given.bootModule,
      verify: given.verify,
      output: built,
      registry,
    }
  }
  if (given.image === '') {
    if (given.addons !== '') throw new InputError('addons: given without image (the kernel image is what gets published)')
    if (given.modules !== '') throw new InputError('modules: given without image (the modules are checked against the kernel image)')
    return { mode: 'check', check: { ...check, config: given.config, sample: false }, drift, bootTest: given.bootTest }
  }
  return {
    mode: 'publish',
    check: { ...check, config: given.config, sample: false },
    drift,
    image: given.image,
    addons: given.addons,
    modules: given.modules,
    compression,
    bootTest: given.bootTest,
    bootKit: given.bootKit,
    bootModule: given.bootModule,
    verify: given.verify,
    output: built,
    registry,
  }
}

/**
 * The files the inputs name are there and are regular files (their contents are judged when they are read): a missing
 * image fails the step before the check, not after it. In the order they are read: config first. And the report's
 * path is not a folder (its other failures show only on writing).
 */
export async function checkInputFiles(inputs: Inputs): Promise<void> {
  if (inputs.mode === 'merge') return
  const { check } = inputs
  const named: [InputName, string][] = [
    ['config', check.config],
    ...check.requirements.map((file): [InputName, string] => ['requirements', file]),
    ...check.fragment.map((file): [InputName, string] => ['fragment', file]),
  ]
  if (inputs.mode === 'publish') named.push(['image', inputs.image], ...(inputs.addons ? [['addons', inputs.addons] as [InputName, string]] : []))
  for (const [input, file] of named) await assertInputFile(file, input)
  if ((await stat(check.report).catch(() => undefined))?.isDirectory()) {
    throw new InputError(`report: ${check.report} is a directory; give the path of a file`)
  }
}

/**
 * Explicit `username`/`password` (both or neither); else, for ghcr.io, the workflow token as the workflow's actor;
 * else none here (the registry client then reads ~/.docker/config.json, as docker/login-action leaves it).
 */
function registryCredentials(
  given: { username: string; password: string; githubToken: string; repository: string },
  context: Pick<RunnerContext, 'actor'>,
): Credentials | undefined {
  if (given.username || given.password) {
    if (!given.username) throw new InputError('username: required when password is given')
    if (!given.password) throw new InputError('password: required when username is given')
    return { username: given.username, password: given.password }
  }
  if (given.repository && given.githubToken && parseRepository(given.repository).registry === 'ghcr.io') {
    return { username: context.actor || 'x-access-token', password: given.githubToken }
  }
  return undefined
}

/** A List input is newline-separated; a CSV one also splits on commas. Blank lines and `#` comments are dropped. */
function parseList(text: string, csv = false): string[] {
  return text
    .split(/\r?\n/)
    .flatMap((line) => (csv ? line.split(',') : [line]))
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'))
}

function parseBool(name: InputName, text: string): boolean {
  const value = text.trim()
  if (value === '') return INPUT_DEFAULTS[name] === 'true'
  if (/^(true|True|TRUE)$/.test(value)) return true
  if (/^(false|False|FALSE)$/.test(value)) return false
  throw new InputError(`${name}: ${JSON.stringify(value)} is not a boolean (use true or false)`)
}

/**
 * Tag templates expanded with what is known before the check: the version when the input gives it (else a stand-in,
 * the config's version being read later), so an unknown placeholder or a character no tag may hold fails now.
 */
function checkTagTemplates(templates: readonly string[], known: { version: string; flavor: string; arch: string }): void {
  expandTags(templates, { ...known, version: known.version || '0.0.0' })
}

/**
 * Input `compare-to`: empty, `none`, a tag or digest (in `repository` or the local layout), or a full reference
 * (`repo:tag`, `repo@digest`, `oci:<layout>...`) checked by the one reference parser.
 */
function compareToInput(text: string): string {
  const given = text.trim()
  if (given === '' || given === 'none') return given
  if (given.startsWith('oci:') || given.includes('/')) {
    try {
      parseImageReference(given)
    } catch (error) {
      throw new InputError(`compare-to: ${oneLine(error)}`)
    }
    return given
  }
  if (isValidTag(given) || isSha256Digest(given)) return given
  throw new InputError(`compare-to: ${JSON.stringify(given)} is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none`)
}

/** `true` is the default depth (`light`); `false` turns the read-back off. */
function verifyInput(value: string): string {
  const trimmed = value.trim()
  if (trimmed === '' || /^(true|True|TRUE)$/.test(trimmed)) return 'light'
  if (/^(false|False|FALSE)$/.test(trimmed)) return 'false'
  return trimmed
}
