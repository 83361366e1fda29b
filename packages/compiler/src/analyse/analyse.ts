import type {
  CommandArgNode,
  ComponentNode,
  Diagnostic,
  DiagnosticCode,
  IoSpecNode,
  JsonValue,
  ParameterType,
  PipelineNode,
  SourceLocation,
  TaskNode,
  ValueSourceNode,
} from '@typeflow/dsl'
import { componentOutputs, KUBERNETES_NAME, sanitizeName } from '@typeflow/dsl'
import { type AnalysedPipeline, type AnalysedTask, compareNames, findCycle, producersOf, topologicalOrder } from './graph.ts'

/** The outcome of analysis: a graph ready for the targets, or every problem found. */
export type AnalysisResult =
  | { readonly ok: true; readonly pipeline: AnalysedPipeline }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }

const MAX_NAME_LENGTH = 128

class Collector {
  readonly diagnostics: Diagnostic[] = []
  report(code: DiagnosticCode, path: readonly string[], message: string, source?: SourceLocation): void {
    this.diagnostics.push({ code, path, message, ...(source !== undefined && { source }) })
  }
}

function describeSpec(spec: IoSpecNode): string {
  if (spec.kind === 'parameter') return spec.type
  return `${spec.isList ? 'list of ' : ''}${spec.type.schemaTitle}@${spec.type.schemaVersion}`
}

function majorVersion(version: string): string {
  return version.split('.')[0] ?? version
}

/** KFP's rule: `system.Artifact` on either side is compatible; otherwise same title and major version. */
export function artifactCompatible(given: IoSpecNode & { kind: 'artifact' }, expected: IoSpecNode & { kind: 'artifact' }): boolean {
  if (given.isList !== expected.isList) return false
  if (given.type.schemaTitle === 'system.Artifact' || expected.type.schemaTitle === 'system.Artifact') return true
  return given.type.schemaTitle === expected.type.schemaTitle && majorVersion(given.type.schemaVersion) === majorVersion(expected.type.schemaVersion)
}

function parameterCompatible(given: ParameterType, expected: ParameterType): boolean {
  return given === expected || (given === 'NUMBER_INTEGER' && expected === 'NUMBER_DOUBLE')
}

/** Whether a constant fits a parameter type. */
export function constantFits(value: JsonValue, type: ParameterType): boolean {
  switch (type) {
    case 'STRING':
      return typeof value === 'string'
    case 'NUMBER_INTEGER':
      return typeof value === 'number' && Number.isSafeInteger(value)
    case 'NUMBER_DOUBLE':
      return typeof value === 'number'
    case 'BOOLEAN':
      return typeof value === 'boolean'
    case 'LIST':
      return Array.isArray(value)
    case 'STRUCT':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
    case 'TASK_FINAL_STATUS':
      return false
  }
}

function checkName(c: Collector, name: string, what: string, path: readonly string[], source?: SourceLocation): void {
  if (name.length > MAX_NAME_LENGTH || !KUBERNETES_NAME.test(name)) {
    const suggestion = sanitizeName(name).slice(0, MAX_NAME_LENGTH)
    c.report(
      'E_INVALID_NAME',
      path,
      `${what} "${name}" is not a valid Kubernetes name (lowercase letters, digits and '-', at most ${MAX_NAME_LENGTH} characters, starting and ending with a letter or digit)${suggestion ? `; try "${suggestion}"` : ''}`,
      source,
    )
  }
}

function placeholdersIn(args: readonly CommandArgNode[] | undefined, visit: (ref: string, name: string) => void): void {
  for (const arg of args ?? []) {
    if (arg.kind === 'text') {
      for (const part of arg.parts) if (typeof part !== 'string' && 'name' in part && part.ref !== 'runtime') visit(part.ref, part.name)
    } else if (arg.kind === 'concat') placeholdersIn(arg.items, visit)
    else {
      visit('ifPresent', arg.input)
      placeholdersIn(arg.then, visit)
      placeholdersIn(arg.else, visit)
    }
  }
}

const placeholderNeeds: Readonly<Record<string, { side: 'inputs' | 'outputs'; kind: IoSpecNode['kind'] | 'any' }>> = {
  inputValue: { side: 'inputs', kind: 'parameter' },
  inputPath: { side: 'inputs', kind: 'artifact' },
  inputUri: { side: 'inputs', kind: 'artifact' },
  inputMetadata: { side: 'inputs', kind: 'artifact' },
  inputArtifactList: { side: 'inputs', kind: 'artifact' },
  ifPresent: { side: 'inputs', kind: 'any' },
  outputPath: { side: 'outputs', kind: 'artifact' },
  outputUri: { side: 'outputs', kind: 'artifact' },
  outputMetadata: { side: 'outputs', kind: 'artifact' },
  outputParameterFile: { side: 'outputs', kind: 'parameter' },
}

function checkComponent(c: Collector, component: ComponentNode, path: readonly string[], checked: WeakSet<object>): void {
  if (component.kind !== 'container' || checked.has(component)) return
  checked.add(component)
  if (sanitizeName(component.name) === '') {
    c.report('E_INVALID_NAME', [...path, 'component'], `component name "${component.name}" has no letters or digits`, component.source)
  }
  const visit = (ref: string, name: string) => {
    const need = placeholderNeeds[ref]
    if (!need) return
    const spec = component[need.side][name]
    if (!spec) {
      c.report('E_INVALID_PLACEHOLDER', [...path, 'component', component.name], `command line refers to ${need.side === 'inputs' ? 'input' : 'output'} "${name}", which the component does not declare`, component.source)
    } else if (need.kind !== 'any' && spec.kind !== need.kind) {
      c.report('E_INVALID_PLACEHOLDER', [...path, 'component', component.name], `placeholder ${ref} needs ${need.kind === 'artifact' ? 'an artifact' : 'a parameter'}, but "${name}" is ${describeSpec(spec)}`, component.source)
    }
  }
  placeholdersIn(component.command, visit)
  placeholdersIn(component.args, visit)
}

interface Scope {
  readonly pipeline: PipelineNode
  readonly tasks: ReadonlyMap<string, TaskNode>
}

function sourceSpec(c: Collector, scope: Scope, from: ValueSourceNode, path: readonly string[], location?: SourceLocation): IoSpecNode | null | undefined {
  if (from.kind === 'constant') return null
  if (from.kind === 'pipelineInput') {
    const spec = scope.pipeline.inputs[from.name]
    if (!spec) c.report('E_UNKNOWN_PIPELINE_INPUT', path, `pipeline "${scope.pipeline.name}" has no input "${from.name}"`, location)
    return spec
  }
  const producer = scope.tasks.get(from.task)
  if (!producer) {
    c.report('E_UNKNOWN_TASK', path, `refers to task "${from.task}", which is not in pipeline "${scope.pipeline.name}"`, location)
    return undefined
  }
  const spec = componentOutputs(producer.component)[from.output]
  if (!spec) c.report('E_UNKNOWN_OUTPUT', path, `task "${from.task}" has no output "${from.output}"`, location)
  return spec
}

function checkArgument(c: Collector, scope: Scope, task: TaskNode, input: string, expected: IoSpecNode, from: ValueSourceNode): void {
  const path = ['tasks', task.name, 'inputs', input]
  const given = sourceSpec(c, scope, from, path, task.source)
  if (given === undefined) return
  if (given === null) {
    const value = (from as { value: JsonValue }).value
    if (expected.kind === 'artifact') {
      c.report('E_TYPE_MISMATCH', path, `input "${input}" is an artifact (${describeSpec(expected)}); a constant cannot be passed to it`, task.source)
    } else if (!constantFits(value, expected.type)) {
      c.report('E_TYPE_MISMATCH', path, `input "${input}" expects ${expected.type}, got ${JSON.stringify(value)}`, task.source)
    }
    return
  }
  const ok =
    given.kind === 'artifact' && expected.kind === 'artifact'
      ? artifactCompatible(given, expected)
      : given.kind === 'parameter' && expected.kind === 'parameter'
        ? parameterCompatible(given.type, expected.type)
        : false
  if (!ok) {
    c.report('E_TYPE_MISMATCH', path, `argument type ${describeSpec(given)} is incompatible with input "${input}" of type ${describeSpec(expected)}`, task.source)
  }
}

function checkTask(c: Collector, scope: Scope, task: TaskNode, checked: WeakSet<object>): void {
  const path = ['tasks', task.name]
  checkName(c, task.name, 'task name', path, task.source)
  checkComponent(c, task.component, path, checked)
  const declared = task.component.inputs
  for (const [input, from] of Object.entries(task.inputs)) {
    const expected = declared[input]
    if (!expected) {
      const known = Object.keys(declared).sort(compareNames)
      c.report('E_UNKNOWN_INPUT', [...path, 'inputs', input], `component "${task.component.name}" has no input "${input}"${known.length ? ` (inputs: ${known.join(', ')})` : ''}`, task.source)
      continue
    }
    checkArgument(c, scope, task, input, expected, from)
  }
  for (const [input, spec] of Object.entries(declared)) {
    if (!spec.optional && !(input in task.inputs)) {
      c.report('E_MISSING_INPUT', [...path, 'inputs', input], `required input "${input}" (${describeSpec(spec)}) of component "${task.component.name}" has no argument`, task.source)
    }
  }
  for (const dep of task.after) {
    if (!scope.tasks.has(dep)) c.report('E_UNKNOWN_TASK', [...path, 'after'], `after() names task "${dep}", which is not in pipeline "${scope.pipeline.name}"`, task.source)
  }
}

function analyseScope(c: Collector, node: PipelineNode, cache: WeakMap<PipelineNode, AnalysedPipeline | null>, checked: WeakSet<object>): AnalysedPipeline | null {
  const cached = cache.get(node)
  if (cached !== undefined) return cached
  cache.set(node, null)
  const before = c.diagnostics.length
  checkName(c, node.name, 'pipeline name', [], node.source)

  const tasks = new Map<string, TaskNode>()
  for (const task of node.body) {
    if (tasks.has(task.name)) {
      c.report('E_DUPLICATE_TASK', ['tasks', task.name], `pipeline "${node.name}" has two tasks named "${task.name}"; pass { name } to tell them apart`, task.source)
      continue
    }
    tasks.set(task.name, task)
  }
  const scope: Scope = { pipeline: node, tasks }
  for (const [name, spec] of Object.entries(node.inputs)) {
    if (spec.kind === 'parameter' && spec.default !== undefined && !constantFits(spec.default, spec.type)) {
      c.report('E_TYPE_MISMATCH', ['inputs', name], `default ${JSON.stringify(spec.default)} does not fit parameter type ${spec.type}`, node.source)
    }
  }
  const children = new Map<string, AnalysedPipeline>()
  for (const task of tasks.values()) {
    checkTask(c, scope, task, checked)
    if (task.component.kind === 'pipeline') {
      const child = analyseScope(c, task.component, cache, checked)
      if (child) children.set(task.name, child)
    }
  }
  for (const [name, output] of Object.entries(node.outputs)) {
    const path = ['outputs', name]
    if (output.from.kind !== 'taskOutput') {
      c.report('E_INVALID_OUTPUT', path, 'a pipeline output must come from a task output', node.source)
      continue
    }
    sourceSpec(c, scope, output.from, path, node.source)
  }

  const dependsOn = new Map<string, string[]>()
  for (const task of tasks.values()) {
    dependsOn.set(task.name, [...new Set([...producersOf(task), ...task.after])].filter((d) => tasks.has(d)).sort(compareNames))
  }
  const names = [...tasks.keys()]
  const { order, cyclic } = topologicalOrder(names, dependsOn)
  if (cyclic.length > 0) {
    const cycle = findCycle(cyclic, dependsOn)
    const first = tasks.get(cycle[0]!)
    c.report('E_CYCLE', ['tasks', cycle[0]!], `tasks depend on each other in a cycle: ${cycle.join(' -> ')}`, first?.source)
  }
  if (c.diagnostics.length > before) return null

  const analysed = new Map<string, AnalysedTask>()
  for (const name of order) {
    const node = tasks.get(name)!
    const child = children.get(name)
    analysed.set(name, {
      node,
      dependsOn: dependsOn.get(name)!,
      dataProducers: producersOf(node),
      edges: Object.keys(node.inputs)
        .sort(compareNames)
        .map((input) => ({ input, from: node.inputs[input]! })),
      ...(child !== undefined && { child }),
    })
  }
  const result: AnalysedPipeline = { node, tasks: analysed, order }
  cache.set(node, result)
  return result
}

/**
 * Validates a pipeline and resolves its graph. Collects every problem (names, duplicates,
 * dangling references, types, placeholders, cycles) before failing, so users fix them in one go.
 */
export function analysePipeline(node: PipelineNode): AnalysisResult {
  const c = new Collector()
  const pipeline = analyseScope(c, node, new WeakMap(), new WeakSet())
  if (pipeline && c.diagnostics.length === 0) return { ok: true, pipeline }
  return { ok: false, diagnostics: c.diagnostics }
}
