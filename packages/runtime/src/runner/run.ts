/**
 * The local runner's public API: compile a pipeline, then execute its KFP IR on this machine
 * with the backends' semantics, a local artifact store and the content-addressed cache.
 *
 * @module
 */
import { availableParallelism } from 'node:os'
import type { Diagnostic, ParameterType, PipelineNode } from '@typeflow/dsl'
import { type AnalysedPipeline, compile, type CompileOptions, computeCacheKeys, emitKfp, readBack, runtimeCacheKey, type TaskCacheKey } from '@typeflow/compiler'
import { checkParameter, parseParameterText } from '../executor/params.ts'
import { type ContainerRuntime, detectContainerRuntime, type TaskEnvironment } from './execute-task.ts'
import { type CacheScope, type FinalTaskState, type ResolvedInputs, Scheduler, type TaskCache, type TaskEvent, type TaskOutputEvent, type TaskRecord } from './scheduler.ts'
import type { PipelineSpec, Value } from './spec.ts'
import { LOCAL_PIPELINE_ROOT, LocalStore, newRunId, type StoredArtifact } from './store.ts'

/** Everything the runner reports while it works. */
export type RunEvent =
  | TaskEvent
  | TaskOutputEvent
  | { readonly type: 'start'; readonly runId: string; readonly pipeline: string; readonly storeDir: string }
  | { readonly type: 'end'; readonly result: RunResult }

/** Options of {@link runPipeline}. */
export interface RunOptions {
  /** Values of the pipeline's input parameters (defaults fill the rest). */
  readonly params?: Readonly<Record<string, unknown>>
  /** The local store. @default '.typeflow' */
  readonly storeDir?: string
  /** Most leaf tasks running at once. @default the number of CPUs */
  readonly concurrency?: number
  /** Run container commands (not only function components) directly on this machine. @default false */
  readonly hostCommands?: boolean
  /** Reuse and record results in the cache. @default true */
  readonly cache?: boolean
  /** Which engine runs container components. @default 'auto' (docker, then podman) */
  readonly containerRuntime?: 'auto' | 'docker' | 'podman' | 'none'
  /** Where artifacts go (a `gs://`, `s3://` or `minio://` root mapped into the store). @default the pipeline's root, else `minio://typeflow` */
  readonly pipelineRoot?: string
  /** Multiplies retry backoffs (tests use a small number). @default 1 */
  readonly backoffScale?: number
  /** Cancels the run: running processes are stopped, nothing new starts. */
  readonly signal?: AbortSignal
  /** Extra environment variables for every task. */
  readonly env?: Readonly<Record<string, string>>
  /** Report every line tasks print as `output` events (they always go to the run's log files). @default false */
  readonly showOutput?: boolean
  /** Options for the compile step. */
  readonly compile?: CompileOptions
  readonly onEvent?: (event: RunEvent) => void
}

/** The result of {@link runPipeline}. */
export interface RunResult {
  /** `invalid` when the pipeline did not compile (see `diagnostics`). */
  readonly status: 'succeeded' | 'failed' | 'invalid'
  readonly pipeline: string
  readonly runId: string
  /** Absolute path of the store. */
  readonly storeDir: string
  /** Every leaf task, in the order they became known. */
  readonly tasks: readonly TaskRecord[]
  /** The pipeline's outputs: parameter values, or artifact lists. */
  readonly outputs: Readonly<Record<string, Value | readonly StoredArtifact[]>>
  readonly durationMs: number
  /** How many tasks ended in each final state. */
  readonly counts: Readonly<Record<FinalTaskState, number>>
  readonly diagnostics: readonly Diagnostic[]
  /** Why the run failed, in one line. */
  readonly error?: string
}

/**
 * A problem with the values given for the pipeline's inputs (unknown name, wrong type, missing
 * required input).
 *
 * @example
 * ```ts
 * try { await runPipeline(p, { params: { nope: 1 } }) } catch (e) { if (e instanceof RunInputError) console.error(e.message) }
 * ```
 */
export class RunInputError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RunInputError'
  }
}

const SUPPORTED_ROOT = /^(gs|s3|minio):\/\/[^/]/

const keyCache = new WeakMap<AnalysedPipeline, ReadonlyMap<string, TaskCacheKey>>()

function keysOf(analysed: AnalysedPipeline): ReadonlyMap<string, TaskCacheKey> {
  let keys = keyCache.get(analysed)
  if (!keys) keyCache.set(analysed, (keys = computeCacheKeys(analysed)))
  return keys
}

/**
 * The cache-key scope of a pipeline level: the compile-time keys of its tasks completed with the
 * run-time values of its inputs and loop items ({@link runtimeCacheKey}). A nested pipeline gets
 * a scope of its own whose inputs are the values its task received.
 *
 * @example
 * ```ts
 * const scope = cacheScope(result.analysed, { epochs: 10 })
 * scope.keyOf('train', {}) // 'f3a1…' or undefined when the task is not cacheable
 * ```
 */
export function cacheScope(analysed: AnalysedPipeline, pipelineInputs: Readonly<Record<string, unknown>>): CacheScope {
  const keys = keysOf(analysed)
  const scope: CacheScope = {
    keyOf(task, loopItems) {
      const key = keys.get(task)
      if (!key || !key.cacheable) return undefined
      return runtimeCacheKey(key, pipelineInputs, loopItems)
    },
    enter(task, inputs: ResolvedInputs) {
      const child = analysed.tasks.get(task)?.child
      if (!child) return scope
      const values: Record<string, unknown> = { ...inputs.parameters }
      for (const [name, list] of Object.entries(inputs.artifacts)) values[name] = list.map((a) => a.uri)
      return cacheScope(child, values)
    },
    isPipeline(task) {
      return analysed.tasks.get(task)?.child !== undefined
    },
  }
  return scope
}

/**
 * Parses a `--param` value by the declared type of the input: strings as they are, numbers,
 * `true`/`false`, JSON for lists and structs.
 *
 * @throws {RunInputError} when the text is not a value of that type.
 * @example
 * ```ts
 * parseParamValue('NUMBER_INTEGER', '3', 'n') // 3
 * parseParamValue('LIST', '[1,2]', 'xs') // [1, 2]
 * ```
 */
export function parseParamValue(type: string, text: string, name: string): Value {
  try {
    return parseParameterText(type as ParameterType, text, `--param ${name}`) as Value
  } catch (error) {
    throw new RunInputError((error as Error).message)
  }
}

/**
 * Checks the given values against the root's input definitions and fills defaults.
 *
 * @throws {RunInputError} for an unknown name, a value of the wrong type or a missing required input.
 * @example
 * ```ts
 * pipelineInputValues(spec, { n: 3 }) // { n: 3, mode: 'fast' }  (mode has a default)
 * ```
 */
export function pipelineInputValues(spec: PipelineSpec, params: Readonly<Record<string, unknown>>): Record<string, Value> {
  const definitions = spec.root.inputDefinitions?.parameters ?? {}
  const artifactInputs = Object.keys(spec.root.inputDefinitions?.artifacts ?? {})
  const values: Record<string, Value> = {}
  for (const [name, value] of Object.entries(params)) {
    const definition = definitions[name]
    if (!definition) {
      const known = Object.keys(definitions)
      throw new RunInputError(`pipeline "${spec.pipelineInfo.name}" has no input parameter "${name}"${known.length > 0 ? ` (its inputs: ${known.join(', ')})` : ' (it takes no inputs)'}`)
    }
    if (value === undefined) continue
    try {
      values[name] = checkParameter((definition.parameterType ?? 'STRING') as ParameterType, value, `input "${name}"`) as Value
    } catch (error) {
      throw new RunInputError((error as Error).message)
    }
  }
  const missing: string[] = []
  for (const [name, definition] of Object.entries(definitions)) {
    if (Object.hasOwn(values, name)) continue
    if (definition.defaultValue !== undefined && definition.defaultValue !== null) values[name] = definition.defaultValue
    else if (!definition.isOptional) missing.push(`${name} (${definition.parameterType ?? 'STRING'})`)
  }
  if (missing.length > 0) throw new RunInputError(`missing value for required input${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; pass --param name=value`)
  if (artifactInputs.length > 0) throw new RunInputError(`pipeline "${spec.pipelineInfo.name}" takes input artifacts (${artifactInputs.join(', ')}), which a local run cannot provide yet`)
  return values
}

function countStates(tasks: readonly TaskRecord[]): Record<FinalTaskState, number> {
  const counts: Record<FinalTaskState, number> = { done: 0, cached: 0, failed: 0, skipped: 0, 'not-triggered': 0 }
  for (const task of tasks) counts[task.state]++
  return counts
}

/**
 * Compiles a pipeline and runs its KFP IR locally: tasks in dependency order with parallelism,
 * conditions, loops (with their parallelism limits), fan-in, exit handlers, retries and caching.
 * Function components run as subprocesses with this Node; container components with docker or
 * podman, or on the host with `hostCommands`. Artifacts and cache live in `storeDir`.
 *
 * @throws {RunInputError} when `params` do not fit the pipeline's inputs.
 * @example
 * ```ts
 * import { runPipeline } from '@typeflow/runtime/runner'
 * const result = await runPipeline(myPipeline, { params: { epochs: 3 }, hostCommands: true })
 * console.log(result.status, result.counts) // 'succeeded' { done: 4, cached: 2, … }
 * ```
 */
export async function runPipeline(pipeline: PipelineNode, options: RunOptions = {}): Promise<RunResult> {
  const started = Date.now()
  const store = new LocalStore(options.storeDir ?? '.typeflow')
  const runId = newRunId()
  const empty = { done: 0, cached: 0, failed: 0, skipped: 0, 'not-triggered': 0 }
  const compiled = compile(pipeline, { ...options.compile, targets: ['kfp'] })
  if (!compiled.ok) {
    const result: RunResult = {
      status: 'invalid', pipeline: pipeline.name, runId, storeDir: store.dir, tasks: [], outputs: {},
      durationMs: Date.now() - started, counts: empty, diagnostics: compiled.diagnostics,
      error: `the pipeline does not compile (${compiled.diagnostics.length} error${compiled.diagnostics.length === 1 ? '' : 's'})`,
    }
    options.onEvent?.({ type: 'end', result })
    return result
  }
  // The PipelineSpec the compile just validated and wrote, from the same deterministic emitter, as
  // its YAML reads back. Parsing the written YAML took far longer than the run itself: 33 s at
  // 20,000 chained tasks (the parser compares each map key with every earlier one), against 0.4 s
  // of scheduling. A PlatformSpec may follow it; its settings do not apply locally.
  const spec = readBack(emitKfp(compiled.analysed, options.compile?.kfp)[0]) as PipelineSpec
  const params = pipelineInputValues(spec, options.params ?? {})
  const pipelineRoot = options.pipelineRoot ?? (spec.defaultPipelineRoot && SUPPORTED_ROOT.test(spec.defaultPipelineRoot) ? spec.defaultPipelineRoot : LOCAL_PIPELINE_ROOT)
  if (!SUPPORTED_ROOT.test(pipelineRoot)) throw new RunInputError(`pipeline root ${pipelineRoot} cannot be mapped into the local store; use a gs://, s3:// or minio:// root`)

  let runtime: ContainerRuntime | undefined
  const environment: TaskEnvironment = {
    store,
    runId,
    pipelineName: spec.pipelineInfo.name,
    pipelineRoot,
    hostCommands: options.hostCommands ?? false,
    containerRuntime: () => (runtime ??= detectContainerRuntime(options.containerRuntime ?? 'auto')),
    ...(options.signal !== undefined && { signal: options.signal }),
    ...(options.env !== undefined && { env: options.env }),
    ...(options.showOutput &&
      options.onEvent !== undefined && {
        onOutput: (task, stream, line) => options.onEvent!({ type: 'output', name: task.name, path: task.path, stream, line }),
      }),
  }
  const cache: TaskCache | undefined =
    options.cache === false
      ? undefined
      : {
          read: (key) => store.readCache(key)?.outputs,
          write: (key, task, outputs, durationMs) =>
            store.writeCache({ version: 1, key, pipeline: spec.pipelineInfo.name, task: task.name, path: task.path, runId, createdAt: new Date().toISOString(), durationMs, outputs }),
        }
  const concurrency = options.concurrency !== undefined && options.concurrency > 0 ? Math.floor(options.concurrency) : availableParallelism()
  const scheduler = new Scheduler({
    spec,
    environment,
    concurrency,
    cache,
    ...(options.backoffScale !== undefined && { backoffScale: options.backoffScale }),
    ...(options.onEvent !== undefined && { onEvent: options.onEvent }),
  })
  options.onEvent?.({ type: 'start', runId, pipeline: spec.pipelineInfo.name, storeDir: store.dir })
  store.writeRunRecord(runId, { runId, pipeline: spec.pipelineInfo.name, status: 'running', startedAt: new Date(started).toISOString(), params })
  const outcome = await scheduler.run({ parameters: params, artifacts: {} }, cacheScope(compiled.analysed, params))

  const outputs: Record<string, Value | readonly StoredArtifact[]> = { ...Object.fromEntries(outcome.parameters), ...Object.fromEntries(outcome.artifacts) }
  const tasks = scheduler.records()
  const failed = outcome.state === 'failed' || tasks.some((t) => t.state === 'failed')
  const result: RunResult = {
    status: failed ? 'failed' : 'succeeded',
    pipeline: spec.pipelineInfo.name,
    runId,
    storeDir: store.dir,
    tasks,
    outputs,
    durationMs: Date.now() - started,
    counts: countStates(tasks),
    diagnostics: [],
    ...(failed && { error: options.signal?.aborted ? 'the run was cancelled' : (outcome.error ?? 'a task failed') }),
  }
  store.writeRunRecord(runId, { ...result, startedAt: new Date(started).toISOString(), params })
  options.onEvent?.({ type: 'end', result })
  return result
}
