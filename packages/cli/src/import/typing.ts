/**
 * Element types for list parameters. A KFP list is just `LIST`; in TypeScript a loop over it
 * needs to know what its items are, so the importer reads how each loop uses its item (which
 * inputs it feeds, which fields it reads, what it is compared with) and writes that type on the
 * list's declaration: `param.list<{ name: string; size: number }>()`.
 *
 * @module
 */
import type { IoSpecNode, JsonValue } from '@typeflow/dsl'
import ts from 'typescript'
import type { BodyModel, ContainerModel, ImportModel, PipelineModel, PredicateModel, TaskModel, Value } from './model.ts'
import { isIdentifier } from './names.ts'

const f = ts.factory

/** What the uses of a value require of its type. */
interface Need {
  prims: Set<'string' | 'number' | 'boolean'>
  list: boolean
  struct: boolean
  fields: Map<string, Need>
  element?: Need
}

const newNeed = (): Need => ({ prims: new Set(), list: false, struct: false, fields: new Map() })

function needAt(root: Need, path: readonly string[]): Need {
  let need = root
  for (const field of path) {
    let next = need.fields.get(field)
    if (!next) need.fields.set(field, (next = newNeed()))
    need = next
  }
  return need
}

function requireSpec(need: Need, spec: IoSpecNode | undefined): void {
  if (spec?.kind !== 'parameter') return
  switch (spec.type) {
    case 'STRING':
      need.prims.add('string')
      break
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE':
      need.prims.add('number')
      break
    case 'BOOLEAN':
      need.prims.add('boolean')
      break
    case 'LIST':
      need.list = true
      break
    case 'STRUCT':
      need.struct = true
      break
  }
}

function merge(into: Need, from: Need): void {
  for (const p of from.prims) into.prims.add(p)
  into.list ||= from.list
  into.struct ||= from.struct
  for (const [k, v] of from.fields) merge(needAt(into, [k]), v)
  if (from.element) merge((into.element ??= newNeed()), from.element)
}

/** What a value (a list's default) requires, so the declared element type accepts it. */
function needOfValue(value: JsonValue): Need {
  const need = newNeed()
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') need.prims.add(typeof value as 'string')
  else if (Array.isArray(value)) {
    need.element = newNeed()
    for (const item of value as readonly JsonValue[]) merge(need.element, needOfValue(item))
  } else if (value !== null) {
    for (const [k, v] of Object.entries(value)) merge(needAt(need, [k]), needOfValue(v))
  }
  return need
}

/** `JsonValue`, or the type the uses call for. Undefined when nothing is known. */
function typeOf(need: Need, jsonValue: () => ts.TypeNode): ts.TypeNode | undefined {
  if (need.fields.size > 0) {
    return singleLine(f.createTypeLiteralNode(
      [...need.fields].map(([k, v]) =>
        f.createPropertySignature(undefined, isIdentifier(k) ? k : f.createStringLiteral(k, true), undefined, typeOf(v, jsonValue) ?? jsonValue()),
      ),
    ))
  }
  if (need.element) {
    const element = typeOf(need.element, jsonValue) ?? jsonValue()
    return f.createTypeOperatorNode(ts.SyntaxKind.ReadonlyKeyword, f.createArrayTypeNode(element))
  }
  const prims = [...need.prims].sort()
  if (prims.length > 0) {
    const keyword = { string: ts.SyntaxKind.StringKeyword, number: ts.SyntaxKind.NumberKeyword, boolean: ts.SyntaxKind.BooleanKeyword } as const
    const nodes = prims.map((p) => f.createKeywordTypeNode(keyword[p]))
    return nodes.length === 1 ? nodes[0]! : f.createUnionTypeNode(nodes)
  }
  if (need.list && !need.struct) return f.createTypeOperatorNode(ts.SyntaxKind.ReadonlyKeyword, f.createArrayTypeNode(jsonValue()))
  if (need.struct && !need.list) return jsonObject(jsonValue)
  return undefined
}

/** The TypeScript shape of a value, as far as assignability to a task input goes. */
export type ValueKind = 'string' | 'number' | 'boolean' | 'list' | 'struct' | 'status' | `artifact:${string}` | 'unknown'

/** Type arguments for list declarations, by pipeline input and by component output. */
export interface ListTypes {
  readonly pipelineInputs: Map<PipelineModel, Map<string, ts.TypeNode>>
  readonly componentOutputs: Map<ContainerModel, Map<string, ts.TypeNode>>
  /** The kind of a loop item (or a field of it) as declared, keyed by pipeline and loop id. */
  readonly items: Map<PipelineModel, Map<string, (path: readonly string[]) => ValueKind>>
}

/** The kind a declared need gives its value (see {@link typeOf}). */
function kindOfNeed(need: Need | undefined): ValueKind {
  if (!need) return 'unknown'
  if (need.fields.size > 0) return 'struct'
  if (need.element) return 'list'
  if (need.prims.size === 1) return [...need.prims][0]!
  if (need.prims.size > 1) return 'unknown'
  if (need.list && !need.struct) return 'list'
  if (need.struct && !need.list) return 'struct'
  return 'unknown'
}

function singleLine<T extends ts.Node>(node: T): T {
  return ts.setEmitFlags(node, ts.EmitFlags.SingleLine)
}

/** `{ readonly [key: string]: JsonValue }` */
function jsonObject(jsonValue: () => ts.TypeNode): ts.TypeNode {
  return singleLine(f.createTypeLiteralNode([
    f.createIndexSignature(
      [f.createModifier(ts.SyntaxKind.ReadonlyKeyword)],
      [f.createParameterDeclaration(undefined, undefined, 'key', undefined, f.createKeywordTypeNode(ts.SyntaxKind.StringKeyword))],
      jsonValue(),
    ),
  ]))
}

function kindOfJson(values: readonly unknown[]): ValueKind {
  const kinds = new Set(values.map((v): ValueKind => (typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : Array.isArray(v) ? 'list' : v !== null && typeof v === 'object' ? 'struct' : 'unknown')))
  return kinds.size === 1 ? [...kinds][0]! : 'unknown'
}

/**
 * The kind of a parameter or artifact spec (`collected`: a fan-in list of it).
 *
 * @example
 * ```ts
 * import { kindOfSpec } from './typing.ts'
 * kindOfSpec({ kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false }) // 'number'
 * ```
 */
export function kindOfSpec(spec: IoSpecNode | undefined, collected = false): ValueKind {
  if (!spec) return 'unknown'
  if (spec.kind === 'artifact') return `artifact:${spec.type.schemaTitle}:${spec.isList || collected}`
  if (collected) return 'list'
  switch (spec.type) {
    case 'STRING':
      return 'string'
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE':
      return 'number'
    case 'BOOLEAN':
      return 'boolean'
    case 'LIST':
      return 'list'
    case 'STRUCT':
      return 'struct'
    case 'TASK_FINAL_STATUS':
      return 'status'
  }
}

/**
 * Whether TypeScript accepts a value of kind `given` for an input declared as `expected` (else the
 * generated argument gets a cast: the source pipeline relies on KFP's looser checks).
 *
 * @example
 * ```ts
 * import { assignable } from './typing.ts'
 * assignable('number', { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }) // true
 * assignable('list', { kind: 'parameter', type: 'STRING', optional: false }) // false
 * ```
 */
export function assignable(given: ValueKind, expected: IoSpecNode | undefined): boolean {
  const want = kindOfSpec(expected)
  if (given === want) return true
  if (given.startsWith('artifact:') && want.startsWith('artifact:')) {
    const [, g, gl] = given.split(':')
    const [, w, wl] = want.split(':')
    return gl === wl && (g === w || g === 'system.Artifact' || w === 'system.Artifact')
  }
  return false
}

function inputSpec(task: TaskModel, input: string): IoSpecNode | undefined {
  const r = task.runnable
  if (r.kind === 'importer') return { kind: 'parameter', type: 'STRING', optional: false }
  return r.inputs[input]
}

/** The type of a value that is not a loop item, for comparisons. */
function primOf(value: Value, pipeline: PipelineModel, tasks: ReadonlyMap<string, TaskModel>): 'string' | 'number' | 'boolean' | undefined {
  const fromSpec = (spec: IoSpecNode | undefined) => {
    if (spec?.kind !== 'parameter') return undefined
    if (spec.type === 'STRING') return 'string' as const
    if (spec.type === 'NUMBER_INTEGER' || spec.type === 'NUMBER_DOUBLE') return 'number' as const
    if (spec.type === 'BOOLEAN') return 'boolean' as const
    return undefined
  }
  switch (value.kind) {
    case 'constant':
      return typeof value.value === 'string' ? 'string' : typeof value.value === 'number' ? 'number' : typeof value.value === 'boolean' ? 'boolean' : undefined
    case 'template':
      return 'string'
    case 'input':
      return fromSpec(pipeline.inputs[value.name])
    case 'output': {
      const r = tasks.get(value.task)?.runnable
      if (!r || r.kind === 'importer') return undefined
      return fromSpec(r.kind === 'container' ? r.outputs[value.output] : r.outputs.find(([n]) => n === value.output)?.[1].spec)
    }
    default:
      return undefined
  }
}

/**
 * Works out the element type of every list a loop iterates over, from how the loop body uses the
 * item, and where to write it: on the pipeline input or on the component output that is the list.
 * Loops over the same list share one need, so the declared type serves them all.
 *
 * @example
 * ```ts
 * import ts from 'typescript'
 * import { listTypes } from './typing.ts'
 * import type { ImportModel } from './model.ts'
 * declare const model: ImportModel
 * const types = listTypes(model, () => ts.factory.createTypeReferenceNode('JsonValue'))
 * types.pipelineInputs.get(model.root)?.get('rows') // { name: string; size: number }
 * ```
 */
export function listTypes(model: ImportModel, jsonValue: () => ts.TypeNode): ListTypes {
  const result: ListTypes = { pipelineInputs: new Map(), componentOutputs: new Map(), items: new Map() }
  const componentNeeds = new Map<ContainerModel, Map<string, Need>>()
  const shared = <K, L>(map: Map<K, Map<L, Need>>, k: K, l: L): Need => {
    let inner = map.get(k)
    if (!inner) map.set(k, (inner = new Map()))
    let need = inner.get(l)
    if (!need) inner.set(l, (need = newNeed()))
    return need
  }
  const inputNeeds = new Map<PipelineModel, Map<string, Need>>()
  for (const pipeline of [...model.pipelines, model.root]) {
    /** The need of each loop's item, and whether its list's declaration will carry that type. */
    const loops = new Map<string, { need: Need; declared: boolean }>()
    const tasks = new Map<string, TaskModel>()
    const collectTasks = (body: readonly BodyModel[]) => {
      for (const n of body) {
        if (n.kind === 'task') tasks.set(n.name, n)
        else if (n.kind === 'if') n.branches.forEach((b) => collectTasks(b.body))
        else {
          if (n.kind === 'exit') tasks.set(n.exitTask.name, n.exitTask)
          collectTasks(n.body)
        }
      }
    }
    collectTasks(pipeline.body)
    const loopNeed = (id: string) => loops.get(id)?.need ?? newNeed()
    const predicate = (p: PredicateModel) => {
      if (p.kind === 'compare') {
        for (const [a, b] of [[p.left, p.right], [p.right, p.left]] as const) {
          if (a.kind !== 'item') continue
          const prim = primOf(b, pipeline, tasks)
          if (prim) needAt(loopNeed(a.loop), a.path).prims.add(prim)
        }
      } else if (p.kind === 'not') predicate(p.item)
      else p.items.forEach(predicate)
    }
    const register = (n: Extract<BodyModel, { kind: 'loop' }>) => {
      if (n.items.kind !== 'values') return
      const from = n.items.from
      if (from.kind === 'input') loops.set(n.id, { need: shared(inputNeeds, pipeline, from.name), declared: true })
      else if (from.kind === 'output' && tasks.get(from.task)?.runnable.kind === 'container') {
        loops.set(n.id, { need: shared(componentNeeds, tasks.get(from.task)!.runnable as ContainerModel, from.output), declared: true })
      } else if (from.kind === 'item') {
        const outer = loops.get(from.loop)
        const at = needAt(outer?.need ?? newNeed(), from.path)
        at.element ??= newNeed()
        loops.set(n.id, { need: at.element, declared: outer?.declared === true })
      } else loops.set(n.id, { need: newNeed(), declared: false })
    }
    const visit = (body: readonly BodyModel[]) => {
      for (const n of body) {
        switch (n.kind) {
          case 'task':
            for (const [input, v] of n.args) if (v.kind === 'item') requireSpec(needAt(loopNeed(v.loop), v.path), inputSpec(n, input))
            break
          case 'if':
            for (const b of n.branches) {
              if (b.predicate) predicate(b.predicate)
              visit(b.body)
            }
            break
          case 'loop':
            register(n)
            visit(n.body)
            break
          case 'exit':
            for (const [input, v] of n.exitTask.args) if (v.kind === 'item') requireSpec(needAt(loopNeed(v.loop), v.path), inputSpec(n.exitTask, input))
            visit(n.body)
            break
        }
      }
    }
    visit(pipeline.body)
    const itemKinds = new Map<string, (path: readonly string[]) => ValueKind>()
    result.items.set(pipeline, itemKinds)
    const kinds = (body: readonly BodyModel[]) => {
      for (const n of body) {
        if (n.kind === 'loop') {
          const items = n.items
          const loop = loops.get(n.id)
          if (items.kind === 'raw') {
            const at = (path: readonly string[]) =>
              items.values.map((v) => path.reduce<unknown>((x, k) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>)[k] : undefined), v))
            itemKinds.set(n.id, (path) => kindOfJson(at(path)))
          } else if (loop?.declared) {
            itemKinds.set(n.id, (path) => {
              let node: Need | undefined = loop.need
              for (const k of path) node = node?.fields.get(k)
              return kindOfNeed(node)
            })
          } else if (items.kind === 'artifacts' && n.itemSpec) {
            const spec = n.itemSpec
            itemKinds.set(n.id, () => kindOfSpec(spec))
          } else itemKinds.set(n.id, () => 'unknown')
        }
        if (n.kind === 'if') n.branches.forEach((b) => kinds(b.body))
        else if (n.kind !== 'task') kinds(n.body)
      }
    }
    kinds(pipeline.body)
  }
  for (const [pipeline, needs] of inputNeeds) {
    const map = new Map<string, ts.TypeNode>()
    for (const [name, need] of needs) {
      const spec = pipeline.inputs[name]
      if (spec?.kind === 'parameter' && Array.isArray(spec.default) && (need.fields.size > 0 || need.element)) {
        for (const value of spec.default as readonly JsonValue[]) merge(need, needOfValue(value))
      }
      const type = typeOf(need, jsonValue)
      if (type) map.set(name, type)
    }
    if (map.size > 0) result.pipelineInputs.set(pipeline, map)
  }
  for (const [component, needs] of componentNeeds) {
    const map = new Map<string, ts.TypeNode>()
    for (const [output, need] of needs) {
      const type = typeOf(need, jsonValue)
      if (type) map.set(output, type)
    }
    if (map.size > 0) result.componentOutputs.set(component, map)
  }
  return result
}

/**
 * The type argument a list or struct declaration with a default needs so that TypeScript does not
 * narrow it to the default (`[]` would make it `never[]`, `['a']` a list of `'a'`).
 *
 * @example
 * ```ts
 * import ts from 'typescript'
 * import { defaultTypeArgument } from './typing.ts'
 * defaultTypeArgument({ kind: 'parameter', type: 'LIST', optional: true, default: ['a'] }, () => ts.factory.createTypeReferenceNode('JsonValue'))
 * // string: param.list<string>({ default: ['a'] })
 * ```
 */
export function defaultTypeArgument(spec: IoSpecNode, jsonValue: () => ts.TypeNode): ts.TypeNode | undefined {
  if (spec.kind !== 'parameter' || spec.default === undefined) return undefined
  if (spec.type === 'STRUCT') return jsonObject(jsonValue)
  if (spec.type !== 'LIST' || !Array.isArray(spec.default)) return undefined
  const values = spec.default as readonly JsonValue[]
  const kinds = new Set(values.map((v) => typeof v))
  if (values.length > 0 && [...kinds].every((k) => k === 'string' || k === 'number' || k === 'boolean')) {
    const keyword = { string: ts.SyntaxKind.StringKeyword, number: ts.SyntaxKind.NumberKeyword, boolean: ts.SyntaxKind.BooleanKeyword } as const
    const nodes = [...kinds].sort().map((k) => f.createKeywordTypeNode(keyword[k as 'string']))
    return nodes.length === 1 ? nodes[0] : f.createUnionTypeNode(nodes)
  }
  return jsonValue()
}
