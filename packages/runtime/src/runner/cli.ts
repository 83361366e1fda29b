/**
 * `typeflow run <pipeline.ts> [--param name=value …] [--store dir] [--no-cache] [--host]
 * [--concurrency n] [--container-runtime auto|docker|podman|none]`
 *
 * Loads the pipeline module with tsx (`file.ts#name`, its default export, or its only exported pipeline), parses
 * each `--param` by the declared type of that input, runs the pipeline locally and prints
 * progress and a summary. Exit codes: 0 success, 1 a task failed or the pipeline has errors,
 * 2 usage errors (unknown option, bad or missing parameter).
 *
 * Run it directly with `node --import tsx packages/runtime/src/runner/cli.ts run <file> …`.
 *
 * @module
 */
import { existsSync, realpathSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { parseCachingSwitch, parseClusterProfile } from '@typeflow/compiler'
import { closestName, formatDiagnostic, type PipelineNode } from '@typeflow/dsl'
import type { ParameterType } from '@typeflow/dsl'
import { parseParameterText } from '../executor/params.ts'
import { loadPipelineFile } from './load.ts'
import { createProgress, formatSummary } from './progress.ts'
import type { Value } from './spec.ts'

/** Exit codes of `typeflow run`. */
export const RUN_EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** Where the command writes. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; rows?: number }
  readonly stderr: NodeJS.WritableStream
  readonly env: Readonly<Record<string, string | undefined>>
}

const USAGE = `Usage: typeflow run <pipeline.ts> [options]

Runs a pipeline on this machine: the same IR, conditions, loops, retries and caching as on KFP.

Options:
  -p, --param name=value   value of a pipeline input (repeatable); parsed by the input's type
      --store <dir>        local store for artifacts, runs and the cache (default: .typeflow)
      --no-cache           execute every task; neither read nor write the cache
      --host               run container commands directly on this machine (no docker/podman)
      --output             show what tasks print (always kept in the run's log files)
      --concurrency <n>    most tasks running at once (default: number of CPUs)
      --container-runtime <auto|docker|podman|none>
                           engine for container components (default: auto; none: only
                           function components and --host commands run)
      --caching on|off     default caching for tasks that do not choose (env TYPEFLOW_CACHING),
                           as the compile has it: off runs every such task again
      --cluster <profile>  gke, nvidia-gfd, karpenter or custom:<label>, for pipelines that name
                           accelerator models (env TYPEFLOW_CLUSTER); the run checks the pipeline
                           as it compiles for that cluster
  -h, --help               show this help

Exit codes: 0 success, 1 a task failed or the pipeline has errors, 2 usage error, 130 cancelled
with Ctrl-C.
`

class UsageError extends Error {}

const RUN_OPTIONS = {
  param: { type: 'string', short: 'p', multiple: true },
  store: { type: 'string' },
  'no-cache': { type: 'boolean' },
  host: { type: 'boolean' },
  output: { type: 'boolean' },
  concurrency: { type: 'string' },
  'container-runtime': { type: 'string' },
  cluster: { type: 'string' },
  caching: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Parses `--param name=value` flags by the pipeline's declared input types. */
function parseParams(pipeline: PipelineNode, flags: readonly string[]): Record<string, Value> {
  const values: Record<string, Value> = {}
  for (const flag of flags) {
    const at = flag.indexOf('=')
    if (at <= 0) throw new UsageError(`--param takes name=value, got "${flag}"`)
    const name = flag.slice(0, at)
    const text = flag.slice(at + 1)
    const spec = pipeline.inputs[name]
    if (!spec) {
      const known = Object.keys(pipeline.inputs)
      throw new UsageError(`pipeline "${pipeline.name}" has no input "${name}"${known.length > 0 ? `; its inputs: ${known.join(', ')}` : '; it takes no inputs'}`)
    }
    if (spec.kind !== 'parameter') throw new UsageError(`input "${name}" is an artifact; a local run cannot take it from --param`)
    if (Object.hasOwn(values, name)) throw new UsageError(`--param ${name} given twice`)
    try {
      values[name] = parseParameterText(spec.type as ParameterType, text, `--param ${name}`) as Value
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  }
  return values
}

/**
 * Runs `typeflow run` with the arguments after `run`; returns the exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await runCommand(['pipeline.ts', '--param', 'n=3', '--host'])
 * ```
 */
export async function runCommand(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  let values: Record<string, string | boolean | string[] | undefined>
  let positionals: string[]
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: RUN_OPTIONS,
    })
    values = parsed.values
    positionals = parsed.positionals
  } catch (error) {
    // Node's own text suggests '--' for a typo: name the option meant instead.
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)
    const guess = unknown ? closestName(unknown[1]!.replace(/^-+/, ''), Object.keys(RUN_OPTIONS)) : undefined
    const message = unknown ? `unknown option ${unknown[1]}${guess ? ` (did you mean --${guess}?)` : ''}` : (error as Error).message
    io.stderr.write(`error: ${message}\n\n${USAGE}`)
    return RUN_EXIT.usage
  }
  if (values['help']) {
    io.stdout.write(USAGE)
    return RUN_EXIT.ok
  }
  try {
    if (positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'expected a pipeline file' : `expected one pipeline file, got ${positionals.length}`)
    const file = positionals[0]!
    // `pipeline.ts#name` picks an export (see loadPipelineFile).
    if (!existsSync(file) && !existsSync(file.replace(/#[^#/\\]*$/, ''))) throw new UsageError(`no such file: ${file}`)
    let concurrency: number | undefined
    if (values['concurrency'] !== undefined) {
      concurrency = Number(values['concurrency'])
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency takes a positive integer, got "${String(values['concurrency'])}"`)
    }
    const runtime = values['container-runtime'] as string | undefined
    if (runtime !== undefined && !['auto', 'docker', 'podman', 'none'].includes(runtime)) throw new UsageError(`--container-runtime must be auto, docker, podman or none (got "${runtime}")`)

    const clusterText = (values['cluster'] as string | undefined) ?? io.env['TYPEFLOW_CLUSTER']
    const cluster = clusterText ? parseClusterProfile(clusterText) : undefined
    if (clusterText && cluster === undefined) throw new UsageError(`unknown --cluster "${clusterText}"; use gke, nvidia-gfd, karpenter or custom:<node label>`)
    const cachingText = (values['caching'] as string | undefined) ?? io.env['TYPEFLOW_CACHING']
    const caching = cachingText === undefined ? undefined : parseCachingSwitch(cachingText)
    if (cachingText !== undefined && caching === undefined) throw new UsageError(`--caching must be on or off (got "${cachingText}")`)

    const loaded = await loadPipelineFile(file)
    if (!loaded.ok) {
      io.stderr.write(`${loaded.diagnostics.map((d) => `error ${formatDiagnostic(d)}`).join('\n')}\n`)
      return RUN_EXIT.failed
    }
    const params = parseParams(loaded.pipeline, (values['param'] as string[] | undefined) ?? [])
    // The compiler is loaded only now, so usage errors come back fast.
    const { runPipeline } = await import('./run.ts')
    const backoffScale = io.env['TYPEFLOW_BACKOFF_SCALE'] !== undefined ? Number(io.env['TYPEFLOW_BACKOFF_SCALE']) : undefined

    const controller = new AbortController()
    let interrupts = 0
    const onSigint = () => {
      interrupts++
      if (interrupts > 1) process.exit(130)
      io.stderr.write('\ncancelling: stopping running tasks (Ctrl-C again to quit at once)\n')
      controller.abort()
    }
    process.on('SIGINT', onSigint)
    const progress = createProgress({ stream: io.stdout, env: io.env })
    try {
      const result = await runPipeline(loaded.pipeline, {
        params,
        ...(values['store'] !== undefined && { storeDir: values['store'] as string }),
        ...(concurrency !== undefined && { concurrency }),
        hostCommands: values['host'] === true,
        showOutput: values['output'] === true,
        cache: values['no-cache'] !== true,
        ...(runtime !== undefined && { containerRuntime: runtime as 'auto' | 'docker' | 'podman' | 'none' }),
        ...(backoffScale !== undefined && Number.isFinite(backoffScale) && { backoffScale }),
        ...((cluster !== undefined || caching !== undefined) && { compile: { ...(cluster !== undefined && { cluster }), ...(caching !== undefined && { caching }) } }),
        signal: controller.signal,
        onEvent: progress.onEvent,
      })
      progress.close()
      if (result.status === 'invalid') {
        io.stderr.write(`${result.diagnostics.map((d) => `error ${formatDiagnostic(d)}`).join('\n')}\n`)
        return RUN_EXIT.failed
      }
      for (const [name, value] of Object.entries(result.outputs)) {
        const shown = Array.isArray(value) && value.every((v) => v !== null && typeof v === 'object' && 'uri' in v) ? value.map((a) => (a as { uri: string }).uri).join(', ') : JSON.stringify(value)
        io.stdout.write(`output ${name} = ${shown}\n`)
      }
      io.stdout.write(`${formatSummary(result)}\n`)
      if (result.status === 'failed') {
        io.stderr.write(`run ${result.runId} failed: ${result.error ?? 'a task failed'}\n`)
        // Stopped by Ctrl-C: 128 + SIGINT, as shells report a command the signal ended.
        return controller.signal.aborted ? RUN_EXIT.interrupted : RUN_EXIT.failed
      }
      return RUN_EXIT.ok
    } finally {
      progress.close()
      process.off('SIGINT', onSigint)
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof Error && error.name === 'RunInputError')) {
      io.stderr.write(`error: ${error.message}\n`)
      return RUN_EXIT.usage
    }
    throw error
  }
}

/**
 * The command-line entry: `run <pipeline.ts> …` (other commands belong to the main CLI).
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2))
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === 'run') return runCommand(rest)
  if (command === '--help' || command === '-h') {
    process.stdout.write(USAGE)
    return RUN_EXIT.ok
  }
  process.stderr.write(`error: ${command === undefined ? 'expected a command' : `unknown command "${command}"`}\n\n${USAGE}`)
  return RUN_EXIT.usage
}

function isEntry(): boolean {
  const entry = process.argv[1]
  if (!entry) return false
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(resolve(entry))
  } catch {
    return false
  }
}

if (isEntry()) {
  process.exitCode = await main(process.argv.slice(2))
}
