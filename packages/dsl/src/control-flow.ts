import { type ArtifactRef, isRef, type ParamRef } from './component.ts'
import { DslError } from './errors.ts'
import type { ComparisonOperator, JsonValue, PredicateNode, ValueSourceNode } from './ir.ts'
import { deepFreeze } from './ir.ts'
import { callerLocation } from './source.ts'

/** A scalar a condition can compare. */
export type Comparable = string | number | boolean

/** One side of a comparison: a literal or a reference to a value of the same type. */
export type Operand<V extends Comparable> = V | ParamRef<V>

/** A condition for `dag.if`: plain data, built with `eq`, `gt`, `and`, … */
export interface Predicate {
  readonly node: PredicateNode
}

function operand(value: unknown): ValueSourceNode {
  if (isRef(value)) {
    if (value.kind === 'artifactRef') throw new DslError('E_TYPE_MISMATCH', [], 'conditions compare parameter values, not artifacts', callerLocation())
    return value.source
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { kind: 'constant', value }
  throw new DslError('E_INVALID_CONSTANT', [], `a condition operand must be a string, number, boolean or parameter reference (got ${typeof value})`)
}

function compare(op: ComparisonOperator) {
  return <V extends Comparable>(left: Operand<V>, right: Operand<V>): Predicate =>
    deepFreeze({ node: { kind: 'compare', op, left: operand(left), right: operand(right) } })
}

/**
 * Comparisons for conditions. Both sides must have the same type; TypeScript checks it.
 *
 * @example
 * ```ts
 * import { and, component, eq, ge, le, param, pipeline } from '@typeflow/dsl'
 * const evaluate = component({ name: 'evaluate', image: 'img', outputs: { auc: param.float(), gap: param.float() } })
 * const register = component({ name: 'register', image: 'img' })
 * pipeline({ name: 'gate', inputs: { mode: param.string() } }, (dag, p) => {
 *   const scores = dag.task(evaluate)
 *   dag.if(and(ge(scores.outputs.auc, 0.82), le(scores.outputs.gap, 0.05), eq(p.mode, 'prod')), () => {
 *     dag.task(register)
 *   })
 * })
 * ```
 */
export const eq = compare('==')
/** `left != right`; see {@link eq}. */
export const ne = compare('!=')
/** `left < right`; see {@link eq}. */
export const lt = compare('<')
/** `left <= right`; see {@link eq}. */
export const le = compare('<=')
/** `left > right`; see {@link eq}. */
export const gt = compare('>')
/** `left >= right`; see {@link eq}. */
export const ge = compare('>=')

/** True when every predicate holds. */
export function and(...items: readonly [Predicate, Predicate, ...Predicate[]]): Predicate {
  return deepFreeze({ node: { kind: 'and', items: items.map((p) => p.node) } })
}
/** True when any predicate holds. */
export function or(...items: readonly [Predicate, Predicate, ...Predicate[]]): Predicate {
  return deepFreeze({ node: { kind: 'or', items: items.map((p) => p.node) } })
}
/** True when the predicate does not hold. */
export function not(item: Predicate): Predicate {
  return deepFreeze({ node: { kind: 'not', item: item.node } })
}

/** The list a loop's outputs become after the loop (fan-in). */
export type Collected<R> = R extends ArtifactRef<infer S, false> ? ArtifactRef<S, true> : R extends ParamRef<infer V> ? ParamRef<readonly V[]> : never

/**
 * Fan-in: reads every value a task inside a `dag.forEach` produced, as a list, after the loop
 * (KFP `dsl.Collected`). Across nested loops a parameter becomes a list of lists, one level per
 * loop (artifacts stay one flat list); the static type shows one level.
 *
 * @example
 * ```ts
 * import { collected, component, param, pipeline, type Task } from '@typeflow/dsl'
 * const square = component({ name: 'square', image: 'img', inputs: { x: param.int() }, outputs: { y: param.int() } })
 * const total = component({ name: 'total', image: 'img', inputs: { ys: param.list<number>() } })
 * pipeline({ name: 'fan-in' }, (dag) => {
 *   let squared!: Task<typeof square.outputs>
 *   dag.forEach([1, 2, 3], (x) => { squared = dag.task(square, { x }) })
 *   dag.task(total, { ys: collected(squared.outputs.y) })
 * })
 * ```
 */
export function collected<R extends ParamRef<any> | ArtifactRef<string, false>>(ref: R): Collected<R> {
  if (ref.source.kind !== 'taskOutput') throw new DslError('E_INVALID_OUTPUT', [], 'collected() takes the output of a task inside a loop', callerLocation())
  const source: ValueSourceNode = { kind: 'collected', task: ref.source.task, output: ref.source.output }
  return deepFreeze(ref.kind === 'artifactRef' ? { ...ref, isList: true, source } : { ...ref, source }) as unknown as Collected<R>
}

/** What `fmt` can embed: a literal or a reference to a parameter value. */
export type FormatValue = string | number | boolean | ParamRef<any>

/**
 * Text with parameter values embedded (KFP f-strings): a tagged template whose `${…}` are
 * references (pipeline inputs, task outputs, loop items) or literals. The value is built when the
 * task runs; literals are written into the text.
 *
 * @example
 * ```ts
 * import { component, fmt, param, pipeline } from '@typeflow/dsl'
 * const say = component({ name: 'say', image: 'alpine', inputs: { text: param.string() }, command: ({ inputs }) => ['echo', inputs.text.value] })
 * pipeline({ name: 'greet', inputs: { name: param.string() } }, (dag, p) => {
 *   dag.task(say, { text: fmt`Hello ${p.name}!` })
 * })
 * ```
 */
export function fmt(strings: TemplateStringsArray, ...values: readonly FormatValue[]): ParamRef<string> {
  const parts: (string | ValueSourceNode)[] = []
  const text = (piece: string) => {
    if (piece === '') return
    const last = parts[parts.length - 1]
    if (typeof last === 'string') parts[parts.length - 1] = last + piece
    else parts.push(piece)
  }
  strings.forEach((piece, i) => {
    text(piece)
    if (i >= values.length) return
    const value = values[i]
    if (isRef(value)) {
      if ((value as ParamRef | ArtifactRef).kind === 'artifactRef') throw new DslError('E_TYPE_MISMATCH', [], 'fmt embeds parameter values, not artifacts', callerLocation())
      if (value.source.kind === 'template') for (const part of value.source.parts) typeof part === 'string' ? text(part) : parts.push(part)
      else if (value.source.kind === 'constant') text(String(value.source.value))
      else parts.push(value.source)
    } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') text(String(value))
    else throw new DslError('E_INVALID_CONSTANT', [], `fmt embeds strings, numbers, booleans and parameter references (got ${typeof value})`)
  })
  const source: ValueSourceNode = parts.some((p) => typeof p !== 'string') ? { kind: 'template', parts } : { kind: 'constant', value: parts.join('') }
  return deepFreeze({ kind: 'paramRef', source }) as unknown as ParamRef<string>
}

/** @internal Tags for refs whose values come from one branch of an if/elif/else. */
export function oneOfSource(branches: string, refs: readonly (ParamRef<any> | ArtifactRef)[]): ValueSourceNode {
  const sources = refs.map((ref) => {
    if (ref.source.kind !== 'taskOutput') throw new DslError('E_INVALID_OUTPUT', [], 'oneOf() takes task outputs from the branches of one if/elif/else', callerLocation())
    return ref.source
  })
  return { kind: 'oneOf', branches, sources }
}

/** The status an exit handler's task receives (KFP `PipelineTaskFinalStatus`). */
export interface TaskFinalStatus {
  readonly state: string
  readonly pipelineJobResourceName: string
  readonly pipelineTaskName: string
  readonly error: { readonly code?: number; readonly message?: string }
}

/** @internal Infers the parameter type of a static loop's items. */
export function staticItemType(values: readonly JsonValue[]): 'STRING' | 'NUMBER_INTEGER' | 'NUMBER_DOUBLE' | 'BOOLEAN' | 'LIST' | 'STRUCT' {
  if (values.every((v) => typeof v === 'string')) return 'STRING'
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'NUMBER_INTEGER'
  if (values.every((v) => typeof v === 'number')) return 'NUMBER_DOUBLE'
  if (values.every((v) => typeof v === 'boolean')) return 'BOOLEAN'
  if (values.every((v) => Array.isArray(v))) return 'LIST'
  return 'STRUCT'
}
