import { parseArgs } from 'node:util'
import { InputError, oneLine, oneOf } from './errors.js'
import { runCheck } from './check/run-check.js'
import { parseArch } from './arch.js'
import { TARGETS } from './check/requirements.js'
import { FAIL_ON, failureSummary, isFailing, reportJson } from './check/report.js'
import { formatResultLine } from './check/format.js'
import { explainFailures } from './check/explain-results.js'
import { writeFile } from 'node:fs/promises'
import { escapeLogLine } from './log-line.js'
import { bootCommand, BOOT_USAGE } from './boot/boot-command.js'
import { bootKitCommand, BOOT_KIT_USAGE } from './boot/kit-command.js'
import { HOST_COMMANDS, HOST_USAGE, runHostCommand } from './host-commands.js'
import { diffCommand, DIFF_USAGE } from './drift/diff-command.js'

const USAGE = `usage: kernel-action check --config FILE [--target zone|host] [--arch x86_64|aarch64]
                           [--requirements FILE]... [--ignore OPTION]... [--strict] [--no-boot-rules]
                           [--fail-on error|warning|never] [--json]
                           [--kernel-source DIR [--fix-fragment FILE]]
${HOST_USAGE}
exit status: 0 requirements met (verify: no problem), 1 requirements not met (verify: a problem), 2 usage or input error
${BOOT_USAGE}
${BOOT_KIT_USAGE}
${DIFF_USAGE}`

/** Local use of the same engine as the action: `kernel-action check --config .config`. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv
    if (command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`)
      return 0
    }
    // Escaped like every other command's lines: guest console text and paths are not the runner's commands.
    if (command === 'boot') return await bootCommand(rest, (line) => process.stdout.write(`${escapeLogLine(line)}\n`))
    if (command === 'boot-kit') return await bootKitCommand(rest, (line) => process.stdout.write(`${escapeLogLine(line)}\n`))
    // Line by line through the same escaping: config paths and values are user text.
    if (command === 'diff') return await diffCommand(rest, (text) => process.stdout.write(text.split('\n').map(escapeLogLine).join('\n')))
    if ((HOST_COMMANDS as readonly string[]).includes(command ?? '')) {
      return await runHostCommand(command as (typeof HOST_COMMANDS)[number], rest, {
        // Escaped as the check's lines are: in a workflow's `run:` step the runner reads this output.
        out: (line) => process.stdout.write(`${escapeLogLine(line)}\n`),
        err: (line) => process.stderr.write(`${escapeLogLine(line)}\n`),
      })
    }
    if (command !== 'check') throw new InputError(command ? `unknown command ${JSON.stringify(command)}` : 'a command is required')
    const { values } = parseArgs({
      args: rest,
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
    if (values.json) {
      process.stdout.write(reportJson(report))
    } else {
      // Escaped: in a workflow's `run:` step the runner reads this output, and a file name must not be a command.
      for (const r of report.results) process.stdout.write(`${escapeLogLine(formatResultLine(r, report.config))}\n`)
      const failing = isFailing(report, failOn)
      const verdict = failing
        ? failureSummary(report)
        : `${report.config}: krata ${report.target} requirements met (${report.errors} errors, ${report.warnings} warnings)`
      process.stdout.write(`${escapeLogLine(verdict)}\n`)
    }
    return isFailing(report, failOn) ? 1 : 0
  } catch (error) {
    const message = error instanceof TypeError && 'code' in error ? `${escapeLogLine(oneLine(error))}\n${USAGE}` : escapeLogLine(oneLine(error))
    process.stderr.write(`kernel-action: ${message}\n`)
    return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
