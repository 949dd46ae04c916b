// The command line: `kernel-action COMMAND ...`. One file per command, each with its usage; this one only dispatches
// and turns what a command throws into one line and exit status 2.
import { oneLine } from '../errors.js'
import { escapeLogLine } from '../log-line.js'
import { ADDONS_USAGE, addonsCommand } from './addons.js'
import { BOOT_USAGE, bootCommand } from './boot.js'
import { BOOT_KIT_USAGE, bootKitCommand } from './boot-kit.js'
import { CHECK_EXIT, CHECK_USAGE, checkCommand } from './check.js'
import { DIFF_USAGE, diffCommand } from './diff.js'
import { REF_USAGE } from './host-args.js'
import { INSTALL_USAGE, installCommand } from './install.js'
import { writeLines, type CliIo } from './io.js'
import { VERIFY_USAGE, verifyCommand } from './verify.js'

export type { CliIo } from './io.js'

interface Command {
  run: (args: string[], io: CliIo) => Promise<number>
  usage: string
}

const COMMANDS: Record<string, Command> = {
  check: { run: checkCommand, usage: `${CHECK_USAGE}\n${CHECK_EXIT}` },
  verify: { run: verifyCommand, usage: VERIFY_USAGE },
  install: { run: installCommand, usage: INSTALL_USAGE },
  boot: { run: bootCommand, usage: BOOT_USAGE },
  'boot-kit': { run: bootKitCommand, usage: BOOT_KIT_USAGE },
  diff: { run: diffCommand, usage: DIFF_USAGE },
  addons: { run: addonsCommand, usage: ADDONS_USAGE },
}

/** Every command's usage, as `kernel-action --help` prints it. */
const USAGE = `${CHECK_USAGE}
${firstLine(VERIFY_USAGE).replace('usage: ', '       ')}
${firstLine(INSTALL_USAGE).replace('usage: ', '       ')}
${REF_USAGE}
exit status: 0 requirements met (verify: no problem), 1 requirements not met (verify: a problem), 2 usage or input error
${BOOT_USAGE}
${BOOT_KIT_USAGE}
${DIFF_USAGE}
${ADDONS_USAGE}`

/** Runs one command line (without `node` and the script); returns the exit status. Never throws. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...args] = argv
  const command = name === undefined ? undefined : Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  try {
    if (name === '--help' || name === '-h') {
      writeLines(io.out, USAGE)
      return 0
    }
    if (command && (args[0] === '--help' || args[0] === '-h')) {
      writeLines(io.out, command.usage)
      return 0
    }
    if (!command) {
      io.err(`kernel-action: ${escapeLogLine(name ? `unknown command ${JSON.stringify(name)}` : 'a command is required')}`)
      return 2
    }
    return await command.run(args, io)
  } catch (error) {
    const flagError = isParseArgsError(error)
    io.err(`kernel-action: ${escapeLogLine(oneLine(flagError ? error.message : error))}`)
    if (flagError) writeLines(io.err, USAGE)
    return 2
  }
}

/**
 * node:util's parseArgs refuses an unknown or malformed flag with a coded TypeError: the usage helps there. Known by
 * its code, not its class (a test's VM context has another TypeError).
 */
function isParseArgsError(error: unknown): error is { message: string } {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_') && typeof message === 'string'
}

function firstLine(text: string): string {
  return text.split('\n')[0]!
}
