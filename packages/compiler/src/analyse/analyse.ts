import type {
  BodyNode,
  CommandArgNode,
  ComponentNode,
  Diagnostic,
  DiagnosticCode,
  GroupNode,
  IoSpecNode,
  JsonValue,
  LoopNode,
  ParameterType,
  PipelineNode,
  PredicateNode,
  SourceLocation,
  TaskNode,
  ValueSourceNode,
} from '@typeflow/dsl'
import { componentOutputs, fitName, jsonProblem, KUBERNETES_NAME, kubernetesSources, MAX_NAME_LENGTH, resourceSources, sanitizeName } from '@typeflow/dsl'
import {
  type AnalysedGroup,
  type AnalysedMember,
  type AnalysedPipeline,
  type AnalysedScope,
  type AnalysedTask,
  compareNames,
  findCycle,
  predicateOperands,
  producersOfSource,
  sourceKey,
  topologicalOrder,
} from './graph.ts'

/** The outcome of analysis: a graph ready for the targets, or every problem found. */
export type AnalysisResult =
  | { readonly ok: true; readonly pipeline: AnalysedPipeline }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] }

/** A record's own entry: names like `constructor` or `toString` must not find Object's members. */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined
}

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

/** Whether two schema versions have the same major version (the text before the first `.`). */
function sameMajorVersion(a: string, b: string): boolean {
  if (a === b) return true
  const end = a.indexOf('.')
  const major = end === -1 ? a.length : end
  return b.startsWith(a.slice(0, major)) && (b.length === major || b[major] === '.')
}

/** KFP's rule: `system.Artifact` on either side is compatible; otherwise same title and major version. */
export function artifactCompatible(given: IoSpecNode & { kind: 'artifact' }, expected: IoSpecNode & { kind: 'artifact' }): boolean {
  if (given.isList !== expected.isList) return false
  if (given.type.schemaTitle === 'system.Artifact' || expected.type.schemaTitle === 'system.Artifact') return true
  return given.type.schemaTitle === expected.type.schemaTitle && sameMajorVersion(given.type.schemaVersion, expected.type.schemaVersion)
}

function parameterCompatible(given: ParameterType, expected: ParameterType): boolean {
  // A final status is a JSON object at run time: a STRUCT input may take it (as in KFP).
  return given === expected || (given === 'NUMBER_INTEGER' && expected === 'NUMBER_DOUBLE') || (given === 'TASK_FINAL_STATUS' && expected === 'STRUCT')
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
    const suggestion = fitName(sanitizeName(name), MAX_NAME_LENGTH)
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

/** Struct fields a loop item can be read by: what `{{item.<field>}}` and a KFP selector take as they are. */
const PLAIN_FIELD = /^[A-Za-z0-9_-]+$/

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

/**
 * Characters an input or output name may not hold: KFP writes the name inside
 * `{{$.inputs.parameters['<name>']}}` (a quote or brace would end or open a placeholder there) and
 * Argo inside `{{…}}` tags and JSON annotations.
 */
const UNSAFE_IO_NAME = /['"{}[\]\\]|[\u0000-\u001f\u007f]/

/** Inputs and outputs of a component or pipeline: names that both targets can carry. */
function checkIoNames(c: Collector, specs: Readonly<Record<string, unknown>>, side: 'inputs' | 'outputs', path: readonly string[], source: SourceLocation | undefined): void {
  for (const name of Object.keys(specs)) {
    if (name === '' || UNSAFE_IO_NAME.test(name)) {
      c.report('E_INVALID_NAME', [...path, side, name], `${side === 'inputs' ? 'input' : 'output'} name ${JSON.stringify(name)} holds a character that KFP placeholders and Argo tags cannot carry (quotes, braces, brackets, backslash, control characters)`, source)
    }
  }
}

/** Defaults must be JSON values: a function, NaN, a Date or a cycle has no text in either target. */
function checkDefaults(c: Collector, specs: Readonly<Record<string, IoSpecNode>>, path: readonly string[], source: SourceLocation | undefined): void {
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.kind !== 'parameter' || spec.default === undefined) continue
    const problem = jsonProblem(spec.default)
    if (problem !== undefined) c.report('E_INVALID_CONSTANT', [...path, 'inputs', name, 'default'], `the default of input "${name}" is not a JSON value: ${problem}`, source)
  }
}

/** Retry counts and backoff as both targets take them: whole retries, non-negative numbers. */
function checkRetry(c: Collector, node: TaskNode, path: readonly string[]): void {
  const r = node.retry
  if (!r) return
  const report = (field: string, message: string) => c.report('E_INVALID_CONSTANT', [...path, 'retry', field], message, node.source)
  if (!Number.isSafeInteger(r.maxRetryCount) || r.maxRetryCount < 0) report('maxRetryCount', `retries are a whole number of at least 0, got ${r.maxRetryCount}`)
  for (const field of ['backoffSeconds', 'backoffFactor', 'backoffMaxSeconds'] as const) {
    const value = r[field]
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) report(field, `${field} is a number of at least 0, got ${String(value)}`)
  }
}

/**
 * An image reference as a registry resolves it: no whitespace, quotes or control characters
 * (a pod with one fails to pull, long after the compile said nothing).
 */
// The distribution reference grammar: [domain[:port]/]path[/path…][:tag][@algorithm:hex]; path
// components are lowercase, a domain may hold capitals (docker/distribution reference/regexp.go).
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const IMAGE_REFERENCE = new RegExp(
  `^(?:(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`,
)
const SHA256_DIGEST = /@sha256:(?![0-9a-f]{64}$)/

function checkImage(c: Collector, image: unknown, path: readonly string[], source: SourceLocation | undefined): void {
  if (typeof image !== 'string' || image.length > 512 || !IMAGE_REFERENCE.test(image)) {
    c.report('E_INVALID_CONSTANT', path, `image ${JSON.stringify(image) ?? String(image)} is not an image reference (registry/name:tag or @sha256:digest; the name in lowercase, without spaces or quotes)`, source)
  } else if (SHA256_DIGEST.test(image)) {
    c.report('E_INVALID_CONSTANT', path, `image "${image}" has a sha256 digest that is not 64 lowercase hex digits`, source)
  }
}

/** Kubernetes' portable rule for env var names (a C identifier, also `-` and `.`). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/

function checkComponent(c: Collector, component: ComponentNode, path: readonly string[], checked: WeakSet<object>): void {
  if (component.kind !== 'container' || checked.has(component)) return
  checked.add(component)
  if (sanitizeName(component.name) === '') {
    c.report('E_INVALID_NAME', [...path, 'component'], `component name "${component.name}" has no letters or digits`, component.source)
  }
  checkIoNames(c, component.inputs, 'inputs', [...path, 'component'], component.source)
  checkIoNames(c, component.outputs, 'outputs', [...path, 'component'], component.source)
  checkDefaults(c, component.inputs, [...path, 'component'], component.source)
  checkImage(c, component.image, [...path, 'component', 'image'], component.source)
  const visit = (ref: string, name: string) => {
    const need = placeholderNeeds[ref]
    if (!need) return
    const spec = own(component[need.side], name)
    if (!spec) {
      c.report('E_INVALID_PLACEHOLDER', [...path, 'component', component.name], `command line refers to ${need.side === 'inputs' ? 'input' : 'output'} "${name}", which the component does not declare`, component.source)
    } else if (need.kind !== 'any' && spec.kind !== need.kind) {
      c.report('E_INVALID_PLACEHOLDER', [...path, 'component', component.name], `placeholder ${ref} needs ${need.kind === 'artifact' ? 'an artifact' : 'a parameter'}, but "${name}" is ${describeSpec(spec)}`, component.source)
    }
  }
  placeholdersIn(component.command, visit)
  placeholdersIn(component.args, visit)
}

interface TaskEntry {
  readonly node: TaskNode
  /** Group ids enclosing the task's scope. */
  readonly path: readonly string[]
  readonly isExitTask: boolean
}
interface GroupEntry {
  readonly node: GroupNode
  /** Group ids enclosing the group (not itself). */
  readonly path: readonly string[]
}

/** The type of a struct field of a loop item, or of items of a list only known at run time. */
const UNTYPED: IoSpecNode = Object.freeze({ kind: 'parameter', type: 'STRING', optional: false })

const scalarTypes: ReadonlySet<string> = new Set(['NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN'])

const isPrefix = (prefix: readonly string[], of: readonly string[]) => prefix.length <= of.length && prefix.every((p, i) => of[i] === p)

/** Everything known about one pipeline while analysing it. */
class PipelineScope {
  readonly tasks = new Map<string, TaskEntry>()
  /** Names declared more than once: references to them are ambiguous. */
  readonly duplicated = new Set<string>()
  readonly groups = new Map<string, GroupEntry>()
  /** Member names of each scope (key: path joined by '/'), in declaration order. */
  readonly scopeMembers = new Map<string, string[]>()
  readonly sourceSpecs = new Map<string, IoSpecNode>()

  constructor(
    readonly c: Collector,
    readonly pipeline: PipelineNode,
  ) {
    this.collect(pipeline.body, [])
  }

  private addMember(path: readonly string[], name: string): void {
    const key = path.join('/')
    const list = this.scopeMembers.get(key)
    if (list) list.push(name)
    else this.scopeMembers.set(key, [name])
  }

  private addTask(task: TaskNode, path: readonly string[], isExitTask: boolean): void {
    // A task and a group of one name is the same clash whichever comes first.
    if (this.groups.has(task.name)) {
      this.c.report('E_DUPLICATE_NAME', ['groups', task.name], `pipeline "${this.pipeline.name}" has two groups (or a group and a task) named "${task.name}"`, task.source)
      this.duplicated.add(task.name)
      return
    }
    if (this.tasks.has(task.name)) {
      this.c.report('E_DUPLICATE_TASK', ['tasks', task.name], `pipeline "${this.pipeline.name}" has two tasks (or a task and a group) named "${task.name}"; pass { name } to tell them apart`, task.source)
      this.duplicated.add(task.name)
      return
    }
    this.tasks.set(task.name, { node: task, path, isExitTask })
    this.addMember(path, task.name)
  }

  private addGroup(group: GroupNode, path: readonly string[]): void {
    if (this.groups.has(group.id) || this.tasks.has(group.id)) {
      this.c.report('E_DUPLICATE_NAME', ['groups', group.id], `pipeline "${this.pipeline.name}" has two groups (or a group and a task) named "${group.id}"`, group.source)
      this.duplicated.add(group.id)
      return
    }
    this.groups.set(group.id, { node: group, path })
    this.addMember(path, group.id)
  }

  private collect(body: readonly BodyNode[], path: readonly string[]): void {
    for (const node of body) {
      switch (node.kind) {
        case 'task':
          this.addTask(node, path, false)
          break
        case 'branches':
          this.addGroup(node, path)
          for (const branch of node.branches) {
            this.addGroup(branch, [...path, node.id])
            this.collect(branch.body, [...path, node.id, branch.id])
          }
          break
        case 'condition':
        case 'loop':
          this.addGroup(node, path)
          this.collect(node.body, [...path, node.id])
          break
        case 'exitHandler':
          this.addGroup(node, path)
          this.collect(node.body, [...path, node.id])
          this.addTask(node.exitTask, path, true)
          break
      }
    }
  }

  /** The full location of a task: its enclosing groups, then its own name. */
  locationOfTask(name: string): readonly string[] | undefined {
    const entry = this.tasks.get(name)
    return entry && [...entry.path, name]
  }

  /**
   * The declared type of what a source yields, checking that it is visible from a consumer whose
   * scope is `consumerPath`. Returns null for constants, undefined after reporting a problem.
   */
  specOf(source: ValueSourceNode, consumerPath: readonly string[], where: readonly string[], location?: SourceLocation): IoSpecNode | null | undefined {
    const c = this.c
    switch (source.kind) {
      case 'constant': {
        // The DSL checks its constants; pipelines written as IR, and conditions, reach here unchecked.
        const problem = jsonProblem(source.value)
        if (problem === undefined) return null
        c.report('E_INVALID_CONSTANT', where, `constant is not a JSON value: ${problem}`, location)
        return undefined
      }
      case 'pipelineInput': {
        const spec = own(this.pipeline.inputs, source.name)
        if (!spec) c.report('E_UNKNOWN_PIPELINE_INPUT', where, `pipeline "${this.pipeline.name}" has no input "${source.name}"`, location)
        return spec
      }
      case 'taskOutput':
      case 'collected': {
        // Which of two same-named tasks is meant is unknowable: E_DUPLICATE_TASK says it already.
        if (this.duplicated.has(source.task)) return undefined
        const producer = this.tasks.get(source.task)
        if (!producer) {
          c.report('E_UNKNOWN_TASK', where, `refers to task "${source.task}", which is not in pipeline "${this.pipeline.name}"`, location)
          return undefined
        }
        const spec = own(componentOutputs(producer.node.component), source.output)
        if (!spec) {
          c.report('E_UNKNOWN_OUTPUT', where, `task "${source.task}" has no output "${source.output}"`, location)
          return undefined
        }
        if (source.kind === 'taskOutput') {
          if (!isPrefix(producer.path, consumerPath)) {
            const group = producer.path.find((g, i) => consumerPath[i] !== g)!
            const hint = group.startsWith('for-loop') ? 'collect it with the value dag.forEach returns, or collected()' : group.startsWith('condition') ? 'use dag.oneOf() over the branches' : 'read it inside that group'
            c.report('E_INVALID_REFERENCE', where, `task "${source.task}" runs inside ${group}, so its output "${source.output}" is not visible here; ${hint}`, location)
            return undefined
          }
          return spec
        }
        const common = producer.path.findIndex((g, i) => consumerPath[i] !== g)
        const firstOutside = common < 0 ? undefined : producer.path[common]
        // Which of two same-named groups is meant is unknowable: E_DUPLICATE_NAME says it already.
        if (firstOutside !== undefined && this.duplicated.has(firstOutside)) return undefined
        if (firstOutside === undefined || this.groups.get(firstOutside)?.node.kind !== 'loop') {
          c.report('E_INVALID_REFERENCE', where, `collected() needs task "${source.task}" to run inside a loop that does not enclose the consumer`, location)
          return undefined
        }
        return spec.kind === 'artifact' ? { ...spec, isList: true } : { kind: 'parameter', type: 'LIST', optional: false }
      }
      case 'loopItem': {
        if (this.duplicated.has(source.loop)) return undefined
        const loop = this.groups.get(source.loop)
        if (!loop || loop.node.kind !== 'loop' || !consumerPath.includes(source.loop)) {
          c.report('E_INVALID_REFERENCE', where, `loop item of "${source.loop}" is used outside that loop`, location)
          return undefined
        }
        const loopNode = loop.node as LoopNode
        const badField = source.path?.find((field) => !PLAIN_FIELD.test(field))
        if (badField !== undefined) {
          c.report(
            'E_INVALID_NAME',
            where,
            `loop item field ${JSON.stringify(badField)} is not a plain name (letters, digits, _ and -): Argo reads item fields as {{item.<field>}}, where other characters would change the template, and KFP as a JSON selector; rename the field`,
            location,
          )
          return undefined
        }
        // Fields of struct items, and items of lists known only at run time, have no declared
        // element type; the executor checks them when the task runs.
        // A declared scalar element type (`forEach(list, body, { item: param.int() })`) is kept.
        if (source.path && source.path.length > 0) return UNTYPED
        if (loopNode.items.kind === 'values' && loopNode.itemSpec.kind === 'parameter' && !scalarTypes.has(loopNode.itemSpec.type)) return UNTYPED
        return loopNode.itemSpec
      }
      case 'oneOf': {
        if (this.duplicated.has(source.branches)) return undefined
        const branches = this.groups.get(source.branches)
        if (!branches || branches.node.kind !== 'branches' || !isPrefix(branches.path, consumerPath) || consumerPath.includes(source.branches)) {
          c.report('E_INVALID_REFERENCE', where, `oneOf() over "${source.branches}" is used where that if/elif/else is not a sibling or ancestor scope`, location)
          return undefined
        }
        let first: IoSpecNode | undefined
        const used = new Set<string>()
        for (const option of source.sources) {
          if (this.duplicated.has(option.task)) return undefined
          const producer = this.tasks.get(option.task)
          const branch = producer?.path[branches.path.length + 1]
          // Two branches of one id read as one branch holding both sources.
          if (branch !== undefined && this.duplicated.has(branch)) return undefined
          if (!producer || producer.path[branches.path.length] !== source.branches || branch === undefined) {
            c.report('E_INVALID_REFERENCE', where, `oneOf() source "${option.task}" is not inside a branch of ${source.branches}`, location)
            return undefined
          }
          if (used.has(branch)) {
            c.report('E_INVALID_REFERENCE', where, `oneOf() has two sources in ${branch}; give one per branch`, location)
            return undefined
          }
          used.add(branch)
          const spec = own(componentOutputs(producer.node.component), option.output)
          if (!spec) {
            c.report('E_UNKNOWN_OUTPUT', where, `task "${option.task}" has no output "${option.output}"`, location)
            return undefined
          }
          if (first && describeSpec(first) !== describeSpec(spec)) {
            c.report('E_TYPE_MISMATCH', where, `oneOf() sources have different types: ${describeSpec(first)} and ${describeSpec(spec)}`, location)
            return undefined
          }
          first ??= spec
        }
        return first
      }
      case 'taskFinalStatus':
        return { kind: 'parameter', type: 'TASK_FINAL_STATUS', optional: false }
      case 'template': {
        // Every embedded value must be visible here and be a parameter; the text is a STRING.
        let ok = true
        for (const part of source.parts) {
          if (typeof part === 'string') continue
          if (part.kind === 'constant' || part.kind === 'template' || part.kind === 'taskFinalStatus') {
            c.report('E_INVALID_REFERENCE', where, `fmt cannot embed a ${part.kind === 'taskFinalStatus' ? 'final status' : part.kind}`, location)
            ok = false
            continue
          }
          const spec = this.specOf(part, consumerPath, where, location)
          if (spec === undefined) ok = false
          else if (spec !== null && spec.kind !== 'parameter') {
            c.report('E_TYPE_MISMATCH', where, 'fmt embeds parameter values, not artifacts', location)
            ok = false
          } else if (spec !== null) this.sourceSpecs.set(sourceKey(part), spec)
        }
        return ok ? { kind: 'parameter', type: 'STRING', optional: false } : undefined
      }
      case 'composite': {
        // A list or dict constant with references inside: each must be a visible parameter.
        let ok = true
        for (const { source: part } of source.embedded) {
          if (part.kind === 'constant' || part.kind === 'composite' || part.kind === 'taskFinalStatus') {
            c.report('E_INVALID_REFERENCE', where, `a list or dict argument cannot embed a ${part.kind === 'taskFinalStatus' ? 'final status' : part.kind}`, location)
            ok = false
            continue
          }
          const spec = this.specOf(part, consumerPath, where, location)
          if (spec === undefined) ok = false
          else if (spec !== null && spec.kind !== 'parameter') {
            c.report('E_TYPE_MISMATCH', where, 'a list or dict argument embeds parameter values, not artifacts', location)
            ok = false
          } else if (spec !== null) this.sourceSpecs.set(sourceKey(part), spec)
        }
        return ok ? { kind: 'parameter', type: Array.isArray(source.value) ? 'LIST' : 'STRUCT', optional: false } : undefined
      }
    }
  }
}

/** Whether a value's type is known only at run time: a field of a loop item, an item of a list of structs or lists. */
export function isUntypedItemField(spec: IoSpecNode): boolean {
  return spec === UNTYPED
}

function checkArgument(s: PipelineScope, task: TaskEntry, input: string, expected: IoSpecNode, from: ValueSourceNode): void {
  const { c } = s
  const node = task.node
  const path = ['tasks', node.name, 'inputs', input]
  if (from.kind === 'taskFinalStatus' && !task.isExitTask && !node.ignoreUpstreamFailure) {
    c.report('E_INVALID_REFERENCE', path, 'a final status is only available to an exit handler task or a task that ignores upstream failure', node.source)
    return
  }
  const given = s.specOf(from, task.path, path, node.source)
  if (given === undefined) return
  if (given === null) {
    const value = (from as { value: JsonValue }).value
    if (expected.kind === 'artifact') {
      c.report('E_TYPE_MISMATCH', path, `input "${input}" is an artifact (${describeSpec(expected)}); a constant cannot be passed to it`, node.source)
    } else if (!constantFits(value, expected.type)) {
      c.report('E_TYPE_MISMATCH', path, `input "${input}" expects ${expected.type}, got ${JSON.stringify(value)}`, node.source)
    }
    return
  }
  s.sourceSpecs.set(sourceKey(from), given)
  const ok =
    given.kind === 'artifact' && expected.kind === 'artifact'
      ? artifactCompatible(given, expected)
      : given.kind === 'parameter' && expected.kind === 'parameter'
        ? isUntypedItemField(given) || parameterCompatible(given.type, expected.type)
        : false
  if (!ok) {
    c.report('E_TYPE_MISMATCH', path, `argument type ${describeSpec(given)} is incompatible with input "${input}" of type ${describeSpec(expected)}`, node.source)
    return
  }
  // After a failure the task still runs, without the failed task's outputs: the input then takes
  // its default (KFP's rule; the SDK refuses such a task without one). Checked last, so that a value
  // that does not exist or does not fit is reported as such.
  if (node.ignoreUpstreamFailure && !task.isExitTask && !expected.optional) {
    const producer = producersOfSource(from)[0]
    if (producer !== undefined) {
      c.report('E_INVALID_REFERENCE', path, `task "${node.name}" runs even when "${producer}" fails (ignoreUpstreamFailure), but input "${input}" reads its output, which a failed task does not produce: give the input a default (or make it optional)`, node.source)
    }
  }
}

function checkTask(s: PipelineScope, task: TaskEntry, checked: WeakSet<object>): void {
  const { c } = s
  const node = task.node
  const path = ['tasks', node.name]
  checkName(c, node.name, 'task name', path, node.source)
  checkComponent(c, node.component, path, checked)
  const declared = node.component.inputs
  for (const [input, from] of Object.entries(node.inputs)) {
    const expected = own(declared, input)
    if (!expected) {
      const known = Object.keys(declared).sort(compareNames)
      c.report('E_UNKNOWN_INPUT', [...path, 'inputs', input], `component "${node.component.name}" has no input "${input}"${known.length ? ` (inputs: ${known.join(', ')})` : ''}`, node.source)
      continue
    }
    checkArgument(s, task, input, expected, from)
  }
  for (const [input, spec] of Object.entries(declared)) {
    if (!spec.optional && !Object.hasOwn(node.inputs, input)) {
      c.report('E_MISSING_INPUT', [...path, 'inputs', input], `required input "${input}" (${describeSpec(spec)}) of component "${node.component.name}" has no argument`, node.source)
    }
  }
  for (const dep of node.after) {
    // A name declared twice (a group and a task of one name leave no task under it) is E_DUPLICATE_*.
    if (!s.tasks.has(dep) && !s.duplicated.has(dep)) c.report('E_UNKNOWN_TASK', [...path, 'after'], `after() names task "${dep}", which is not in pipeline "${s.pipeline.name}"`, node.source)
  }
  for (const e of node.env) {
    if (!ENV_NAME.test(e.name)) c.report('E_INVALID_NAME', [...path, 'env', e.name], `env var name ${JSON.stringify(e.name)} is not one Kubernetes accepts everywhere (letters, digits, '_', '-', '.', not starting with a digit)`, node.source)
    else if (typeof e.value !== 'string') c.report('E_INVALID_CONSTANT', [...path, 'env', e.name], `env var "${e.name}" is ${JSON.stringify(e.value) ?? typeof e.value}; environment values are strings`, node.source)
  }
  checkRetry(c, node, path)
  if (node.component.kind !== 'container' && node.env.length > 0) {
    c.report('E_INVALID_CONSTANT', [...path, 'env'], `env applies to container tasks; "${node.name}" runs ${node.component.kind === 'pipeline' ? 'a pipeline (set it on its tasks)' : 'an importer'}`, node.source)
  }
  checkResources(s, task)
  checkKubernetes(s, task)
}

/** Kubernetes quantities: `2`, `0.5`, `500m`, `16Gi`, `1e3`, `1G`. */
const QUANTITY = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|m|k|Ki|Mi|Gi|Ti|Pi|Ei|K|M|G|T|P|E)?$/

const QUANTITY_SUFFIXES: Readonly<Record<string, number>> = {
  m: 1e-3, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/** A Kubernetes quantity as a number (`500m` → 0.5, `2Gi` → 2147483648); undefined when it is not one. */
function quantityValue(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  const match = QUANTITY.exec(text)
  if (!match) return undefined
  const suffix = match[3]
  const number = Number(match[1])
  if (suffix === undefined) return number
  if (/^[eE][+-]?\d+$/.test(suffix)) return Number(`${match[1]}${suffix}`)
  return number * QUANTITY_SUFFIXES[suffix]!
}

/** The optional `example.com/` of a qualified Kubernetes name: a DNS subdomain and a slash. */
const DNS_PREFIX = '(?:[a-z0-9]([-a-z0-9]*[a-z0-9])?(?:\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?'

/** An accelerator type: a Kubernetes resource name (`nvidia.com/gpu`) or a KFP/Vertex accelerator name (`NVIDIA_TESLA_T4`). */
const ACCELERATOR_TYPE = new RegExp(`^${DNS_PREFIX}[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$`)

/** A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
const LABEL_KEY = new RegExp(`^${DNS_PREFIX}[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`)
/** A label value: empty, or at most 63 characters of the same alphabet as a key's name. */
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/

/**
 * A value read from a parameter by a pod setting (a resource or Kubernetes field): visible where
 * the task is, of an allowed type; recorded so the targets can deliver it. Constants, text with
 * embedded values and composites are rejected (a pod setting reads one whole parameter).
 */
function checkSettingSource(s: PipelineScope, task: TaskEntry, source: ValueSourceNode, allowed: readonly ParameterType[], where: readonly string[], what: string): void {
  const { c } = s
  const node = task.node
  if (source.kind === 'template' || source.kind === 'composite' || source.kind === 'taskFinalStatus') {
    const kind = source.kind === 'template' ? 'fmt text' : source.kind === 'composite' ? 'a list or dict with embedded values' : 'a final status'
    c.report('E_TYPE_MISMATCH', where, `${what} reads one whole parameter, not ${kind}; compute the value in a task and pass its output`, node.source)
    return
  }
  const spec = s.specOf(source, task.path, where, node.source)
  if (spec === undefined) return
  if (spec === null) {
    const value = (source as { value: JsonValue }).value
    if (!allowed.some((type) => constantFits(value, type))) c.report('E_TYPE_MISMATCH', where, `${what} must be ${allowed.join(' or ')}, got ${JSON.stringify(value)}`, node.source)
    return
  }
  if (spec.kind !== 'parameter' || !(isUntypedItemField(spec) || allowed.includes(spec.type) || (spec.type === 'NUMBER_INTEGER' && allowed.includes('NUMBER_DOUBLE')))) {
    c.report('E_TYPE_MISMATCH', where, `${what} must be a ${allowed.join(' or ')} parameter, got ${describeSpec(spec)}`, node.source)
    return
  }
  s.sourceSpecs.set(sourceKey(source), spec)
}

function checkResources(s: PipelineScope, task: TaskEntry): void {
  const { c } = s
  const node = task.node
  const r = node.resources
  if (!r) return
  const path = ['tasks', node.name, 'resources']
  const statics = (['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit', 'accelerator'] as const).filter((field) => r[field] !== undefined)
  if (node.component.kind !== 'container' && statics.length > 0) {
    // Nothing would carry them to a pod: both targets would drop them.
    c.report('E_INVALID_CONSTANT', path, `resources apply to container tasks; "${node.name}" runs ${node.component.kind === 'pipeline' ? 'a pipeline (set them on its tasks)' : 'an importer'}`, node.source)
  }
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    const value = r[field]
    if (value !== undefined && !QUANTITY.test(value)) c.report('E_INVALID_CONSTANT', [...path, field], `${field} "${value}" is not a Kubernetes quantity (e.g. "2", "500m", "16Gi")`, node.source)
  }
  // Kubernetes refuses a pod whose request is above its limit, long after the compile.
  for (const [request, limit] of [['cpuRequest', 'cpuLimit'], ['memoryRequest', 'memoryLimit']] as const) {
    const low = quantityValue(r[request])
    const high = quantityValue(r[limit])
    if (low !== undefined && high !== undefined && low > high) c.report('E_INVALID_CONSTANT', [...path, request], `${request} "${r[request]}" is above ${limit} "${r[limit]}"; Kubernetes refuses such a pod`, node.source)
  }
  const checkCount = (count: number) => {
    if (!Number.isSafeInteger(count) || count < 0) c.report('E_INVALID_CONSTANT', [...path, 'accelerator', 'count'], `accelerator count must be a non-negative integer, got ${count}`, node.source)
  }
  if (r.accelerator) {
    checkCount(r.accelerator.count)
    // KFP writes the type as given and Argo maps it to a resource: text with spaces would be a
    // resource type KFP's backend does not know, and an nvidia.com/gpu request on Argo.
    const type = r.accelerator.type
    if (typeof type !== 'string' || !ACCELERATOR_TYPE.test(type)) {
      c.report('E_INVALID_CONSTANT', [...path, 'accelerator', 'type'], `accelerator type ${JSON.stringify(type) ?? String(type)} is neither a resource name (nvidia.com/gpu) nor an accelerator name (NVIDIA_TESLA_T4, tpu-v5e)`, node.source)
    }
  }
  const dynamic = r.fromParameters
  if (!dynamic) return
  if (node.component.kind !== 'container') {
    c.report('E_INVALID_CONSTANT', path, `resources from parameters apply to container tasks; "${node.name}" runs ${node.component.kind === 'pipeline' ? 'a pipeline' : 'an importer'}`, node.source)
    return
  }
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    const source = dynamic[field]
    if (source === undefined) continue
    if (r[field] !== undefined) c.report('E_INVALID_CONSTANT', [...path, field], `${field} is set both statically and from a parameter`, node.source)
    if (source.kind === 'constant') {
      c.report('E_INVALID_CONSTANT', [...path, field], `a constant ${field} is written as a static quantity, not as a value source`, node.source)
      continue
    }
    checkSettingSource(s, task, source, ['STRING'], [...path, field], field)
  }
  const a = dynamic.accelerator
  if (a) {
    if (r.accelerator) c.report('E_INVALID_CONSTANT', [...path, 'accelerator'], 'accelerator is set both statically and from parameters', node.source)
    if (typeof a.type !== 'string') checkSettingSource(s, task, a.type, ['STRING'], [...path, 'accelerator', 'type'], 'the accelerator type')
    if (typeof a.count !== 'number') checkSettingSource(s, task, a.count, ['STRING', 'NUMBER_INTEGER'], [...path, 'accelerator', 'count'], 'the accelerator count')
    else checkCount(a.count)
  }
}

function checkKubernetes(s: PipelineScope, task: TaskEntry): void {
  const { c } = s
  const node = task.node
  const k = node.kubernetes
  if (!k) return
  const path = ['tasks', node.name, 'kubernetes']
  const report = (where: readonly string[], message: string) => c.report('E_INVALID_CONSTANT', [...path, ...where], message, node.source)
  if (node.component.kind !== 'container') {
    report([], `Kubernetes settings apply to container tasks; "${node.name}" runs ${node.component.kind === 'pipeline' ? 'a pipeline (set them on its tasks)' : 'an importer'}`)
    return
  }
  for (const { source, path: where, holds } of kubernetesSources(node)) {
    const allowed: readonly ParameterType[] = holds === 'name' ? ['STRING'] : holds === 'json' ? ['STRUCT'] : ['STRUCT', 'LIST']
    const what = holds === 'name' ? `the name at kubernetes.${where.join('.')}` : `the JSON at kubernetes.${where.join('.')}`
    checkSettingSource(s, task, source, allowed, [...path, ...where], what)
  }
  // Names Kubernetes checks when the pod is created, checked here instead.
  const volumes = new Set<string>()
  const volume = (name: string, where: readonly string[]) => {
    if (!KUBERNETES_NAME.test(name) || name.length > 63) report(where, `volume name "${name}" is not a valid Kubernetes name (lowercase letters, digits and '-', at most 63 characters)`)
    else if (name.startsWith('typeflow-')) report(where, `volume name "${name}" uses the prefix "typeflow-", which Typeflow keeps for its own volumes`)
    else if (volumes.has(name)) report(where, `two volumes are named "${name}"`)
    volumes.add(name)
  }
  k.emptyDirs?.forEach((d, i) => {
    volume(d.name, ['emptyDirs', String(i), 'name'])
    if (d.sizeLimit !== undefined && !QUANTITY.test(d.sizeLimit)) report(['emptyDirs', String(i), 'sizeLimit'], `"${d.sizeLimit}" is not a Kubernetes quantity`)
  })
  k.ephemeralVolumes?.forEach((v, i) => {
    volume(v.name, ['ephemeralVolumes', String(i), 'name'])
    if (!QUANTITY.test(v.size)) report(['ephemeralVolumes', String(i), 'size'], `"${v.size}" is not a Kubernetes quantity`)
    if (v.accessModes.length === 0) report(['ephemeralVolumes', String(i), 'accessModes'], 'an ephemeral volume needs at least one access mode')
  })
  const initNames = new Set<string>()
  k.initContainers?.forEach((init, i) => {
    if (!KUBERNETES_NAME.test(init.name) || init.name === 'main' || init.name === 'kfp-launcher') report(['initContainers', String(i), 'name'], `init container name "${init.name}" is not a valid Kubernetes name or is reserved (main, kfp-launcher)`)
    else if (initNames.has(init.name)) report(['initContainers', String(i), 'name'], `two init containers are named "${init.name}"`)
    initNames.add(init.name)
    if (typeof init.image !== 'string' || !IMAGE_REFERENCE.test(init.image)) report(['initContainers', String(i), 'image'], `init container "${init.name}" has image ${JSON.stringify(init.image) ?? String(init.image)}, which is not an image reference`)
    init.volumeMounts?.forEach((m, j) => {
      if (!volumes.has(m.volumeName)) report(['initContainers', String(i), 'volumeMounts', String(j)], `init container "${init.name}" mounts volume "${m.volumeName}", which is neither an empty dir nor an ephemeral volume of this task`)
    })
  })
  const mounts = new Map<string, string>()
  const mount = (mountPath: string, where: readonly string[]) => {
    if (mountPath === '') report(where, 'a mount path cannot be empty')
    else if (mounts.has(mountPath)) report(where, `two volumes are mounted at "${mountPath}" (also ${mounts.get(mountPath)})`)
    mounts.set(mountPath, where.join('.'))
  }
  k.secretsAsVolume?.forEach((v, i) => mount(v.mountPath, ['secretsAsVolume', String(i), 'mountPath']))
  k.configMapsAsVolume?.forEach((v, i) => mount(v.mountPath, ['configMapsAsVolume', String(i), 'mountPath']))
  k.pvcMounts?.forEach((v, i) => mount(v.mountPath, ['pvcMounts', String(i), 'mountPath']))
  k.emptyDirs?.forEach((v, i) => mount(v.mountPath, ['emptyDirs', String(i), 'mountPath']))
  k.ephemeralVolumes?.forEach((v, i) => mount(v.mountPath, ['ephemeralVolumes', String(i), 'mountPath']))
  const envNames = new Map<string, string>(node.env.map((e) => [e.name, 'env']))
  const envVar = (name: string, where: readonly string[]) => {
    if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)) report(where, `"${name}" is not a valid environment variable name`)
    else if (envNames.has(name)) report(where, `environment variable "${name}" is also set by ${envNames.get(name)}`)
    envNames.set(name, where.join('.'))
  }
  k.secretsAsEnv?.forEach((e, i) => {
    if (Object.keys(e.env).length === 0) report(['secretsAsEnv', String(i), 'env'], 'map at least one secret key to an environment variable')
    for (const name of Object.keys(e.env)) envVar(name, ['secretsAsEnv', String(i), 'env', name])
  })
  k.configMapsAsEnv?.forEach((e, i) => {
    if (Object.keys(e.env).length === 0) report(['configMapsAsEnv', String(i), 'env'], 'map at least one config map key to an environment variable')
    for (const name of Object.keys(e.env)) envVar(name, ['configMapsAsEnv', String(i), 'env', name])
  })
  k.fieldPathEnv?.forEach((e, i) => envVar(e.name, ['fieldPathEnv', String(i), 'name']))
  const labels = (entries: Readonly<Record<string, string>> | undefined, where: readonly string[], checkValues: boolean) => {
    for (const [key, value] of Object.entries(entries ?? {})) {
      if (key.length > 316 || !LABEL_KEY.test(key)) report([...where, key], `"${key}" is not a Kubernetes label key (an optional DNS prefix and /, then at most 63 letters, digits, -, _ and .)`)
      else if (checkValues && (typeof value !== 'string' || !LABEL_VALUE.test(value))) report([...where, key], `the value of "${key}" is not a Kubernetes label value (at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit)`)
    }
  }
  labels(k.nodeSelector, ['nodeSelector'], true)
  labels(k.podMetadata?.labels, ['podMetadata', 'labels'], true)
  labels(k.podMetadata?.annotations, ['podMetadata', 'annotations'], false)
  if (k.imagePullPolicy !== undefined && !['Always', 'Never', 'IfNotPresent'].includes(k.imagePullPolicy)) report(['imagePullPolicy'], `imagePullPolicy is Always, Never or IfNotPresent, got ${JSON.stringify(k.imagePullPolicy)}`)
  k.tolerations?.forEach((t, i) => {
    if ('json' in t) return
    if (t.operator !== 'Equal' && t.operator !== 'Exists') report(['tolerations', String(i), 'operator'], `a toleration's operator is Equal or Exists, got ${JSON.stringify(t.operator)}`)
    if (t.effect !== undefined && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(t.effect)) report(['tolerations', String(i), 'effect'], `a toleration's effect is NoSchedule, PreferNoSchedule or NoExecute, got ${JSON.stringify(t.effect)}`)
    if (t.operator === 'Exists' && t.value !== undefined) report(['tolerations', String(i)], 'a toleration with operator Exists takes no value')
    if (t.key === undefined && t.operator !== 'Exists') report(['tolerations', String(i)], 'a toleration without a key must use operator Exists')
    if (t.tolerationSeconds !== undefined && (!Number.isSafeInteger(t.tolerationSeconds) || t.effect !== 'NoExecute')) report(['tolerations', String(i), 'tolerationSeconds'], 'tolerationSeconds is a whole number of seconds, for effect NoExecute')
  })
  k.nodeAffinity?.forEach((t, i) => {
    if ('json' in t) return
    if (t.weight !== undefined && (!Number.isInteger(t.weight) || t.weight < 1 || t.weight > 100)) report(['nodeAffinity', String(i), 'weight'], `a preferred term's weight is an integer from 1 to 100, got ${t.weight}`)
    if (!t.matchExpressions?.length && !t.matchFields?.length) report(['nodeAffinity', String(i)], 'a node affinity term needs matchExpressions or matchFields')
    for (const r of [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])]) {
      const needsValues = r.operator === 'In' || r.operator === 'NotIn' || r.operator === 'Gt' || r.operator === 'Lt'
      if (needsValues !== ((r.values?.length ?? 0) > 0)) report(['nodeAffinity', String(i)], `operator ${r.operator} on "${r.key}" ${needsValues ? 'needs values' : 'takes no values'}`)
    }
  })
  if (k.timeoutSeconds !== undefined && (!Number.isSafeInteger(k.timeoutSeconds) || k.timeoutSeconds <= 0)) report(['timeoutSeconds'], `a timeout is a positive whole number of seconds, got ${k.timeoutSeconds}`)
  const sc = k.securityContext
  for (const field of ['runAsUser', 'runAsGroup'] as const) {
    const value = sc?.[field]
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) report(['securityContext', field], `${field} is a non-negative integer id, got ${value}`)
  }
}

/** Every value a task reads: its inputs, then parameters its resources and Kubernetes settings read. */
function taskSources(node: TaskNode): ValueSourceNode[] {
  return [...Object.values(node.inputs), ...resourceSources(node), ...kubernetesSources(node).map((k) => k.source)]
}

const comparableTypes = new Set<ParameterType>(['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN'])

function operandKind(spec: IoSpecNode | null, value: JsonValue | undefined): 'number' | 'string' | 'boolean' | 'any' | 'bad' {
  if (spec === null) return typeof value === 'number' ? 'number' : typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : 'bad'
  if (spec.kind !== 'parameter' || !comparableTypes.has(spec.type)) return 'bad'
  if (isUntypedItemField(spec)) return 'any'
  return spec.type === 'STRING' ? 'string' : spec.type === 'BOOLEAN' ? 'boolean' : 'number'
}

function checkPredicate(s: PipelineScope, predicate: PredicateNode, scopePath: readonly string[], where: readonly string[], location?: SourceLocation): void {
  if (predicate.kind === 'not') return checkPredicate(s, predicate.item, scopePath, where, location)
  if (predicate.kind !== 'compare') {
    for (const item of predicate.items) checkPredicate(s, item, scopePath, where, location)
    return
  }
  const kinds: string[] = []
  for (const side of [predicate.left, predicate.right]) {
    if (side.kind === 'template' || side.kind === 'composite') {
      s.c.report('E_TYPE_MISMATCH', where, 'conditions compare values, not fmt text', location)
      return
    }
    const spec = s.specOf(side, scopePath, where, location)
    if (spec === undefined) return
    if (spec !== null) s.sourceSpecs.set(sourceKey(side), spec)
    const kind = operandKind(spec, side.kind === 'constant' ? side.value : undefined)
    if (kind === 'bad') {
      s.c.report('E_TYPE_MISMATCH', where, `conditions compare strings, numbers and booleans; ${spec === null ? 'this constant' : describeSpec(spec)} cannot be compared`, location)
      return
    }
    kinds.push(kind)
  }
  const [left, right] = kinds
  if (left !== 'any' && right !== 'any' && left !== right) {
    s.c.report('E_TYPE_MISMATCH', where, `condition compares a ${left} with a ${right}`, location)
  }
}

function checkGroup(s: PipelineScope, id: string, entry: GroupEntry): void {
  const node = entry.node
  const where = ['groups', id]
  if (node.kind === 'condition' && node.predicate) checkPredicate(s, node.predicate, entry.path, where, node.source)
  if (node.kind === 'loop') {
    const problem = node.items.kind === 'raw' ? jsonProblem(node.items.values) : undefined
    if (problem !== undefined) s.c.report('E_INVALID_CONSTANT', [...where, 'items'], `the loop's list is not a JSON value: ${problem}`, node.source)
    if (node.parallelism !== undefined && (!Number.isInteger(node.parallelism) || node.parallelism < 1)) {
      s.c.report('E_INVALID_CONSTANT', where, `parallelism must be a positive integer, got ${node.parallelism}`, node.source)
    }
    if (node.items.kind === 'raw') {
      if (node.items.values.length === 0) s.c.report('E_INVALID_CONSTANT', where, 'a loop over a static list needs at least one item', node.source)
      return
    }
    const spec = s.specOf(node.items.from, entry.path, where, node.source)
    if (!spec) return
    s.sourceSpecs.set(sourceKey(node.items.from), spec)
    const ok = node.items.kind === 'artifacts' ? spec.kind === 'artifact' && spec.isList : spec.kind === 'parameter' && (spec.type === 'LIST' || isUntypedItemField(spec))
    if (!ok) s.c.report('E_TYPE_MISMATCH', where, `a loop iterates over ${node.items.kind === 'artifacts' ? 'a list of artifacts' : 'a LIST parameter'}, got ${describeSpec(spec)}`, node.source)
  }
}

/**
 * Lifts every dependency to the scope where both ends are siblings. A task deep inside a group
 * that reads a value from outside makes the whole group wait for it (KFP: the group task's
 * `dependentTasks`; Argo: the nested DAG task's `depends`).
 */
function memberDependencies(s: PipelineScope): Map<string, Map<string, Set<string>>> {
  const byScope = new Map<string, Map<string, Set<string>>>()
  for (const [key, names] of s.scopeMembers) byScope.set(key, new Map(names.map((n) => [n, new Set<string>()])))
  const link = (from: readonly string[], to: readonly string[], where: readonly string[], location?: SourceLocation) => {
    // A name declared twice stands for two members (two groups merge into one scope under their
    // id), so the edge may join the wrong ones: a cycle or containment found through it would be
    // made up. E_DUPLICATE_TASK / E_DUPLICATE_NAME is the error to fix first.
    if (from.some((n) => s.duplicated.has(n)) || to.some((n) => s.duplicated.has(n))) return
    let k = 0
    while (k < from.length && k < to.length && from[k] === to[k]) k++
    if (k === from.length && k === to.length) {
      // A task after itself: a cycle of one, reported as such by the ordering below.
      byScope.get(from.slice(0, k - 1).join('/'))?.get(from[k - 1]!)?.add(from[k - 1]!)
      return
    }
    if (k >= from.length || k >= to.length) {
      s.c.report('E_INVALID_REFERENCE', where, `"${from[from.length - 1]}" cannot depend on "${to[to.length - 1]}", which ${k >= from.length ? 'it contains' : 'contains it'}`, location)
      return
    }
    byScope.get(from.slice(0, k).join('/'))?.get(from[k]!)?.add(to[k]!)
  }
  // The exit handler each exit task cleans up after, found once rather than per exit task.
  const handlerOf = new Map<TaskNode, readonly string[]>()
  for (const [id, group] of s.groups) if (group.node.kind === 'exitHandler' && !handlerOf.has(group.node.exitTask)) handlerOf.set(group.node.exitTask, [...group.path, id])
  for (const [name, task] of s.tasks) {
    const here = [...task.path, name]
    const where = ['tasks', name]
    for (const source of taskSources(task.node)) {
      for (const producer of producersOfSource(source)) {
        const there = s.locationOfTask(producer)
        if (there) link(here, there, where, task.node.source)
      }
    }
    for (const dep of task.node.after) {
      const there = s.locationOfTask(dep)
      if (there) link(here, there, where, task.node.source)
    }
    if (task.isExitTask) {
      const handler = handlerOf.get(task.node)
      if (handler) link(here, handler, where, task.node.source)
    }
  }
  for (const [id, group] of s.groups) {
    const here = [...group.path, id]
    const node = group.node
    const sources = node.kind === 'condition' ? predicateOperands(node.predicate) : node.kind === 'loop' && node.items.kind !== 'raw' ? [node.items.from] : []
    for (const source of sources) {
      for (const producer of producersOfSource(source)) {
        const there = s.locationOfTask(producer)
        if (there) link(here, there, ['groups', id], node.source)
      }
    }
  }
  return byScope
}

/** Options that change what analysis decides. */
export interface AnalysisOptions {
  /** Caching for tasks and pipelines that do not choose. @default true (as in KFP) */
  readonly cachingDefault?: boolean
}

function analysePipelineNode(
  c: Collector,
  node: PipelineNode,
  cache: WeakMap<PipelineNode, AnalysedPipeline | null>,
  checked: WeakSet<object>,
  options: Required<AnalysisOptions>,
): AnalysedPipeline | null {
  const cached = cache.get(node)
  if (cached !== undefined) return cached
  cache.set(node, null)
  const before = c.diagnostics.length
  checkName(c, node.name, 'pipeline name', [], node.source)
  checkIoNames(c, node.inputs, 'inputs', [], node.source)
  checkIoNames(c, node.outputs, 'outputs', [], node.source)
  const s = new PipelineScope(c, node)

  checkDefaults(c, node.inputs, [], node.source)
  for (const [name, spec] of Object.entries(node.inputs)) {
    if (spec.kind === 'parameter' && spec.default !== undefined && jsonProblem(spec.default) === undefined && !constantFits(spec.default, spec.type)) {
      c.report('E_TYPE_MISMATCH', ['inputs', name], `default ${JSON.stringify(spec.default)} does not fit parameter type ${spec.type}`, node.source)
    }
  }
  const children = new Map<string, AnalysedPipeline>()
  for (const task of s.tasks.values()) {
    checkTask(s, task, checked)
    if (task.node.component.kind === 'pipeline') {
      const child = analysePipelineNode(c, task.node.component, cache, checked, options)
      if (child) children.set(task.node.name, child)
    }
  }
  for (const [id, group] of s.groups) checkGroup(s, id, group)
  for (const [name, output] of Object.entries(node.outputs)) {
    const path = ['outputs', name]
    if (output.from.kind !== 'taskOutput' && output.from.kind !== 'collected' && output.from.kind !== 'oneOf') {
      c.report('E_INVALID_OUTPUT', path, 'a pipeline output must come from a task output', node.source)
      continue
    }
    const spec = s.specOf(output.from, [], path, node.source)
    if (spec) s.sourceSpecs.set(sourceKey(output.from), spec)
  }

  const dependencies = memberDependencies(s)
  const scopes = new Map<string, { order: string[]; dependsOn: Map<string, string[]> }>()
  for (const [key, members] of dependencies) {
    const dependsOn = new Map<string, string[]>()
    for (const [member, deps] of members) dependsOn.set(member, [...deps].sort(compareNames))
    const names = [...members.keys()]
    const { order, cyclic } = topologicalOrder(names, dependsOn)
    if (cyclic.length > 0) {
      const cycle = findCycle(cyclic, dependsOn)
      const first = s.tasks.get(cycle[0]!)?.node.source ?? s.groups.get(cycle[0]!)?.node.source
      const where = key ? ['groups', key.split('/').pop()!, 'tasks', cycle[0]!] : ['tasks', cycle[0]!]
      c.report('E_CYCLE', where, `tasks depend on each other in a cycle: ${cycle.join(' -> ')}`, first)
    }
    scopes.set(key, { order, dependsOn })
  }
  if (c.diagnostics.length > before) return null

  const tasks = new Map<string, AnalysedTask>()
  const groups = new Map<string, AnalysedGroup>()
  const buildScope = (path: readonly string[]): AnalysedScope => {
    const key = path.join('/')
    const info = scopes.get(key) ?? { order: [], dependsOn: new Map<string, string[]>() }
    const members = new Map<string, AnalysedMember>()
    for (const name of info.order) {
      const dependsOn = info.dependsOn.get(name) ?? []
      const task = s.tasks.get(name)
      if (task) {
        const child = children.get(name)
        const analysed: AnalysedTask = {
          kind: 'task',
          name,
          node: task.node,
          path: task.path,
          dependsOn,
          edges: Object.keys(task.node.inputs)
            .sort(compareNames)
            .map((input) => ({ input, from: task.node.inputs[input]! })),
          ...(child !== undefined && { child }),
          isExitTask: task.isExitTask,
          caching: task.node.caching.enabled ?? node.caching ?? options.cachingDefault,
        }
        tasks.set(name, analysed)
        members.set(name, analysed)
        continue
      }
      const group = s.groups.get(name)!
      const analysed: AnalysedGroup = { kind: 'group', name, node: group.node, path: group.path, dependsOn, scope: buildScope([...path, name]) }
      groups.set(name, analysed)
      members.set(name, analysed)
    }
    return { members, order: info.order }
  }
  const root = buildScope([])
  const result: AnalysedPipeline = { node, root, tasks, groups, sourceSpecs: s.sourceSpecs }
  cache.set(node, result)
  return result
}

/**
 * Validates a pipeline and resolves its graph. Collects every problem (names, duplicates,
 * dangling references, visibility across groups, types, placeholders, cycles) before failing,
 * so users fix them in one go.
 */
export function analysePipeline(node: PipelineNode, options: AnalysisOptions = {}): AnalysisResult {
  const c = new Collector()
  const pipeline = analysePipelineNode(c, node, new WeakMap(), new WeakSet(), { cachingDefault: options.cachingDefault ?? true })
  if (pipeline && c.diagnostics.length === 0) return { ok: true, pipeline }
  return { ok: false, diagnostics: c.diagnostics }
}
