// `kernel-action check`: the action's check, for local use.
import { writeFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parseArch } from '../arch.js'
import { InputError, oneLine, oneOf } from '../errors.js'
import { explainFailures } from '../check/explain-results.js'
import { formatResultLine } from '../check/format.js'
import { FAIL_ON, failureSummary, isFailing, reportJson } from '../check/report.js'
import { TARGETS } from '../check/requirements.js'
import { runCheck } from '../check/run-check.js'
import { escaped, writeLines, type CliIo } from './io.js'
import { escapeJsonForLog } from '../log-line.js'

export const CHECK_USAGE = `usage: kernel-action check --config FILE [--target zone|host] [--arch x86_64|aarch64]
                           [--requirements FILE]... [--ignore OPTION]... [--strict] [--no-boot-rules]
                           [--fail-on error|warning|never] [--json]
                           [--kernel-source DIR [--fix-fragment FILE]]`

export const CHECK_EXIT = 'exit status: 0 requirements met, 1 requirements not met, 2 usage or input error'

/** Checks a config against krata's requirements; 0 met, 1 not met (as `--fail-on` counts it). */
export async function checkCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      target: { type: 'string', default: 'zone' },
      arch: { type: 'string' },
      requirements: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      strict: { type: 'boolean', default: false },
      'no-boot-rules': { type: 'boolean', default: false },
      'fail-on': { type: 'string', default: 'error' },
      json: { type: 'boolean', default: false },
      'kernel-source': { type: 'string' },
      'fix-fragment': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (!values.config) throw new InputError('--config FILE is required')
  const failOn = oneOf('--fail-on', values['fail-on'] ?? 'error', FAIL_ON)
  const checked = await runCheck({
    config: values.config,
    target: oneOf('--target', values.target ?? 'zone', TARGETS),
    arch: values.arch === undefined ? undefined : parseArch('--arch', values.arch),
    requirements: values.requirements,
    ignore: values.ignore?.flatMap((v) => v.split(',')),
    strict: values.strict,
    bootRules: !values['no-boot-rules'],
    failOn,
  })
  let report = checked.report
  if (values['kernel-source']) {
    const explained = await explainFailures(checked, values['kernel-source'])
    report = { ...report, results: explained.results }
    const fixFile = values['fix-fragment']
    if (fixFile) {
      await writeFile(fixFile, explained.fixFragment).catch((error: unknown) => {
        throw new InputError(`--fix-fragment: ${fixFile} cannot be written (${(error as NodeJS.ErrnoException).code ?? oneLine(error)})`)
      })
    }
  } else if (values['fix-fragment']) {
    throw new InputError('--fix-fragment needs --kernel-source')
  }
  const failing = isFailing(report, failOn)
  if (values.json) {
    // Data for a program: escaped only in a way JSON itself undoes, so its strings parse back unchanged.
    writeLines(io.out, escapeJsonForLog(reportJson(report)))
  } else {
    const { out } = escaped(io)
    for (const r of report.results) out(formatResultLine(r, report.config))
    out(
      failing
        ? failureSummary(report)
        : `${report.config}: krata ${report.target} requirements met (${report.errors} errors, ${report.warnings} warnings)`,
    )
  }
  return failing ? 1 : 0
}
