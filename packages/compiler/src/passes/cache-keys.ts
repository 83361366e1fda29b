import { hash } from 'node:crypto'
import type { CommandArgNode, ComponentNode, JsonValue, PredicateNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import type { AnalysedPipeline, AnalysedScope, AnalysedTask } from '../analyse/graph.ts'
import { compareNames } from '../analyse/graph.ts'

/**
 * Content-addressed cache keys.
 *
 * A task's key is a hash over the canonical form of what determines its outputs:
 *  - the component: image, command and args, input and output specs (and, for function
 *    components, their code), and the task's environment variables;
 *  - its constant inputs;
 *  - for inputs fed by other tasks, the producer's key (a Merkle chain), so a change anywhere
 *    upstream changes every key downstream and nothing else;
 *  - the names of the pipeline inputs and loop items it reads, directly or through its
 *    ancestors; their run-time values join the key when the task runs ({@link runtimeCacheKey}).
 *
 * What never enters a key: task names, declaration order, display names, resources, retries,
 * node placement, the pipeline's name. A task that reads the output of a task whose caching is
 * off (or the final status of other tasks) is never cacheable: its inputs are fresh every run.
 */
export interface TaskCacheKey {
  /** Hex SHA-256 of everything known at compile time. */
  readonly digest: string
  /** Pipeline inputs whose run-time values complete the key, sorted. */
  readonly pipelineInputs: readonly string[]
  /** Loop ids whose current item completes the key (with the field path read), sorted. */
  readonly loopItems: readonly string[]
  /** False when the task must run every time. */
  readonly cacheable: boolean
  /** Why the task is not cacheable, for `typeflow plan`. */
  readonly reason?: string
  /** The canonical record that was hashed, for explaining a hit or miss. */
  readonly ingredients: JsonValue
}

/** True when the whole key is known at compile time (no run-time values join it). */
export function isStaticKey(key: TaskCacheKey): boolean {
  return key.cacheable && key.pipelineInputs.length === 0 && key.loopItems.length === 0
}

/** Object keys are few and repeat in every record (`component`, `inputs`, input names): quote each once. */
const quotedKeys = new Map<string, string>()

/** Canonical JSON: sorted keys, no whitespace, `-0` as `0`. Same value, same string, anywhere. */
export function canonicalJson(value: unknown): string {
  // One string built in place: this runs for every task of every compile (keys are on the hot path).
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : JSON.stringify(value)
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) {
    let out = '['
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i])
    return `${out}]`
  }
  const record = value as Record<string, unknown>
  const keys = Object.keys(record)
  // Code-unit order, the same as `compareNames`.
  if (keys.length > 1) keys.sort()
  let out = '{'
  let first = true
  for (const key of keys) {
    const item = record[key]
    if (item === undefined) continue
    let quotedKey = quotedKeys.get(key)
    if (quotedKey === undefined) {
      quotedKey = JSON.stringify(key)
      if (quotedKeys.size < 10_000) quotedKeys.set(key, quotedKey)
    }
    out += `${first ? '' : ','}${quotedKey}:${canonicalJson(item)}`
    first = false
  }
  return `${out}}`
}

function sha256(text: string): string {
  // The one-shot form: no Hash object per task.
  return hash('sha256', text, 'hex')
}

function commandLine(args: readonly CommandArgNode[] | undefined): JsonValue {
  return (args ?? []) as unknown as JsonValue
}

const componentDigests = new WeakMap<ComponentNode, string>()

/** Digest of a component's definition; cached per component object (shared by its tasks). */
function componentDigest(component: ComponentNode): string {
  const cached = componentDigests.get(component)
  if (cached) return cached
  let record: JsonValue
  switch (component.kind) {
    case 'container':
      record = {
        kind: 'container',
        image: component.image,
        command: commandLine(component.command),
        args: commandLine(component.args),
        inputs: component.inputs as unknown as JsonValue,
        outputs: component.outputs as unknown as JsonValue,
      }
      break
    case 'importer':
      record = {
        kind: 'importer',
        type: component.artifactType as unknown as JsonValue,
        reimport: component.reimport,
        metadata: component.metadata ?? null,
      }
      break
    case 'pipeline':
      // A nested pipeline's identity is its whole graph: hash its canonical IR minus names
      // that do not affect outputs is overkill; its tasks get keys of their own when it runs.
      record = { kind: 'pipeline', body: stripPresentation(component) }
      break
  }
  const digest = sha256(canonicalJson(record))
  componentDigests.set(component, digest)
  return digest
}

/**
 * The IR without the fields that never change what a task computes. A body is a set of nodes
 * (edges, not positions, order them) and so is an `after` list: both are sorted, so declaration
 * order does not reach the key. Branches keep their order: the first that holds runs.
 */
function stripPresentation(value: unknown): JsonValue {
  if (Array.isArray(value)) return value.map(stripPresentation)
  if (value === null || typeof value !== 'object') return value as JsonValue
  const out: Record<string, JsonValue> = {}
  for (const [k, v] of Object.entries(value)) {
    if (k === 'source' || k === 'displayName' || k === 'resources' || k === 'retry' || k === 'description') continue
    out[k] = (k === 'body' || k === 'after') && Array.isArray(v) ? sortedByCanonicalForm(v.map(stripPresentation)) : stripPresentation(v)
  }
  return out
}

function sortedByCanonicalForm(items: JsonValue[]): JsonValue[] {
  return items
    .map((item) => ({ item, text: canonicalJson(item) }))
    .sort((a, b) => compareNames(a.text, b.text))
    .map((entry) => entry.item)
}

interface Partial {
  digest: string
  pipelineInputs: Names
  loopItems: Names
  cacheable: boolean
  reason?: string
  ingredients: JsonValue
}

/**
 * The names a key depends on. Most tasks depend on exactly the names of what they read from: the
 * set is shared with that producer until a name of its own joins (copy on write), so a chain of
 * ten thousand tasks allocates a few sets, not twenty thousand. A set is written only by the
 * task being keyed, and a producer's key is complete before a consumer reads it.
 */
class Names {
  private set: ReadonlySet<string> = NONE
  private owned = false

  add(name: string): void {
    if (this.set.has(name)) return
    if (!this.owned) {
      this.set = new Set(this.set)
      this.owned = true
    }
    ;(this.set as Set<string>).add(name)
  }

  /** Adds the other's names, except the `left` out ones. */
  addAll(other: Names, left: ReadonlySet<string>): void {
    // Two inputs from one producer, or a producer that depends on no names: nothing to add.
    if (other.set === this.set || other.set.size === 0) return
    if (this.set.size === 0 && left.size === 0) {
      this.set = other.set
      this.owned = false
      return
    }
    for (const name of other.set) if (!left.has(name)) this.add(name)
  }

  values(): Iterable<string> {
    return this.set
  }

  /** The names in order, one frozen array per set (shared by the keys that share the set). */
  sorted(cache: Map<ReadonlySet<string>, readonly string[]>): readonly string[] {
    if (this.set.size === 0) return NO_NAMES
    let sorted = cache.get(this.set)
    if (!sorted) cache.set(this.set, (sorted = Object.freeze([...this.set].sort(compareNames))))
    return sorted
  }
}

/**
 * An ingredient with its canonical JSON. Keys are made for every task of every compile: writing
 * the text while the value is built, in the key order `canonicalJson` would sort to, spares a
 * second walk that lists and sorts the keys of every record (once most of the pass's time).
 * Rare or open-ended shapes take `canonicalJson` of the value, so the text always equals it.
 */
interface Ingredient {
  readonly value: JsonValue
  readonly text: string
}

/** What a loop contributes to the key of a task that reads the loop's items or collects over it. */
interface LoopIdentity {
  readonly ingredient: Ingredient
  readonly pipelineInputs: readonly string[]
  readonly loopItems: readonly string[]
  readonly cacheable: boolean
  readonly reason?: string
}

const FINAL_STATUS: Ingredient = { value: Object.freeze({ finalStatus: true }), text: '{"finalStatus":true}' }

/**
 * Computes every task's cache key in one pass over the analysed graph (producers before
 * consumers). Both targets and the local runner read the result, so they always agree.
 */
export function computeCacheKeys(pipeline: AnalysedPipeline): ReadonlyMap<string, TaskCacheKey> {
  // Computed once per analysed graph: the KFP and Argo targets of one compile share the result.
  let computed = computedKeys.get(pipeline)
  if (!computed) computedKeys.set(pipeline, (computed = new KeyPass(pipeline).run()))
  return computed
}

const computedKeys = new WeakMap<AnalysedPipeline, ReadonlyMap<string, TaskCacheKey>>()

/**
 * One computation of every key of a graph. Methods rather than closures made per call: V8 keeps
 * what it learnt and compiled for them from one compile to the next, so even the second compile
 * of a process runs optimized code.
 */
class KeyPass {
  /** A task's entry is `null` while its key is being made: meeting it again is a cycle. */
  private readonly keys = new Map<string, Partial | null>()
  /** Many tasks collect over the same loop: what the loop iterates over is worked out once. */
  private readonly loops = new Map<string, LoopIdentity>()

  constructor(private readonly pipeline: AnalysedPipeline) {}

  private keyOfTask(task: AnalysedTask): Partial {
    const done = this.keys.get(task.name)
    if (done) return done
    if (done === null) throw new Error(`cycle through ${task.name} escaped analysis`)
    this.keys.set(task.name, null)
    const result = this.computeTask(task)
    this.keys.set(task.name, result)
    return result
  }

  private keyOf(name: string): Partial {
    return this.keys.get(name) ?? this.keyOfTask(this.pipeline.tasks.get(name)!)
  }

  private ingredientOf(source: ValueSourceNode, into: Partial, consumerPath: readonly string[]): Ingredient {
    switch (source.kind) {
      case 'constant':
        return source.value === undefined
          ? { value: { constant: source.value }, text: '{}' }
          : { value: { constant: source.value }, text: `{"constant":${canonicalJson(source.value)}}` }
      case 'pipelineInput':
        into.pipelineInputs.add(source.name)
        return { value: { pipelineInput: source.name }, text: `{"pipelineInput":${JSON.stringify(source.name)}}` }
      case 'loopItem': {
        // The item's value joins the key at run time; the list it came from does not matter.
        into.loopItems.add(source.loop)
        const path = [...(source.path ?? [])]
        return { value: { loopItem: path }, text: `{"loopItem":${canonicalJson(path)}}` }
      }
      case 'taskOutput': {
        const upstream = this.keyOf(source.task)
        absorb(into, upstream, source.task, NONE)
        return {
          value: { taskOutput: upstream.digest, output: source.output },
          text: `{"output":${JSON.stringify(source.output)},"taskOutput":"${upstream.digest}"}`,
        }
      }
      case 'collected': {
        // The list holds one value per iteration of every loop around the producer that is not
        // around the consumer: what those loops iterate over is part of the key; their items,
        // which only exist inside them, are not.
        const producer = this.pipeline.tasks.get(source.task)!
        const fannedIn = producer.path.filter((g) => !consumerPath.includes(g) && this.pipeline.groups.get(g)?.node.kind === 'loop')
        const upstream = this.keyOf(source.task)
        absorb(into, upstream, source.task, fannedIn.length === 0 ? NONE : new Set(fannedIn))
        const over = fannedIn.map((loop) => this.loopIngredient(loop, into, consumerPath))
        let overText = ''
        for (let i = 0; i < over.length; i++) overText += (i > 0 ? ',' : '') + over[i]!.text
        return {
          value: { collected: upstream.digest, output: source.output, over: over.map((o) => o.value) },
          text: `{"collected":"${upstream.digest}","output":${JSON.stringify(source.output)},"over":[${overText}]}`,
        }
      }
      case 'oneOf': {
        // Which branch ran is decided by the branch conditions: their operands join the key.
        const branches = this.pipeline.groups.get(source.branches)?.node
        const conditions = branches?.kind === 'branches' ? branches.branches.map((b) => (b.predicate ? this.predicateIngredient(b.predicate, into, consumerPath) : null)) : []
        const value: JsonValue = {
          oneOf: source.sources.map((option) => {
            const upstream = this.keyOf(option.task)
            absorb(into, upstream, option.task, NONE)
            return { task: upstream.digest, output: option.output }
          }),
          conditions,
        }
        return { value, text: canonicalJson(value) }
      }
      case 'template': {
        const value: JsonValue = { template: source.parts.map((part) => (typeof part === 'string' ? part : this.ingredientOf(part, into, consumerPath).value)) }
        return { value, text: canonicalJson(value) }
      }
      case 'composite': {
        const value: JsonValue = {
          composite: source.value,
          embedded: source.embedded.map((e) => ({ path: [...e.path], value: this.ingredientOf(e.source, into, consumerPath).value })),
        }
        return { value, text: canonicalJson(value) }
      }
      case 'taskFinalStatus':
        into.cacheable = false
        into.reason ??= 'reads the final status of other tasks'
        return FINAL_STATUS
    }
  }

  private predicateIngredient(predicate: PredicateNode, into: Partial, consumerPath: readonly string[]): JsonValue {
    switch (predicate.kind) {
      case 'compare':
        return { op: predicate.op, left: this.ingredientOf(predicate.left, into, consumerPath).value, right: this.ingredientOf(predicate.right, into, consumerPath).value }
      case 'not':
        return { not: this.predicateIngredient(predicate.item, into, consumerPath) }
      case 'and':
      case 'or':
        return { [predicate.kind]: predicate.items.map((item) => this.predicateIngredient(item, into, consumerPath)) }
    }
  }

  /** A loop's identity for keys: what it iterates over (and what that depends on), not its id. */
  private loopIngredient(loopId: string, into: Partial, consumerPath: readonly string[]): Ingredient {
    let identity = this.loops.get(loopId)
    if (!identity) this.loops.set(loopId, (identity = this.loopIdentity(loopId)))
    for (const input of identity.pipelineInputs) into.pipelineInputs.add(input)
    for (const item of identity.loopItems) if (consumerPath.includes(item)) into.loopItems.add(item)
    if (!identity.cacheable) {
      into.cacheable = false
      into.reason ??= identity.reason ?? 'its loop list is not cacheable'
    }
    return identity.ingredient
  }

  private loopIdentity(loopId: string): LoopIdentity {
    const loop = this.pipeline.groups.get(loopId)?.node
    if (loop?.kind !== 'loop') return { ingredient: { value: loopId, text: JSON.stringify(loopId) }, pipelineInputs: NO_NAMES, loopItems: NO_NAMES, cacheable: true }
    if (loop.items.kind === 'raw') {
      const value: JsonValue = { raw: loop.items.values }
      return { ingredient: { value, text: canonicalJson(value) }, pipelineInputs: NO_NAMES, loopItems: NO_NAMES, cacheable: true }
    }
    // The list is read where the loop stands, outside the loop itself.
    const outside = this.pipeline.groups.get(loopId)!.path
    const probe = emptyPartial()
    const from = this.ingredientOf(loop.items.from, probe, outside)
    return {
      ingredient: { value: { from: from.value }, text: `{"from":${from.text}}` },
      pipelineInputs: [...probe.pipelineInputs.values()],
      loopItems: [...probe.loopItems.values()],
      cacheable: probe.cacheable,
      ...(probe.reason !== undefined && { reason: probe.reason }),
    }
  }

  private computeTask(task: AnalysedTask): Partial {
    const node: TaskNode = task.node
    const partial = emptyPartial()
    const inputs: Record<string, JsonValue> = {}
    // The edges come in name order, the order `canonicalJson` sorts a record's keys to.
    let inputsText = '{'
    let previous: string | undefined
    let inOrder = true
    for (const { input, from } of task.edges) {
      const ingredient = this.ingredientOf(from, partial, task.path)
      inputs[input] = ingredient.value
      // `__proto__` would not become a key of the record: leave such a name to `canonicalJson`.
      if ((previous !== undefined && !(previous < input)) || input === '__proto__') inOrder = false
      inputsText += `${previous === undefined ? '' : ','}${JSON.stringify(input)}:${ingredient.text}`
      previous = input
    }
    inputsText = inOrder ? `${inputsText}}` : canonicalJson(inputs)
    // Dependencies by `after` carry no data, but a re-run upstream with side effects matters:
    // it only affects whether this task may reuse a result, not the key.
    const after = node.after.length > 1 ? [...node.after].sort(compareNames) : node.after
    for (const dep of after) {
      const upstream = this.keyOf(dep)
      if (!upstream.cacheable) {
        partial.cacheable = false
        partial.reason ??= `runs after "${dep}", which is not cacheable`
      }
    }
    // Loops enclosing the task make every iteration a distinct computation only through the
    // items it reads; enclosing conditions do not change what it computes.
    const env: JsonValue = node.env.map((e) => [e.name, e.value])
    const component = componentDigest(node.component)
    const customKey = node.caching.key
    partial.ingredients = customKey === undefined ? { component, inputs, env } : { component, inputs, env, customKey }
    partial.digest = sha256(
      `{"component":"${component}",${customKey === undefined ? '' : `"customKey":${canonicalJson(customKey)},`}"env":${env.length === 0 ? '[]' : canonicalJson(env)},"inputs":${inputsText}}`,
    )
    if (!task.caching) {
      partial.cacheable = false
      partial.reason = 'caching is off for this task'
    }
    return partial
  }

  /**
   * Producers first (the analysed scopes are in topological order, and a group stands after what
   * its members read from outside): `keyOf` then finds every upstream key made and does not
   * recurse along a chain, which would overflow the stack at a hundred thousand tasks.
   */
  private inOrder(scope: AnalysedScope): void {
    for (const name of scope.order) {
      const member = scope.members.get(name)!
      if (member.kind === 'task') this.keyOfTask(member)
      else this.inOrder(member.scope)
    }
  }

  /** Every task's key, by task name in name order. */
  run(): ReadonlyMap<string, TaskCacheKey> {
    this.inOrder(this.pipeline.root)
    const names = [...this.pipeline.tasks.keys()].sort(compareNames)
    const sorted = new Map<ReadonlySet<string>, readonly string[]>()
    const out = new Map<string, TaskCacheKey>()
    for (const name of names) {
      // Keys are complete once made: a task the walk above missed is keyed here, in name order.
      const k = this.keyOf(name)
      const pipelineInputs = k.pipelineInputs.sorted(sorted)
      const loopItems = k.loopItems.sorted(sorted)
      out.set(
        name,
        k.reason === undefined
          ? { digest: k.digest, pipelineInputs, loopItems, cacheable: k.cacheable, ingredients: k.ingredients }
          : { digest: k.digest, pipelineInputs, loopItems, cacheable: k.cacheable, reason: k.reason, ingredients: k.ingredients },
      )
    }
    return out
  }
}

const NONE: ReadonlySet<string> = new Set()
const NO_NAMES: readonly string[] = Object.freeze([])

function emptyPartial(): Partial {
  return { digest: '', pipelineInputs: new Names(), loopItems: new Names(), cacheable: true, ingredients: null }
}

function absorb(into: Partial, upstream: Partial, name: string, fannedIn: ReadonlySet<string>): void {
  into.pipelineInputs.addAll(upstream.pipelineInputs, NONE)
  into.loopItems.addAll(upstream.loopItems, fannedIn)
  if (!upstream.cacheable) {
    into.cacheable = false
    into.reason ??= `reads from "${name}", which is not cacheable (${upstream.reason ?? 'caching off'})`
  }
}

/**
 * The full key of a task once its run-time values are known: the compile-time digest plus the
 * values of the pipeline inputs and loop items it depends on. The local runner uses it; the
 * Argo target builds the same string with template expressions.
 *
 * @example
 * ```ts
 * import { runtimeCacheKey } from '@typeflow/compiler'
 * const key = runtimeCacheKey({ digest: 'ab12…', pipelineInputs: ['epochs'], loopItems: [] }, { epochs: 10 }, {})
 * ```
 */
export function runtimeCacheKey(
  key: Pick<TaskCacheKey, 'digest' | 'pipelineInputs' | 'loopItems'>,
  pipelineInputs: Readonly<Record<string, unknown>>,
  loopItems: Readonly<Record<string, unknown>>,
): string {
  if (key.pipelineInputs.length === 0 && key.loopItems.length === 0) return key.digest
  const values = {
    inputs: Object.fromEntries(key.pipelineInputs.map((name) => [name, pipelineInputs[name] ?? null])),
    items: Object.fromEntries(key.loopItems.map((loop) => [loop, loopItems[loop] ?? null])),
  }
  return sha256(`${key.digest}:${canonicalJson(values)}`)
}
