import * as core from '@actions/core'
import * as github from '@actions/github'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { InputError } from '../errors.js'
import type { CheckOutcome } from '../check/run-check.js'
import { parseRepository } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import { formatBytes } from '../oci/registry/push.js'
import { createdTimestamp, parseAnnotationLines } from '../publish/annotations.js'
import { mergeKernelImages, type MergeOutcome } from '../publish/merge.js'
import { publishKernel, type PublishOutcome } from '../publish/publish.js'
import type { Inputs } from './inputs.js'
import { escape } from './summary.js'

/** The describe-and-publish half of the step, wired to the runner: inputs, secrets, log, outputs. */
export async function publishStep(inputs: Inputs, check: CheckOutcome): Promise<PublishOutcome> {
  const outcome = await publishKernel({
    config: check.config,
    configBytes: check.configBytes,
    arch: check.arch,
    image: inputs.image,
    addons: inputs.addons,
    flavor: inputs.flavor || inputs.target,
    version: inputs.version,
    tagTemplates: inputs.tags,
    repository: inputs.repository,
    ociLayout: inputs.ociLayout || defaultLayout(),
    credentials: registryCredentials(inputs),
    annotations: parseAnnotationLines(inputs.annotations),
    compression: inputs.compression,
    insecureRegistry: inputs.insecureRegistry,
    pushByDigest: inputs.pushByDigest,
    bootRules: inputs.bootRules && inputs.target === 'zone',
    created: createdTimestamp(process.env.SOURCE_DATE_EPOCH, commitTime()),
    ...workflowSource(),
    workDir: path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'kernel-action'),
    log: (line) => core.info(line),
    warn: (line) => core.warning(line),
    onSecret: (value) => core.setSecret(value),
  })
  if (outcome.push) {
    const p = outcome.push
    core.info(`pushed ${outcome.imageRef}: ${p.blobsUploaded} blobs uploaded (${formatBytes(p.bytesUploaded)}), ${p.blobsSkipped} already there, ${p.blobsMounted} mounted`)
  }
  core.setOutput('metadata', outcome.metadataPath)
  core.setOutput('config-digest', outcome.configDigest)
  core.setOutput('digest', outcome.digest)
  core.setOutput('image-ref', outcome.imageRef)
  core.setOutput('tags', outcome.tags.join('\n'))
  core.setOutput('uname-r', outcome.kernel.release ?? '')
  return outcome
}

/**
 * Merge mode (input `merge`): no config is checked and nothing is built; the per-architecture images already
 * published are joined into one index, written by digest, then tagged.
 */
export async function mergeStep(inputs: Inputs): Promise<MergeOutcome> {
  const building = (['config', 'image', 'addons'] as const).filter((name) => inputs[name] !== '')
  if (building.length > 0) {
    throw new InputError(`merge: cannot be combined with ${building.join(', ')} (a merge step builds nothing; build in the per-architecture jobs)`)
  }
  const outcome = await mergeKernelImages({
    sources: inputs.merge,
    repository: inputs.repository,
    ociLayout: inputs.ociLayout || defaultLayout(),
    tagTemplates: inputs.tags,
    pushByDigest: inputs.pushByDigest,
    annotations: parseAnnotationLines(inputs.annotations),
    version: inputs.version || undefined,
    flavor: inputs.flavor || undefined,
    credentials: registryCredentials(inputs),
    insecureRegistry: inputs.insecureRegistry,
    log: (line) => core.info(line),
    onSecret: (value) => core.setSecret(value),
  })
  core.info(`merged ${outcome.platforms.map((p) => `linux/${p.architecture}`).join(', ')} into ${outcome.imageRef}${outcome.tags.length ? ` tagged ${outcome.tags.join(', ')}` : ''}`)
  core.setOutput('digest', outcome.digest)
  core.setOutput('image-ref', outcome.imageRef)
  core.setOutput('tags', outcome.tags.join('\n'))
  core.setOutput('version', outcome.version)
  return outcome
}

/** The job summary of a merge: what the index holds and where it went. */
export function renderMergeSummary(outcome: MergeOutcome): string {
  const rows = [
    ['Index', outcome.imageRef],
    ['Tags', outcome.tags.join(', ') || '(none: by digest)'],
    ['Kernel', `${outcome.version} ${outcome.flavor}`],
    ...outcome.platforms.map((p) => [`linux/${p.architecture}`, p.digest]),
  ]
  return `<h2>krata kernel: multi-arch index</h2>\n<table>${rows.map(([k, v]) => `<tr><th>${escape(k!)}</th><td><code>${escape(v!)}</code></td></tr>`).join('')}</table>\n`
}

/** Inside Actions the layout goes to the runner's temp folder; a local run leaves it where the user is. */
function defaultLayout(): string {
  return process.env.RUNNER_TEMP ? path.join(process.env.RUNNER_TEMP, 'kernel-oci') : 'kernel-oci'
}

/**
 * Explicit `username`/`password`; else, for ghcr.io, the workflow token; else none here (the registry client then
 * reads ~/.docker/config.json, as docker/login-action leaves it).
 */
export function registryCredentials(inputs: Pick<Inputs, 'username' | 'password' | 'githubToken' | 'repository'>): Credentials | undefined {
  if (inputs.username || inputs.password) {
    if (!inputs.username) throw new InputError('username: required when password is given')
    if (!inputs.password) throw new InputError('password: required when username is given')
    return { username: inputs.username, password: inputs.password }
  }
  if (inputs.repository && inputs.githubToken && parseRepository(inputs.repository).registry === 'ghcr.io') {
    return { username: process.env.GITHUB_ACTOR || 'x-access-token', password: inputs.githubToken }
  }
  return undefined
}

function workflowSource(): { source?: string; revision?: string } {
  const { serverUrl, repo, sha } = safeContext()
  return {
    ...(repo ? { source: `${serverUrl}/${repo}` } : {}),
    ...(sha ? { revision: sha } : {}),
  }
}

function safeContext(): { serverUrl: string; repo?: string; sha?: string } {
  const context = github.context
  const repo = process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : undefined
  return { serverUrl: context.serverUrl, repo, sha: context.sha || undefined }
}

/** The checked-out commit's time, so `created` (and with it the digest) only changes with the source. */
function commitTime(): number | undefined {
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: process.env.GITHUB_WORKSPACE || process.cwd(), encoding: 'utf8' })
  const seconds = Number.parseInt(git.stdout?.trim() ?? '', 10)
  return git.status === 0 && Number.isFinite(seconds) ? seconds : undefined
}
