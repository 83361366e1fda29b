import { readFileSync, statSync } from 'node:fs'
import { Writable } from 'node:stream'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Diagnostic, PipelineNode } from '@typeflow/dsl'
import { closestName, TypeflowError } from '@typeflow/dsl'
import { compile, type CompileOptions, validateKfpDocuments, writeFilesAtomically, type OutputFile } from '@typeflow/compiler'
import { lastRecordedRun, readDurationsFile } from './durations.ts'
import { graphCommand } from './graph/command.ts'
import { loadPipelineFile, splitPipelineArgument } from '@typeflow/runtime/load'
import { type DiagnosticFormat, jsonDiagnostics, renderDiagnostics, useColour } from './output.ts'
import { planPipeline, planTaskPaths, renderPlan, taskPathOfRunRecord } from './plan.ts'
import { validateYamlFile } from './validate.ts'
import { cachingOption, clusterOption, compileOptionsFrom, UsageError } from './options.ts'
import { IMPORT_OPTIONS, IMPORT_USAGE, runImport } from './import/command.ts'
import { watchAndCompile } from './watch.ts'

/** Exit codes, as good Node tools use them. */
export const EXIT = { ok: 0, diagnostics: 1, usage: 2 } as const

interface Command {
  readonly summary: string
  readonly usage: string
  readonly options: NonNullable<ParseArgsConfig['options']>
  readonly run: (positionals: readonly string[], values: Record<string, string | boolean | undefined>) => Promise<number>
  /** Rewrites the arguments before parsing (options whose value may be left out). */
  readonly prepare?: (args: readonly string[]) => string[]
}

const formatOption = { format: { type: 'string', default: 'text' } } as const
const compileOptions = {
  'out-dir': { type: 'string', default: 'dist' },
  target: { type: 'string', default: 'kfp' },
  caching: { type: 'string' },
  'kfp-cache-keys': { type: 'string' },
  cluster: { type: 'string' },
  strict: { type: 'boolean', default: false },
  watch: { type: 'boolean', default: false },
  ...formatOption,
} as const

function diagnosticFormat(value: unknown): DiagnosticFormat {
  if (value === 'text' || value === 'json' || value === 'github') return value
  throw new UsageError(`--format must be text, json or github (got "${String(value)}")`)
}

function report(diagnostics: readonly Diagnostic[], format: DiagnosticFormat): void {
  const stream = format === 'json' ? process.stdout : process.stderr
  stream.write(renderDiagnostics(diagnostics, format, useColour(stream)))
}

function needFiles(positionals: readonly string[], what: string): void {
  if (positionals.length === 0) throw new UsageError(`expected ${what}`)
}

async function compileOnce(files: readonly string[], values: Record<string, string | boolean | undefined>): Promise<number> {
  const format = diagnosticFormat(values['format'])
  const options = compileOptionsFrom(values)
  // Every file is compiled before anything is written, and all outputs are then written as one
  // set: the usage promises that nothing is written when any diagnostic is found. Diagnostics
  // are printed once, at the end: as JSON that is one document.
  const diagnostics: Diagnostic[] = []
  let failed = false
  const outputs = new Map<string, { file: string; output: OutputFile }>()
  for (const file of files) {
    const loaded = await loadPipelineFile(file)
    const result = loaded.ok ? compile(loaded.pipeline, options) : loaded
    if (!result.ok) {
      diagnostics.push(...result.diagnostics)
      failed = true
      continue
    }
    diagnostics.push(...result.warnings)
    for (const output of result.files) {
      const earlier = outputs.get(output.path)
      if (earlier !== undefined && earlier.output.content !== output.content) {
        diagnostics.push({ code: 'E_DUPLICATE_NAME', path: [], message: `${file} and ${earlier.file} both compile to ${output.path} (their pipelines share a name); rename one of the pipelines`, source: { file, line: 1, column: 1 } })
        failed = true
      } else if (earlier === undefined) outputs.set(output.path, { file, output })
    }
  }
  let written: string[] = []
  if (!failed) {
    try {
      written = writeFilesAtomically(String(values['out-dir']), [...outputs.values()].map(({ output }) => output))
    } catch (error) {
      if (!(error instanceof TypeflowError)) throw error
      diagnostics.push(...error.diagnostics)
      failed = true
    }
  }
  if (format === 'json') process.stdout.write(`${JSON.stringify({ diagnostics: jsonDiagnostics(diagnostics), written }, null, 2)}\n`)
  else {
    if (diagnostics.length > 0) report(diagnostics, format)
    for (const path of written) process.stdout.write(`wrote ${path}\n`)
  }
  return failed ? EXIT.diagnostics : EXIT.ok
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/**
 * An option whose value may be left out (`--from-run` or `--from-run <dir>`): node's parser
 * needs a value, so the bare form becomes `--from-run=`. The next argument is its value only
 * when `isValue` accepts it, so `plan --from-run pipeline.ts` still reads the pipeline.
 */
function optionalValue(flag: string, isValue: (next: string) => boolean): (args: readonly string[]) => string[] {
  return (args) => {
    const out: string[] = []
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      if (arg === '--') {
        out.push(...args.slice(i))
        break
      }
      if (arg !== flag) {
        out.push(arg)
        continue
      }
      const next = args[i + 1]
      if (next !== undefined && !next.startsWith('-') && isValue(next)) {
        out.push(`${flag}=${next}`)
        i++
      } else {
        out.push(`${flag}=`)
      }
    }
    return out
  }
}

/** A pipeline file argument (`pipeline.ts`, `pipeline.mts#name`, …). */
const PIPELINE_FILE = /\.[cm]?[jt]sx?(#[^/]*)?$/

/** `--param name=value` by the declared type of each input, as `typeflow run` parses them. */
async function typedParams(pipeline: PipelineNode, pairs: readonly string[]): Promise<Record<string, unknown>> {
  if (pairs.length === 0) return {}
  const { parseParamValue } = await import('@typeflow/runtime/runner')
  const out: Record<string, unknown> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--param takes name=value (got "${pair}")`)
    const name = pair.slice(0, eq)
    const spec = pipeline.inputs[name]
    if (!spec) {
      const inputs = Object.keys(pipeline.inputs)
      throw new UsageError(`pipeline "${pipeline.name}" has no input "${name}"${inputs.length > 0 ? `; its inputs: ${inputs.join(', ')}` : ''}`)
    }
    if (spec.kind !== 'parameter') throw new UsageError(`input "${name}" is an artifact; --param only sets parameters`)
    try {
      out[name] = parseParamValue(spec.type, pair.slice(eq + 1), name)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  }
  return out
}

const commands: Readonly<Record<string, Command>> = {
  compile: {
    summary: 'compile pipeline files to KFP IR (and Argo) YAML',
    usage: `typeflow compile <pipeline.ts ...> [options]

  --out-dir <dir>          where to write <name>.<target>.yaml (default: dist)
  --target <list>          kfp, argo or kfp,argo (default: kfp)
  --caching on|off         default caching for tasks that do not choose (env TYPEFLOW_CACHING)
  --kfp-cache-keys <mode>  backend (as the KFP SDK) or content (write Typeflow's keys)
  --cluster <profile>      gke, nvidia-gfd, karpenter or custom:<label>: accelerator models → node selectors
  --strict                 policy warnings (unpinned images, GPU retries) become errors
  --watch                  recompile when a file in the pipeline's folder changes
  --format text|json|github  how to print diagnostics (default: text)

Writes nothing when any diagnostic is found; exit code 1.`,
    options: compileOptions,
    async run(positionals, values) {
      needFiles(positionals, 'at least one pipeline file')
      if (values['watch'] && diagnosticFormat(values['format']) === 'json') throw new UsageError('--watch prints one report per change; use --format text or github with it')
      const code = await compileOnce(positionals, values)
      if (!values['watch']) return code
      return watchAndCompile(positionals, String(values['out-dir']), () => compileOnce(positionals, values))
    },
  },
  validate: {
    summary: 'check compiled YAML (KFP IR or Argo manifests) against the strict schema of its target',
    usage: `typeflow validate <file.yaml ...> [--format text|json|github]

KFP IR against the strict PipelineSpec schema; Argo manifests (apiVersion argoproj.io/…) against
Typeflow's strict Argo schema. Reports unknown fields and wrong types with their paths and lines;
exit code 1 when any is found.`,
    options: formatOption,
    async run(positionals, values) {
      needFiles(positionals, 'at least one YAML file')
      const format = diagnosticFormat(values['format'])
      const diagnostics: Diagnostic[] = []
      for (const file of positionals) {
        diagnostics.push(...validateYamlFile(file))
      }
      if (diagnostics.length > 0) {
        report(diagnostics, format)
        return EXIT.diagnostics
      }
      if (format !== 'json') process.stdout.write(`${positionals.length} file${positionals.length === 1 ? '' : 's'} valid\n`)
      else process.stdout.write(`${JSON.stringify({ diagnostics: [] })}\n`)
      return EXIT.ok
    },
  },
  check: {
    summary: 'typecheck pipeline files and report type errors and Typeflow diagnostics together',
    usage: `typeflow check <pipeline.ts ...> [options]

  --target <list>          kfp, argo or kfp,argo (default: kfp,argo, as build() writes)
  --caching on|off         default caching for tasks that do not choose (env TYPEFLOW_CACHING)
  --cluster <profile>      gke, nvidia-gfd, karpenter or custom:<label> (env TYPEFLOW_CLUSTER)
  --strict                 policy warnings (unpinned images, GPU retries) become errors
  --format text|json|github  how to print diagnostics (default: text)

Runs the TypeScript checker on the files (with the nearest tsconfig.json), then compiles each
pipeline for the targets without writing anything. Warnings are printed and do not fail the
check unless --strict; exit code 1 on errors.`,
    options: {
      ...formatOption,
      target: { type: 'string', default: 'kfp,argo' },
      caching: { type: 'string' },
      'kfp-cache-keys': { type: 'string' },
      cluster: { type: 'string' },
      strict: { type: 'boolean', default: false },
    },
    async run(positionals, values) {
      needFiles(positionals, 'at least one pipeline file')
      const format = diagnosticFormat(values['format'])
      const options = compileOptionsFrom(values)
      // The TypeScript compiler API (~0.6 s and ~140 MiB to load under tsx) only for this command.
      const { typecheckFiles } = await import('./check.ts')
      const diagnostics: Diagnostic[] = [...typecheckFiles([...new Set(positionals.map((argument) => splitPipelineArgument(argument).file))])]
      for (const file of positionals) {
        const loaded = await loadPipelineFile(file)
        const result = loaded.ok ? compile(loaded.pipeline, options) : loaded
        diagnostics.push(...(result.ok ? result.warnings : result.diagnostics))
      }
      const errors = diagnostics.filter((d) => d.severity !== 'warning').length
      if (format === 'json') process.stdout.write(`${JSON.stringify({ diagnostics: jsonDiagnostics(diagnostics) }, null, diagnostics.length > 0 ? 2 : undefined)}\n`)
      else if (diagnostics.length > 0) report(diagnostics, format)
      if (errors > 0) return EXIT.diagnostics
      const warnings = diagnostics.length
      if (format !== 'json') process.stdout.write(`${positionals.length} file${positionals.length === 1 ? '' : 's'} ok${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}\n`)
      return EXIT.ok
    },
  },
  plan: {
    summary: "show every task's cache key and its ingredients, resources and placement, total and peak GPUs, and the critical path",
    usage: `typeflow plan <pipeline.ts> [options]

  --durations <file.json>  duration estimates: { "<task>": 90, "<task>": "45m", "<task>": "1h30m" }
                           (seconds, or d h m s ms); a task of a nested pipeline is "<pipeline task>/<task>"
  --from-run [dir]         measured durations from the last local run of this pipeline that
                           succeeded (else the last that failed): in the runner's store (default:
                           .typeflow), a run directory or its run.json; entries of --durations
                           take precedence
  --param name=value       value of a pipeline input (repeatable): completes cache keys and loop sizes
  --caching on|off         default caching for tasks that do not choose (env TYPEFLOW_CACHING)
  --cluster <profile>      gke, nvidia-gfd, karpenter or custom:<label>: show accelerator placement
  --format text|json|github  the plan as text (github: with diagnostics as Actions annotations) or JSON
  --json                   same as --format json

Peak accelerators: the most in use at once when everything that can run in parallel does (loops
with their parallelism). Critical path: every task counts 1 unit without estimates; with them,
a task without one counts 0s (listed). Exit code 1 on diagnostics, e.g. a task named in the
durations file that the pipeline does not have (E_UNKNOWN_TASK).`,
    options: {
      ...formatOption,
      json: { type: 'boolean', default: false },
      param: { type: 'string', multiple: true },
      caching: { type: 'string' },
      cluster: { type: 'string' },
      durations: { type: 'string' },
      'from-run': { type: 'string' },
    },
    // The next argument is the run unless it is a pipeline file: a path that does not exist is the
    // run's (and gets "no run there"), not the pipeline file's.
    prepare: optionalValue('--from-run', (next) => next.endsWith('.json') || isDirectory(next) || !PIPELINE_FILE.test(next)),
    async run(positionals, values) {
      if (positionals.length !== 1) throw new UsageError('expected one pipeline file')
      if (values['json'] === true && values['format'] !== 'text' && values['format'] !== 'json') throw new UsageError('--json and --format disagree')
      const format = values['json'] === true ? 'json' : diagnosticFormat(values['format'])
      const caching = cachingOption(values['caching'])
      const cluster = clusterOption(values['cluster'])
      const loaded = await loadPipelineFile(positionals[0]!)
      const params = loaded.ok ? await typedParams(loaded.pipeline, (values['param'] as unknown as string[] | undefined) ?? []) : {}
      const result = loaded.ok ? compile(loaded.pipeline, { ...(caching !== undefined && { caching }), ...(cluster !== undefined && { cluster }) }) : loaded
      if (!result.ok) {
        report(result.diagnostics, format)
        return EXIT.diagnostics
      }
      const analysed = result.analysed
      const diagnostics: Diagnostic[] = []
      let durations: Map<string, { seconds: number; from: 'file' | 'run' }> | undefined
      const estimatesFrom: string[] = []
      const paths = planTaskPaths(analysed, params)
      const known = new Set(paths.tasks)
      const fromRun = values['from-run']
      if (typeof fromRun === 'string') {
        durations = new Map()
        const found = lastRecordedRun(fromRun === '' ? '.typeflow' : fromRun, analysed.node.name)
        if (!found.ok) diagnostics.push(found.diagnostic)
        else {
          estimatesFrom.push(`run ${found.run.runId}${found.run.status === 'succeeded' ? '' : ` (${found.run.status})`}`)
          for (const recorded of found.run.tasks) {
            const id = recorded.seconds === undefined ? undefined : taskPathOfRunRecord(analysed, recorded.path)
            if (id === undefined || !known.has(id)) continue
            // Iterations of a loop: the slowest stands for all of them.
            const seconds = Math.max(recorded.seconds!, durations.get(id)?.seconds ?? 0)
            durations.set(id, { seconds, from: 'run' })
          }
        }
      }
      const file = values['durations']
      if (typeof file === 'string') {
        durations ??= new Map()
        const read = readDurationsFile(file)
        diagnostics.push(...read.diagnostics)
        estimatesFrom.push(file)
        for (const entry of read.entries) {
          if (known.has(entry.task)) {
            durations.set(entry.task, { seconds: entry.seconds, from: 'file' })
            continue
          }
          const nested = paths.pipelineTasks.includes(entry.task)
          const near = closestName(entry.task, paths.tasks)
          diagnostics.push({
            code: 'E_UNKNOWN_TASK',
            path: ['durations', entry.task],
            message: nested
              ? `task "${entry.task}" runs a nested pipeline: give the durations of its tasks (${paths.tasks.filter((t) => t.startsWith(`${entry.task}/`)).join(', ')})`
              : `pipeline "${analysed.node.name}" has no task "${entry.task}"${near ? `; did you mean "${near}"?` : ''}`,
            source: entry.source,
          })
        }
      }
      if (diagnostics.length > 0) {
        // In file order, so a long durations file reads top to bottom.
        const at = (d: Diagnostic) => [d.source?.file ?? '', d.source?.line ?? 0, d.source?.column ?? 0] as const
        diagnostics.sort((a, b) => {
          const [fa, la, ca] = at(a)
          const [fb, lb, cb] = at(b)
          return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb
        })
        report(diagnostics, format)
        return EXIT.diagnostics
      }
      const plan = planPipeline(analysed, { params, ...(durations !== undefined && { durations, estimatesFrom }) })
      process.stdout.write(format === 'json' ? `${JSON.stringify(plan, null, 2)}\n` : renderPlan(plan, useColour(process.stdout)))
      return EXIT.ok
    },
  },
  import: {
    summary: 'generate a typed TypeScript module from a KFP component or compiled pipeline YAML',
    usage: IMPORT_USAGE,
    options: IMPORT_OPTIONS,
    run: runImport,
  },
  graph: graphCommand,
}

/** `name=value` pairs; values are parsed as JSON when they parse, else kept as strings. */
export function parseParams(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf('=')
    if (eq <= 0) throw new UsageError(`--param takes name=value (got "${pair}")`)
    const raw = pair.slice(eq + 1)
    let value: unknown = raw
    try {
      value = JSON.parse(raw)
    } catch {
      // Not JSON: a plain string.
    }
    out[pair.slice(0, eq)] = value
  }
  return out
}

const RUN_FORMAT_HELP = "      --format text|json|github  how to print the pipeline's diagnostics (default: text)\n"

/**
 * `typeflow run`: the runner owns its flags (--param, --host, --store …) and is loaded only when
 * needed. `--format json|github` is handled here: the pipeline is compiled first as the runner
 * would (KFP target, default options), and its diagnostics are printed in that format.
 */
async function runWithFormat(args: readonly string[]): Promise<number> {
  const { runCommand } = await import('@typeflow/runtime/runner')
  if (args.includes('--help') || args.includes('-h')) {
    let help = ''
    const capture = new Writable({
      write(chunk: Buffer, _encoding, done) {
        help += chunk.toString()
        done()
      },
    })
    const code = await runCommand(['--help'], { stdout: capture, stderr: process.stderr, env: process.env })
    const at = help.indexOf('  -h, --help')
    process.stdout.write(at >= 0 ? `${help.slice(0, at)}${RUN_FORMAT_HELP}${help.slice(at)}` : `${help}${RUN_FORMAT_HELP}`)
    return code
  }
  const rest: string[] = []
  let format: DiagnosticFormat = 'text'
  try {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i]!
      if (arg === '--') {
        rest.push(...args.slice(i))
        break
      }
      if (arg === '--format' || arg.startsWith('--format=')) {
        const value = arg === '--format' ? args[++i] : arg.slice('--format='.length)
        format = diagnosticFormat(value)
        continue
      }
      rest.push(arg)
    }
  } catch (error) {
    process.stderr.write(`typeflow run: ${(error as Error).message}\n`)
    return EXIT.usage
  }
  if (format !== 'text') {
    // Which argument is the pipeline: the runner's options that take a value are skipped.
    const { positionals, values } = parseArgs({
      args: rest,
      strict: false,
      allowPositionals: true,
      options: { param: { type: 'string', short: 'p', multiple: true }, store: { type: 'string' }, concurrency: { type: 'string' }, 'container-runtime': { type: 'string' }, cluster: { type: 'string' } },
    })
    if (positionals.length === 1) {
      let cluster: CompileOptions['cluster']
      try {
        cluster = clusterOption(values['cluster'])
      } catch (error) {
        process.stderr.write(`typeflow run: ${(error as Error).message}\n`)
        return EXIT.usage
      }
      const loaded = await loadPipelineFile(positionals[0]!)
      const result = loaded.ok ? compile(loaded.pipeline, { targets: ['kfp'], ...(cluster !== undefined && { cluster }) }) : loaded
      if (!result.ok) {
        report(result.diagnostics, format)
        return EXIT.diagnostics
      }
    }
  }
  return runCommand(rest)
}

function overview(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length))
  const lines = [...Object.entries(commands), ['run', { summary: 'run a pipeline locally: conditions, loops, caching, retries, with live progress' }] as const]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  return `Usage: typeflow <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun \`typeflow <command> --help\` for a command's options.\n`
}

/**
 * Runs the CLI with the given arguments and returns the exit code: 0 when all is well, 1 when
 * there were diagnostics (or a failed run), 2 on a usage error.
 *
 * @example
 * ```ts
 * import { main } from '@typeflow/cli'
 * const code = await main(['validate', 'dist/quickstart.kfp.yaml'])
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview())
    return name === undefined ? EXIT.usage : EXIT.ok
  }
  if (name === '--version' || name === '-v') {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    process.stdout.write(`${pkg.version}\n`)
    return EXIT.ok
  }
  if (name === 'run') return runWithFormat(rest)
  const command = commands[name]
  if (!command) {
    process.stderr.write(`typeflow: unknown command "${name}"\n\n${overview()}`)
    return EXIT.usage
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`)
    return EXIT.ok
  }
  try {
    const args = command.prepare ? command.prepare(rest) : [...rest]
    const { values, positionals } = parseArgs({ args, options: command.options, allowPositionals: true, strict: true })
    return await command.run(positionals, values as Record<string, string | boolean | undefined>)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)
      const guess = unknown ? closestName(unknown[1]!.replace(/^-+/, ''), Object.keys(command.options)) : undefined
      const message = unknown ? `unknown option ${unknown[1]}${guess ? ` (did you mean --${guess}?)` : ''} (the options of ${name} are below)` : (error as Error).message
      process.stderr.write(`typeflow ${name}: ${message}\n\n${command.usage}\n`)
      return EXIT.usage
    }
    throw error
  }
}
