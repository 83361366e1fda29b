import { readFileSync, watch } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import type { Diagnostic } from '@typeflow/dsl'
import { compile, type CompileOptions, parseClusterProfile, type Target, validateKfpDocuments, writeFilesAtomically } from '@typeflow/compiler'
import { parseAllDocuments } from 'yaml'
import { typecheckFiles } from './check.ts'
import { graphCommand } from './graph/command.ts'
import { loadPipeline } from './load.ts'
import { type DiagnosticFormat, renderDiagnostics, useColour } from './output.ts'
import { planPipeline, renderPlan } from './plan.ts'
import { IMPORT_OPTIONS, IMPORT_USAGE, runImport } from './import/command.ts'

/** Exit codes, as good Node tools use them. */
export const EXIT = { ok: 0, diagnostics: 1, usage: 2 } as const

interface Command {
  readonly summary: string
  readonly usage: string
  readonly options: NonNullable<ParseArgsConfig['options']>
  readonly run: (positionals: readonly string[], values: Record<string, string | boolean | undefined>) => Promise<number>
}

class UsageError extends Error {}

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

function cachingSwitch(value: unknown): boolean | undefined {
  if (value === undefined) return undefined
  const v = String(value).toLowerCase()
  if (['on', 'true', '1', 'yes'].includes(v)) return true
  if (['off', 'false', '0', 'no'].includes(v)) return false
  throw new UsageError(`--caching must be on or off (got "${String(value)}")`)
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
  const targets = String(values['target']).split(',').map((t) => t.trim()) as Target[]
  const caching = cachingSwitch(values['caching'] ?? process.env['TYPEFLOW_CACHING'])
  const keys = values['kfp-cache-keys'] ?? process.env['TYPEFLOW_KFP_CACHE_KEYS']
  if (keys !== undefined && keys !== 'content' && keys !== 'backend') throw new UsageError('--kfp-cache-keys must be content or backend')
  const clusterText = (values['cluster'] as string | undefined) ?? process.env['TYPEFLOW_CLUSTER']
  const cluster = clusterText ? parseClusterProfile(clusterText) : undefined
  if (clusterText && cluster === undefined) throw new UsageError(`unknown --cluster "${clusterText}"; use gke, nvidia-gfd, karpenter or custom:<node label>`)
  const options: CompileOptions = {
    targets,
    strict: values['strict'] === true,
    ...(cluster !== undefined && { cluster }),
    ...(caching !== undefined && { caching }),
    ...(keys !== undefined && { kfp: { cacheKeys: keys } }),
  }
  let failed = false
  for (const file of files) {
    const loaded = await loadPipeline(file)
    const result = loaded.ok ? compile(loaded.pipeline, options) : loaded
    if (!result.ok) {
      report(result.diagnostics, format)
      failed = true
      continue
    }
    if (result.warnings.length > 0) report(result.warnings, format)
    for (const path of writeFilesAtomically(String(values['out-dir']), result.files)) process.stdout.write(`wrote ${path}\n`)
  }
  return failed ? EXIT.diagnostics : EXIT.ok
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
      const code = await compileOnce(positionals, values)
      if (!values['watch']) return code
      const folders = [...new Set(positionals.map((f) => dirname(resolve(f))))]
      process.stderr.write(`watching ${folders.join(', ')} (Ctrl-C to stop)\n`)
      let timer: NodeJS.Timeout | undefined
      for (const folder of folders) {
        watch(folder, { recursive: true }, () => {
          clearTimeout(timer)
          timer = setTimeout(() => {
            // A fresh process would see edited imports; tsImport caches by URL, so re-run the CLI.
            void compileOnce(positionals, values)
          }, 100)
        })
      }
      return new Promise<number>(() => {})
    },
  },
  validate: {
    summary: 'check a KFP IR YAML file against the strict PipelineSpec schema',
    usage: `typeflow validate <pipeline.yaml ...> [--format text|json|github]

Reports unknown fields and wrong types with their paths; exit code 1 when any is found.`,
    options: formatOption,
    async run(positionals, values) {
      needFiles(positionals, 'at least one YAML file')
      const format = diagnosticFormat(values['format'])
      const diagnostics: Diagnostic[] = []
      for (const file of positionals) {
        let text: string
        try {
          text = readFileSync(file, 'utf8')
        } catch (error) {
          diagnostics.push({ code: 'E_IO', path: [], message: `cannot read ${file}: ${(error as Error).message}` })
          continue
        }
        const docs = parseAllDocuments(text)
        const parsed = Array.isArray(docs) ? docs : []
        const yamlErrors = parsed.flatMap((d) => d.errors)
        if (yamlErrors.length > 0 || parsed.length === 0) {
          const first = yamlErrors[0]
          const pos = first?.linePos?.[0]
          diagnostics.push({ code: 'E_SCHEMA', path: [], message: first ? `malformed YAML: ${first.message.split('\n')[0]}` : 'empty file', source: { file, line: pos?.line ?? 1, column: pos?.col ?? 1 } })
          continue
        }
        for (const issue of validateKfpDocuments(parsed.map((d) => d.toJS()))) {
          diagnostics.push({ code: 'E_SCHEMA', path: issue.path.split('/').filter(Boolean), message: issue.message, source: { file, line: 1, column: 1 } })
        }
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
    usage: `typeflow check <pipeline.ts ...> [--format text|json|github]

Runs the TypeScript checker on the files (with the nearest tsconfig.json), then compiles each
pipeline without writing anything.`,
    options: formatOption,
    async run(positionals, values) {
      needFiles(positionals, 'at least one pipeline file')
      const format = diagnosticFormat(values['format'])
      const diagnostics: Diagnostic[] = [...typecheckFiles(positionals)]
      for (const file of positionals) {
        const loaded = await loadPipeline(file)
        const result = loaded.ok ? compile(loaded.pipeline) : loaded
        if (!result.ok) diagnostics.push(...result.diagnostics)
      }
      if (diagnostics.length > 0) {
        report(diagnostics, format)
        return EXIT.diagnostics
      }
      if (format === 'json') process.stdout.write(`${JSON.stringify({ diagnostics: [] })}\n`)
      else process.stdout.write(`${positionals.length} file${positionals.length === 1 ? '' : 's'} ok\n`)
      return EXIT.ok
    },
  },
  plan: {
    summary: "show every task's cache key and its ingredients, resources, peak GPU demand and critical path",
    usage: `typeflow plan <pipeline.ts> [--format text|json] [--param name=value ...] [--caching on|off]`,
    options: { ...formatOption, param: { type: 'string', multiple: true }, caching: { type: 'string' } },
    async run(positionals, values) {
      if (positionals.length !== 1) throw new UsageError('expected one pipeline file')
      const format = values['format']
      if (format !== 'text' && format !== 'json') throw new UsageError('--format must be text or json')
      const loaded = await loadPipeline(positionals[0]!)
      const caching = cachingSwitch(values['caching'] ?? process.env['TYPEFLOW_CACHING'])
      const result = loaded.ok ? compile(loaded.pipeline, { ...(caching !== undefined && { caching }) }) : loaded
      if (!result.ok) {
        report(result.diagnostics, 'text')
        return EXIT.diagnostics
      }
      const params = parseParams((values['param'] as unknown as string[] | undefined) ?? [])
      const plan = planPipeline(result.analysed, params)
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
  if (name === 'run') {
    // The runner owns its flags (--param, --host, --store …); loaded only when needed.
    const { runCommand } = await import('@typeflow/runtime/runner')
    return runCommand(rest)
  }
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
    const { values, positionals } = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true })
    return await command.run(positionals, values as Record<string, string | boolean | undefined>)
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`typeflow ${name}: ${(error as Error).message}\n\n${command.usage}\n`)
      return EXIT.usage
    }
    throw error
  }
}
