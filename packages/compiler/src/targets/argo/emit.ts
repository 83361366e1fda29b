/**
 * The Argo Workflows target: translates the analysed graph (the same one the KFP target reads)
 * into native Argo manifests — a Workflow, WorkflowTemplate or CronWorkflow, plus WorkflowTemplates
 * holding overflow templates when one object would exceed the v4 CRD caps or 1 MiB.
 *
 * Layout: one container template per distinct component-with-settings, one DAG template per
 * (distinct) pipeline, tasks in the analysed topological order. Every task passes the reserved
 * `typeflow-task` parameter (its Typeflow name), which the pod carries as the `typeflow.dev/task`
 * annotation and tools use to map Argo nodes back to pipeline tasks.
 *
 * @module
 */

import type { AnalysedPipeline, AnalysedTask } from '../../analyse/graph.ts'
import type { Diagnostic, IoSpecNode, JsonValue, PipelineNode } from '@typeflow/dsl'
import { toYaml } from '../../writer/yaml.ts'
import { TYPEFLOW_VERSION } from '../../version.ts'
import { type BuiltTemplate, containerTemplate, parameterValueExpression, presentInputs, type TemplateOutput } from './container.ts'
import { argoIoName, kubeName, labelValue, NameAllocator, shortHash, truncateName } from './names.ts'
import { ARGO_CAPS, type ArgoOptions, resolveArgoOptions } from './options.ts'
import { formBlocks, type PartitionItem } from './partition.ts'
import { ANNOTATIONS, EmitContext, RESERVED, type TemplateEntry } from './registry.ts'
import { breakBraces, encodeValue } from './text.ts'
import { parameterText } from './values.ts'

type Json = Record<string, unknown>

/** The result of {@link emitArgo}: documents in apply order, or why the pipeline cannot be expressed. */
export interface ArgoEmitResult {
  /** Plain JSON objects; write them with `argoYaml(documents)`. */
  readonly documents: Json[]
  /** Non-empty when the pipeline uses something Argo cannot express; `documents` is then empty. */
  readonly diagnostics: readonly Diagnostic[]
}

/** Where a task input's value comes from, as seen from the scope (pipeline) the task is in. */
type Source =
  | { readonly kind: 'const'; readonly text: string }
  /** A root pipeline parameter: `{{workflow.parameters.<name>}}`, visible in every template. */
  | { readonly kind: 'global'; readonly name: string }
  /** An input of the scope's DAG template (nested pipelines, root artifacts). */
  | { readonly kind: 'scopeInput'; readonly name: string }
  | { readonly kind: 'task'; readonly task: string; readonly output: TemplateOutput }

interface Arg {
  readonly name: string
  readonly artifact: boolean
  readonly source: Source
}

/** A task of a scope, ready to be placed in a DAG. */
interface Leaf {
  readonly kind: 'leaf'
  readonly name: string
  readonly argoName: string
  readonly template: TemplateEntry
  readonly args: readonly Arg[]
  readonly reserved: readonly { readonly name: string; readonly value: string }[]
  readonly dependsOn: readonly string[]
  readonly tasks: ReadonlySet<string>
}

/** A value crossing a partition boundary, under the name the partition's template gives it. */
interface Port {
  readonly key: string
  readonly source: Source
  readonly artifact: boolean
  readonly name: string
}

/** A partition: a nested DAG template standing for several tasks (or partitions). */
interface Group {
  readonly kind: 'group'
  readonly children: readonly Unit[]
  readonly tasks: ReadonlySet<string>
  readonly argoName: string
  /** Values its tasks take from outside it: the template's inputs. */
  readonly imports: readonly Port[]
  /** Outputs of its tasks used outside it: the template's outputs. */
  readonly exports: readonly (Port & { readonly source: Source & { kind: 'task' } })[]
}

type Unit = Leaf | Group

interface ScopeOutput {
  readonly name: string
  readonly artifact: boolean
  readonly source: Source & { kind: 'task' }
}

/** Everything the DAG builder needs to know about one scope (a pipeline instance). */
interface Scope {
  readonly baseName: string
  readonly isRoot: boolean
  readonly leaves: readonly Leaf[]
  readonly leafByTask: ReadonlyMap<string, Leaf>
  readonly outputs: readonly ScopeOutput[]
  /** Declared inputs of the scope's own DAG template. */
  readonly inputs: Json
  readonly hasDisplayName: boolean
  /** source key → names of consumer tasks (`#outputs` for the scope's outputs). */
  readonly consumers: ReadonlyMap<string, readonly string[]>
  /** task → the outputs of it that something consumes, in first-use order. */
  readonly producedKeys: ReadonlyMap<string, readonly { readonly key: string; readonly source: Source & { kind: 'task' }; readonly artifact: boolean }[]>
  readonly depth: ReadonlyMap<string, number>
}

const SCOPE_OUTPUTS = '#outputs'

function sourceKey(source: Source, artifact: boolean): string | undefined {
  if (source.kind === 'scopeInput') return `in:${artifact ? 'a' : 'p'}:${source.name}`
  if (source.kind === 'task') return `task:${source.task}:${source.output.argoName}`
  return undefined
}

/** Whether any constant or default of the graph needs the brace escape (then every consumer does). */
function valuesNeedBraceEnv(pipeline: AnalysedPipeline, seen = new Set<AnalysedPipeline>()): boolean {
  if (seen.has(pipeline)) return false
  seen.add(pipeline)
  const escapes = (v: JsonValue) => encodeValue(parameterText(v)).usesBraceEnv
  const defaults = (specs: Readonly<Record<string, IoSpecNode>>) =>
    Object.values(specs).some((s) => s.kind === 'parameter' && s.default !== undefined && escapes(s.default))
  if (defaults(pipeline.node.inputs)) return true
  for (const task of pipeline.tasks.values()) {
    if (task.edges.some((e) => e.from.kind === 'constant' && escapes(e.from.value))) return true
    if (task.node.component.kind === 'container' && defaults(task.node.component.inputs)) return true
    if (task.child && valuesNeedBraceEnv(task.child, seen)) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// Scopes: tasks, their templates and arguments

function scopeInputNames(node: PipelineNode): Map<string, string> {
  const names = new Map<string, string>()
  for (const name of Object.keys(node.inputs)) names.set(name, argoIoName(name))
  return names
}

/**
 * Builds the DAG template of one pipeline instance. `present` are the pipeline's inputs that have a
 * value (the caller passes them or they have a default): inputs fed by absent ones are left out, so
 * their consumers see them as not given, as KFP's driver does.
 */
function buildScope(
  ctx: EmitContext,
  scope: AnalysedPipeline,
  present: ReadonlySet<string>,
  isRoot: boolean,
  hasDisplayName: boolean,
  pathPrefix: string,
  diagPath: readonly string[],
): BuiltTemplate {
  const node = scope.node
  const inputNames = scopeInputNames(node)
  const built = new Map<string, BuiltTemplate>()
  const leaves: Leaf[] = []
  const taskNames = new NameAllocator()
  if (scope.groups.size > 0) {
    const [first] = scope.groups.values()
    ctx.report('E_SCHEMA', ['groups', first!.name], 'the Argo target does not express conditions, loops and exit handlers yet; compile with --target kfp', first!.node.source)
    return { entry: undefined as never, inputNames: new Map(), outputs: new Map() } as unknown as BuiltTemplate
  }
  for (const name of scope.root.order) {
    const task = scope.tasks.get(name)!
    const path = [...diagPath, 'tasks', name]
    const passed = new Set(task.edges.filter((e) => e.from.kind !== 'pipelineInput' || present.has(e.from.name)).map((e) => e.input))
    const cacheKey = ctx.options.cacheKeys.get(`${pathPrefix}${name}`)
    const taskHasDisplayName = task.node.displayName !== undefined
    const component = task.node.component
    const template =
      component.kind === 'container'
        ? containerTemplate(ctx, { task: task.node, component, passed, hasDisplayName: taskHasDisplayName, hasCacheKey: cacheKey !== undefined, path })
        : buildScope(ctx, task.child!, presentInputs(component.inputs, passed), false, taskHasDisplayName, `${pathPrefix}${name}/`, path)
    built.set(name, template)
    leaves.push(makeLeaf(ctx, task, template, passed, inputNames, isRoot, built, taskNames.allocate(kubeName(name, 'task')), cacheKey))
  }

  const renamed: Record<string, string> = {}
  const outputs: ScopeOutput[] = []
  const templateOutputs = new Map<string, TemplateOutput>()
  for (const name of Object.keys(node.outputs).sort()) {
    const from = node.outputs[name]!.from
    if (from.kind !== 'taskOutput') continue
    const output = built.get(from.task)!.outputs.get(from.output)!
    const argo = argoIoName(name)
    if (argo !== name) renamed[argo] = name
    outputs.push({ name: argo, artifact: output.artifact, source: { kind: 'task', task: from.task, output } })
    templateOutputs.set(name, { argoName: argo, artifact: output.artifact, originalName: name })
  }

  const inputParameters: Json[] = []
  const inputArtifacts: Json[] = []
  for (const name of [...inputNames.keys()].sort()) {
    const argo = inputNames.get(name)!
    const spec = node.inputs[name]!
    if (argo !== name) renamed[argo] = name
    if (!present.has(name)) continue
    if (spec.kind === 'artifact') inputArtifacts.push({ name: argo })
    else if (!isRoot) inputParameters.push({ name: argo, ...(spec.default !== undefined && { default: encodeValue(parameterText(spec.default)).text }) })
  }
  if (!isRoot) inputParameters.push({ name: RESERVED.task })
  if (hasDisplayName) inputParameters.push({ name: RESERVED.displayName })
  const inputs: Json = {
    ...(inputParameters.length > 0 && { parameters: inputParameters }),
    ...(inputArtifacts.length > 0 && { artifacts: inputArtifacts }),
  }

  const consumers = new Map<string, string[]>()
  const producedKeys = new Map<string, { key: string; source: Source & { kind: 'task' }; artifact: boolean }[]>()
  const consume = (source: Source, artifact: boolean, consumer: string) => {
    const key = sourceKey(source, artifact)
    if (key === undefined) return
    const list = consumers.get(key)
    if (list) {
      list.push(consumer)
      return
    }
    consumers.set(key, [consumer])
    if (source.kind !== 'task') return
    const produced = producedKeys.get(source.task)
    if (produced) produced.push({ key, source, artifact })
    else producedKeys.set(source.task, [{ key, source, artifact }])
  }
  for (const leaf of leaves) for (const arg of leaf.args) consume(arg.source, arg.artifact, leaf.name)
  for (const output of outputs) consume(output.source, output.artifact, SCOPE_OUTPUTS)
  const depth = new Map<string, number>()
  for (const leaf of leaves) depth.set(leaf.name, Math.max(-1, ...leaf.dependsOn.map((d) => depth.get(d) ?? 0)) + 1)

  const entry = buildScopeTemplate(ctx, {
    baseName: node.name,
    isRoot,
    leaves,
    leafByTask: new Map(leaves.map((l) => [l.name, l])),
    outputs,
    inputs,
    hasDisplayName,
    consumers,
    producedKeys,
    depth,
  }, renamed)
  const declared = new Map<string, string>()
  for (const [name, argo] of inputNames) if (present.has(name) && (!isRoot || node.inputs[name]!.kind === 'artifact')) declared.set(name, argo)
  return { entry, inputNames: declared, outputs: templateOutputs }
}

function makeLeaf(
  ctx: EmitContext,
  task: AnalysedTask,
  template: BuiltTemplate,
  passed: ReadonlySet<string>,
  scopeInputs: ReadonlyMap<string, string>,
  isRoot: boolean,
  built: ReadonlyMap<string, BuiltTemplate>,
  argoName: string,
  cacheKey: string | undefined,
): Leaf {
  const declared = task.node.component.inputs
  const args: Arg[] = []
  for (const { input, from } of task.edges) {
    if (!passed.has(input)) continue
    const name = template.inputNames.get(input)
    const spec = declared[input]
    if (name === undefined || spec === undefined) continue
    const artifact = spec.kind === 'artifact'
    let source: Source
    if (from.kind === 'constant') source = { kind: 'const', text: encodeValue(parameterText(from.value)).text }
    else if (from.kind === 'pipelineInput') {
      const argo = scopeInputs.get(from.name)!
      source = isRoot && !artifact ? { kind: 'global', name: argo } : { kind: 'scopeInput', name: argo }
    } else if (from.kind === 'taskOutput') source = { kind: 'task', task: from.task, output: built.get(from.task)!.outputs.get(from.output)! }
    else {
      ctx.report('E_SCHEMA', ['tasks', task.node.name, 'inputs', input], `the Argo target does not express ${from.kind} inputs yet; compile with --target kfp`, task.node.source)
      continue
    }
    args.push({ name, artifact, source })
  }
  const reserved: { name: string; value: string }[] = [{ name: RESERVED.task, value: task.node.name }]
  if (task.node.displayName !== undefined) reserved.push({ name: RESERVED.displayName, value: breakBraces(task.node.displayName) })
  if (cacheKey !== undefined && task.node.component.kind === 'container') reserved.push({ name: RESERVED.cacheKey, value: breakBraces(cacheKey) })
  if (args.filter((a) => !a.artifact).length + reserved.length > ARGO_CAPS.inputParameters) {
    ctx.report('E_SCHEMA', ['tasks', task.node.name], `task "${task.node.name}" has more than ${ARGO_CAPS.inputParameters} parameter inputs, the Argo v4 limit per template`, task.node.source)
  }
  return { kind: 'leaf', name: task.node.name, argoName, template: template.entry, args, reserved, dependsOn: task.dependsOn, tasks: new Set([task.node.name]) }
}


// ---------------------------------------------------------------------------------------------
// DAG templates, partitioned when too large

/** How a DAG template being built sees the values its tasks use. */
interface DagView {
  readonly top: boolean
  readonly leafChildren: ReadonlyMap<string, Leaf>
  readonly groupOf: ReadonlyMap<string, Group>
  /** For a partition: source key → the name of the template input carrying it. */
  readonly imports: ReadonlyMap<string, string>
}

function inputRef(artifact: boolean, name: string): string {
  return `{{inputs.${artifact ? 'artifacts' : 'parameters'}.${name}}}`
}

/** The `value` (parameters) or `from` (artifacts) text of a source inside a DAG template. */
function renderSource(view: DagView, source: Source, artifact: boolean): string {
  const kind = artifact ? 'artifacts' : 'parameters'
  switch (source.kind) {
    case 'const':
      return source.text
    case 'global':
      return `{{workflow.parameters.${source.name}}}`
    case 'scopeInput':
      return inputRef(artifact, view.top ? source.name : view.imports.get(sourceKey(source, artifact)!)!)
    case 'task': {
      const key = sourceKey(source, artifact)!
      const leaf = view.leafChildren.get(source.task)
      if (leaf) {
        if (!artifact && source.output.protocolType !== undefined) return `{{=${parameterValueExpression(leaf.argoName, source.output)}}}`
        return `{{tasks.${leaf.argoName}.outputs.${kind}.${source.output.argoName}}}`
      }
      const group = view.groupOf.get(source.task)
      if (group) return `{{tasks.${group.argoName}.outputs.${kind}.${group.exports.find((e) => e.key === key)!.name}}}`
      return inputRef(artifact, view.imports.get(key)!)
    }
  }
}

/** A DAG template output re-exporting a task output (returned values are read out at the first hop). */
function outputEntry(view: DagView, name: string, source: Source & { kind: 'task' }, artifact: boolean): Json {
  const leaf = view.leafChildren.get(source.task)
  if (!artifact && leaf && source.output.protocolType !== undefined) {
    return { name, valueFrom: { expression: parameterValueExpression(leaf.argoName, source.output) } }
  }
  const ref = renderSource(view, source, artifact)
  return artifact ? { name, from: ref } : { name, valueFrom: { parameter: ref } }
}

function leavesOf(unit: Unit): Leaf[] {
  return unit.kind === 'leaf' ? [unit] : unit.children.flatMap(leavesOf)
}

function argumentsOf(parameters: readonly Json[], artifacts: readonly Json[]): Json | undefined {
  if (parameters.length === 0 && artifacts.length === 0) return undefined
  return { ...(parameters.length > 0 && { parameters }), ...(artifacts.length > 0 && { artifacts }) }
}

/** Builds the DAG template holding `children`: the scope's own template, or a partition's. */
function buildDag(ctx: EmitContext, scope: Scope, children: readonly Unit[], group: Group | undefined, renamed: Readonly<Record<string, string>>): TemplateEntry {
  const leafChildren = new Map<string, Leaf>()
  const groupOf = new Map<string, Group>()
  const unitOf = new Map<string, Unit>()
  const templates = new Map<Unit, TemplateEntry>()
  for (const child of children) {
    for (const t of child.tasks) unitOf.set(t, child)
    if (child.kind === 'leaf') {
      leafChildren.set(child.name, child)
      templates.set(child, child.template)
    } else {
      for (const t of child.tasks) groupOf.set(t, child)
      templates.set(child, buildDag(ctx, scope, child.children, child, renamed))
    }
  }
  const view: DagView = { top: group === undefined, leafChildren, groupOf, imports: new Map(group?.imports.map((p) => [p.key, p.name])) }

  const tasks: Json[] = []
  const externalDepends: Record<string, string[]> = {}
  for (const child of children) {
    const depends = new Set<Unit>()
    for (const leaf of leavesOf(child)) {
      const outside: string[] = []
      for (const dep of leaf.dependsOn) {
        const sibling = unitOf.get(dep)
        if (sibling === undefined) outside.push(dep)
        else if (sibling !== child) depends.add(sibling)
      }
      // Argo only orders siblings; deps across partitions hold through the partitions' own order.
      // They are recorded so tools can still read the exact graph.
      if (child.kind === 'leaf' && outside.length > 0) externalDepends[leaf.name] = outside
    }
    const parameters: Json[] = []
    const artifacts: Json[] = []
    const ports: readonly { name: string; source: Source; artifact: boolean }[] = child.kind === 'leaf' ? child.args : child.imports
    for (const port of ports) {
      const value = renderSource(view, port.source, port.artifact)
      if (port.artifact) artifacts.push({ name: port.name, from: value })
      else parameters.push({ name: port.name, value })
    }
    if (child.kind === 'leaf') for (const r of child.reserved) parameters.push({ name: r.name, value: r.value })
    const args = argumentsOf(parameters, artifacts)
    tasks.push({
      name: child.argoName,
      template: templates.get(child)!.name,
      ...(depends.size > 0 && { depends: children.filter((c) => depends.has(c)).map((c) => c.argoName).join(' && ') }),
      ...(args !== undefined && { arguments: args }),
    })
  }

  const outputParameters: Json[] = []
  const outputArtifacts: Json[] = []
  const exported: readonly { name: string; source: Source & { kind: 'task' }; artifact: boolean }[] = group ? group.exports : scope.outputs
  for (const exp of exported) (exp.artifact ? outputArtifacts : outputParameters).push(outputEntry(view, exp.name, exp.source, exp.artifact))

  const annotations: Record<string, string> = {}
  if (Object.keys(externalDepends).length > 0) annotations[ANNOTATIONS.externalDepends] = JSON.stringify(externalDepends)
  if (!group && Object.keys(renamed).length > 0) annotations[ANNOTATIONS.ioNames] = JSON.stringify(renamed)
  const inputParameters = group ? group.imports.filter((p) => !p.artifact).map((p) => ({ name: p.name })) : []
  const inputArtifacts = group ? group.imports.filter((p) => p.artifact).map((p) => ({ name: p.name })) : []
  const inputs: Json = group ? (argumentsOf(inputParameters, inputArtifacts) ?? {}) : scope.inputs
  if (children.length === 0) {
    // Argo's CRDs want at least one task in a DAG: a pipeline without tasks is a suspend of no time.
    const empty: Json = {
      ...(scope.hasDisplayName && { annotations: { [ANNOTATIONS.displayName]: `{{inputs.parameters.${RESERVED.displayName}}}` } }),
      ...(Object.keys(inputs).length > 0 && { inputs }),
      suspend: { duration: '0' },
    }
    return ctx.intern('dag', scope.baseName, empty, [], scope.isRoot)
  }
  const body: Json = {
    ...(Object.keys(annotations).length > 0 && { metadata: { annotations } }),
    ...(!group && scope.hasDisplayName && { annotations: { [ANNOTATIONS.displayName]: `{{inputs.parameters.${RESERVED.displayName}}}` } }),
    ...(Object.keys(inputs).length > 0 && { inputs }),
    ...((outputParameters.length > 0 || outputArtifacts.length > 0) && {
      outputs: {
        ...(outputParameters.length > 0 && { parameters: outputParameters }),
        ...(outputArtifacts.length > 0 && { artifacts: outputArtifacts }),
      },
    }),
    dag: { tasks },
  }
  const calls = [...new Set(children.map((c) => templates.get(c)!.name))]
  return ctx.intern('dag', group ? `${scope.baseName}-part` : scope.baseName, body, calls, !group && scope.isRoot)
}

// Rough sizes of DAG entries (JSON-ish bytes), to fill partitions; documents are measured exactly later.
const TEMPLATE_REF_BYTES = 60

function sourceBytes(source: Source): number {
  switch (source.kind) {
    case 'const':
      return source.text.length + 4
    case 'global':
      return source.name.length + 26
    case 'scopeInput':
      return source.name.length + 28
    case 'task':
      return source.task.length + source.output.argoName.length + (source.output.protocolType !== undefined ? 260 : 40)
  }
}

function leafBytes(leaf: Leaf): number {
  let bytes = 90 + leaf.argoName.length + leaf.template.name.length + TEMPLATE_REF_BYTES
  for (const arg of leaf.args) bytes += 30 + arg.name.length + sourceBytes(arg.source)
  for (const r of leaf.reserved) bytes += 30 + r.name.length + r.value.length
  for (const dep of leaf.dependsOn) bytes += 4 + dep.length
  return Math.ceil(bytes * 1.25)
}

function groupBytes(group: Group): number {
  let bytes = 90 + group.argoName.length + 40 + TEMPLATE_REF_BYTES
  for (const port of group.imports) bytes += 70 + 2 * port.name.length + sourceBytes(port.source)
  return Math.ceil(bytes * 1.25)
}

function unitBytes(unit: Unit): number {
  return unit.kind === 'leaf' ? leafBytes(unit) : groupBytes(unit)
}

/** Makes a partition of `members`, with the inputs and outputs its template needs. */
function makeGroup(scope: Scope, members: readonly Unit[], argoName: string): Group {
  const tasks = new Set<string>()
  for (const member of members) for (const t of member.tasks) tasks.add(t)
  const leaves = members.flatMap(leavesOf)
  const inputNames = new NameAllocator(200)
  const imports: Port[] = []
  const imported = new Set<string>()
  for (const leaf of leaves) {
    for (const arg of leaf.args) {
      const key = sourceKey(arg.source, arg.artifact)
      if (key === undefined || imported.has(key)) continue
      if (arg.source.kind === 'task' && tasks.has(arg.source.task)) continue
      imported.add(key)
      // Only task outputs and (non-global) scope inputs have keys, i.e. can come from outside.
      const base = arg.source.kind === 'task' ? `${scope.leafByTask.get(arg.source.task)!.argoName}-${arg.source.output.argoName}` : arg.source.kind === 'scopeInput' ? arg.source.name : 'value'
      imports.push({ key, source: arg.source, artifact: arg.artifact, name: inputNames.allocate(base) })
    }
  }
  const outputNames = new NameAllocator(200)
  const exports: (Port & { source: Source & { kind: 'task' } })[] = []
  for (const leaf of leaves) {
    for (const produced of scope.producedKeys.get(leaf.name) ?? []) {
      if (!(scope.consumers.get(produced.key) ?? []).some((c) => !tasks.has(c))) continue
      exports.push({ ...produced, name: outputNames.allocate(`${leaf.argoName}-${produced.source.output.argoName}`) })
    }
  }
  return { kind: 'group', children: members, tasks, argoName, imports, exports }
}

/** Groups units into partitions within the limits; returns the new, shorter list of units. */
function partition(ctx: EmitContext, scope: Scope, units: readonly Unit[], byDepth: boolean): Unit[] {
  const maxBytes = Math.floor(ctx.options.maxDocumentBytes / 3)
  const index = new Map<string, number>()
  units.forEach((u, i) => {
    for (const t of u.tasks) index.set(t, i)
  })
  const items: PartitionItem[] = units.map((unit) => {
    const ports: readonly { source: Source; artifact: boolean }[] = unit.kind === 'leaf' ? unit.args : unit.imports
    const needs: { key: string; producer: number | undefined }[] = []
    for (const port of ports) {
      const key = sourceKey(port.source, port.artifact)
      if (key === undefined) continue
      needs.push({ key, producer: port.source.kind === 'task' ? index.get(port.source.task) : undefined })
    }
    return { depth: byDepth && unit.kind === 'leaf' ? (scope.depth.get(unit.name) ?? 0) : 0, bytes: unitBytes(unit), needs }
  })
  const blocks = formBlocks(items, { maxItems: ctx.options.maxDagTasks, maxBytes, maxImports: ARGO_CAPS.inputParameters - 50 })
  const width = String(blocks.length).length
  return blocks.map((block, i) => makeGroup(scope, block.map((j) => units[j]!), `part-${String(i + 1).padStart(width, '0')}`))
}

function buildScopeTemplate(ctx: EmitContext, scope: Scope, renamed: Readonly<Record<string, string>>): TemplateEntry {
  const maxBytes = Math.floor(ctx.options.maxDocumentBytes / 3)
  const fits = (units: readonly Unit[]) => units.length <= ctx.options.maxDagTasks && units.reduce((sum, u) => sum + unitBytes(u), 0) <= maxBytes
  let units: Unit[] = [...scope.leaves]
  if (!fits(units)) {
    // Leaves are packed level by level (depth, then the analysed order), which is topological.
    const order = new Map(scope.leaves.map((l, i) => [l.name, i]))
    const sorted = [...scope.leaves].sort((a, b) => scope.depth.get(a.name)! - scope.depth.get(b.name)! || order.get(a.name)! - order.get(b.name)!)
    units = partition(ctx, scope, sorted, true)
    while (!fits(units)) {
      const grouped = partition(ctx, scope, units, false)
      if (grouped.length >= units.length) break
      units = grouped
    }
  }
  return buildDag(ctx, scope, units, undefined, renamed)
}

// ---------------------------------------------------------------------------------------------
// Documents

function yamlBytes(value: unknown): number {
  return Buffer.byteLength(toYaml(value, { sortKeys: false }))
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value))
}

/** Bytes a template adds to a document, once indented under `spec.templates` and with cross-object refs. */
function templateBytes(entry: TemplateEntry, indent: number): number {
  const template = { name: entry.name, ...entry.body }
  const yaml = toYaml(template, { sortKeys: false })
  const lines = yaml.split('\n').length
  // Any task may end up calling its template through a `templateRef` to another object.
  const tasks = ((entry.body['dag'] as { tasks?: unknown[] } | undefined)?.tasks ?? []).length
  return Math.max(Buffer.byteLength(yaml) + indent * lines, jsonBytes(template)) + tasks * TEMPLATE_REF_BYTES
}

/** Rewrites DAG task targets that live in another object as `templateRef`. */
function placeTemplate(entry: TemplateEntry, home: ReadonlyMap<string, string>, own: string): Json {
  const body = entry.body as Json & { dag?: { tasks: Json[] } }
  if (!body.dag) return { name: entry.name, ...body }
  const tasks = body.dag.tasks.map((task) => {
    const target = task['template'] as string
    const where = home.get(target)!
    if (where === own) return task
    const { name, template: _template, ...rest } = task
    return { name, templateRef: { name: where, template: target }, ...rest }
  })
  return { name: entry.name, ...body, dag: { ...body.dag, tasks } }
}

function objectMetadata(ctx: EmitContext, nameField: Json, extraAnnotations: Record<string, string>): Json {
  const pipeline = ctx.pipelineName
  return {
    ...nameField,
    ...(ctx.options.namespace !== undefined && { namespace: ctx.options.namespace }),
    labels: { [ANNOTATIONS.pipeline]: labelValue(pipeline) || 'pipeline' },
    annotations: { [ANNOTATIONS.compiler]: `typeflow-${TYPEFLOW_VERSION}`, ...(labelValue(pipeline) !== pipeline && { [ANNOTATIONS.pipeline]: pipeline }), ...extraAnnotations },
  }
}

function rootArguments(pipeline: PipelineNode): Json | undefined {
  const parameters: Json[] = []
  const artifacts: Json[] = []
  for (const name of Object.keys(pipeline.inputs).sort()) {
    const spec = pipeline.inputs[name]!
    const argo = argoIoName(name)
    if (spec.kind === 'artifact') {
      artifacts.push({ name: argo })
      continue
    }
    // Argo needs a value for every workflow parameter; an optional one without default is given as
    // empty (KFP would leave it out), a required one is left for `argo submit -p` to supply.
    const value = spec.default !== undefined ? encodeValue(parameterText(spec.default)).text : spec.optional ? '' : undefined
    parameters.push({
      name: argo,
      ...(value !== undefined && { value }),
      ...(spec.description !== undefined && { description: breakBraces(spec.description) }),
    })
  }
  return argumentsOf(parameters, artifacts)
}

function workflowSpec(ctx: EmitContext, pipeline: PipelineNode, entrypoint: string, templates: readonly Json[]): Json {
  const o = ctx.options
  const args = rootArguments(pipeline)
  const pipelineLabel = labelValue(ctx.pipelineName) || 'pipeline'
  return {
    entrypoint,
    ...(args !== undefined && { arguments: args }),
    ...(o.serviceAccountName !== undefined && { serviceAccountName: o.serviceAccountName }),
    ...(o.artifactRepositoryRef !== undefined && { artifactRepositoryRef: { ...o.artifactRepositoryRef } }),
    ...(o.imagePullSecrets.length > 0 && { imagePullSecrets: o.imagePullSecrets.map((name) => ({ name })) }),
    ...(o.securityContext !== undefined && { securityContext: structuredClone(o.securityContext) }),
    ...(o.parallelism !== undefined && { parallelism: o.parallelism }),
    ...(o.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: o.activeDeadlineSeconds }),
    ...(o.podGC !== undefined && { podGC: { ...o.podGC } }),
    ...(o.ttlStrategy !== undefined && { ttlStrategy: { ...o.ttlStrategy } }),
    podMetadata: { labels: { [ANNOTATIONS.pipeline]: pipelineLabel } },
    templates,
  }
}

function mainDocument(ctx: EmitContext, pipeline: PipelineNode, entrypoint: string, templates: readonly Json[]): Json {
  const o = ctx.options
  const annotations: Record<string, string> = {}
  if (pipeline.description !== undefined) annotations[ANNOTATIONS.description] = breakBraces(pipeline.description)
  if (pipeline.displayName !== undefined) annotations[ANNOTATIONS.title] = breakBraces(pipeline.displayName)
  const spec = workflowSpec(ctx, pipeline, entrypoint, templates)
  const header = { apiVersion: 'argoproj.io/v1alpha1', kind: o.kind }
  switch (o.kind) {
    case 'Workflow':
      // Workflow names become label values (≤63) after Argo appends 5 characters.
      return { ...header, metadata: objectMetadata(ctx, { generateName: `${truncateName(kubeName(ctx.pipelineName, 'pipeline'), 57)}-` }, annotations), spec }
    case 'WorkflowTemplate':
      return { ...header, metadata: objectMetadata(ctx, { name: kubeName(ctx.pipelineName, 'pipeline', 63) }, annotations), spec }
    case 'CronWorkflow':
      // Argo appends `-<unix time>` to a CronWorkflow's name for each run: 52 characters at most.
      return {
        ...header,
        metadata: objectMetadata(ctx, { name: kubeName(ctx.pipelineName, 'pipeline', 52) }, annotations),
        spec: {
          schedules: [...o.schedules],
          ...(o.timezone !== undefined && { timezone: o.timezone }),
          ...(o.concurrencyPolicy !== undefined && { concurrencyPolicy: o.concurrencyPolicy }),
          workflowSpec: spec,
        },
      }
  }
}

/** Splits templates over the main object and as few WorkflowTemplates as the caps allow. */
function assemble(ctx: EmitContext, pipeline: PipelineNode, root: TemplateEntry, budget: number): Json[] {
  const o = ctx.options
  const entries = ctx.templates
  // Templates sit under spec.templates, or spec.workflowSpec.templates in a CronWorkflow.
  const sizes = new Map(entries.map((e) => [e, templateBytes(e, o.kind === 'CronWorkflow' ? 6 : 4)]))
  const emptyMain = mainDocument(ctx, pipeline, root.name, [])
  const mainBase = Math.max(yamlBytes(emptyMain), jsonBytes(emptyMain)) + 64
  const total = entries.reduce((sum, e) => sum + sizes.get(e)!, 0)

  const home = new Map<string, string>()
  let mainEntries: TemplateEntry[]
  const libraries: { name: string; entries: TemplateEntry[] }[] = []
  if (entries.length <= o.maxTemplates && mainBase + total <= budget) {
    mainEntries = [...entries]
  } else {
    // The main object keeps the last-made templates (the root and what it calls); earlier ones,
    // which only call even earlier ones, go to libraries, so each library only refers back.
    let bytes = mainBase
    let split = entries.length
    while (split > 0 && entries.length - split < o.maxTemplates && bytes + sizes.get(entries[split - 1]!)! <= budget) {
      bytes += sizes.get(entries[split - 1]!)!
      split--
    }
    if (split === entries.length) split--
    mainEntries = entries.slice(split)
    const rest = entries.slice(0, split)
    const hash = shortHash(JSON.stringify(rest.map((e) => [e.name, e.body])))
    const libraryBase = `${truncateName(kubeName(ctx.pipelineName, 'pipeline'), 40)}-${hash}`
    let current: TemplateEntry[] = []
    let currentBytes = 400
    for (const entry of rest) {
      if (current.length > 0 && (current.length >= o.maxTemplates || currentBytes + sizes.get(entry)! > budget)) {
        libraries.push({ name: '', entries: current })
        current = []
        currentBytes = 400
      }
      current.push(entry)
      currentBytes += sizes.get(entry)!
    }
    if (current.length > 0) libraries.push({ name: '', entries: current })
    libraries.forEach((lib, i) => {
      lib.name = `${libraryBase}-${i + 1}`
    })
  }
  const mainName = o.kind === 'Workflow' ? '#main' : kubeName(ctx.pipelineName, 'pipeline', o.kind === 'CronWorkflow' ? 52 : 63)
  for (const lib of libraries) for (const e of lib.entries) home.set(e.name, lib.name)
  for (const e of mainEntries) home.set(e.name, mainName)

  const documents: Json[] = libraries.map((lib) => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'WorkflowTemplate',
    metadata: objectMetadata(ctx, { name: lib.name }, {}),
    spec: { templates: lib.entries.map((e) => placeTemplate(e, home, lib.name)) },
  }))
  // The entrypoint first reads best; the rest in the order they were made (callees before callers).
  const ordered = [root, ...mainEntries.filter((e) => e !== root)]
  documents.push(mainDocument(ctx, pipeline, root.name, ordered.map((e) => placeTemplate(e, home, mainName))))
  return documents
}

/** Checks what schema.json cannot: the v4 CRD caps, names, and the object size limit. */
function checkLimits(ctx: EmitContext, documents: readonly Json[]): void {
  const o = ctx.options
  documents.forEach((doc, i) => {
    const where = [`argo`, `document ${i + 1}`]
    const size = Math.max(yamlBytes(doc), jsonBytes(doc))
    if (size > o.maxDocumentBytes) ctx.report('E_SCHEMA', where, `object is ${size} bytes, over the limit of ${o.maxDocumentBytes}`)
    const spec = (doc['kind'] === 'CronWorkflow' ? (doc['spec'] as Json)['workflowSpec'] : doc['spec']) as { templates: Json[] }
    if (spec.templates.length > ARGO_CAPS.templates) ctx.report('E_SCHEMA', where, `${spec.templates.length} templates, over the v4 limit of ${ARGO_CAPS.templates}`)
    for (const template of spec.templates) {
      const name = template['name'] as string
      if (name.length > 128 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) ctx.report('E_SCHEMA', [...where, name], `template name "${name}" is not a valid name of at most 128 characters`)
      const tasks = ((template['dag'] as Json | undefined)?.['tasks'] ?? []) as Json[]
      if (tasks.length > ARGO_CAPS.dagTasks) ctx.report('E_SCHEMA', [...where, name], `${tasks.length} DAG tasks, over the v4 limit of ${ARGO_CAPS.dagTasks}`)
      const inputs = (((template['inputs'] as Json | undefined)?.['parameters'] ?? []) as Json[]).length
      if (inputs > ARGO_CAPS.inputParameters) ctx.report('E_SCHEMA', [...where, name], `${inputs} input parameters, over the v4 limit of ${ARGO_CAPS.inputParameters}`)
    }
  })
}

/**
 * Translates an analysed pipeline into Argo Workflows manifests, in apply order: library
 * WorkflowTemplates first (only when the pipeline needs more than one object), then the Workflow,
 * WorkflowTemplate or CronWorkflow. Deterministic: the same graph and options give the same objects.
 *
 * @example
 * ```ts
 * const analysis = analysePipeline(myPipeline)
 * if (analysis.ok) {
 *   const { documents, diagnostics } = emitArgo(analysis.pipeline, { kind: 'WorkflowTemplate' })
 *   if (diagnostics.length === 0) writeFileSync('p.argo.yaml', toYamlDocuments(documents, { sortKeys: false }))
 * }
 * ```
 */
export function emitArgo(analysed: AnalysedPipeline, options: ArgoOptions = {}): ArgoEmitResult {
  const resolved = resolveArgoOptions(options)
  const ctx = new EmitContext(resolved, analysed.node.name, valuesNeedBraceEnv(analysed))
  if (resolved.kind === 'CronWorkflow' && resolved.schedules.length === 0) {
    ctx.report('E_INVALID_CONSTANT', ['argo', 'schedules'], 'a CronWorkflow needs at least one schedule (options.schedules)')
  }
  const present = new Set(Object.keys(analysed.node.inputs))
  const root = buildScope(ctx, analysed, present, true, false, '', [])
  if (ctx.diagnostics.length > 0) return { documents: [], diagnostics: ctx.diagnostics }
  // Sizes are estimated while packing and measured after; shrink the packing budget until they fit.
  let documents: Json[] = []
  for (let budget = resolved.maxDocumentBytes; budget >= resolved.maxDocumentBytes / 2; budget = Math.floor(budget * 0.95)) {
    documents = assemble(ctx, analysed.node, root.entry, budget)
    if (documents.every((doc) => Math.max(yamlBytes(doc), jsonBytes(doc)) <= resolved.maxDocumentBytes)) break
  }
  checkLimits(ctx, documents)
  if (ctx.diagnostics.length > 0) return { documents: [], diagnostics: ctx.diagnostics }
  return { documents, diagnostics: [] }
}
