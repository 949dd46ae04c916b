#!/usr/bin/env node
// The `kernel-action` program (package.json `bin`): starts the command line, and nothing else.
import { main } from './main.js'

// A reader that stops early (`kernel-action --help | head`) is not an error of ours: the rest is dropped unsaid.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error
  })
}

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
})
