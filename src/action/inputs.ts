import * as core from '@actions/core'
import { InputError, oneOf } from '../errors.js'
import { KERNEL_ARCHES, type KernelArch } from '../check/kernel-config.js'
import { TARGETS, type Target } from '../check/requirements.js'
import { FAIL_ON, type FailOn } from '../check/report.js'

export type Compression = 'none' | 'gzip' | 'zstd'
export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'zstd']

/** Every input, read and validated once; nothing else calls `core.getInput`. */
export interface Inputs {
  config: string
  target: Target
  arch?: KernelArch
  requirements: string[]
  ignore: string[]
  fragment: string[]
  strict: boolean
  bootRules: boolean
  failOn: FailOn
  report: string
  kernelSource: string
  image: string
  addons: string
  flavor: string
  version: string
  tags: string[]
  repository: string
  ociLayout: string
  username: string
  password: string
  githubToken: string
  annotations: string[]
  compression: Compression
  insecureRegistry: boolean
  pushByDigest: boolean
  merge: string[]
}

export function getInputs(): Inputs {
  const password = core.getInput('password')
  if (password) core.setSecret(password)
  const githubToken = core.getInput('github-token')
  if (githubToken) core.setSecret(githubToken)
  return {
    config: core.getInput('config'),
    target: oneOf('target', core.getInput('target') || 'zone', TARGETS),
    arch: optionalOneOf('arch', normaliseArch(core.getInput('arch')), KERNEL_ARCHES),
    requirements: listInput('requirements'),
    ignore: listInput('ignore', { csv: true }),
    fragment: listInput('fragment'),
    strict: boolInput('strict'),
    bootRules: boolInput('boot-rules', true),
    failOn: oneOf('fail-on', core.getInput('fail-on') || 'error', FAIL_ON),
    report: core.getInput('report'),
    kernelSource: core.getInput('kernel-source'),
    image: core.getInput('image'),
    addons: core.getInput('addons'),
    flavor: core.getInput('flavor'),
    version: core.getInput('version'),
    tags: listInput('tags', { csv: true }),
    repository: core.getInput('repository'),
    ociLayout: core.getInput('oci-layout'),
    username: core.getInput('username'),
    password,
    githubToken,
    annotations: listInput('annotations'),
    compression: oneOf('compression', core.getInput('compression') || 'none', COMPRESSIONS),
    insecureRegistry: boolInput('insecure-registry'),
    pushByDigest: boolInput('push-by-digest'),
    merge: listInput('merge', { csv: true }),
  }
}

/** A List input is newline-separated; a CSV one also splits on commas. Blank lines and `#` comments are dropped. */
export function parseList(text: string, csv = false): string[] {
  return text
    .split(/\r?\n/)
    .flatMap((line) => (csv ? line.split(',') : [line]))
    .map((item) => item.trim())
    .filter((item) => item !== '' && !item.startsWith('#'))
}

function listInput(name: string, { csv = false } = {}): string[] {
  return parseList(core.getInput(name), csv)
}

function boolInput(name: string, fallback = false): boolean {
  const value = core.getInput(name).trim()
  if (value === '') return fallback
  if (/^(true|True|TRUE)$/.test(value)) return true
  if (/^(false|False|FALSE)$/.test(value)) return false
  throw new InputError(`${name}: ${JSON.stringify(value)} is not a boolean (use true or false)`)
}

function optionalOneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T | undefined {
  return value === '' ? undefined : oneOf(name, value, allowed)
}

/** People write the OCI or Debian names too; krata's metadata uses the `uname -m` ones. */
function normaliseArch(value: string): string {
  const aliases: Record<string, string> = { amd64: 'x86_64', x86: 'x86_64', arm64: 'aarch64' }
  const trimmed = value.trim()
  return aliases[trimmed] ?? trimmed
}
