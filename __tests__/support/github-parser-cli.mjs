// Loads action.yml and workflow files with GitHub's own parser (@actions/workflow-parser) and prints, as JSON, what
// GitHub would see: the errors, and for an action its inputs, outputs and runs. The parser imports its JSON schemas
// without an import attribute, which plain Node ESM refuses, so the tests bundle this file with ncc and run the bundle.
import fs from 'node:fs'
import path from 'node:path'
import { NoOperationTraceWriter, parseWorkflow, convertWorkflowTemplate } from '@actions/workflow-parser'
import { convertActionTemplate, parseAction } from '@actions/workflow-parser/actions/index'

async function load(file) {
  const entry = { name: file, content: fs.readFileSync(file, 'utf8') }
  const messages = (context) => context.errors.getErrors().map((e) => e.message)
  if (/^action\.ya?ml$/.test(path.basename(file))) {
    const parsed = parseAction(entry, new NoOperationTraceWriter())
    const errors = messages(parsed.context)
    if (errors.length > 0 || !parsed.value) return { file, errors }
    const action = convertActionTemplate(parsed.context, parsed.value)
    return {
      file,
      errors: messages(parsed.context),
      inputs: (action.inputs ?? []).map((i) => ({ id: i.id, required: i.required ?? false, default: i.default?.toString() ?? null })),
      outputs: (action.outputs ?? []).map((o) => o.id),
      runs: action.runs,
    }
  }
  const parsed = parseWorkflow(entry, new NoOperationTraceWriter())
  const errors = messages(parsed.context)
  if (errors.length > 0 || !parsed.value) return { file, errors }
  const workflow = await convertWorkflowTemplate(parsed.context, parsed.value)
  return {
    file,
    errors: [...messages(parsed.context), ...(workflow.errors ?? []).map((e) => e.Message ?? String(e))],
    jobs: workflow.jobs.map((j) => j.id.value),
  }
}

const results = []
for (const file of process.argv.slice(2)) results.push(await load(file))
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
