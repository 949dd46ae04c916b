import * as core from '@actions/core'
import type { CheckOutcome } from '../check/run-check.js'
import { formatBytes } from '../oci/registry/push.js'
import { parseAnnotationLines } from '../publish/annotations.js'
import { mergeKernelImages, type MergeOutcome } from '../publish/merge.js'
import { publishKernel, type PublishOutcome } from '../publish/publish.js'
import type { MergeInputs, PublishInputs } from './inputs.js'
import { tempPath, type RunnerContext } from './runner-context.js'
import type { StepLog } from './step-log.js'

/** The describe-and-publish half of the step, wired to the runner: inputs, secrets, log (its outcome gives the outputs). */
export async function publishStep(inputs: PublishInputs, check: CheckOutcome, context: RunnerContext, log: StepLog): Promise<PublishOutcome> {
  const outcome = await publishKernel({
    kernel: { config: check.config, configBytes: check.configBytes, arch: check.arch, image: inputs.image, addons: inputs.addons },
    output: inputs.output,
    annotations: parseAnnotationLines(inputs.output.annotations),
    registry: inputs.registry,
    build: {
      compression: inputs.compression,
      verify: inputs.verify,
      bootRules: inputs.check.bootRules && inputs.check.target === 'zone',
      created: context.created,
      ...(context.source ? { source: context.source } : {}),
      ...(context.revision ? { revision: context.revision } : {}),
    },
    workDir: tempPath(context, 'kernel-action'),
    log: (line) => log.info(line),
    warn: (line) => log.warning(line),
    onSecret: (value) => core.setSecret(value),
  })
  if (outcome.push) {
    const p = outcome.push
    log.info(
      `pushed ${outcome.imageRef}: ${p.blobsUploaded} blobs uploaded (${formatBytes(p.bytesUploaded)}), ${p.blobsSkipped} already there, ${p.blobsMounted} mounted`,
    )
  }
  return outcome
}

/**
 * Merge mode (input `merge`): no config is checked and nothing is built; the per-architecture images already
 * published are joined into one index, written by digest, then tagged.
 */
export async function mergeStep(inputs: MergeInputs, log: StepLog): Promise<MergeOutcome> {
  const { output, registry } = inputs
  const outcome = await mergeKernelImages({
    sources: inputs.sources,
    verify: inputs.verify,
    repository: registry.repository,
    ociLayout: output.ociLayout,
    tagTemplates: output.tags,
    pushByDigest: output.pushByDigest,
    annotations: parseAnnotationLines(output.annotations),
    version: output.version || undefined,
    flavor: output.flavor || undefined,
    credentials: registry.credentials,
    insecureRegistry: registry.insecureRegistry,
    log: (line) => log.info(line),
    onSecret: (value) => core.setSecret(value),
  })
  log.info(
    `merged ${outcome.platforms.map((p) => `linux/${p.architecture}`).join(', ')} into ${outcome.imageRef}${outcome.tags.length ? ` tagged ${outcome.tags.join(', ')}` : ''}`,
  )
  return outcome
}
