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
  pipelineInputs: Set<string>
  loopItems: Set<string>
  cacheable: boolean
  reason?: string
  ingredients: JsonValue
}

/**
 * Computes every task's cache key in one pass over the analysed graph (producers before
 * consumers). Both targets and the local runner read the result, so they always agree.
 */
export function computeCacheKeys(pipeline: AnalysedPipeline): ReadonlyMap<string, TaskCacheKey> {
  // Computed once per analysed graph: the KFP and Argo targets of one compile share the result.
  let computed = computedKeys.get(pipeline)
  if (!computed) computedKeys.set(pipeline, (computed = computeKeys(pipeline)))
  return computed
}

const computedKeys = new WeakMap<AnalysedPipeline, ReadonlyMap<string, TaskCacheKey>>()

function computeKeys(pipeline: AnalysedPipeline): ReadonlyMap<string, TaskCacheKey> {
  const keys = new Map<string, Partial>()
  const visiting = new Set<string>()

  const keyOf = (name: string): Partial => {
    const done = keys.get(name)
    if (done) return done
    const task = pipeline.tasks.get(name)!
    if (visiting.has(name)) throw new Error(`cycle through ${name} escaped analysis`)
    visiting.add(name)
    const result = computeTask(task)
    visiting.delete(name)
    keys.set(name, result)
    return result
  }

  const ingredientOf = (source: ValueSourceNode, into: Partial, consumerPath: readonly string[]): JsonValue => {
    switch (source.kind) {
      case 'constant':
        return { constant: source.value }
      case 'pipelineInput':
        into.pipelineInputs.add(source.name)
        return { pipelineInput: source.name }
      case 'loopItem':
        // The item's value joins the key at run time; the list it came from does not matter.
        into.loopItems.add(source.loop)
        return { loopItem: [...(source.path ?? [])] }
      case 'taskOutput': {
        const upstream = keyOf(source.task)
        absorb(into, upstream, source.task, NONE)
        return { taskOutput: upstream.digest, output: source.output }
      }
      case 'collected': {
        // The list holds one value per iteration of every loop around the producer that is not
        // around the consumer: what those loops iterate over is part of the key; their items,
        // which only exist inside them, are not.
        const producer = pipeline.tasks.get(source.task)!
        const fannedIn = producer.path.filter((g) => !consumerPath.includes(g) && pipeline.groups.get(g)?.node.kind === 'loop')
        const upstream = keyOf(source.task)
        absorb(into, upstream, source.task, new Set(fannedIn))
        return { collected: upstream.digest, output: source.output, over: fannedIn.map((loop) => loopIngredient(loop, into, consumerPath)) }
      }
      case 'oneOf': {
        // Which branch ran is decided by the branch conditions: their operands join the key.
        const branches = pipeline.groups.get(source.branches)?.node
        const conditions = branches?.kind === 'branches' ? branches.branches.map((b) => (b.predicate ? predicateIngredient(b.predicate, into, consumerPath) : null)) : []
        return {
          oneOf: source.sources.map((option) => {
            const upstream = keyOf(option.task)
            absorb(into, upstream, option.task, NONE)
            return { task: upstream.digest, output: option.output }
          }),
          conditions,
        }
      }
      case 'template':
        return { template: source.parts.map((part) => (typeof part === 'string' ? part : ingredientOf(part, into, consumerPath))) }
      case 'composite':
        return { composite: source.value, embedded: source.embedded.map((e) => ({ path: [...e.path], value: ingredientOf(e.source, into, consumerPath) })) }
      case 'taskFinalStatus':
        into.cacheable = false
        into.reason ??= 'reads the final status of other tasks'
        return { finalStatus: true }
    }
  }

  const predicateIngredient = (predicate: PredicateNode, into: Partial, consumerPath: readonly string[]): JsonValue => {
    switch (predicate.kind) {
      case 'compare':
        return { op: predicate.op, left: ingredientOf(predicate.left, into, consumerPath), right: ingredientOf(predicate.right, into, consumerPath) }
      case 'not':
        return { not: predicateIngredient(predicate.item, into, consumerPath) }
      case 'and':
      case 'or':
        return { [predicate.kind]: predicate.items.map((item) => predicateIngredient(item, into, consumerPath)) }
    }
  }

  /** A loop's identity for keys: what it iterates over (and what that depends on), not its id. */
  const loopIngredient = (loopId: string, into: Partial, consumerPath: readonly string[]): JsonValue => {
    const loop = pipeline.groups.get(loopId)?.node
    if (loop?.kind !== 'loop') return loopId
    if (loop.items.kind === 'raw') return { raw: loop.items.values }
    // The list is read where the loop stands, outside the loop itself.
    const outside = pipeline.groups.get(loopId)!.path
    const probe: Partial = { digest: '', pipelineInputs: new Set(), loopItems: new Set(), cacheable: true, ingredients: null }
    const from = ingredientOf(loop.items.from, probe, outside)
    for (const input of probe.pipelineInputs) into.pipelineInputs.add(input)
    for (const item of probe.loopItems) if (consumerPath.includes(item)) into.loopItems.add(item)
    if (!probe.cacheable) {
      into.cacheable = false
      into.reason ??= probe.reason ?? "its loop list is not cacheable"
    }
    return { from }
  }

  const computeTask = (task: AnalysedTask): Partial => {
    const node: TaskNode = task.node
    const partial: Partial = { digest: '', pipelineInputs: new Set(), loopItems: new Set(), cacheable: true, ingredients: null }
    const inputs: Record<string, JsonValue> = {}
    for (const { input, from } of task.edges) inputs[input] = ingredientOf(from, partial, task.path)
    // Dependencies by `after` carry no data, but a re-run upstream with side effects matters:
    // it only affects whether this task may reuse a result, not the key.
    for (const dep of [...node.after].sort(compareNames)) {
      const upstream = keyOf(dep)
      if (!upstream.cacheable) {
        partial.cacheable = false
        partial.reason ??= `runs after "${dep}", which is not cacheable`
      }
    }
    // Loops enclosing the task make every iteration a distinct computation only through the
    // items it reads; enclosing conditions do not change what it computes.
    const env = node.env.map((e) => [e.name, e.value])
    const ingredients: JsonValue = {
      component: componentDigest(node.component),
      inputs,
      env,
      ...(node.caching.key !== undefined && { customKey: node.caching.key }),
    }
    partial.ingredients = ingredients
    partial.digest = sha256(canonicalJson(ingredients))
    if (!task.caching) {
      partial.cacheable = false
      partial.reason = 'caching is off for this task'
    }
    return partial
  }

  // Producers first (the analysed scopes are in topological order, and a group stands after what
  // its members read from outside): `keyOf` then finds every upstream key made and does not
  // recurse along a chain, which would overflow the stack at a hundred thousand tasks.
  const inOrder = (scope: AnalysedScope): void => {
    for (const name of scope.order) {
      const member = scope.members.get(name)!
      if (member.kind === 'task') keyOf(name)
      else inOrder(member.scope)
    }
  }
  inOrder(pipeline.root)
  const names = [...pipeline.tasks.keys()].sort(compareNames)
  for (const name of names) keyOf(name)
  const out = new Map<string, TaskCacheKey>()
  for (const name of names) {
    const k = keys.get(name)!
    out.set(name, {
      digest: k.digest,
      pipelineInputs: k.pipelineInputs.size === 0 ? NO_NAMES : [...k.pipelineInputs].sort(compareNames),
      loopItems: k.loopItems.size === 0 ? NO_NAMES : [...k.loopItems].sort(compareNames),
      cacheable: k.cacheable,
      ...(k.reason !== undefined && { reason: k.reason }),
      ingredients: k.ingredients,
    })
  }
  return out
}

const NONE: ReadonlySet<string> = new Set()
const NO_NAMES: readonly string[] = Object.freeze([])

function absorb(into: Partial, upstream: Partial, name: string, fannedIn: ReadonlySet<string>): void {
  for (const input of upstream.pipelineInputs) into.pipelineInputs.add(input)
  for (const loop of upstream.loopItems) if (!fannedIn.has(loop)) into.loopItems.add(loop)
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
