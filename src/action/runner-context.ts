import * as github from '@actions/github'
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import { createdTimestamp } from '../publish/annotations.js'

/**
 * What the runner tells the step besides its inputs, read once at the start and passed down: nothing else in the
 * action reads RUNNER_*, GITHUB_* or SOURCE_DATE_EPOCH, or runs git.
 */
export interface RunnerContext {
  /** RUNNER_TEMP was set: the step runs on a runner (defaults go to its temp folder, not the current one). */
  onRunner: boolean
  /** RUNNER_TEMP, else the system's temp folder. */
  tempDir: string
  /** GITHUB_WORKSPACE, else the current folder: annotation paths are relative to it. */
  workspace: string
  /** GITHUB_ACTOR: the user name for ghcr.io with the workflow token. */
  actor?: string
  /** `org.opencontainers.image.source`: GITHUB_SERVER_URL/GITHUB_REPOSITORY. */
  source?: string
  /** `org.opencontainers.image.revision`: GITHUB_SHA. */
  revision?: string
  /** `org.opencontainers.image.created`: SOURCE_DATE_EPOCH, else the checked-out commit's time, else the epoch. */
  created: string
  /** GITHUB_STEP_SUMMARY: where the job summary goes (none outside Actions). */
  summaryFile?: string
  /** RUNNER_DEBUG=1: the run was re-run with debug logging. */
  debug: boolean
}

type Env = Readonly<Record<string, string | undefined>>

/** Who and what the workflow run is about: the facts `@actions/github`'s context holds. */
export interface WorkflowFacts {
  serverUrl: string
  /** `owner/name`, when the run belongs to a repository. */
  repository?: string
  sha?: string
  actor?: string
}

/** The workflow facts as the official toolkit reads them (its `context.repo` throws outside a repository). */
export function readWorkflowFacts(): WorkflowFacts {
  const { context } = github
  return {
    serverUrl: context.serverUrl,
    repository: process.env.GITHUB_REPOSITORY ? `${context.repo.owner}/${context.repo.repo}` : undefined,
    sha: context.sha || undefined,
    actor: context.actor || undefined,
  }
}

function workflowFactsFromEnv(env: Env): WorkflowFacts {
  return {
    serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
    repository: env.GITHUB_REPOSITORY || undefined,
    sha: env.GITHUB_SHA || undefined,
    actor: env.GITHUB_ACTOR || undefined,
  }
}

export function readRunnerContext(env: Env = process.env, cwd = process.cwd(), workflow: WorkflowFacts = workflowFactsFromEnv(env)): RunnerContext {
  const workspace = env.GITHUB_WORKSPACE || cwd
  const sourceDateEpoch = env.SOURCE_DATE_EPOCH
  return {
    onRunner: Boolean(env.RUNNER_TEMP),
    tempDir: env.RUNNER_TEMP || os.tmpdir(),
    workspace,
    actor: workflow.actor,
    source: workflow.repository ? `${workflow.serverUrl}/${workflow.repository}` : undefined,
    revision: workflow.sha,
    // The commit time only changes with the source, so the same checkout gives the same digest.
    created: createdTimestamp(sourceDateEpoch, sourceDateEpoch ? undefined : commitTime(workspace)),
    summaryFile: env.GITHUB_STEP_SUMMARY || undefined,
    debug: env.RUNNER_DEBUG === '1',
  }
}

/** A file the action writes beside the run (report, fix fragment, metadata): in the runner's temp folder. */
export function tempPath(context: RunnerContext, ...parts: string[]): string {
  return path.join(context.tempDir, ...parts)
}

function commitTime(workspace: string): number | undefined {
  const git = spawnSync('git', ['log', '-1', '--format=%ct'], { cwd: workspace, encoding: 'utf8' })
  const seconds = Number.parseInt(git.stdout?.trim() ?? '', 10)
  return git.status === 0 && Number.isFinite(seconds) ? seconds : undefined
}
