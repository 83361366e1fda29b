/**
 * Container templates: one per distinct component-with-settings, with typed placeholders mapped to
 * the paths and parameters Argo provides.
 *
 * Placeholder mapping (KFP name → Argo):
 * - input value → `{{inputs.parameters.<name>}}`;
 * - input path → `/tmp/inputs/<name>/data`, declared as `inputs.artifacts[].path` (Argo downloads there);
 * - output path / output parameter file → `/tmp/outputs/<name>`, read back by `outputs.artifacts[].path`
 *   and `outputs.parameters[].valueFrom.path`. `/tmp/outputs` is an emptyDir mounted by the template,
 *   so the directory exists before the program runs (KFP's launcher creates it; Argo does not);
 * - input/output URI → the same local path. Argo has no notion of an artifact URI visible to the
 *   container; the local path is what a component can actually read and write;
 * - `{{$}}` (ExecutorInput) → the ExecutorInput JSON, built with Argo tags for parameter values and
 *   the local paths as URIs (the KFP Python executor then uses the URI as the path), and
 *   `outputs.outputFile` → `/tmp/outputs/typeflow-executor-output`, read back as a reserved output
 *   parameter from which consumers take returned values (see `parameterValueExpression`);
 * - KFP runtime values (`{{$.pipeline_job_name}}` …) → the Argo globals with the same meaning;
 * - artifact metadata → `{}`: Argo artifacts carry none (an output's provisioned metadata is empty
 *   under KFP too; an input's producer metadata is lost);
 * - a list-of-artifacts input → the path of the one Argo artifact its producer wrote (Argo does not
 *   aggregate artifacts; whatever the producer put there is what the consumer gets);
 * - other runtime values (`pipeline_root`, cloud project …) have no Argo equivalent: a diagnostic.
 * IfPresent is decided at compile time: whether a task passes an optional input (or it has a default)
 * is known from the graph, so each presence pattern is its own template variant.
 *
 * @module
 */

import type { CommandArgNode, ComponentNode, ContainerComponentNode, IoSpecNode, ParameterType, PlaceholderNode, ResourcesNode, RetryNode, TaskNode } from '@typeflow/dsl'
import type { AnalysedPipeline } from '../../analyse/graph.ts'
import { compareNames } from '../../analyse/graph.ts'
import { acceleratorResource } from '../../passes/placement.ts'
import type { ArgoPodSettings } from './kubernetes.ts'
import { argoIoName, labelValue } from './names.ts'
import { ANNOTATIONS, type EmitContext, RESERVED, type TemplateEntry } from './registry.ts'
import { type ArgItem, breakBraces, encodeArg, encodeValue, isPlainText, LBRACE_ENV } from './text.ts'
import { driverText } from '@typeflow/dsl/kfp'

const OUTPUT_DIR = '/tmp/outputs'
const OUTPUT_VOLUME = 'typeflow-outputs'
/** Where a component speaking the KFP executor protocol writes its ExecutorOutput JSON. */
export const EXECUTOR_OUTPUT_PATH = `${OUTPUT_DIR}/${RESERVED.executorOutput}`

/** Where an input artifact is placed. */
export const inputArtifactPath = (argoName: string): string => `/tmp/inputs/${argoName}/data`
/** Where an output (artifact or parameter file) is written. */
export const outputPath = (argoName: string): string => `${OUTPUT_DIR}/${argoName}`

/** One output of a template, as its consumers see it. */
export interface TemplateOutput {
  readonly argoName: string
  readonly artifact: boolean
  /** Set when the value may come from the ExecutorOutput JSON (KFP executor protocol). */
  readonly protocolType?: ParameterType
  /** The output's KFP name (the key in ExecutorOutput `parameterValues`). */
  readonly originalName: string
}

/** A template plus what a DAG task needs to call it. */
export interface BuiltTemplate {
  readonly entry: TemplateEntry
  /** Inputs the template declares, by original input name → Argo name. */
  readonly inputNames: ReadonlyMap<string, string>
  readonly outputs: ReadonlyMap<string, TemplateOutput>
}

/** Per-task facts that shape the template variant. */
export interface ContainerRequest {
  readonly task: TaskNode
  readonly component: ContainerComponentNode
  /** Inputs this task passes (after dropping those fed by absent optional pipeline inputs). */
  readonly passed: ReadonlySet<string>
  readonly hasDisplayName: boolean
  readonly hasCacheKey: boolean
  /**
   * `memoize` on the template: keyed by the digest itself (`static`, passed as the cache-key input)
   * or by a key computed from run-time values (`runtime`, passed as the memoize-key input).
   */
  readonly memoize?: 'static' | 'runtime'
  /** Kubernetes pod settings, and the `typeflow-pod-<i>` inputs their run-time values arrive in. */
  readonly pod?: { readonly settings: ArgoPodSettings; readonly inputs: readonly string[] }
  /** Diagnostic path prefix. */
  readonly path: readonly string[]
}

/** Inputs that have a value at run time: passed by the task, or defaulted by the component. */
export function presentInputs(inputs: Readonly<Record<string, IoSpecNode>>, passed: ReadonlySet<string>): Set<string> {
  const present = new Set<string>()
  for (const [name, spec] of Object.entries(inputs)) {
    if (passed.has(name) || (spec.kind === 'parameter' && spec.default !== undefined)) present.add(name)
  }
  return present
}

/** Whether a component speaks the KFP executor protocol (`{{$}}` or the executor output file). */
export function usesExecutorProtocol(component: ComponentNode): boolean {
  if (component.kind !== 'container') return false
  let found = false
  const visit = (args: readonly CommandArgNode[] | undefined): void => {
    for (const arg of args ?? []) {
      if (arg.kind === 'text') {
        for (const part of arg.parts) if (typeof part !== 'string' && (part.ref === 'executorInput' || part.ref === 'executorOutputFile')) found = true
      } else if (arg.kind === 'concat') visit(arg.items)
      else {
        visit(arg.then)
        visit(arg.else)
      }
    }
  }
  visit(component.command)
  visit(component.args)
  return found
}

/** Maps io names to Argo names; also returns the non-identity part for the `io-names` annotation. */
function ioNameMap(specs: Readonly<Record<string, IoSpecNode>>, renamed: Record<string, string>): Map<string, string> {
  const map = new Map<string, string>()
  for (const name of Object.keys(specs).sort(compareNames)) {
    const argo = argoIoName(name)
    map.set(name, argo)
    if (argo !== name) renamed[argo] = name
  }
  return map
}

const RUNTIME_TAGS: Readonly<Record<string, string>> = {
  pipeline_job_name: 'workflow.name',
  pipeline_job_resource_name: 'workflow.name',
  pipeline_job_uuid: 'workflow.uid',
  pipeline_task_name: `inputs.parameters.${RESERVED.task}`,
  pipeline_task_uuid: 'pod.name',
  pipeline_job_create_time_utc: 'workflow.creationTimestamp',
}

/** Quotes a string for an Argo expression (expr-lang single-quoted string). */
export function exprString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

function resourcesFor(r: ResourcesNode): Record<string, unknown> | undefined {
  const requests: Record<string, string> = {}
  const limits: Record<string, string> = {}
  if (r.cpuRequest !== undefined) requests['cpu'] = r.cpuRequest
  if (r.memoryRequest !== undefined) requests['memory'] = r.memoryRequest
  if (r.cpuLimit !== undefined) limits['cpu'] = r.cpuLimit
  if (r.memoryLimit !== undefined) limits['memory'] = r.memoryLimit
  if (r.accelerator !== undefined) limits[acceleratorResource(r.accelerator.type)] = String(r.accelerator.count)
  const out: Record<string, unknown> = {}
  if (Object.keys(limits).length > 0) out['limits'] = limits
  if (Object.keys(requests).length > 0) out['requests'] = requests
  return Object.keys(out).length > 0 ? out : undefined
}

/** KFP retries any failure with exponential backoff; `cap` is KFP's `backoffMaxDuration`. */
export function retryStrategyFor(r: RetryNode): Record<string, unknown> {
  return {
    limit: String(r.maxRetryCount),
    retryPolicy: 'Always',
    ...(r.backoffSeconds > 0 && {
      backoff: { duration: `${r.backoffSeconds}s`, factor: String(r.backoffFactor || 2), cap: `${r.backoffMaxSeconds}s` },
    }),
  }
}

interface RenderState {
  readonly request: ContainerRequest
  readonly ctx: EmitContext
  readonly present: ReadonlySet<string>
  readonly inputNames: ReadonlyMap<string, string>
  readonly outputNames: ReadonlyMap<string, string>
  readonly paramInputsUsed: Set<string>
}

function executorInputItems(state: RenderState): ArgItem[] {
  const { component } = state.request
  const items: ArgItem[] = []
  const verbatim = (text: string) => items.push({ kind: 'verbatim', text })
  const typeOf = (spec: IoSpecNode) => (spec.kind === 'artifact' ? { schemaTitle: spec.type.schemaTitle, schemaVersion: spec.type.schemaVersion } : {})
  const names = (specs: Readonly<Record<string, IoSpecNode>>, kind: IoSpecNode['kind'], keep: (n: string) => boolean) =>
    Object.keys(specs).filter((n) => specs[n]!.kind === kind && keep(n)).sort(compareNames)

  verbatim('{"inputs":{"parameterValues":{')
  names(component.inputs, 'parameter', (n) => state.present.has(n)).forEach((name, i) => {
    const argo = state.inputNames.get(name)!
    const spec = component.inputs[name] as IoSpecNode & { kind: 'parameter' }
    state.paramInputsUsed.add(name)
    verbatim(`${i > 0 ? ',' : ''}${JSON.stringify(name)}:`)
    // Parameter values are strings in Argo; non-strings are already JSON text (see driverText).
    items.push({ kind: 'tag', tag: spec.type === 'STRING' ? `=toJson(inputs.parameters[${exprString(argo)}])` : `inputs.parameters.${argo}` })
  })
  verbatim('},"artifacts":{')
  verbatim(
    names(component.inputs, 'artifact', (n) => state.present.has(n))
      .map((name) => {
        const runtime = { name, type: typeOf(component.inputs[name]!), uri: inputArtifactPath(state.inputNames.get(name)!), metadata: {} }
        return `${JSON.stringify(name)}:${JSON.stringify({ artifacts: [runtime] })}`
      })
      .join(','),
  )
  verbatim('}},"outputs":{"parameters":{')
  verbatim(
    names(component.outputs, 'parameter', () => true)
      .map((name) => `${JSON.stringify(name)}:${JSON.stringify({ outputFile: outputPath(state.outputNames.get(name)!) })}`)
      .join(','),
  )
  verbatim('},"artifacts":{')
  verbatim(
    names(component.outputs, 'artifact', () => true)
      .map((name) => {
        const runtime = { name, type: typeOf(component.outputs[name]!), uri: outputPath(state.outputNames.get(name)!), metadata: {} }
        return `${JSON.stringify(name)}:${JSON.stringify({ artifacts: [runtime] })}`
      })
      .join(','),
  )
  verbatim(`},"outputFile":${JSON.stringify(EXECUTOR_OUTPUT_PATH)}}}`)
  return items
}

function placeholderItems(state: RenderState, p: PlaceholderNode): ArgItem[] {
  const fail = (what: string): ArgItem[] => {
    state.ctx.report('E_INVALID_PLACEHOLDER', [...state.request.path, 'component', state.request.component.name], `${what} cannot be expressed in Argo Workflows; compile this pipeline for the KFP target, or pass the value as an input`, state.request.component.source)
    return []
  }
  switch (p.ref) {
    case 'inputValue':
      if (!state.present.has(p.name)) return [{ kind: 'verbatim', text: '' }]
      state.paramInputsUsed.add(p.name)
      return [{ kind: 'tag', tag: `inputs.parameters.${state.inputNames.get(p.name)!}` }]
    case 'inputPath':
    case 'inputUri':
    case 'inputArtifactList':
      return [{ kind: 'verbatim', text: inputArtifactPath(state.inputNames.get(p.name)!) }]
    case 'outputPath':
    case 'outputUri':
    case 'outputParameterFile':
      return [{ kind: 'verbatim', text: outputPath(state.outputNames.get(p.name)!) }]
    case 'executorInput':
      return executorInputItems(state)
    case 'executorOutputFile':
      return [{ kind: 'verbatim', text: EXECUTOR_OUTPUT_PATH }]
    case 'inputMetadata':
    case 'outputMetadata':
      // Argo artifacts carry no metadata: an output starts with none (as KFP provisions it), and
      // an input's producer metadata is not available.
      return [{ kind: 'verbatim', text: '{}' }]
    case 'runtime': {
      if (p.name === 'pipeline_job_schedule_time_utc') {
        return [{ kind: 'tag', tag: state.ctx.options.kind === 'CronWorkflow' ? 'workflow.scheduledTime' : 'workflow.creationTimestamp' }]
      }
      const tag = RUNTIME_TAGS[p.name]
      return tag !== undefined ? [{ kind: 'tag', tag }] : fail(`the KFP runtime value {{$.${p.name}}}`)
    }
  }
}

/** Expands Concat and (statically decided) IfPresent into a list of arguments. */
function expand(state: RenderState, args: readonly CommandArgNode[]): ArgItem[][] {
  const out: ArgItem[][] = []
  for (const arg of args) {
    if (arg.kind === 'text') {
      out.push(arg.parts.flatMap((part): ArgItem[] => (typeof part === 'string' ? [{ kind: 'user', text: part }] : placeholderItems(state, part))))
    } else if (arg.kind === 'concat') {
      out.push(expand(state, arg.items).flat())
    } else {
      out.push(...expand(state, state.present.has(arg.input) ? arg.then : (arg.else ?? [])))
    }
  }
  return out
}

const componentIds = new WeakMap<ContainerComponentNode, number>()
let nextComponentId = 0

/**
 * What a container template's command line, inputs, outputs and pod settings depend on (besides
 * the context's options), as one string: everything but the task's env, resources and retry.
 */
function partsShape(request: ContainerRequest): string {
  const { component } = request
  let id = componentIds.get(component)
  if (id === undefined) componentIds.set(component, (id = nextComponentId++))
  const passed = [...request.passed].sort(compareNames).join(',')
  const flags = `${request.hasDisplayName ? 'd' : ''}${request.hasCacheKey ? 'k' : ''}${request.memoize ?? ''}`
  return `${id}\u0000${passed}\u0000${flags}${request.pod !== undefined ? `\u0000${JSON.stringify(request.pod)}` : ''}`
}

/**
 * Per component, the env vars whose values differ between its tasks, anywhere in the pipeline and
 * the pipelines it uses. A task passes such a value to its template as an input (`typeflow-env-<name>`)
 * when the value is plain text (see {@link isPlainText}: then the argument and the env value are
 * both written as they are), so the tasks share one template: with a shard number in env, each
 * task had a template of its own (1,445 of the fanout benchmark's 1,498 templates at 10,000 tasks).
 * Other values, and env a component's tasks agree on, stay written in the template.
 */
export function varyingEnv(pipeline: AnalysedPipeline): Map<ContainerComponentNode, Set<string>> {
  const values = new Map<ContainerComponentNode, Map<string, string>>()
  const varying = new Map<ContainerComponentNode, Set<string>>()
  const seen = new Set<AnalysedPipeline>()
  const visit = (p: AnalysedPipeline): void => {
    if (seen.has(p)) return
    seen.add(p)
    for (const task of p.tasks.values()) {
      const { component, env } = task.node
      if (task.child) visit(task.child)
      if (component.kind !== 'container' || env.length === 0) continue
      let first = values.get(component)
      if (first === undefined) values.set(component, (first = new Map()))
      for (const { name, value } of env) {
        if (!isPlainText(value)) continue
        const earlier = first.get(name)
        if (earlier === undefined) first.set(name, value)
        else if (earlier !== value) {
          let names = varying.get(component)
          if (names === undefined) varying.set(component, (names = new Set()))
          names.add(name)
        }
      }
    }
  }
  visit(pipeline)
  return varying
}

/** Whether a task passes this env var to its template as an input (see {@link varyingEnv}). */
function isEnvInput(varying: ReadonlySet<string> | undefined, env: { readonly name: string; readonly value: string }): boolean {
  return varying !== undefined && varying.has(env.name) && isPlainText(env.value)
}

/** The template input carrying env var `name` (at `position` in the task's env) when it varies. */
function envInputName(name: string, position: number): string {
  // Env names may hold '.', which parameter names may not; they never start with a digit.
  return /^[-_a-zA-Z0-9]{1,100}$/.test(name) ? `${RESERVED.env}-${name}` : `${RESERVED.env}-${position}`
}

/** The task's env values its template takes as inputs (see {@link varyingEnv}), as arguments. */
export function envArguments(ctx: EmitContext, task: TaskNode, component: ContainerComponentNode): { name: string; value: string }[] {
  const varying = ctx.varyingEnv.get(component)
  if (varying === undefined) return []
  const args: { name: string; value: string }[] = []
  task.env.forEach((env, position) => {
    if (isEnvInput(varying, env)) args.push({ name: envInputName(env.name, position), value: env.value })
  })
  return args
}

/** The task's own settings that shape its template, as one string (empty when it has none). */
function settingsShape(task: TaskNode, varying: ReadonlySet<string> | undefined): string {
  if (task.env.length === 0 && task.resources === undefined && task.retry === undefined) return ''
  // A value passed as an input is not part of the shape, only that it is passed.
  const env = varying === undefined ? task.env : task.env.map((e) => (isEnvInput(varying, e) ? [e.name] : e))
  return `\u0000${JSON.stringify([env, task.resources ?? null, task.retry ?? null])}`
}

/** Builds (or reuses) the container template for one task. */
export function containerTemplate(ctx: EmitContext, request: ContainerRequest): BuiltTemplate {
  const partsKey = partsShape(request)
  const shape = `${partsKey}${settingsShape(request.task, ctx.varyingEnv.get(request.component))}`
  const built = ctx.builtContainers.get(shape) as BuiltTemplate | undefined
  if (built) return built
  // Tasks of one component often differ only in env, resources or retry (a shard number in env):
  // the command line, inputs and outputs are then worked out once, for all of them.
  let parts = ctx.builtContainers.get(`parts\u0000${partsKey}`) as ContainerParts | undefined
  if (parts === undefined) ctx.builtContainers.set(`parts\u0000${partsKey}`, (parts = containerParts(ctx, request)))
  const template = buildContainerTemplate(ctx, request, parts)
  ctx.builtContainers.set(shape, template)
  return template
}

/** What tasks of one component with the same inputs and pod settings share (see partsShape). */
interface ContainerParts {
  readonly command: readonly string[] | undefined
  readonly args: readonly string[] | undefined
  /** Whether the command line (or a constant it reads) relies on `TYPEFLOW_LBRACE`. */
  readonly usesBraceEnv: boolean
  readonly declared: ReadonlyMap<string, string>
  readonly outputs: ReadonlyMap<string, TemplateOutput>
  readonly metadata: Readonly<Record<string, unknown>>
  readonly inputs: Readonly<Record<string, unknown>>
  readonly outputsField: Readonly<Record<string, unknown>> | undefined
  readonly memoize: Readonly<Record<string, unknown>> | undefined
}

function containerParts(ctx: EmitContext, request: ContainerRequest): ContainerParts {
  const { component } = request
  const renamed: Record<string, string> = {}
  const inputNames = ioNameMap(component.inputs, renamed)
  const outputNames = ioNameMap(component.outputs, renamed)
  const present = presentInputs(component.inputs, request.passed)
  const protocol = usesExecutorProtocol(component)
  const state: RenderState = { request, ctx, present, inputNames, outputNames, paramInputsUsed: new Set() }

  if (component.image.includes('{{')) {
    ctx.report('E_INVALID_CONSTANT', [...request.path, 'component', component.name, 'image'], `image "${component.image}" contains "{{", which Argo would read as a template tag`, component.source)
  }
  let usesBraceEnv = false
  const render = (args: readonly CommandArgNode[] | undefined): string[] | undefined => {
    if (args === undefined) return undefined
    return expand(state, args).map((items) => {
      const encoded = encodeArg(items)
      usesBraceEnv ||= encoded.usesBraceEnv
      return encoded.text
    })
  }
  const command = render(component.command)
  const args = render(component.args)
  // Constants and defaults are written with the same escape; they only reach command lines.
  if (ctx.valuesUseBraceEnv && state.paramInputsUsed.size > 0) usesBraceEnv = true

  const inputParameters: Record<string, unknown>[] = []
  const inputArtifacts: Record<string, unknown>[] = []
  const declared = new Map<string, string>()
  for (const [name, argo] of inputNames) {
    const spec = component.inputs[name]!
    if (!present.has(name)) continue
    declared.set(name, argo)
    if (spec.kind === 'parameter') {
      inputParameters.push({ name: argo, ...(spec.default !== undefined && { default: encodeValue(driverText(spec.default)).text }) })
    } else {
      inputArtifacts.push({ name: argo, path: inputArtifactPath(argo) })
    }
  }
  inputParameters.push({ name: RESERVED.task })
  if (request.hasDisplayName) inputParameters.push({ name: RESERVED.displayName })
  if (request.hasCacheKey) inputParameters.push({ name: RESERVED.cacheKey })
  if (request.memoize === 'runtime') inputParameters.push({ name: RESERVED.memoizeKey })
  for (const name of request.pod?.inputs ?? []) inputParameters.push({ name })
  const memo = ctx.options.memoize
  const memoize =
    request.memoize !== undefined && memo !== undefined
      ? {
          key: `{{inputs.parameters.${request.memoize === 'static' ? RESERVED.cacheKey : RESERVED.memoizeKey}}}`,
          maxAge: memo.maxAge,
          cache: { configMap: { name: memo.configMap } },
        }
      : undefined
  const outputParameters: Record<string, unknown>[] = []
  const outputArtifacts: Record<string, unknown>[] = []
  const outputs = new Map<string, TemplateOutput>()
  for (const [name, argo] of outputNames) {
    const spec = component.outputs[name]!
    if (spec.kind === 'parameter') {
      // A returned value lands in the ExecutorOutput JSON, not in the file: the file may be missing.
      outputParameters.push({ name: argo, valueFrom: { path: outputPath(argo), ...(protocol && { default: '' }) } })
      outputs.set(name, { argoName: argo, artifact: false, originalName: name, ...(protocol && { protocolType: spec.type }) })
    } else {
      outputArtifacts.push({ name: argo, path: outputPath(argo) })
      outputs.set(name, { argoName: argo, artifact: true, originalName: name })
    }
  }
  if (protocol) outputParameters.push({ name: RESERVED.executorOutput, valueFrom: { path: EXECUTOR_OUTPUT_PATH, default: '{}' } })
  const writesOutputs = outputParameters.length > 0 || outputArtifacts.length > 0

  const annotations: Record<string, string> = { [ANNOTATIONS.task]: `{{inputs.parameters.${RESERVED.task}}}` }
  if (labelValue(component.name) !== component.name) annotations[ANNOTATIONS.component] = breakBraces(component.name)
  if (request.hasCacheKey) annotations[ANNOTATIONS.cacheKey] = `{{inputs.parameters.${RESERVED.cacheKey}}}`
  if (Object.keys(renamed).length > 0) annotations[ANNOTATIONS.ioNames] = JSON.stringify(renamed)
  const pod = request.pod?.settings ?? {}
  return {
    command,
    args,
    usesBraceEnv,
    declared,
    outputs,
    // The user's pod labels and annotations first: Typeflow's own keys win on a clash.
    metadata: {
      annotations: { ...pod.metadata?.annotations, ...annotations },
      labels: { ...pod.metadata?.labels, [ANNOTATIONS.component]: labelValue(component.name) || 'component' },
    },
    inputs: { parameters: inputParameters, ...(inputArtifacts.length > 0 && { artifacts: inputArtifacts }) },
    outputsField: writesOutputs
      ? {
          ...(outputParameters.length > 0 && { parameters: outputParameters }),
          ...(outputArtifacts.length > 0 && { artifacts: outputArtifacts }),
        }
      : undefined,
    memoize,
  }
}

/** The template of one task: the shared parts, and the task's env, resources and retry. */
function buildContainerTemplate(ctx: EmitContext, request: ContainerRequest, parts: ContainerParts): BuiltTemplate {
  const { component, task } = request
  let usesBraceEnv = parts.usesBraceEnv
  const varying = ctx.varyingEnv.get(component)
  const envInputs: { name: string }[] = []
  const env = task.env.map((e, position) => {
    if (isEnvInput(varying, e)) {
      const input = envInputName(e.name, position)
      envInputs.push({ name: input })
      return { name: e.name, value: `{{inputs.parameters.${input}}}` }
    }
    const encoded = encodeArg([{ kind: 'user', text: e.value }])
    usesBraceEnv ||= encoded.usesBraceEnv
    return { name: e.name, value: encoded.text }
  })
  if (usesBraceEnv) env.unshift({ name: LBRACE_ENV, value: '{' })
  const resources = task.resources && resourcesFor(task.resources)
  const pod = request.pod?.settings ?? {}
  const writesOutputs = parts.outputsField !== undefined
  const volumes = [...(writesOutputs ? [{ name: OUTPUT_VOLUME, emptyDir: {} }] : []), ...(pod.volumes ?? [])]
  const volumeMounts = [...(writesOutputs ? [{ name: OUTPUT_VOLUME, mountPath: OUTPUT_DIR }] : []), ...(pod.volumeMounts ?? [])]
  const allEnv = [...env, ...(pod.env ?? [])]

  // Templates of one component share the parts' objects (as they share the pod settings' objects).
  const body: Record<string, unknown> = {
    metadata: parts.metadata,
    ...(request.hasDisplayName && { annotations: { [ANNOTATIONS.displayName]: `{{inputs.parameters.${RESERVED.displayName}}}` } }),
    inputs: envInputs.length === 0 ? parts.inputs : Object.assign({}, parts.inputs, { parameters: [...(parts.inputs['parameters'] as unknown[]), ...envInputs] }),
    ...(writesOutputs && { outputs: parts.outputsField }),
    ...(task.retry !== undefined && { retryStrategy: retryStrategyFor(task.retry) }),
    ...(parts.memoize !== undefined && { memoize: parts.memoize }),
    ...(pod.nodeSelector !== undefined && { nodeSelector: pod.nodeSelector }),
    ...(pod.tolerations !== undefined && { tolerations: pod.tolerations }),
    ...(pod.affinity !== undefined && { affinity: pod.affinity }),
    ...(pod.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: String(pod.activeDeadlineSeconds) }),
    ...(pod.securityContext !== undefined && { securityContext: pod.securityContext }),
    ...(pod.podSpecPatch !== undefined && { podSpecPatch: pod.podSpecPatch }),
    ...(pod.initContainers !== undefined && { initContainers: pod.initContainers }),
    ...(volumes.length > 0 && { volumes }),
    container: {
      image: component.image,
      ...(parts.command !== undefined && { command: parts.command }),
      ...(parts.args !== undefined && { args: parts.args }),
      ...(allEnv.length > 0 && { env: allEnv }),
      ...(resources !== undefined && { resources }),
      ...(pod.imagePullPolicy !== undefined && { imagePullPolicy: pod.imagePullPolicy }),
      ...(volumeMounts.length > 0 && { volumeMounts }),
    },
  }
  const entry = ctx.intern('container', component.name, body)
  return { entry, inputNames: parts.declared, outputs: parts.outputs }
}

/**
 * The expression that reads parameter `output` of a task speaking the KFP executor protocol: a
 * returned value from the ExecutorOutput JSON's `parameterValues`, else the output file, parsed the
 * way KFP's launcher parses it. Non-string values come out as compact JSON (the text form of every
 * non-string parameter here).
 *
 * Written without spaces (the YAML writer folds long lines at spaces; tags are kept on one line)
 * and without `?:` (Argo splits expressions containing `?` and `:` as a ternary at the first `?`).
 */
export function parameterValueExpression(argoTask: string, output: TemplateOutput): string {
  const outputs = `tasks[${exprString(argoTask)}].outputs.parameters`
  const returned = `get(get(fromJSON(${outputs}[${exprString(RESERVED.executorOutput)}]),'parameterValues')??{},${exprString(output.originalName)})`
  const file = `${outputs}[${exprString(output.argoName)}]`
  switch (output.protocolType) {
    case 'STRING':
    case undefined:
      return `${returned}??${file}`
    case 'BOOLEAN':
      return `toJson(${returned}??(lower(trim(${file}))in['true','1','t']))`
    case 'NUMBER_INTEGER':
      return `toJson(${returned}??int(trim(${file})))`
    case 'NUMBER_DOUBLE':
      return `toJson(${returned}??float(trim(${file})))`
    default:
      return `toJson(${returned}??fromJSON(${file}))`
  }
}
