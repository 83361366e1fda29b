/**
 * Runs one leaf task of the IR locally, doing what the KFP driver and launcher do in a pod:
 * applies input defaults, provisions output URIs and files, builds the `ExecutorInput`,
 * substitutes the command-line placeholders (`{{$}}`, `{{$.inputs.parameters['x']}}`, artifact
 * `.uri`/`.path`/`.metadata`, `.output_file`, `{{$.outputs.output_file}}`, runtime values,
 * `IfPresent` and `Concat`), runs the command, then collects the outputs (ExecutorOutput JSON
 * first, output parameter files for the rest, parsed by type).
 *
 * Where the command runs:
 * - function components (the packaged `node -e <bootstrap>` command) run with this Node on the
 *   host, with `TYPEFLOW_LOCAL_ROOT` pointing at the store's artifacts, exactly the command the
 *   container would run;
 * - with `hostCommands`, any other container's command runs on the host the same way;
 * - otherwise with docker or podman, the store mounted where a KFP pod has its object-store
 *   mounts (`/minio`, `/gcs`, `/s3`) and the output parameter files at `/tmp/kfp/outputs`;
 * - with neither, the task fails with a message that says what to do.
 *
 * Importer tasks register their URI as an artifact.
 *
 * @module
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomUUID } from 'node:crypto'
import { accessSync, constants, createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { delimiter, dirname, isAbsolute, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ParameterType } from '@typeflow/dsl'
import { driverText } from '@typeflow/dsl/kfp'
import { BOOTSTRAP } from '../executor/package.ts'
import { parseParameterText } from '../executor/params.ts'
import { artifactLocalPath, localPathForUri, outputArtifactUri, runRootUri, taskRootUri } from '../executor/uri.ts'
import type { ComponentSpec, ContainerSpec, ExecutorSpec, Value } from './spec.ts'
import type { LocalStore, StoredArtifact, TaskOutputs } from './store.ts'
import { writeFileAtomic } from './store.ts'

/** A leaf task ready to run: its IR, and its inputs resolved by the scheduler. */
export interface LeafTask {
  /** The task's key in its DAG (the KFP task name). */
  readonly name: string
  /** Where it sits in the run, e.g. `for-loop-2[1]/double`. */
  readonly path: string
  readonly component: ComponentSpec
  readonly executor: ExecutorSpec
  /** Input parameters as wired on the task (no defaults yet), by input name. */
  readonly parameters: Readonly<Record<string, Value>>
  /** Input artifacts as wired on the task, by input name. */
  readonly artifacts: Readonly<Record<string, readonly StoredArtifact[]>>
}

/** Which container engine runs container components, once detected. */
export type ContainerRuntime = { readonly kind: 'docker' | 'podman'; readonly bin: string } | { readonly kind: 'none'; readonly reason: string }

/** Everything about the run a task execution needs. */
export interface TaskEnvironment {
  readonly store: LocalStore
  readonly runId: string
  readonly pipelineName: string
  /** The pipeline root URI (`minio://typeflow` unless the pipeline sets a supported one). */
  readonly pipelineRoot: string
  /** Run container commands directly on the host when they are not function components. */
  readonly hostCommands: boolean
  /** Detects the container runtime (called only when a container task needs one). */
  readonly containerRuntime: () => ContainerRuntime
  /** Aborts running processes (Ctrl-C). */
  readonly signal?: AbortSignal
  /** Extra environment for every task process. */
  readonly env?: Readonly<Record<string, string>>
  /** Receives every line a task prints (stdout and stderr), when the caller wants to show them. */
  readonly onOutput?: (task: LeafTask, stream: 'stdout' | 'stderr', line: string) => void
}

/** The outcome of one attempt. */
export type AttemptResult =
  | { readonly ok: true; readonly outputs: TaskOutputs; readonly mode: ExecutionMode }
  | { readonly ok: false; readonly error: string; readonly mode?: ExecutionMode }

/** How a task ran. */
export type ExecutionMode = 'function' | 'host' | 'docker' | 'podman' | 'importer'

/**
 * Where a packaged function component's `node -e <Typeflow bootstrap>` starts in its command:
 * 0 for a plain one, later when the compiler put a dependency-installing `sh -c … exec "$@"`
 * wrapper in front (components that declare `packages`); -1 for any other command.
 *
 * @example
 * ```ts
 * functionCommandStart(['node', '-e', BOOTSTRAP, '--', 'e:…']) // 0
 * functionCommandStart(['sh', '-c', 'npm install …; exec "$@"', 'typeflow', 'node', '-e', BOOTSTRAP]) // 4
 * ```
 */
export function functionCommandStart(command: readonly string[]): number {
  for (let i = 0; i + 2 < command.length; i++) {
    if (command[i] === 'node' && command[i + 1] === '-e' && command[i + 2] === BOOTSTRAP) return i
  }
  return -1
}

/**
 * True for a packaged function component: `node -e <Typeflow bootstrap> -- …`, possibly behind
 * the compiler's dependency-installing wrapper. Such a command carries all its code and needs
 * nothing from its image but `node` (and `npm` for declared packages), so it runs on the host.
 *
 * @example
 * ```ts
 * isFunctionComponent({ image: 'node:22-slim', command: packaged.command, args: packaged.args }) // true
 * isFunctionComponent({ image: 'alpine', command: ['sh', '-c', 'echo hi'] }) // false
 * ```
 */
export function isFunctionComponent(container: ContainerSpec): boolean {
  return functionCommandStart(container.command ?? []) >= 0
}

/** One installation of declared packages at a time per dependency directory, until one succeeded. */
const depsInstalled = new Map<string, Promise<boolean>>()

const runtimeCache = new Map<string, ContainerRuntime>()

function onPath(bin: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue
    const candidate = join(dir, bin)
    try {
      accessSync(candidate, constants.X_OK)
      if (statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Finds a usable container engine: `docker`, then `podman`, on the PATH and answering
 * `info` (a client whose daemon is down does not count). The answer is cached per process.
 *
 * @example
 * ```ts
 * const runtime = detectContainerRuntime('auto')
 * if (runtime.kind === 'none') console.error(runtime.reason)
 * ```
 */
export function detectContainerRuntime(preference: 'auto' | 'docker' | 'podman' | 'none' = 'auto', path: string | undefined = process.env['PATH']): ContainerRuntime {
  if (preference === 'none') return { kind: 'none', reason: 'container runtimes are turned off' }
  const cacheKey = `${preference}\0${path ?? ''}`
  const cached = runtimeCache.get(cacheKey)
  if (cached) return cached
  const reasons: string[] = []
  let found: ContainerRuntime | undefined
  for (const kind of preference === 'auto' ? (['docker', 'podman'] as const) : [preference]) {
    const bin = onPath(kind, path)
    if (!bin) {
      reasons.push(`${kind} is not on the PATH`)
      continue
    }
    const info = spawnSync(bin, ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    if (info.status === 0) {
      found = { kind, bin }
      break
    }
    const why = (info.stderr || info.error?.message || '').trim().split('\n')[0] ?? ''
    reasons.push(/cannot connect|daemon|socket/i.test(why) ? `${kind} is installed but its daemon is not running` : `${kind} is installed but not usable${why ? `: ${why.slice(0, 120)}` : ''}`)
  }
  const result = found ?? { kind: 'none', reason: reasons.join('; ') }
  runtimeCache.set(cacheKey, result)
  return result
}

/** Coerces a wired value to the declared type where that is unambiguous (loop items arrive as JSON). */
function coerceParameter(value: Value, type: string | undefined): Value {
  switch (type) {
    case 'STRING':
      if (typeof value === 'string') return value
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      // As the driver writes a list or struct: keys sorted (found by the random differential, seed 19).
      return value === null ? value : driverText(value)
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
      return value
    case 'BOOLEAN':
      if (value === 'true' || value === 'True') return true
      if (value === 'false' || value === 'False') return false
      return value
    case 'LIST':
    case 'STRUCT':
      if (typeof value === 'string') {
        try {
          const parsed = JSON.parse(value) as Value
          if ((type === 'LIST') === Array.isArray(parsed) && parsed !== null && typeof parsed === 'object') return parsed
        } catch {
          // leave it as it is; the component will say what is wrong
        }
      }
      return value
    default:
      return value
  }
}

/**
 * The input parameters the launcher hands to the command: the wired values coerced to their
 * declared types, plus the `defaultValue` of every input left out (KFP `addDefaultParams`).
 *
 * @example
 * ```ts
 * withDefaults({ inputDefinitions: { parameters: { n: { parameterType: 'NUMBER_INTEGER', defaultValue: 3 } } } }, {}) // { n: 3 }
 * ```
 */
export function withDefaults(component: ComponentSpec, parameters: Readonly<Record<string, Value>>): Record<string, Value> {
  const out: Record<string, Value> = {}
  const definitions = component.inputDefinitions?.parameters ?? {}
  for (const [name, value] of Object.entries(parameters)) {
    if (value === null || value === undefined) continue
    out[name] = coerceParameter(value, definitions[name]?.parameterType)
  }
  return fillDefaults(component, out)
}

/**
 * Gives every input left out (or null) its `defaultValue`, in place, as the KFP drivers do for
 * leaves and DAGs alike.
 *
 * @example
 * ```ts
 * fillDefaults({ inputDefinitions: { parameters: { n: { parameterType: 'NUMBER_INTEGER', defaultValue: 3 } } } }, { n: null }) // { n: 3 }
 * ```
 */
export function fillDefaults(component: ComponentSpec, parameters: Record<string, Value>): Record<string, Value> {
  for (const [name, definition] of Object.entries(component.inputDefinitions?.parameters ?? {})) {
    const value = parameters[name]
    if ((value === undefined || value === null) && definition.defaultValue !== undefined && definition.defaultValue !== null) parameters[name] = definition.defaultValue
  }
  return parameters
}

/**
 * Formats a parameter value for a command line, as the KFP driver does ({@link driverText}),
 * and nothing for no value.
 *
 * @example
 * ```ts
 * formatParameter(3) // '3'
 * formatParameter({ b: 1, a: 2 }) // '{"a":2,"b":1}'
 * ```
 */
export function formatParameter(value: Value | undefined): string {
  return value === undefined || value === null ? '' : driverText(value)
}

/** What placeholders resolve to for one execution. */
export interface PlaceholderContext {
  readonly executorInput: string
  /** Parameters with defaults applied. */
  readonly parameters: Readonly<Record<string, Value>>
  /** Which inputs were wired on the task (for `IfPresent`). */
  readonly present: ReadonlySet<string>
  readonly inputArtifacts: Readonly<Record<string, readonly (StoredArtifact & { readonly path: string })[]>>
  readonly outputArtifacts: Readonly<Record<string, StoredArtifact & { readonly path: string }>>
  readonly outputParameterFiles: Readonly<Record<string, string>>
  readonly outputFile: string
  readonly runtime: Readonly<Record<string, string>>
}

const PLACEHOLDER = /\{\{\$([^{}]*)\}\}/g
const NAMED = /^\.(inputs|outputs)\.(parameters|artifacts)\['([^']*)'\](?:\.([a-z_]+)(?:\['([^']*)'\])?)?$/

function substitute(text: string, ctx: PlaceholderContext): string {
  return text.replace(PLACEHOLDER, (whole, inner: string) => {
    if (inner === '') return ctx.executorInput
    if (inner === '.outputs.output_file') return ctx.outputFile
    const runtime = /^\.([a-z_]+)$/.exec(inner)
    if (runtime) return ctx.runtime[runtime[1]!] ?? whole
    const named = NAMED.exec(inner)
    if (!named) return whole
    const [, side, collection, name, field, key] = named as unknown as [string, string, string, string, string | undefined, string | undefined]
    if (side === 'inputs' && collection === 'parameters' && field === undefined) return formatParameter(ctx.parameters[name])
    if (side === 'outputs' && collection === 'parameters' && field === 'output_file') return ctx.outputParameterFiles[name] ?? whole
    if (side === 'inputs' && collection === 'artifacts') {
      const list = ctx.inputArtifacts[name]
      if (!list) return ''
      if (field === undefined) return JSON.stringify(list.map((a) => a.path))
      const first = list[0]
      if (!first) return ''
      if (field === 'path') return first.path
      if (field === 'uri') return first.uri
      if (field === 'metadata') return key === undefined ? JSON.stringify(first.metadata) : formatParameter(first.metadata[key])
      return whole
    }
    if (side === 'outputs' && collection === 'artifacts') {
      const artifact = ctx.outputArtifacts[name]
      if (!artifact) return whole
      if (field === 'path') return artifact.path
      if (field === 'uri') return artifact.uri
      if (field === 'metadata') return key === undefined ? JSON.stringify(artifact.metadata) : formatParameter(artifact.metadata[key])
    }
    return whole
  })
}

function expandStructured(item: unknown, ctx: PlaceholderContext): string[] {
  if (typeof item === 'string') return [substitute(item, ctx)]
  if (Array.isArray(item)) return item.flatMap((i) => expandStructured(i, ctx))
  if (item !== null && typeof item === 'object') {
    const record = item as Record<string, unknown>
    if (Array.isArray(record['Concat'])) return [record['Concat'].flatMap((i) => expandStructured(i, ctx)).join('')]
    const ifPresent = record['IfPresent'] as Record<string, unknown> | undefined
    if (ifPresent && typeof ifPresent['InputName'] === 'string') {
      const branch = ctx.present.has(ifPresent['InputName']) ? ifPresent['Then'] : ifPresent['Else']
      return branch === undefined ? [] : expandStructured(branch, ctx)
    }
  }
  return [substitute(JSON.stringify(item), ctx)]
}

/**
 * Resolves a command line (`command` ++ `args` of the IR) for one execution: `IfPresent` and
 * `Concat` JSON arguments are expanded, then placeholders substituted in one pass (text inside
 * the substituted `{{$}}` JSON is never scanned again).
 *
 * @example
 * ```ts
 * resolveCommandLine(['echo', "{{$.inputs.parameters['n']}}"], ctx) // ['echo', '3']
 * ```
 */
export function resolveCommandLine(items: readonly string[], ctx: PlaceholderContext): string[] {
  const out: string[] = []
  for (const item of items) {
    if (item.startsWith('{"IfPresent"') || item.startsWith('{"Concat"')) {
      try {
        out.push(...expandStructured(JSON.parse(item), ctx))
        continue
      } catch {
        // not JSON after all: literal text
      }
    }
    out.push(substitute(item, ctx))
  }
  return out
}

/** Collects the last lines a process printed, for error messages. */
class Tail {
  private lines: string[] = []
  private partial = ''
  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n')
    this.partial = parts.pop() ?? ''
    this.lines.push(...parts)
    if (this.lines.length > 40) this.lines = this.lines.slice(-20)
  }
  text(count = 12): string {
    const all = [...this.lines, ...(this.partial ? [this.partial] : [])].filter((l) => l.trim() !== '')
    return all.slice(-count).join('\n')
  }
}

interface ProcessResult {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly error?: string
  readonly tail: string
}

const GROUPS = process.platform !== 'win32'

/** Process (group) ids of running task processes: stopped when this process exits. */
const running = new Set<number>()
let exitHookInstalled = false

function stopGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    if (GROUPS) process.kill(-pid, signal)
    else process.kill(pid, signal)
  } catch {
    // already gone
  }
}

function runProcess(
  file: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logFile: string; signal?: AbortSignal; onAbort?: () => void; onLine?: (stream: 'stdout' | 'stderr', line: string) => void },
): Promise<ProcessResult> {
  if (!exitHookInstalled) {
    exitHookInstalled = true
    process.on('exit', () => {
      for (const pid of running) stopGroup(pid, 'SIGKILL')
    })
  }
  return new Promise((resolvePromise) => {
    mkdirSync(dirname(options.logFile), { recursive: true })
    const log = createWriteStream(options.logFile, { flags: 'a' })
    log.write(`$ ${[file, ...args].map((a) => (a.length > 200 ? `${a.slice(0, 200)}…(${a.length} chars)` : a)).join(' ')}\n`)
    const tail = new Tail()
    let settled = false
    const finish = (result: ProcessResult) => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', abort)
      log.end(() => resolvePromise(result))
    }
    let child: ReturnType<typeof spawn>
    try {
      // Its own process group, so stopping it stops what it started too (`sh -c 'sleep 9'`).
      child = spawn(file, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: GROUPS })
    } catch (error) {
      finish({ code: null, signal: null, error: (error as Error).message, tail: '' })
      return
    }
    const pid = child.pid
    if (pid !== undefined) running.add(pid)
    child.on('exit', () => pid !== undefined && running.delete(pid))
    const abort = () => {
      options.onAbort?.()
      if (pid !== undefined) stopGroup(pid, 'SIGTERM')
      else child.kill('SIGTERM')
    }
    if (options.signal?.aborted) abort()
    else options.signal?.addEventListener('abort', abort, { once: true })
    for (const [name, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      let partial = ''
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string) => {
        log.write(chunk)
        tail.push(chunk)
        if (!options.onLine) return
        const lines = (partial + chunk).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) options.onLine(name, line)
      })
      stream?.on('end', () => {
        if (partial && options.onLine) options.onLine(name, partial)
      })
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      const message = error.code === 'ENOENT' ? `command not found: ${file}` : error.message
      finish({ code: null, signal: null, error: message, tail: tail.text() })
    })
    child.on('close', (code, signal) => finish({ code, signal, tail: tail.text() }))
  })
}

/** Output artifact types whose content is their metadata. */
const METRICS_TYPES = new Set(['system.Metrics', 'system.ClassificationMetrics', 'system.SlicedClassificationMetrics'])

interface Layout {
  /** Local root for URI → path inside the process (the store on the host, '' in a container). */
  readonly root: string
  /** Output parameter file of `name`, as the process sees it. */
  readonly parameterFile: (name: string) => string
}

function describeExit(result: ProcessResult): string {
  if (result.error) return result.error
  if (result.signal) return `killed by ${result.signal}`
  return `exit code ${result.code}`
}

function failure(message: string, result: ProcessResult | undefined, logFile: string, mode?: ExecutionMode): AttemptResult {
  const tail = result?.tail ? `\n${result.tail.split('\n').map((l) => `    ${l}`).join('\n')}` : ''
  return { ok: false, error: `${message}${tail}\n    (log: ${logFile})`, ...(mode !== undefined && { mode }) }
}

/**
 * Runs one attempt of a leaf task and returns its outputs, or why it failed.
 *
 * @example
 * ```ts
 * const result = await executeLeaf(task, environment, 0)
 * if (result.ok) console.log(result.outputs.parameters)
 * ```
 */
export async function executeLeaf(task: LeafTask, env: TaskEnvironment, attempt: number): Promise<AttemptResult> {
  if (task.executor.importer) return runImporter(task, env)
  const container = task.executor.container
  if (!container) return { ok: false, error: `task "${task.name}" has an executor this runner does not support (only container and importer)` }

  let mode: ExecutionMode
  let runtime: ContainerRuntime | undefined
  if (isFunctionComponent(container)) mode = 'function'
  else if (env.hostCommands) mode = 'host'
  else {
    runtime = env.containerRuntime()
    if (runtime.kind === 'none') {
      const program = container.command?.[0]
      return {
        ok: false,
        error:
          `cannot run image "${container.image}": no container runtime (${runtime.reason}). ` +
          `Start docker or podman, or pass --host (hostCommands: true) to run its command${program ? ` (${program} …)` : ''} on this machine`,
      }
    }
    mode = runtime.kind
  }

  const { store, runId } = env
  const taskDir = store.taskDir(runId, task.path)
  const logFile = store.logFile(runId, task.path)
  const outputsDir = join(taskDir, 'outputs')
  rmSync(outputsDir, { recursive: true, force: true })
  mkdirSync(outputsDir, { recursive: true })
  const inContainer = mode === 'docker' || mode === 'podman'
  const layout: Layout = inContainer
    ? { root: '', parameterFile: (name) => `/tmp/kfp/outputs/${name}` }
    : { root: store.artifactRoot, parameterFile: (name) => join(outputsDir, name) }

  const parameters = withDefaults(task.component, task.parameters)
  const present = new Set([
    ...Object.entries(task.parameters).filter(([, v]) => v !== null && v !== undefined).map(([k]) => k),
    ...Object.entries(task.artifacts).filter(([, v]) => v.length > 0).map(([k]) => k),
  ])

  // Provision outputs (driver `provisionOutputs`).
  const taskRoot = taskRootUri(runRootUri(env.pipelineRoot, env.pipelineName, runId), task.name, randomUUID())
  const taskRootLocal = localPathForUri(taskRoot, store.artifactRoot)
  if (taskRootLocal === undefined) return { ok: false, error: `pipeline root ${env.pipelineRoot} has no local mapping (use gs://, s3:// or minio://)` }
  const outputDefinitions = task.component.outputDefinitions ?? {}
  const outputArtifacts: Record<string, StoredArtifact & { path: string; hostPath: string }> = {}
  for (const [name, definition] of Object.entries(outputDefinitions.artifacts ?? {})) {
    const uri = outputArtifactUri(taskRoot, name)
    const artifact = { name, uri, type: { ...definition.artifactType }, metadata: { ...(definition.metadata ?? {}) } }
    outputArtifacts[name] = { ...artifact, path: artifactLocalPath(artifact, 'output', layout.root)!, hostPath: artifactLocalPath(artifact, 'output', store.artifactRoot)! }
    mkdirSync(dirname(outputArtifacts[name].hostPath), { recursive: true })
  }
  const outputParameterFiles: Record<string, string> = {}
  for (const name of Object.keys(outputDefinitions.parameters ?? {})) outputParameterFiles[name] = layout.parameterFile(name)
  const outputFile = `${inContainer ? localPathForUri(taskRoot)! : taskRootLocal}/output_metadata.json`
  const hostOutputFile = `${taskRootLocal}/output_metadata.json`
  mkdirSync(taskRootLocal, { recursive: true })

  const inputArtifacts: Record<string, (StoredArtifact & { path: string })[]> = {}
  for (const [name, list] of Object.entries(task.artifacts)) {
    inputArtifacts[name] = list.map((a) => ({ ...a, path: artifactLocalPath(a, 'input', layout.root) ?? a.uri }))
  }

  const executorInput = {
    inputs: {
      ...(Object.keys(parameters).length > 0 && { parameterValues: parameters }),
      ...(Object.keys(inputArtifacts).length > 0 && {
        artifacts: Object.fromEntries(Object.entries(inputArtifacts).map(([name, list]) => [name, { artifacts: list.map(({ path: _path, ...a }) => a) }])),
      }),
    },
    outputs: {
      ...(Object.keys(outputParameterFiles).length > 0 && {
        parameters: Object.fromEntries(Object.entries(outputParameterFiles).map(([name, file]) => [name, { outputFile: file }])),
      }),
      ...(Object.keys(outputArtifacts).length > 0 && {
        artifacts: Object.fromEntries(Object.entries(outputArtifacts).map(([name, { path: _p, hostPath: _h, ...a }]) => [name, { artifacts: [a] }])),
      }),
      outputFile,
    },
  }

  const ctx: PlaceholderContext = {
    executorInput: JSON.stringify(executorInput),
    parameters,
    present,
    inputArtifacts,
    outputArtifacts,
    outputParameterFiles,
    outputFile,
    runtime: {
      pipeline_job_name: runId,
      pipeline_job_resource_name: runId,
      pipeline_job_uuid: runId,
      pipeline_task_name: task.name,
      pipeline_task_uuid: `${task.path}#${attempt}`,
      pipeline_root: env.pipelineRoot,
      pipeline_job_create_time_utc: new Date().toISOString(),
      pipeline_job_schedule_time_utc: new Date().toISOString(),
      workspace_path: join(store.dir, 'workspace'),
    },
  }
  const image = substitute(container.image, ctx)
  const command = resolveCommandLine(container.command ?? [], ctx)
  const args = resolveCommandLine(container.args ?? [], ctx)
  const containerEnv = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]))

  const onOutput = env.onOutput
  const onLine = onOutput && ((stream: 'stdout' | 'stderr', line: string) => onOutput(task, stream, line))
  let result: ProcessResult
  if (mode === 'function' || mode === 'host') {
    const line = [...command, ...args]
    if (line.length === 0) {
      return { ok: false, mode, error: `task "${task.path}" has no command (it relies on the entrypoint of image "${image}"), so it cannot run on the host; run it with docker or podman` }
    }
    const start = mode === 'function' ? functionCommandStart(command) : -1
    const processEnv: NodeJS.ProcessEnv = { ...process.env, ...env.env, ...containerEnv, TYPEFLOW_LOCAL_ROOT: store.artifactRoot }
    const spawnOptions = { cwd: taskDir, env: processEnv, logFile, ...(env.signal !== undefined && { signal: env.signal }), ...(onLine !== undefined && { onLine }) }
    if (start === 0) {
      // Exactly the container's command, with this Node.
      result = await runProcess(process.execPath, line.slice(1), spawnOptions)
    } else if (start > 0) {
      // The wrapper installs declared packages into $TYPEFLOW_DEPS_DIR, then execs `node`: give it
      // a directory per package set in the store (and this Node's directory as a last resort).
      const deps = join(store.dir, 'deps', createHash('sha256').update(command.slice(0, start).join('\0')).digest('hex').slice(0, 16))
      processEnv['TYPEFLOW_DEPS_DIR'] = deps
      processEnv['PATH'] = [processEnv['PATH'] ?? '', dirname(process.execPath)].join(delimiter)
      const previous = depsInstalled.get(deps)
      if (previous && (await previous)) result = await runProcess(line[0]!, line.slice(1), spawnOptions)
      else {
        const attempt = runProcess(line[0]!, line.slice(1), spawnOptions)
        depsInstalled.set(deps, attempt.then((r) => r.code === 0))
        result = await attempt
      }
    } else {
      result = await runProcess(line[0]!, line.slice(1), spawnOptions)
    }
  } else {
    const bin = (runtime as { bin: string }).bin
    const name = `typeflow-${runId}-${randomUUID().slice(0, 8)}`
    const mounts: string[] = []
    for (const mount of ['minio', 'gcs', 's3']) {
      const host = join(store.artifactRoot, mount)
      mkdirSync(host, { recursive: true })
      mounts.push('-v', `${host}:/${mount}`)
    }
    mounts.push('-v', `${outputsDir}:/tmp/kfp/outputs`)
    for (const list of Object.values(inputArtifacts)) {
      for (const a of list) if (isAbsolute(a.uri) && existsSync(a.uri)) mounts.push('-v', `${a.uri}:${a.uri}:ro`)
    }
    const user = typeof process.getuid === 'function' && mode === 'docker' ? ['--user', `${process.getuid()}:${process.getgid?.() ?? 0}`] : []
    const envFlags = Object.entries({ ...env.env, ...containerEnv }).flatMap(([k, v]) => ['-e', `${k}=${v}`])
    const entrypoint = command.length > 0 ? ['--entrypoint', command[0]!] : []
    const dockerArgs = ['run', '--rm', '--name', name, ...user, ...mounts, ...envFlags, ...entrypoint, image, ...command.slice(1), ...args]
    result = await runProcess(bin, dockerArgs, {
      ...(onLine !== undefined && { onLine }),
      cwd: taskDir,
      env: process.env,
      logFile,
      ...(env.signal !== undefined && { signal: env.signal }),
      onAbort: () => void spawnSync(bin, ['rm', '-f', name], { stdio: 'ignore', timeout: 10_000 }),
    })
  }
  if (result.code !== 0) return failure(`${describeExit(result)}`, result, logFile, mode)

  // Collect outputs (launcher): ExecutorOutput first, then parameter files by type.
  let executorOutput: { parameterValues?: Record<string, Value>; artifacts?: Record<string, { artifacts?: { name?: string; uri?: string; metadata?: Record<string, Value> }[] }> } = {}
  if (existsSync(hostOutputFile)) {
    try {
      executorOutput = JSON.parse(readFileSync(hostOutputFile, 'utf8')) as typeof executorOutput
    } catch (error) {
      return failure(`the executor output ${hostOutputFile} is not valid JSON: ${(error as Error).message}`, result, logFile, mode)
    }
  }
  const outputParameters: Record<string, Value> = {}
  for (const [name, definition] of Object.entries(outputDefinitions.parameters ?? {})) {
    const type = (definition.parameterType ?? 'STRING') as ParameterType
    if (executorOutput.parameterValues && Object.hasOwn(executorOutput.parameterValues, name)) {
      outputParameters[name] = executorOutput.parameterValues[name]!
      continue
    }
    const file = join(outputsDir, name)
    if (!existsSync(file)) return failure(`output parameter "${name}" was not written (expected ${outputParameterFiles[name]})`, result, logFile, mode)
    try {
      outputParameters[name] = parseParameterText(type, readFileSync(file, 'utf8'), `output parameter "${name}"`) as Value
    } catch (error) {
      return failure((error as Error).message, result, logFile, mode)
    }
  }
  const collectedArtifacts: Record<string, StoredArtifact[]> = {}
  for (const [name, provisioned] of Object.entries(outputArtifacts)) {
    const reported = executorOutput.artifacts?.[name]?.artifacts?.[0]
    const uri = reported?.uri || provisioned.uri
    const metadata = { ...provisioned.metadata, ...(reported?.metadata ?? {}) }
    const artifact: StoredArtifact = { name: provisioned.name, uri, type: provisioned.type, metadata }
    const local = store.localPath(uri) ?? (isAbsolute(uri) ? uri : undefined)
    if (local !== undefined && !existsSync(local)) {
      if (METRICS_TYPES.has(provisioned.type.schemaTitle ?? '')) writeFileAtomic(local, JSON.stringify(metadata))
      else return failure(`output artifact "${name}" was not written: expected a file or directory at ${local}`, result, logFile, mode)
    }
    collectedArtifacts[name] = [artifact]
  }
  return { ok: true, mode, outputs: { parameters: outputParameters, artifacts: collectedArtifacts } }
}

function runImporter(task: LeafTask, env: TaskEnvironment): AttemptResult {
  const importer = task.executor.importer!
  const given = importer.artifactUri.constant ?? (importer.artifactUri.runtimeParameter !== undefined ? task.parameters[importer.artifactUri.runtimeParameter] : undefined)
  if (typeof given !== 'string' || given === '') return { ok: false, mode: 'importer', error: `importer "${task.path}" has no URI to import` }
  let uri = given
  if (uri.startsWith('file://')) uri = fileURLToPath(uri)
  const local = env.store.localPath(uri)
  if (local !== undefined && !existsSync(local)) {
    return {
      ok: false,
      mode: 'importer',
      error: `importer "${task.path}": ${uri} is not in the local store (expected at ${local}); copy it there, or import a local path (an absolute path or file:// URI)`,
    }
  }
  if (isAbsolute(uri) && !existsSync(uri)) return { ok: false, mode: 'importer', error: `importer "${task.path}": ${uri} does not exist` }
  const outputName = Object.keys(task.component.outputDefinitions?.artifacts ?? { artifact: {} })[0] ?? 'artifact'
  const artifact: StoredArtifact = { name: outputName, uri, type: { ...importer.typeSchema }, metadata: { ...(importer.metadata ?? {}) } }
  return { ok: true, mode: 'importer', outputs: { parameters: {}, artifacts: { [outputName]: [artifact] } } }
}
