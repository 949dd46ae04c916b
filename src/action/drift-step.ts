// Input `compare-to`: what changed since the kernel published before. The reference is read before anything is
// pushed (its tag is usually about to be overwritten) and compared once this build is known.
import * as core from '@actions/core'
import fs from 'node:fs'
import path from 'node:path'
import type { CheckOutcome } from '../check/run-check.js'
import { readFragmentLines } from '../check/run-check.js'
import { detectArch } from '../check/kernel-config.js'
import { reportJson } from '../check/report.js'
import { InputError, oneLine } from '../errors.js'
import { requirementOptionSet } from '../drift/config-diff.js'
import { buildDrift, configOnlySide, type DriftReport } from '../drift/drift.js'
import { imageSide } from '../drift/kernel-side.js'
import { readImageSide, type ReadSide } from '../drift/read-side.js'
import { driftNotices, renderDriftSummary } from '../drift/render.js'
import { isSha256Digest, sha256Digest } from '../oci/digest.js'
import { isValidTag, parseImageReference, parseRepository } from '../oci/reference.js'
import type { Credentials } from '../oci/registry/auth.js'
import type { PublishOutcome } from '../publish/publish.js'
import { expandTags } from '../publish/tags.js'
import type { CheckSettings, DriftSettings } from './inputs.js'
import { emitNotices } from './report-check.js'
import type { RunnerContext } from './runner-context.js'
import type { StepLog } from './step-log.js'

/**
 * The image `compare-to` names: `none`; a tag or digest in `repository` (or, with no repository, in the local
 * layout); a full `repo:tag`, `repo@digest` or `oci:<layout>...`. Empty means the first of `tags`, if it exists.
 */
export function compareToReference(drift: DriftSettings, check: CheckOutcome): { reference: string; implicit: boolean } | undefined {
  const given = drift.compareTo
  const { repository } = drift.registry
  const { ociLayout: layout, version: versionInput, tags, flavor } = drift.output
  if (given === 'none') return undefined
  const inTarget = (tagOrDigest: string): string => {
    const at = tagOrDigest.startsWith('sha256:') ? '@' : ':'
    return repository ? `${repository}${at}${tagOrDigest}` : `oci:${layout}${at}${tagOrDigest}`
  }
  if (given === '') {
    if (!repository && !fs.existsSync(path.join(layout, 'index.json'))) return undefined
    const version = versionInput || check.config.header?.version
    if (!version) return undefined
    let first: string | undefined
    try {
      first = expandTags(tags, { version, flavor, arch: check.arch })[0]
    } catch {
      return undefined // the publish step reports a bad tag, with its own message
    }
    return first === undefined ? undefined : { reference: inTarget(first), implicit: true }
  }
  if (given.startsWith('oci:') || given.includes('/')) {
    parseImageReference(given) // a malformed reference is bad input, whatever the registry would say
    return { reference: given, implicit: false }
  }
  if (isValidTag(given) || isSha256Digest(given)) return { reference: inTarget(given), implicit: false }
  throw new InputError(`compare-to: ${JSON.stringify(given)} is not a tag, a repo:tag or repo@digest, an oci:<layout> reference, or none`)
}

/** Reads the reference kernel; a missing one is a notice. An unreadable default is a warning; an explicit one fails. */
export async function pullReference(drift: DriftSettings, check: CheckOutcome, log: StepLog): Promise<ReadSide | undefined> {
  const target = compareToReference(drift, check)
  if (target === undefined) return undefined
  const { reference, implicit } = target
  try {
    const side = await readImageSide(reference, {
      arch: check.arch,
      credentials: credentialsFor(drift, reference),
      insecureRegistry: drift.registry.insecureRegistry,
      onSecret: (value) => core.setSecret(value),
      log: (line) => log.info(line),
    })
    if (side === undefined) {
      log.notice(`compare-to: ${reference} does not exist yet, so there is nothing to compare with`)
      return undefined
    }
    log.info(`compare-to: ${reference} is ${side.side.digest} (Linux ${side.side.version ?? 'version unknown'}, config ${side.side.configDigest})`)
    // An index gives the same architecture's image; a single image is whatever was pushed there.
    const theirs = detectArch(side.config)
    if (theirs !== undefined && theirs !== check.arch) {
      log.warning(`compare-to: ${reference} holds an ${theirs} kernel and this one is ${check.arch}: the drift compares across architectures`)
    }
    return side
  } catch (error) {
    if (!implicit) throw error
    log.warning(`compare-to: could not read ${reference} (${oneLine(error)}); no drift report`)
    return undefined
  }
}

/** The same credentials as publishing, but only to the registry they are for; elsewhere the Docker config or none. */
function credentialsFor(drift: DriftSettings, reference: string): Credentials | undefined {
  const parsed = parseImageReference(reference)
  if (parsed.kind !== 'registry' || !drift.registry.repository) return undefined
  return parseRepository(drift.registry.repository).registry === parsed.repository.registry ? drift.registry.credentials : undefined
}

/** What a comparison leaves: the summary section and the facts of outputs `config-changed` and `drift-report`. */
export interface DriftStepResult {
  summary: string
  configChanged: number
  reportPath: string
}

/** This build as published, from the facts the publish returned (nothing is read back). */
export type PublishedFacts = Pick<PublishOutcome, 'imageRef' | 'digest' | 'configDigest' | 'manifest' | 'metadata' | 'layers'>

function publishedSide(published: PublishedFacts, check: CheckOutcome): ReadSide {
  const side = imageSide({
    ref: published.imageRef,
    digest: published.digest,
    configDigest: published.configDigest,
    annotations: published.manifest.annotations ?? {},
    metadata: published.metadata,
    layerSizes: { 'kernel/image': published.layers.image?.size, 'kernel/addons.squashfs': published.layers['addons.squashfs']?.size },
  })
  return { side, config: check.config }
}

/**
 * Compares the reference with this build (the image just published, or only the config in a check-only run):
 * drift report file, `drift` in the check report, notices.
 */
export async function reportDrift(
  settings: CheckSettings,
  reference: ReadSide,
  check: CheckOutcome,
  published: PublishedFacts | undefined,
  context: RunnerContext,
  log: StepLog,
): Promise<DriftStepResult> {
  const after = published
    ? publishedSide(published, check)
    : { side: configOnlySide(check.report.config, sha256Digest(check.configBytes), check.config), config: check.config }
  const report = buildDrift(reference, after, requirementOptionSet(check.requirements))
  // Beside the check's report (already written, and written again here with `drift` in it).
  const driftFile = path.join(path.dirname(settings.report), 'kernel-drift.json')
  await fs.promises.writeFile(driftFile, `${JSON.stringify(report, null, 2)}\n`)
  await fs.promises.writeFile(settings.report, `${JSON.stringify({ ...(JSON.parse(reportJson(check.report)) as object), drift: report }, null, 2)}\n`)
  logDrift(report, log)
  emitNotices(driftNotices(report), check.report.config, await readFragmentLines(settings.fragment), log, context.workspace)
  return { summary: renderDriftSummary(report), configChanged: report.configChanged, reportPath: driftFile }
}

function logDrift(drift: DriftReport, log: StepLog): void {
  log.info(`since ${drift.before.ref}: ${drift.configChanged} options changed (${drift.counts.requirement} requirements, ${drift.counts.xen} Xen)`)
  for (const c of drift.changes) log.info(`  ${c.class} ${c.kind} ${c.option}: ${c.before} → ${c.after}`)
}
