/**
 * Scopes: one DAG template per pipeline (the root, and each nested pipeline with its presence
 * pattern of optional inputs) and per control-flow group, the way the KFP target makes one DAG
 * component per group.
 *
 * - A value a group reads from outside is punched through as an input of the group's template;
 *   a value produced inside a group and read outside (fan-in, oneOf) leaves it as an output. Which
 *   group exports what is worked out for the whole pipeline first ({@link computeExports}), because
 *   a group's template is made before its readers are.
 * - Conditions: the group's DAG task carries `when: "{{=<expression>}}"`; an elif/else branch also
 *   requires the earlier predicates to be false. Operands are typed: numbers compare numerically
 *   (`int()` / `float()`), booleans as booleans, strings as strings; constants are expr-lang literals
 *   with every risky character escaped (see expr.ts), so user text never becomes Argo syntax.
 * - Loops: `withItems` for static lists (struct items as maps, so `{{item.field}}` works), `withParam`
 *   for lists from a parameter or a task output. The item (and each field read) enters the body
 *   template as an input. `parallelism` goes on the template holding the loop task: the parent's own
 *   template when the loop is its only member, else a one-task wrapper template around the loop.
 * - Fan-in: Argo aggregates a looped task's output parameters as a JSON list; each iteration exports
 *   its value as JSON (strings quoted) so the list holds exactly the values. Artifacts are not
 *   aggregated by Argo: a diagnostic.
 * - oneOf: the if/elif/else template outputs whichever branch ran, by branch status.
 * - Exit handlers and `ignoreUpstreamFailure`: the task waits for any outcome of what it depends on
 *   (`X.Succeeded || X.Failed || X.Errored || X.Skipped || X.Omitted`); its DAG does not fail fast
 *   and lists what it waits for as targets, so a failure still fails the run, as under KFP. The final
 *   status is a `PipelineTaskFinalStatus` JSON built from `{{tasks.X.status}}`.
 * - Memoize: every cacheable container task gets `memoize` with a key from its compile-time digest
 *   and the run-time values of the pipeline inputs and loop items its digest depends on.
 *
 * @module
 */

import type { AnalysedGroup, AnalysedPipeline, AnalysedScope, AnalysedTask } from '../../analyse/graph.ts'
import { compareNames, predicateOperands, sourceKey } from '../../analyse/graph.ts'
import { isUntypedItemField } from '../../analyse/analyse.ts'
import { computeCacheKeys, type TaskCacheKey } from '../../passes/cache-keys.ts'
import type { IoSpecNode, JsonValue, PredicateNode, RetryNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { driverJson, driverText } from '@typeflow/dsl/kfp'
import { componentOutputs } from '@typeflow/dsl'
import { type BuiltTemplate, containerTemplate, envArguments, presentInputs, retryStrategyFor, type TemplateOutput } from './container.ts'
import { type Arg, argumentsOf, type Atom, type AtomRef, atomsOf, atomSource, buildScopeTemplate, type Domain, type FormatPart, type Leaf, type Scope, type ScopeOutput, type Source } from './dag.ts'
import { exprLiteral, exprNumber, finalStateExpression } from './expr.ts'
import { importerTemplate } from './importer.ts'
import { isPvcStub, pvcTemplate } from './pvc.ts'
import { type ArgoPodSettings, argoPodSettings, argoPodSettingSources } from './kubernetes.ts'
import { argoIoName, kubeName, NameAllocator, shortHash } from './names.ts'
import { ARGO_CAPS } from './options.ts'
import { type EmitContext, RESERVED } from './registry.ts'
import { breakBraces, encodeValue } from './text.ts'

type Json = Record<string, unknown>

const STRING: IoSpecNode = { kind: 'parameter', type: 'STRING', optional: false }

/** Parameter types whose values hold neither `$` nor `{`: their text is the same encoded and raw. */
const SCALAR_TYPES = new Set(['NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN'])

/** `"<name>":<value as canonical JSON>` for each member of a memoize key, joined (see cacheSettings). */
function keyMembers(b: ExprBuilder, list: readonly { name: string; value: Source | undefined; type: string }[]): string {
  let out = ''
  for (let i = 0; i < list.length; i++) {
    const { name, value, type } = list[i]!
    // A number or a boolean reads the same encoded: a reference to one is not decoded.
    const ref = value && b.ref(value, SCALAR_TYPES.has(type) && value.kind === 'atom')
    const json = ref === undefined ? exprLiteral('null') : type === 'STRING' ? `toJson(${ref})` : `toJson(fromJSON(${ref}))`
    out += `${i > 0 ? '+' : ''}${exprLiteral(`${i > 0 ? ',' : ''}${JSON.stringify(name)}:`)}+${json}`
  }
  return out
}

/** Builds a value from an expression template with placeholders for other values. */
class ExprBuilder {
  private readonly atoms: Atom[] = []
  private readonly slots: Slot[] = []

  /**
   * A placeholder standing for the (string) expression of `source`, in the domain the expression
   * is written in; `asText` reads its text as it is (a number, which reads the same in both).
   */
  ref(source: Source, asText = false): string {
    const from = this.atoms.length
    this.atoms.push(...atomsOf(source))
    this.slots.push({ source, from, to: this.atoms.length, convert: !asText })
    return `\u0000${this.slots.length - 1}\u0000`
  }

  done(template: string): Source {
    return new TemplateExpr([...this.atoms], template, this.slots)
  }
}

interface Slot {
  readonly source: Source
  readonly from: number
  readonly to: number
  readonly convert: boolean
}

/** An expression made by {@link ExprBuilder}: its template with each placeholder's expression put in. */
class TemplateExpr {
  readonly kind = 'expr'

  constructor(
    readonly atoms: readonly Atom[],
    private readonly template: string,
    private readonly slots: readonly Slot[],
  ) {}

  build(ref: AtomRef, domain: Domain): string {
    return this.template.replace(/\u0000(\d+)\u0000/g, (_, i: string) => {
      const slot = this.slots[Number(i)]!
      const slotRef: AtomRef = slot.convert ? ref : (atom) => ref(atom, false)
      return slotExpr(slot.source, slotRef, domain)
    })
  }
}

/** The expression of a value in a domain, its atoms' expressions asked of `ref`. */
function slotExpr(source: Source, ref: AtomRef, domain: Domain): string {
  switch (source.kind) {
    case 'const':
      return exprLiteral(domain === 'encoded' ? source.text : source.raw)
    case 'atom':
      return ref(source.atom, true)
    case 'expr':
      return `(${source.build(ref, domain)})`
    case 'format': {
      const pieces: string[] = []
      for (const part of source.parts) {
        if ('text' in part) pieces.push(exprLiteral(domain === 'encoded' ? encodeValue(part.text).text : part.text))
        else pieces.push(slotExpr(part.source, ref, domain))
      }
      return pieces.length === 0 ? "''" : `(${pieces.join('+')})`
    }
  }
}

const constSource = (value: JsonValue): Source & { kind: 'const' } => {
  const raw = driverText(value)
  return { kind: 'const', text: encodeValue(raw).text, raw }
}

/** Group ids and task names from the root down to (and including) a task or group. */
function locationOf(pipeline: AnalysedPipeline, name: string): readonly string[] | undefined {
  const task = pipeline.tasks.get(name)
  if (task) return [...task.path, name]
  const group = pipeline.groups.get(name)
  return group && [...group.path, name]
}

const isLoop = (pipeline: AnalysedPipeline, id: string) => pipeline.groups.get(id)?.node.kind === 'loop'

/**
 * For a value read outside a loop that produced it, what one iteration of the loop hands out: the
 * task output itself, or (when another loop sits in between) that inner loop's fan-in.
 */
function iterationValue(pipeline: AnalysedPipeline, loop: string, source: ValueSourceNode & { kind: 'collected' }): ValueSourceNode {
  const task = pipeline.tasks.get(source.task)!
  const below = task.path.slice(task.path.indexOf(loop) + 1)
  return below.some((g) => isLoop(pipeline, g)) ? source : { kind: 'taskOutput', task: source.task, output: source.output }
}

/** The value as the inside of group `group` sees it, for a value the group exports. */
function innerValue(pipeline: AnalysedPipeline, group: string, source: ValueSourceNode): ValueSourceNode {
  return source.kind === 'collected' && isLoop(pipeline, group) ? iterationValue(pipeline, group, source) : source
}

/** Where the producer of a fan-in or oneOf value sits (a task, or the if/elif/else group). */
function producerOf(source: ValueSourceNode): string | undefined {
  if (source.kind === 'collected' || source.kind === 'taskOutput') return source.task
  if (source.kind === 'oneOf') return source.branches
  return undefined
}

/** Predicates an if/elif/else branch needs false before its own holds. */
function earlierPredicates(pipeline: AnalysedPipeline, group: AnalysedGroup): PredicateNode[] {
  const parent = group.path.length > 0 ? pipeline.groups.get(group.path[group.path.length - 1]!) : undefined
  if (parent?.node.kind !== 'branches') return []
  const out: PredicateNode[] = []
  for (const branch of parent.node.branches) {
    if (branch.id === group.name) break
    if (branch.predicate) out.push(branch.predicate)
  }
  return out
}

/**
 * Which group exports which value (by key), for one pipeline: every fan-in or oneOf value read
 * outside the group holding its producer leaves that group, and each group in between.
 */
export function computeExports(pipeline: AnalysedPipeline): Map<string, Map<string, ValueSourceNode>> {
  const exports = new Map<string, Map<string, ValueSourceNode>>()
  const add = (group: string, source: ValueSourceNode): void => {
    let map = exports.get(group)
    if (!map) exports.set(group, (map = new Map()))
    const key = sourceKey(source)
    if (map.has(key)) return
    map.set(key, source)
    const inside = [...pipeline.groups.get(group)!.path, group]
    if (source.kind === 'oneOf' && source.branches === group) {
      for (const option of source.sources) {
        const member = locationOf(pipeline, option.task)![inside.length]!
        if (member !== option.task) add(member, { kind: 'taskOutput', task: option.task, output: option.output })
      }
      return
    }
    const inner = innerValue(pipeline, group, source)
    const producer = producerOf(inner)!
    const member = locationOf(pipeline, producer)![inside.length]
    if (member !== undefined && member !== producer) add(member, inner)
    else if (member === producer && inner.kind === 'oneOf') add(member, inner)
  }
  const consume = (source: ValueSourceNode, consumer: readonly string[]): void => {
    if (source.kind === 'template') {
      for (const part of source.parts) if (typeof part !== 'string') consume(part, consumer)
      return
    }
    if (source.kind === 'composite') {
      for (const e of source.embedded) consume(e.source, consumer)
      return
    }
    if (source.kind !== 'collected' && source.kind !== 'oneOf') return
    const location = locationOf(pipeline, producerOf(source)!)
    if (!location) return
    let k = 0
    while (k < consumer.length && k < location.length && consumer[k] === location[k]) k++
    const member = location[k]
    if (member === undefined) return
    if (pipeline.groups.has(member)) add(member, source)
  }
  for (const task of pipeline.tasks.values()) for (const edge of task.edges) consume(edge.from, task.path)
  for (const output of Object.values(pipeline.node.outputs)) consume(output.from, [])
  for (const group of pipeline.groups.values()) {
    const node = group.node
    if (node.kind === 'loop' && node.items.kind !== 'raw') consume(node.items.from, group.path)
    if (node.kind === 'condition') {
      for (const p of [...earlierPredicates(pipeline, group), ...(node.predicate ? [node.predicate] : [])]) {
        for (const operand of predicateOperands(p)) consume(operand, group.path)
      }
    }
  }
  return exports
}

/** One pipeline instance being translated (the root, or a nested pipeline with its present inputs). */
class PipelineInstance {
  readonly exports: Map<string, Map<string, ValueSourceNode>>

  constructor(
    readonly ctx: EmitContext,
    readonly pipeline: AnalysedPipeline,
    /** Inputs with a value (given by the caller or defaulted); the others are left out. */
    readonly present: ReadonlySet<string>,
    /** The workflow's own pipeline: its parameters are `workflow.parameters`. */
    readonly isRoot: boolean,
    /** Prefix of task paths for the cache-key hook (`sub/` inside nested task `sub`). */
    readonly pathPrefix: string,
    readonly diagPath: readonly string[],
  ) {
    this.exports = computeExports(pipeline)
  }

  /** Computed once per analysed graph by the cache-key pass, and shared with the KFP target. */
  get cacheKeys(): ReadonlyMap<string, TaskCacheKey> {
    return computeCacheKeys(this.pipeline)
  }

  /** The declared type of what a value source yields. */
  specOf(source: ValueSourceNode): IoSpecNode {
    const recorded = this.pipeline.sourceSpecs.get(sourceKey(source))
    if (recorded) return recorded
    switch (source.kind) {
      case 'pipelineInput':
        return this.pipeline.node.inputs[source.name] ?? STRING
      case 'taskOutput':
      case 'collected': {
        const spec = componentOutputs(this.pipeline.tasks.get(source.task)!.node.component)[source.output] ?? STRING
        if (source.kind === 'taskOutput') return spec
        return spec.kind === 'artifact' ? { ...spec, isList: true } : { kind: 'parameter', type: 'LIST', optional: false }
      }
      case 'oneOf':
        return this.specOf(source.sources[0]!)
      case 'loopItem': {
        const loop = this.pipeline.groups.get(source.loop)?.node
        if (!source.path?.length && loop?.kind === 'loop') return loop.itemSpec
        return STRING
      }
      default:
        return STRING
    }
  }
}

/** A value a group template receives from outside. */
interface Need {
  readonly source: ValueSourceNode
  readonly name: string
  readonly artifact: boolean
}

interface MemberInfo {
  /** Task outputs (by output name) or group exports (by value key), as the scope reads them. */
  readonly outputs: ReadonlyMap<string, TemplateOutput>
}

/** Builds the members of one scope (a pipeline's root scope, or a group's) as DAG leaves. */
class ScopeBuilder {
  readonly leaves: Leaf[] = []
  readonly members = new Map<string, MemberInfo>()
  readonly needs = new Map<string, Need>()
  /** Loop item inputs of a loop body: field ('' for the whole item) → input name. */
  readonly itemInputs = new Map<string, string>()
  /** The value of each member output read in this scope, by member (see memberOutput); made on first use: at nested 10k, 2,700 of 6,400 groups read no sibling output. */
  private memberSources: Map<string, Map<TemplateOutput, Source>> | undefined
  readonly inputNames = new NameAllocator()
  private readonly taskNames = new NameAllocator()
  /** Parallelism this scope's template carries for its only member, a loop. */
  parallelism: number | undefined

  constructor(
    readonly inst: PipelineInstance,
    readonly group: AnalysedGroup | undefined,
    readonly scope: AnalysedScope,
  ) {}

  private get ctx(): EmitContext {
    return this.inst.ctx
  }

  private get location(): readonly string[] {
    return this.group ? [...this.group.path, this.group.name] : []
  }

  /** The member of this scope holding a task or group, when it is inside this scope. */
  private memberHolding(name: string): string | undefined {
    const location = locationOf(this.inst.pipeline, name)
    const here = this.location
    if (!location || location.length <= here.length || !here.every((g, i) => location[i] === g)) return undefined
    return location[here.length]
  }

  private need(source: ValueSourceNode): Source {
    const key = sourceKey(source)
    let need = this.needs.get(key)
    if (!need) {
      const artifact = this.inst.specOf(source).kind === 'artifact'
      need = { source, artifact, name: this.inputNames.allocate(argoIoName(needBase(source))) }
      this.needs.set(key, need)
    }
    return atomSource({ kind: 'scopeInput', name: need.name, artifact: need.artifact })
  }

  private itemInput(field: string | undefined): Source {
    const key = field ?? ''
    let name = this.itemInputs.get(key)
    if (name === undefined) {
      name = this.inputNames.allocate(argoIoName(field === undefined ? `${this.group!.name}-item` : `${this.group!.name}-item-${field}`))
      this.itemInputs.set(key, name)
    }
    return atomSource({ kind: 'scopeInput', name, artifact: false })
  }

  private memberOutput(member: string, key: string): Source {
    const output = this.members.get(member)?.outputs.get(key)
    if (!output) throw new Error(`internal: ${member} does not provide ${key}`)
    // One value per output, however many tasks read it: partitioning keys a value by its atom
    // (atomKey), and an atom per read made a key string per read.
    this.memberSources ??= new Map()
    let sources = this.memberSources.get(member)
    if (sources === undefined) this.memberSources.set(member, (sources = new Map()))
    let source = sources.get(output)
    if (source === undefined) sources.set(output, (source = atomSource({ kind: 'member', member, output })))
    return source
  }

  /**
   * The value of a source in this scope; undefined for an absent optional input of a nested
   * pipeline (its consumers see it as not given, as under KFP's driver).
   */
  resolve(source: ValueSourceNode, where: readonly string[]): Source | undefined {
    const pipeline = this.inst.pipeline
    switch (source.kind) {
      case 'constant':
        return constSource(source.value)
      case 'pipelineInput': {
        if (!this.inst.present.has(source.name)) return undefined
        const spec = pipeline.node.inputs[source.name]!
        const name = argoIoName(source.name)
        if (this.inst.isRoot && spec.kind === 'parameter') return atomSource({ kind: 'global', name })
        if (!this.group) return atomSource({ kind: 'scopeInput', name, artifact: spec.kind === 'artifact' })
        return this.need(source)
      }
      case 'taskOutput': {
        const member = this.memberHolding(source.task)
        if (member === source.task) return this.memberOutput(member, source.output)
        if (member !== undefined) return this.memberOutput(member, sourceKey(source))
        return this.need(source)
      }
      case 'collected':
      case 'oneOf': {
        if (source.kind === 'collected' && this.inst.specOf(source).kind === 'artifact') {
          this.ctx.report('E_SCHEMA', where, `the Argo target cannot express a fan-in of artifacts (collected "${source.task}.${source.output}"): Argo does not aggregate the artifacts of looped tasks (argoproj/argo-workflows#934); collect their URIs as parameters, or compile with --target kfp`)
          return constSource('')
        }
        const member = this.memberHolding(producerOf(source)!)
        if (member !== undefined) return this.memberOutput(member, sourceKey(source))
        return this.need(source)
      }
      case 'loopItem': {
        if (this.group?.name !== source.loop) return this.need(source)
        const path = source.path ?? []
        if (path.length <= 1) return this.itemInput(path[0])
        // A nested field: the first level arrives as `{{item.<field>}}` (JSON), the rest is read here.
        const b = new ExprBuilder()
        let value = `fromJSON(${b.ref(this.itemInput(path[0]))})`
        for (const field of path.slice(1)) value = `get(${value},${exprLiteral(field)})`
        return b.done(`sprig.ternary(${value},toJson(${value}),type(${value})=='string')`)
      }
      case 'template': {
        const parts: FormatPart[] = []
        for (const part of source.parts) {
          if (typeof part === 'string') parts.push({ text: part })
          else {
            const value = this.resolve(part, where)
            parts.push(value ? { source: value } : { text: '' })
          }
        }
        return { kind: 'format', parts }
      }
      case 'composite':
        return this.composite(source, where)
      case 'taskFinalStatus':
        throw new Error('internal: a final status is resolved by the task receiving it')
    }
  }

  /** A list or dict with values inside: JSON text, strings quoted at run time. */
  private composite(source: ValueSourceNode & { kind: 'composite' }, where: readonly string[]): Source {
    let prefix = 'typeflow_embedded_'
    while (JSON.stringify(source.value).includes(prefix)) prefix = `${prefix}_`
    const value = structuredClone(source.value) as JsonValue
    source.embedded.forEach((e, i) => setAt(value, e.path, `${prefix}${i}`))
    const text = driverJson(value)
    const parts: FormatPart[] = []
    let last = 0
    for (const m of text.matchAll(new RegExp(`"${prefix}(\\d+)"`, 'g'))) {
      parts.push({ text: text.slice(last, m.index) })
      const embedded = source.embedded[Number(m[1])]!
      const resolved = this.resolve(embedded.source, where) ?? constSource(null)
      const spec = embedded.source.kind === 'template' ? STRING : this.inst.specOf(embedded.source)
      if (spec.kind === 'parameter' && spec.type === 'STRING') {
        const b = new ExprBuilder()
        parts.push({ source: b.done(`toJson(${b.ref(resolved)})`) })
      } else parts.push({ source: resolved })
      last = m.index! + m[0].length
    }
    parts.push({ text: text.slice(last) })
    return { kind: 'format', parts: parts.filter((p) => !('text' in p) || p.text !== '') }
  }

  /** Builds every member, in the analysed order. */
  build(): void {
    const single = this.scope.order.length === 1 ? this.scope.members.get(this.scope.order[0]!) : undefined
    if (single?.kind === 'group' && single.node.kind === 'loop' && single.node.parallelism !== undefined) this.parallelism = single.node.parallelism
    for (const name of this.scope.order) {
      const member = this.scope.members.get(name)!
      if (member.kind === 'task') this.addTask(member)
      else this.addGroup(member)
    }
  }

  private diagPath(...rest: string[]): string[] {
    return [...this.inst.diagPath, ...rest]
  }

  // ---------------------------------------------------------------------------------------------
  // Tasks

  private addTask(task: AnalysedTask): void {
    const ctx = this.ctx
    const inst = this.inst
    const node = task.node
    const path = this.diagPath('tasks', node.name)
    // Inputs fed by an absent optional input of a nested pipeline are not passed.
    const passed = new Set<string>()
    for (const { input, from } of task.edges) if (from.kind !== 'pipelineInput' || inst.present.has(from.name)) passed.add(input)
    const component = node.component
    const hasDisplayName = node.displayName !== undefined
    const hasPodSettings = (node.kubernetes !== undefined && Object.keys(node.kubernetes).length > 0) || node.resources?.fromParameters !== undefined
    if (hasPodSettings && component.kind !== 'container') {
      ctx.report('E_SCHEMA', path, `Kubernetes pod settings apply to container tasks; task "${node.name}" runs a ${component.kind}`, node.source)
    }
    const pvc = component.kind === 'container' && isPvcStub(component)
    const pod = hasPodSettings && component.kind === 'container' && !pvc ? this.podSettings(node, path) : undefined
    // Creating or deleting a claim is an action on the cluster, not a result to reuse.
    const cache = component.kind === 'container' && !pvc ? this.cacheSettings(task) : undefined
    let template: BuiltTemplate
    switch (component.kind) {
      case 'container':
        if (pvc) {
          template = pvcTemplate(ctx, { task: node, component, present: presentInputs(component.inputs, passed), hasDisplayName, path })
          break
        }
        template = containerTemplate(ctx, {
          task: node,
          component,
          passed,
          hasDisplayName,
          hasCacheKey: cache?.digest !== undefined,
          ...(cache?.memoize !== undefined && { memoize: cache.memoize.kind }),
          ...(pod !== undefined && { pod: { settings: pod.settings, inputs: pod.args.map((a) => a.name) } }),
          path,
        })
        break
      case 'pipeline':
        template = buildPipelineTemplate(ctx, task.child!, presentInputs(component.inputs, passed), false, hasDisplayName, `${inst.pathPrefix}${node.name}/`, path, node.retry)
        break
      case 'importer':
        template = importerTemplate(ctx, { task: node, component, uri: task.edges.find((e) => e.input === 'uri')?.from, pipeline: inst.pipeline, hasDisplayName, path })
        break
    }
    const args: Arg[] = []
    for (const { input, from } of task.edges) {
      if (!passed.has(input)) continue
      const name = template.inputNames.get(input)
      const spec = component.inputs[input]
      if (name === undefined || spec === undefined) continue
      const artifact = spec.kind === 'artifact'
      const where = [...path, 'inputs', input]
      const source = from.kind === 'taskFinalStatus' ? this.finalStatus(task) : this.resolve(from, where)
      // A volume's name and size go into a Kubernetes manifest, not a command line.
      if (source) args.push({ name, artifact, source, ...(pvc && { form: 'text' as const }) })
    }
    if (pod !== undefined) args.push(...pod.args)
    const reserved: { name: string; value: string }[] = [{ name: RESERVED.task, value: node.name }]
    if (hasDisplayName) reserved.push({ name: RESERVED.displayName, value: breakBraces(node.displayName!) })
    if (cache?.digest !== undefined) reserved.push({ name: RESERVED.cacheKey, value: cache.digest })
    if (component.kind === 'container' && !pvc) reserved.push(...envArguments(ctx, node, component))
    // The key hashes the values themselves; a hash reads the same encoded.
    if (cache?.memoize?.kind === 'runtime') args.push({ name: RESERVED.memoizeKey, artifact: false, source: cache.memoize.key, form: 'raw' })
    if (args.filter((a) => !a.artifact).length + reserved.length > ARGO_CAPS.inputParameters) {
      ctx.report('E_SCHEMA', path, `task "${node.name}" has more than ${ARGO_CAPS.inputParameters} parameter inputs, the Argo v4 limit per template`, node.source)
    }
    this.members.set(node.name, { outputs: template.outputs })
    this.leaves.push({
      kind: 'leaf',
      name: node.name,
      argoName: this.taskNames.allocate(kubeName(node.name, 'task')),
      template: template.entry,
      args,
      reserved,
      dependsOn: task.dependsOn,
      anyCompletion: task.isExitTask || node.ignoreUpstreamFailure === true,
    })
  }

  /**
   * The `PipelineTaskFinalStatus` a task receives: the state of the exit handler it guards, or of
   * its first upstream task (as the KFP target picks the producer).
   */
  private finalStatus(task: AnalysedTask): Source {
    const node = task.node
    let producer = task.dependsOn.find((d) => !node.after.includes(d)) ?? task.dependsOn[0]
    if (task.isExitTask) {
      // The handler this task is the exit task of (it may also wait for tasks of other handlers).
      const own = [...this.inst.pipeline.groups.values()].find((g) => g.node.kind === 'exitHandler' && g.node.exitTask === node)
      producer = own?.name ?? producer
    }
    if (producer === undefined) return constSource({ state: 'SUCCEEDED', pipelineJobResourceName: '', pipelineTaskName: '', error: {} })
    const b = new ExprBuilder()
    const state = b.done(finalStateExpression(b.ref(atomSource({ kind: 'status', member: producer }))))
    // Keys in the order the KFP driver writes them (sorted, see driverJson).
    return {
      kind: 'format',
      parts: [
        { text: '{"error":{},"pipelineJobResourceName":"' },
        { source: atomSource({ kind: 'workflow', field: 'name' }) },
        { text: `","pipelineTaskName":${JSON.stringify(producer)},"state":"` },
        { source: state },
        { text: '"}' },
      ],
    }
  }

  /**
   * A container task's Kubernetes settings as template fragments. Values known only at run time
   * (a secret name from a parameter, a quantity from a task output …) become template inputs
   * `typeflow-pod-<i>`, one per distinct value, passed from this DAG task.
   */
  private podSettings(node: TaskNode, path: readonly string[]): { settings: ArgoPodSettings; args: Arg[] } {
    const args: Arg[] = []
    const inputOf = new Map<string, string>()
    for (const source of argoPodSettingSources(node)) {
      const key = sourceKey(source)
      if (inputOf.has(key)) continue
      const name = `${RESERVED.podValue}-${inputOf.size}`
      inputOf.set(key, name)
      const value = this.resolve(source, [...path, 'kubernetes'])
      if (value) args.push({ name, artifact: false, source: value, form: 'text' })
    }
    const settings = argoPodSettings(
      node,
      (source) => `{{inputs.parameters.${inputOf.get(sourceKey(source))!}}}`,
      (source) => {
        const spec = this.inst.specOf(source)
        return spec.kind === 'parameter' ? spec.type : undefined
      },
    )
    // User text in pod settings never reaches a command line, where `{{` could be escaped (see text.ts).
    if (JSON.stringify(argoPodSettings(node, () => 'x')).includes('{{')) {
      this.ctx.report('E_INVALID_CONSTANT', [...path, 'kubernetes'], `a Kubernetes setting of task "${node.name}" contains "{{", which Argo would read as a template tag (Argo has no escape for it there)`, node.source)
    }
    for (const what of settings.unsupported ?? []) {
      this.ctx.report('E_SCHEMA', [...path, 'kubernetes'], `Argo Workflows cannot express ${what}; compile with --target kfp`, node.source)
    }
    return { settings, args }
  }

  /** The digest annotation and memoize key of a container task, when it may be cached. */
  private cacheSettings(task: AnalysedTask): { digest?: string; memoize?: { kind: 'static' } | { kind: 'runtime'; key: Source } } | undefined {
    const inst = this.inst
    const options = inst.ctx.options
    const hooked = options.cacheKeys.get(`${inst.pathPrefix}${task.name}`)
    const key = inst.cacheKeys.get(task.name)
    const cacheable = key !== undefined && key.cacheable && task.caching
    if (!cacheable) return hooked === undefined ? undefined : { digest: breakBraces(hooked) }
    const digest = hooked ?? key.digest
    const settings = { digest: breakBraces(digest) }
    if (!options.memoize) return settings
    // The same string `runtimeCacheKey` hashes (the local runner's key):
    // sha256(`<digest>:{"inputs":{"<name>":<value>,…},"items":{"<loop>":<item>,…}}`), each value as
    // canonical JSON: strings quoted, other types parsed and re-written compactly with sorted keys.
    const ingredients: { name: string; value: Source | undefined; type: string }[] = []
    for (const name of key.pipelineInputs) {
      const spec = inst.pipeline.node.inputs[name]
      // Artifacts have no value Argo can put in a key: such a task is not memoized.
      if (spec?.kind === 'artifact') return settings
      ingredients.push({ name, value: this.resolve({ kind: 'pipelineInput', name }, []), type: spec?.kind === 'parameter' ? spec.type : 'STRING' })
    }
    const items: { name: string; value: Source; type: string }[] = []
    for (const loop of key.loopItems) {
      const value = this.resolve({ kind: 'loopItem', loop }, [])
      if (!value) return settings
      const node = inst.pipeline.groups.get(loop)?.node
      items.push({ name: loop, value, type: node?.kind === 'loop' && node.itemSpec.kind === 'parameter' ? node.itemSpec.type : 'STRING' })
    }
    const base = /^[-._a-zA-Z0-9]{1,253}$/.test(digest) ? digest : shortHash(digest, 64)
    if (ingredients.length === 0 && items.length === 0 && base === digest) return { digest: settings.digest, memoize: { kind: 'static' } }
    const b = new ExprBuilder()
    // `base` holds only characters a literal keeps as they are: its literal is the quote, `base`,
    // then the rest of the fixed piece's (which is the same for every task).
    const pieces = [`'${base}${exprLiteral(':{"inputs":{').slice(1)}`, keyMembers(b, ingredients), exprLiteral('},"items":{'), keyMembers(b, items), exprLiteral('}}')].filter((p) => p !== '')
    return { digest: settings.digest, memoize: { kind: 'runtime', key: b.done(`sprig.sha256sum(${pieces.join('+')})`) } }
  }

  // ---------------------------------------------------------------------------------------------
  // Groups

  private addGroup(group: AnalysedGroup): void {
    const ctx = this.ctx
    const inst = this.inst
    const pipeline = inst.pipeline
    const node = group.node
    const where = this.diagPath('groups', group.name)
    const child = new ScopeBuilder(inst, group, group.scope)
    child.build()

    // What the group hands out: fan-in, oneOf, and values passing through on their way out.
    const outputs: ScopeOutput[] = []
    const exported = new Map<string, TemplateOutput>()
    const outputNames = new NameAllocator()
    // In key order: the template does not depend on where in the pipeline its values are read.
    for (const [key, source] of [...(inst.exports.get(group.name) ?? [])].sort(([a], [b]) => compareNames(a, b))) {
      const spec = inst.specOf(source)
      const artifact = spec.kind === 'artifact'
      const name = outputNames.allocate(argoIoName(needBase(source)))
      let value: Source | undefined
      if (source.kind === 'oneOf' && source.branches === group.name) value = child.oneOf(source)
      else {
        const inner = innerValue(pipeline, group.name, source)
        value = child.resolve(inner, where)
        if (value && node.kind === 'loop' && inner.kind === 'taskOutput' && !artifact) value = iterationJson(value, inst.specOf(inner))
      }
      if (!value) continue
      outputs.push({ name, artifact, source: value })
      exported.set(key, { argoName: name, artifact, originalName: key })
    }

    const inputParameters: Json[] = []
    const inputArtifacts: Json[] = []
    for (const name of child.itemInputs.values()) inputParameters.push({ name })
    for (const need of child.needs.values()) (need.artifact ? inputArtifacts : inputParameters).push({ name: need.name })
    const kind = node.kind === 'branches' ? 'branches' : node.kind
    const body: Scope = {
      baseName: group.name,
      isRoot: false,
      leaves: child.leaves,
      outputs,
      inputs: argumentsOf(inputParameters, inputArtifacts) ?? {},
      hasDisplayName: false,
      ...('displayName' in node && node.displayName !== undefined && { displayName: breakBraces(node.displayName) }),
      group: { id: group.name, kind },
      ...(child.parallelism !== undefined && { parallelism: child.parallelism }),
      renamed: {},
    }
    const entry = buildScopeTemplate(ctx, body)

    // The task calling it, in this scope.
    const args: Arg[] = []
    for (const need of child.needs.values()) {
      const source = this.resolve(need.source, where)
      if (source) args.push({ name: need.name, artifact: need.artifact, source })
    }
    let when: Source | undefined
    if (node.kind === 'condition') {
      const parts = [...earlierPredicates(pipeline, group).map((p) => ({ p, negate: true })), ...(node.predicate ? [{ p: node.predicate, negate: false }] : [])]
      if (parts.length > 0) when = this.predicate(parts, where)
    }
    let withItems: unknown[] | undefined
    let withParam: Source | undefined
    if (node.kind === 'loop') {
      for (const [field, name] of child.itemInputs) args.push({ name, artifact: false, source: atomSource({ kind: 'item', ...(field !== '' && { field }) }) })
      if (node.items.kind === 'raw') withItems = node.items.values.map(loopItemValue)
      else if (node.items.kind === 'values') withParam = this.resolve(node.items.from, where) ?? constSource([])
      else {
        ctx.report('E_SCHEMA', where, `the Argo target cannot loop over a list of artifacts (${group.name}): Argo iterates parameters only (withItems, withParam); loop over their URIs as parameters, or compile with --target kfp`, node.source)
        withItems = []
      }
    }
    const argoName = this.taskNames.allocate(kubeName(group.name, 'group'))
    let leaf: Leaf = {
      kind: 'leaf',
      name: group.name,
      argoName,
      template: entry,
      args,
      reserved: [],
      dependsOn: group.dependsOn,
      anyCompletion: false,
      ...(when && { when }),
      ...(withItems && { withItems }),
      ...(withParam && { withParam }),
    }
    if (node.kind === 'loop' && node.parallelism !== undefined && this.parallelism === undefined) leaf = this.limitParallelism(leaf, group, node.parallelism, outputs, child)
    this.members.set(group.name, { outputs: exported })
    this.leaves.push(leaf)
  }

  /**
   * A loop with a parallelism limit among other members: a one-task template carrying the limit
   * (Argo counts running pods under a template) wraps the looped task.
   */
  private limitParallelism(loop: Leaf, group: AnalysedGroup, parallelism: number, exports: readonly ScopeOutput[], child: ScopeBuilder): Leaf {
    const inputParameters: Json[] = []
    const inputArtifacts: Json[] = []
    const innerArgs: Arg[] = []
    const outerArgs: Arg[] = []
    for (const arg of loop.args) {
      if (arg.source.kind === 'atom' && arg.source.atom.kind === 'item') {
        innerArgs.push(arg)
        continue
      }
      ;(arg.artifact ? inputArtifacts : inputParameters).push({ name: arg.name })
      innerArgs.push({ name: arg.name, artifact: arg.artifact, source: atomSource({ kind: 'scopeInput', name: arg.name, artifact: arg.artifact }) })
      outerArgs.push(arg)
    }
    let withParam: Source | undefined
    if (loop.withParam) {
      const items = child.inputNames.allocate('items')
      inputParameters.push({ name: items })
      withParam = atomSource({ kind: 'scopeInput', name: items, artifact: false })
      outerArgs.push({ name: items, artifact: false, source: loop.withParam })
    }
    const inner: Leaf = Object.assign({}, loop, { args: innerArgs, dependsOn: [] }, withParam && { withParam })
    const outputs: ScopeOutput[] = exports.map((e) => ({
      name: e.name,
      artifact: e.artifact,
      source: atomSource({ kind: 'member', member: group.name, output: { argoName: e.name, artifact: e.artifact, originalName: e.name } }),
    }))
    const wrapper: Scope = {
      baseName: `${group.name}-parallelism`,
      isRoot: false,
      leaves: [inner],
      outputs,
      inputs: argumentsOf(inputParameters, inputArtifacts) ?? {},
      hasDisplayName: false,
      group: { id: group.name, kind: 'loop', part: 'parallelism' },
      parallelism,
      renamed: {},
    }
    const entry = buildScopeTemplate(this.ctx, wrapper)
    const { withItems: _items, withParam: _param, ...rest } = loop
    return Object.assign(rest, { template: entry, args: outerArgs })
  }

  /** The value of a oneOf, inside its if/elif/else template: whichever branch ran. */
  private oneOf(source: ValueSourceNode & { kind: 'oneOf' }): Source {
    const pipeline = this.inst.pipeline
    const depth = this.location.length
    const b = new ExprBuilder()
    const options = source.sources.map((option) => {
      const branch = locationOf(pipeline, option.task)![depth]!
      const status = b.ref(atomSource({ kind: 'status', member: branch }))
      const value = this.resolve(option, [])!
      return { status, value: b.ref(value) }
    })
    let expression = options[options.length - 1]!.value
    for (let i = options.length - 2; i >= 0; i--) expression = `${options[i]!.status}=='Succeeded'?${options[i]!.value}:${expression}`
    return b.done(expression)
  }

  /** A `when` expression: every predicate holds (or, negated, does not). */
  private predicate(parts: readonly { p: PredicateNode; negate: boolean }[], where: readonly string[]): Source {
    const b = new ExprBuilder()
    const render = (p: PredicateNode): string => {
      switch (p.kind) {
        case 'compare':
          return this.comparison(b, p, where)
        case 'not':
          return `!(${render(p.item)})`
        case 'and':
        case 'or':
          return `(${p.items.map(render).join(p.kind === 'and' ? '&&' : '||')})`
      }
    }
    const text = parts.map(({ p, negate }) => (negate ? `!(${render(p)})` : render(p))).join('&&')
    return b.done(text)
  }

  private comparison(b: ExprBuilder, p: PredicateNode & { kind: 'compare' }, where: readonly string[]): string {
    const inst = this.inst
    const typeOf = (s: ValueSourceNode): string => {
      if (s.kind === 'constant') {
        const v = s.value
        return typeof v === 'number' ? (Number.isInteger(v) ? 'NUMBER_INTEGER' : 'NUMBER_DOUBLE') : typeof v === 'boolean' ? 'BOOLEAN' : 'STRING'
      }
      const spec = inst.specOf(s)
      // A struct field or an item of unknown type: KFP's CEL compares the JSON value it holds, so a
      // number compares as a number ('10' > '3' would be false as text).
      if (isUntypedItemField(spec)) return 'ANY'
      return spec.kind === 'parameter' ? spec.type : 'STRING'
    }
    const types = [typeOf(p.left), typeOf(p.right)]
    const typed = types.filter((t) => t !== 'ANY')
    const numeric = typed.length > 0 && typed.every((t) => t === 'NUMBER_INTEGER' || t === 'NUMBER_DOUBLE')
    // A value of unknown type may hold 2.5: compared as a float.
    const integral = types.every((t) => t === 'NUMBER_INTEGER')
    const boolean = typed.length > 0 && typed.every((t) => t === 'BOOLEAN')
    // A value of unknown type against a boolean: KFP's CEL finds it equal only when it holds that
    // boolean, so both sides compare as text ('true' / 'false'), where parsing the unknown side as
    // a boolean would make any other text equal to false.
    const asText = boolean && types.includes('ANY')
    const operand = (s: ValueSourceNode, other: ValueSourceNode): string => {
      if (s.kind === 'constant') {
        const v = s.value
        if (numeric && typeof v === 'number') return exprNumber(v)
        if (asText && typeof v === 'boolean') return exprLiteral(v ? 'true' : 'false')
        if (boolean && typeof v === 'boolean') return v ? 'true' : 'false'
        // Conditions are written in the raw domain (see dag.ts): values compare as they are.
        return exprLiteral(driverText(v))
      }
      const value = this.resolve(s, where) ?? constSource('')
      const untyped = typeOf(s) === 'ANY'
      // A number or a boolean reads the same encoded: a reference to one is not decoded.
      const ref = b.ref(value, (numeric || boolean) && !(asText && untyped) && value.kind === 'atom')
      if (numeric) return integral ? `int(${ref})` : `float(${ref})`
      if (asText) return untyped ? ref : `string(lower(trim(${ref}))=='true')`
      if (boolean) return `(lower(trim(${ref}))=='true')`
      return ref
    }
    return `${operand(p.left, p.right)}${p.op}${operand(p.right, p.left)}`
  }
}

/** One iteration's value as JSON, so Argo's aggregated list holds exactly the values. */
function iterationJson(value: Source, spec: IoSpecNode): Source {
  if (spec.kind !== 'parameter') return value
  const b = new ExprBuilder()
  switch (spec.type) {
    case 'STRING':
      return b.done(`toJson(${b.ref(value)})`)
    case 'BOOLEAN':
      return b.done(`toJson(lower(trim(${b.ref(value)}))in['true','1','t'])`)
    default:
      return value
  }
}

/** A static loop item as written under `withItems` (strings brace-encoded, like constants). */
function loopItemValue(value: JsonValue): unknown {
  if (typeof value === 'string') return encodeValue(value).text
  if (Array.isArray(value)) return value.map(loopItemValue)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = loopItemValue(v as JsonValue)
    return out
  }
  return value
}

function setAt(value: JsonValue, path: readonly (string | number)[], replacement: JsonValue): void {
  let node = value as Record<string | number, JsonValue>
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, JsonValue>
  node[path[path.length - 1]!] = replacement
}

/** A readable base for the name of a punched-through input or an exported output. */
function needBase(source: ValueSourceNode): string {
  switch (source.kind) {
    case 'pipelineInput':
      return source.name
    case 'taskOutput':
    case 'collected':
      return `${source.task}-${source.output}`
    case 'loopItem':
      return [`${source.loop}-item`, ...(source.path ?? [])].join('-')
    case 'oneOf':
      return `${source.branches}-oneof`
    default:
      return 'value'
  }
}

/**
 * Builds the DAG template of one pipeline instance. `present` are the pipeline's inputs that have a
 * value (the caller passes them or they have a default): inputs fed by absent ones are left out, so
 * their consumers see them as not given, as KFP's driver does.
 */
export function buildPipelineTemplate(
  ctx: EmitContext,
  pipeline: AnalysedPipeline,
  present: ReadonlySet<string>,
  isRoot: boolean,
  hasDisplayName: boolean,
  pathPrefix: string,
  diagPath: readonly string[],
  retry?: RetryNode,
): BuiltTemplate {
  const inst = new PipelineInstance(ctx, pipeline, present, isRoot, pathPrefix, diagPath)
  const builder = new ScopeBuilder(inst, undefined, pipeline.root)
  builder.build()
  const node = pipeline.node

  const renamed: Record<string, string> = {}
  const outputs: ScopeOutput[] = []
  const templateOutputs = new Map<string, TemplateOutput>()
  for (const name of Object.keys(node.outputs).sort(compareNames)) {
    const output = node.outputs[name]!
    const source = builder.resolve(output.from, [...diagPath, 'outputs', name])
    if (!source) continue
    const artifact = output.spec.kind === 'artifact'
    const argo = argoIoName(name)
    if (argo !== name) renamed[argo] = name
    outputs.push({ name: argo, artifact, source })
    templateOutputs.set(name, { argoName: argo, artifact, originalName: name })
  }

  const inputParameters: Json[] = []
  const inputArtifacts: Json[] = []
  const declared = new Map<string, string>()
  for (const name of Object.keys(node.inputs).sort(compareNames)) {
    const argo = argoIoName(name)
    const spec = node.inputs[name]!
    if (argo !== name) renamed[argo] = name
    if (!present.has(name)) continue
    if (spec.kind === 'artifact') inputArtifacts.push({ name: argo })
    else if (!isRoot) inputParameters.push({ name: argo, ...(spec.default !== undefined && { default: encodeValue(driverText(spec.default)).text }) })
    if (!isRoot || spec.kind === 'artifact') declared.set(name, argo)
  }
  if (!isRoot) inputParameters.push({ name: RESERVED.task })
  if (hasDisplayName) inputParameters.push({ name: RESERVED.displayName })

  const entry = buildScopeTemplate(ctx, {
    baseName: node.name,
    isRoot,
    leaves: builder.leaves,
    outputs,
    inputs: argumentsOf(inputParameters, inputArtifacts) ?? {},
    hasDisplayName,
    ...(builder.parallelism !== undefined && { parallelism: builder.parallelism }),
    ...(retry !== undefined && { retryStrategy: retryStrategyFor(retry) }),
    renamed,
  })
  return { entry, inputNames: declared, outputs: templateOutputs }
}
