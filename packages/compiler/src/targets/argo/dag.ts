/**
 * DAG templates: the members of one scope (tasks and control-flow groups) as Argo DAG tasks, with
 * their arguments, `depends`, `when` and loop fields, partitioned into nested DAG templates when one
 * template would exceed the v4 CRD caps or the object size budget.
 *
 * Values are described as data ({@link Source}): constants, references ({@link Atom}: a workflow
 * parameter, an input of the template, an output or the status of a sibling task) and values
 * computed from references (f-strings, JSON with embedded values, expressions). A reference renders
 * differently depending on where it is read (the scope's own template, or a partition of it, which
 * receives outside values as inputs), so rendering takes a {@link DagView}.
 *
 * @module
 */

import { parameterValueExpression, type TemplateOutput } from './container.ts'
import { exprIndex, exprLiteral, exprTag, kubeletDecoded, kubeletEncoded, kubeletEncodedJson } from './expr.ts'
import { NameAllocator } from './names.ts'
import { ARGO_CAPS } from './options.ts'
import { formBlocks, type PartitionItem } from './partition.ts'
import { ANNOTATIONS, type EmitContext, RESERVED, type TemplateEntry } from './registry.ts'
import { encodeValueSegments, encodeValueWithTags, type ValueItem } from './text.ts'

type Json = Record<string, unknown>

/** A reference to one value, as the DAG template holding the reading task sees it. */
export type Atom =
  /** A root pipeline parameter, `{{workflow.parameters.<name>}}`: visible in every template. */
  | { readonly kind: 'global'; readonly name: string }
  /** An input of the scope's template (nested pipeline inputs, values punched into a group). */
  | { readonly kind: 'scopeInput'; readonly name: string; readonly artifact: boolean }
  /** An output of a member of the scope (a task, or a value a group exports). */
  | { readonly kind: 'member'; readonly member: string; readonly output: TemplateOutput }
  /** The phase of a member (`Succeeded`, `Failed`, …), for final-status values. */
  | { readonly kind: 'status'; readonly member: string }
  /** The current loop item (`{{item}}`, `{{item.<field>}}`): only in the looped task's own arguments. */
  | { readonly kind: 'item'; readonly field?: string }
  /** A workflow variable (`{{workflow.name}}`). */
  | { readonly kind: 'workflow'; readonly field: 'name' | 'uid' }

/** A value: what a parameter, a `when` or a `withParam` is made of. */
export type Source =
  /** `text` as written into the manifest (brace-encoded); `raw` is the value itself. */
  | { readonly kind: 'const'; readonly text: string; readonly raw: string }
  | { readonly kind: 'atom'; readonly atom: Atom }
  /** Text built at run time: literal pieces and values, in order (f-strings, JSON with values). */
  | { readonly kind: 'format'; readonly parts: readonly FormatPart[] }
  /**
   * An expression over references, written in one {@link Domain}: `build` asks `ref` for each atom's
   * expression (converted to that domain, unless the expression reads the atom's text as it is),
   * and writes its own literal text in that domain.
   */
  | { readonly kind: 'expr'; readonly atoms: readonly Atom[]; readonly build: (ref: AtomRef, domain: Domain) => string }

export type FormatPart = { readonly text: string } | { readonly source: Source }

/**
 * The two forms a parameter value takes. Every template input holds `encoded` text: written for the
 * kubelet (see text.ts), with no `{{` for Argo to read a tag in (common.SubstituteParams scans a
 * template with its input values filled in). Compile-time values are written so; a task's output is
 * `raw`, and the DAG task passing it on encodes it. Values are compared, hashed and output `raw`.
 */
export type Domain = 'encoded' | 'raw'

/** An atom's expression, in the domain being written (`convert`), or as its text is (numbers). */
export type AtomRef = (atom: Atom, convert: boolean) => string

export const atomSource = (atom: Atom): Source => ({ kind: 'atom', atom })

/** Every reference a value reads, appended to `into` (a new list by default). */
export function atomsOf(source: Source, into: Atom[] = []): Atom[] {
  switch (source.kind) {
    case 'const':
      break
    case 'atom':
      into.push(source.atom)
      break
    case 'format':
      for (const part of source.parts) if ('source' in part) atomsOf(part.source, into)
      break
    case 'expr':
      for (const atom of source.atoms) into.push(atom)
      break
  }
  return into
}

const ATOM_KEY = Symbol('atomKey')

/** A stable key for references that may have to cross a partition boundary. */
export function atomKey(atom: Atom): string | undefined {
  // Asked for millions of times while a large scope is packed: kept on the atom itself (a new
  // string each time is a new hash, and a WeakMap lookup costs as much again), not enumerable, so
  // a spread copy of an atom never carries its key.
  let key = (atom as { [ATOM_KEY]?: string })[ATOM_KEY]
  if (key === undefined) {
    key = newAtomKey(atom)
    if (key !== undefined && Object.isExtensible(atom)) Object.defineProperty(atom, ATOM_KEY, { value: key })
  }
  return key
}

function newAtomKey(atom: Atom): string | undefined {
  switch (atom.kind) {
    case 'scopeInput':
      return `in:${atom.artifact ? 'a' : 'p'}:${atom.name}`
    case 'member':
      return `task:${atom.member}:${atom.output.argoName}`
    case 'status':
      return `status:${atom.member}`
    case 'global':
    case 'item':
    case 'workflow':
      return undefined
  }
}

/** One argument of a DAG task. */
export interface Arg {
  readonly name: string
  readonly artifact: boolean
  readonly source: Source
  /**
   * How the value is passed when not `encoded`, like every template input: `raw` (a hash of the
   * values, which reads the same encoded), or `text`, each reference's text as it is (names and
   * quantities of Kubernetes settings, which the kubelet does not decode and in which neither `$`
   * nor `{` is valid).
   */
  readonly form?: 'raw' | 'text'
}

/** A member of a scope (task or group), ready to be placed in a DAG. */
export interface Leaf {
  readonly kind: 'leaf'
  readonly name: string
  readonly argoName: string
  readonly template: TemplateEntry
  readonly args: readonly Arg[]
  readonly reserved: readonly { readonly name: string; readonly value: string }[]
  readonly dependsOn: readonly string[]
  /** Runs once its dependencies finished, whatever their outcome (exit tasks, ignoreUpstreamFailure). */
  readonly anyCompletion: boolean
  readonly when?: Source
  readonly withItems?: readonly unknown[]
  readonly withParam?: Source
}

/** A value crossing a partition boundary, under the name the partition's template gives it. */
interface Port {
  readonly key: string
  readonly atom: Atom
  readonly artifact: boolean
  readonly name: string
}

/**
 * A partition: a nested DAG template standing for several members (or partitions). Partitions cut
 * the scope's members, in the order they were packed in, into consecutive runs: a partition holds
 * the members at positions `first` to `last` of that order (`position`, one map per packing, not
 * a set of names per partition and level).
 */
interface Group {
  readonly kind: 'group'
  readonly children: readonly Unit[]
  readonly position: ReadonlyMap<string, number>
  readonly first: number
  readonly last: number
  readonly argoName: string
  readonly imports: readonly Port[]
  readonly exports: readonly Port[]
  /** The export carrying each value, by its atom key (a partition may hand out thousands). */
  readonly exportByKey: ReadonlyMap<string, Port>
  /** Tasks outside the partition that its tasks depend on, in first-seen order. */
  readonly dependsOn: readonly string[]
}

type Unit = Leaf | Group

/**
 * Finds which of consecutive units (a DAG's children, a level of partitions) holds a member: by
 * name among leaves, else by its position among the runs the units cover.
 */
class UnitFinder {
  private readonly byName: ReadonlyMap<string, number> | undefined
  private readonly position: ReadonlyMap<string, number> | undefined
  private readonly starts: readonly number[] = []
  private readonly ends: readonly number[] = []

  constructor(units: readonly Unit[]) {
    const group = units.find((u): u is Group => u.kind === 'group')
    if (group === undefined) {
      this.byName = new Map(units.map((u, i) => [(u as Leaf).name, i]))
      return
    }
    const position = group.position
    this.position = position
    this.starts = units.map((u) => (u.kind === 'group' ? u.first : position.get(u.name)!))
    this.ends = units.map((u) => (u.kind === 'group' ? u.last : position.get(u.name)!))
  }

  /** The index of the unit holding `member`, if one does. */
  indexOf(member: string): number | undefined {
    if (this.byName !== undefined) return this.byName.get(member)
    const at = this.position!.get(member)
    if (at === undefined) return undefined
    const starts = this.starts
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const mid = (low + high + 1) >> 1
      if (starts[mid]! <= at) low = mid
      else high = mid - 1
    }
    return starts[low]! <= at && at <= this.ends[low]! ? low : undefined
  }
}

/** An output of the scope's template. */
export interface ScopeOutput {
  readonly name: string
  readonly artifact: boolean
  readonly source: Source
}

/** Everything the DAG builder needs to know about one scope. */
export interface Scope {
  readonly baseName: string
  readonly isRoot: boolean
  readonly leaves: readonly Leaf[]
  readonly outputs: readonly ScopeOutput[]
  /** Declared inputs of the scope's own DAG template. */
  readonly inputs: Json
  /** The display name comes in as the reserved input (nested pipelines). */
  readonly hasDisplayName: boolean
  /** A fixed display name (control-flow groups). */
  readonly displayName?: string
  /** Control-flow group this template is (or the parallelism wrapper of). */
  readonly group?: { readonly id: string; readonly kind: string; readonly part?: string }
  readonly parallelism?: number
  /** Retries of the whole DAG (a nested pipeline's task with `retry`): Argo takes them on DAG templates. */
  readonly retryStrategy?: Json
  /** Argo io name → original name, for the `io-names` annotation. */
  readonly renamed: Readonly<Record<string, string>>
}

const SCOPE_OUTPUTS = '#outputs'

interface Analysis {
  readonly leafByTask: ReadonlyMap<string, Leaf>
  /** key → names of consumer members (`#outputs` for the scope's outputs). */
  readonly consumers: ReadonlyMap<string, readonly string[]>
  /** member → keys of its outputs that something consumes, in first-use order. */
  readonly producedKeys: ReadonlyMap<string, readonly { readonly key: string; readonly atom: Atom }[]>
  readonly depth: ReadonlyMap<string, number>
}

/** Every reference a leaf reads: its arguments', then `when`'s and `withParam`'s. One list per leaf, as partitioning asks often. */
function leafAtoms(leaf: Leaf): Atom[] {
  const atoms: Atom[] = []
  for (const arg of leaf.args) atomsOf(arg.source, atoms)
  if (leaf.when) atomsOf(leaf.when, atoms)
  if (leaf.withParam) atomsOf(leaf.withParam, atoms)
  return atoms
}

function isArtifactAtom(atom: Atom): boolean {
  return (atom.kind === 'scopeInput' && atom.artifact) || (atom.kind === 'member' && atom.output.artifact)
}

function analyse(scope: Scope): Analysis {
  const consumers = new Map<string, string[]>()
  const producedKeys = new Map<string, { key: string; atom: Atom }[]>()
  const consume = (atom: Atom, consumer: string) => {
    const key = atomKey(atom)
    if (key === undefined) return
    const list = consumers.get(key)
    if (list) {
      list.push(consumer)
      return
    }
    consumers.set(key, [consumer])
    if (atom.kind !== 'member' && atom.kind !== 'status') return
    const produced = producedKeys.get(atom.member)
    if (produced) produced.push({ key, atom })
    else producedKeys.set(atom.member, [{ key, atom }])
  }
  for (const leaf of scope.leaves) for (const atom of leafAtoms(leaf)) consume(atom, leaf.name)
  for (const output of scope.outputs) for (const atom of atomsOf(output.source)) consume(atom, SCOPE_OUTPUTS)
  const depth = new Map<string, number>()
  for (const leaf of scope.leaves) depth.set(leaf.name, Math.max(-1, ...leaf.dependsOn.map((d) => depth.get(d) ?? 0)) + 1)
  return { leafByTask: new Map(scope.leaves.map((l) => [l.name, l])), consumers, producedKeys, depth }
}

// ---------------------------------------------------------------------------------------------
// Rendering values

/** How a DAG template being built sees the values its tasks use. */
export interface DagView {
  readonly top: boolean
  readonly leafChildren: ReadonlyMap<string, Leaf>
  /** The partition among the children holding a member, if any. */
  readonly groupOf: { get(member: string): Group | undefined }
  /** For a partition: atom key → the name of the template input carrying it. */
  readonly imports: ReadonlyMap<string, string>
}

const NO_GROUPS: DagView['groupOf'] = { get: () => undefined }

/** The view of a DAG template holding exactly these leaves (no partitions). */
export function flatView(leaves: readonly Leaf[]): DagView {
  return { top: true, leafChildren: new Map(leaves.map((l) => [l.name, l])), groupOf: NO_GROUPS, imports: new Map() }
}

type Where =
  | { readonly at: 'workflow'; readonly name: string }
  | { readonly at: 'input'; readonly name: string; readonly artifact: boolean }
  | { readonly at: 'task'; readonly task: string; readonly output: string; readonly artifact: boolean; readonly protocol?: TemplateOutput }
  | { readonly at: 'status'; readonly task: string }
  | { readonly at: 'item'; readonly field?: string }
  | { readonly at: 'wf'; readonly field: string }

function locate(view: DagView, atom: Atom): Where {
  switch (atom.kind) {
    case 'global':
      return { at: 'workflow', name: atom.name }
    case 'item':
      return { at: 'item', ...(atom.field !== undefined && { field: atom.field }) }
    case 'workflow':
      return { at: 'wf', field: atom.field }
    case 'scopeInput':
      return { at: 'input', name: view.top ? atom.name : view.imports.get(atomKey(atom)!)!, artifact: atom.artifact }
    case 'status': {
      // Outside its DAG only after a diagnostic (see checkSplitWaits): the output is discarded.
      return { at: 'status', task: view.leafChildren.get(atom.member)?.argoName ?? atom.member }
    }
    case 'member': {
      const key = atomKey(atom)!
      const leaf = view.leafChildren.get(atom.member)
      if (leaf) {
        return {
          at: 'task',
          task: leaf.argoName,
          output: atom.output.argoName,
          artifact: atom.output.artifact,
          ...(!atom.output.artifact && atom.output.protocolType !== undefined && { protocol: atom.output }),
        }
      }
      const group = view.groupOf.get(atom.member)
      if (group) return { at: 'task', task: group.argoName, output: group.exportByKey.get(key)!.name, artifact: atom.output.artifact }
      const imported = view.imports.get(key)
      if (imported === undefined) throw new Error(`internal: ${key} is not visible here`)
      return { at: 'input', name: imported, artifact: atom.output.artifact }
    }
  }
}

/** The form of the text a reference reads; undefined where both are the same (names, phases, artifacts). */
function domainOf(where: Where): Domain | undefined {
  switch (where.at) {
    case 'task':
      return where.artifact ? undefined : 'raw'
    case 'input':
      return where.artifact ? undefined : 'encoded'
    case 'workflow':
    case 'item':
      return 'encoded'
    case 'status':
    case 'wf':
      return undefined
  }
}

function whereTag(where: Where): string {
  switch (where.at) {
    case 'workflow':
      return `{{workflow.parameters.${where.name}}}`
    case 'item':
      return where.field === undefined ? '{{item}}' : `{{item.${where.field}}}`
    case 'wf':
      return `{{workflow.${where.field}}}`
    case 'input':
      return `{{inputs.${where.artifact ? 'artifacts' : 'parameters'}.${where.name}}}`
    case 'status':
      return `{{tasks.${where.task}.status}}`
    case 'task':
      if (where.protocol) return exprTag(parameterValueExpression(where.task, where.protocol))
      return `{{tasks.${where.task}.outputs.${where.artifact ? 'artifacts' : 'parameters'}.${where.output}}}`
  }
}

function whereExpr(where: Where): string {
  switch (where.at) {
    case 'workflow':
      return exprIndex('workflow.parameters', where.name)
    case 'item':
      throw new Error('internal: the loop item is only read by the looped task')
    case 'wf':
      return `workflow.${where.field}`
    case 'input':
      return exprIndex(`inputs.${where.artifact ? 'artifacts' : 'parameters'}`, where.name)
    case 'status':
      return `${exprIndex('tasks', where.task)}.status`
    case 'task':
      if (where.protocol) return `(${parameterValueExpression(where.task, where.protocol)})`
      return exprIndex(`${exprIndex('tasks', where.task)}.outputs.${where.artifact ? 'artifacts' : 'parameters'}`, where.output)
  }
}

function converted(where: Where, domain: Domain): string {
  const expression = whereExpr(where)
  const has = domainOf(where)
  if (has === undefined || has === domain) return expression
  return domain === 'encoded' ? kubeletEncoded(expression) : kubeletDecoded(expression)
}

/** The `{{…}}` tag reading a reference as it is. */
function atomTag(view: DagView, atom: Atom): string {
  return whereTag(locate(view, atom))
}

/**
 * How a value is written: in a {@link Domain}, or `text`, each reference's text as it is (see
 * {@link Arg.form}).
 */
type Form = Domain | 'text'

/** The tag reading a reference in a form: a plain tag, or an expression converting it. */
function atomTagIn(view: DagView, atom: Atom, form: Form): string {
  const where = locate(view, atom)
  const has = domainOf(where)
  return form === 'text' || has === undefined || has === form ? whereTag(where) : exprTag(converted(where, form))
}

/** References in a domain (undefined: each as its text is). */
function refIn(view: DagView, domain: Domain | undefined): AtomRef {
  return (atom, convert) => {
    const where = locate(view, atom)
    return convert && domain !== undefined ? converted(where, domain) : whereExpr(where)
  }
}

/** Whether an expression reads only references whose text is the same in both domains. */
function readsPlainText(view: DagView, source: Source & { kind: 'expr' }): boolean {
  return source.atoms.every((atom) => domainOf(locate(view, atom)) === undefined)
}

/**
 * A computed value's expression in a form. Encoded, it is computed from raw values and the result
 * encoded: an expression may parse JSON or compare, which encoded text does not allow.
 */
function exprIn(view: DagView, source: Source & { kind: 'expr' }, form: Form): string {
  if (form === 'raw') return source.build(refIn(view, 'raw'), 'raw')
  if (form === 'text' || readsPlainText(view, source)) return source.build(refIn(view, form === 'text' ? undefined : 'encoded'), 'encoded')
  return kubeletEncoded(source.build(refIn(view, 'raw'), 'raw'))
}

function valueItems(view: DagView, source: Source, form: Exclude<Form, 'raw'>, into: ValueItem[]): void {
  switch (source.kind) {
    case 'const':
      into.push({ kind: 'text', text: source.raw })
      return
    case 'atom':
      into.push({ kind: 'tag', tag: atomTagIn(view, source.atom, form).slice(2, -2) })
      return
    case 'expr':
      into.push({ kind: 'tag', tag: `=${exprIn(view, source, form)}` })
      return
    case 'format':
      for (const part of source.parts) {
        if ('text' in part) into.push({ kind: 'text', text: part.text })
        else valueItems(view, part.source, form, into)
      }
  }
}

/**
 * The text of a parameter value (or an artifact's `from`) in this view: `encoded` for what a
 * template input receives, `raw` for what is compared or hashed, `text` as each reference reads.
 */
export function renderValue(view: DagView, source: Source, form: Form = 'encoded'): string {
  if (form === 'raw') {
    if (source.kind === 'atom') return atomTagIn(view, source.atom, 'raw')
    return exprTag(source.kind === 'expr' ? exprIn(view, source, 'raw') : renderExpr(view, source, 'raw'))
  }
  switch (source.kind) {
    case 'const':
      return source.text
    case 'atom':
      return atomTagIn(view, source.atom, form)
    case 'expr':
      return exprTag(exprIn(view, source, form))
    case 'format': {
      const items: ValueItem[] = []
      valueItems(view, source, form, items)
      return encodeValueWithTags(items).text
    }
  }
}

/** The expression of a value in this view (string-valued, except artifacts), in a domain. */
export function renderExpr(view: DagView, source: Source, domain: Domain = 'encoded'): string {
  switch (source.kind) {
    case 'const':
      return exprLiteral(domain === 'encoded' ? source.text : source.raw)
    case 'atom':
      return converted(locate(view, source.atom), domain)
    case 'expr':
      return `(${exprIn(view, source, domain)})`
    case 'format': {
      const values = source.parts.filter((p): p is { source: Source } => 'source' in p).map((p) => renderExpr(view, p.source, domain))
      // Encoded, the literal pieces are brace-encoded exactly as in the tag form (see renderValue).
      const segments =
        domain === 'encoded'
          ? encodeValueSegments(source.parts.map((p): ValueItem => ('text' in p ? { kind: 'text', text: p.text } : { kind: 'tag', tag: 'x' }))).segments
          : rawSegments(source.parts)
      const pieces: string[] = []
      segments.forEach((segment, i) => {
        if (segment !== '') pieces.push(exprLiteral(segment))
        if (i < values.length) pieces.push(values[i]!)
      })
      return pieces.length === 0 ? "''" : `(${pieces.join('+')})`
    }
  }
}

/** The literal text between a format's values (one more piece than values). */
function rawSegments(parts: readonly FormatPart[]): string[] {
  const segments = ['']
  for (const part of parts) {
    if ('text' in part) segments[segments.length - 1] += part.text
    else segments.push('')
  }
  return segments
}

/**
 * `withParam`: JSON text Argo iterates, encoded so that its items arrive encoded as template inputs
 * while the list stays JSON (see `kubeletEncodedJson`). A list read from an input or a workflow
 * parameter is decoded first: encoded as a whole value, its items are not encoded at their ends.
 */
function withParamValue(view: DagView, source: Source): string {
  if (source.kind === 'atom') return exprTag(kubeletEncodedJson(converted(locate(view, source.atom), 'raw')))
  return exprTag(kubeletEncodedJson(renderExpr(view, source, 'raw')))
}

/** A DAG template output: the value as it is (a task's output), read back from encoded text otherwise. */
function outputEntry(view: DagView, name: string, source: Source, artifact: boolean): Json {
  if (artifact) {
    if (source.kind === 'atom') return { name, from: atomTag(view, source.atom) }
    return { name, fromExpression: renderExpr(view, source) }
  }
  if (source.kind === 'atom') {
    const where = locate(view, source.atom)
    if (where.at === 'task' && where.protocol) return { name, valueFrom: { expression: parameterValueExpression(where.task, where.protocol) } }
    if (domainOf(where) !== 'encoded') return { name, valueFrom: { parameter: whereTag(where) } }
  }
  const expression = renderExpr(view, source, 'raw')
  return { name, valueFrom: { expression: expression.startsWith('(') && expression.endsWith(')') && source.kind === 'expr' ? expression.slice(1, -1) : expression } }
}

export function argumentsOf(parameters: readonly Json[], artifacts: readonly Json[]): Json | undefined {
  if (parameters.length === 0) return artifacts.length === 0 ? undefined : { artifacts }
  return artifacts.length === 0 ? { parameters } : { parameters, artifacts }
}

const ANY_COMPLETION = ['Succeeded', 'Failed', 'Errored', 'Skipped', 'Omitted'] as const

/**
 * `depends` of a task: a bare name waits for success (or a skip), `anyCompletion` for any end. A
 * condition that did not hold is a skip in Argo, after which a bare name would run the task; KFP
 * runs nothing after it (its backend waits for `.Succeeded`), so a condition is waited for so.
 */
function dependsText(units: readonly Unit[], anyCompletion: boolean): string {
  if (!anyCompletion) return units.map((u) => (u.kind === 'leaf' && u.when ? `${u.argoName}.Succeeded` : u.argoName)).join(' && ')
  return units.map((u) => `(${ANY_COMPLETION.map((r) => `${u.argoName}.${r}`).join(' || ')})`).join(' && ')
}

const NO_IMPORTS: ReadonlyMap<string, string> = new Map()

/** Builds the DAG template holding `children`: the scope's own template, or a partition's. */
function buildDag(ctx: EmitContext, scope: Scope, children: readonly Unit[], group: Group | undefined): TemplateEntry {
  const leafChildren = new Map<string, Leaf>()
  const templates: TemplateEntry[] = []
  for (const child of children) {
    if (child.kind === 'leaf') {
      leafChildren.set(child.name, child)
      templates.push(child.template)
    } else templates.push(buildDag(ctx, scope, child.children, child))
  }
  const childOf = new UnitFinder(children)
  const groupOf = {
    get(member: string): Group | undefined {
      const i = childOf.indexOf(member)
      const child = i === undefined ? undefined : children[i]
      return child?.kind === 'group' ? child : undefined
    },
  }
  const view: DagView = { top: group === undefined, leafChildren, groupOf, imports: group ? new Map(group.imports.map((p) => [p.key, p.name])) : NO_IMPORTS }

  const tasks: Json[] = []
  const externalDepends: Record<string, string[]> = {}
  const dependedOn = new Set<number>()
  const targets = new Set<number>()
  let anyCompletion = false
  for (let i = 0; i < children.length; i++) {
    const child = children[i]!
    const depends: number[] = []
    const outside: string[] = []
    for (const dep of child.dependsOn) {
      const sibling = childOf.indexOf(dep)
      if (sibling === undefined) outside.push(dep)
      else if (sibling !== i && !depends.includes(sibling)) depends.push(sibling)
    }
    // Argo only orders siblings; deps across partitions hold through the partitions' own order.
    // They are recorded so tools can still read the exact graph.
    if (child.kind === 'leaf' && outside.length > 0) externalDepends[child.name] = outside
    for (const d of depends) dependedOn.add(d)
    const isAny = child.kind === 'leaf' && child.anyCompletion
    if (isAny) {
      anyCompletion = true
      for (const d of depends) targets.add(d)
    }
    const parameters: Json[] = []
    const artifacts: Json[] = []
    if (child.kind === 'leaf') {
      for (const arg of child.args) {
        const value = renderValue(view, arg.source, arg.form ?? 'encoded')
        if (arg.artifact) artifacts.push({ name: arg.name, from: value })
        else parameters.push({ name: arg.name, value })
      }
      for (const r of child.reserved) parameters.push({ name: r.name, value: r.value })
    } else {
      for (const port of child.imports) {
        const value = port.artifact ? atomTag(view, port.atom) : atomTagIn(view, port.atom, 'encoded')
        if (port.artifact) artifacts.push({ name: port.name, from: value })
        else parameters.push({ name: port.name, value })
      }
    }
    const args = argumentsOf(parameters, artifacts)
    // Sorting allocates even for one item; most tasks wait for one sibling or none.
    if (depends.length > 1) depends.sort((a, b) => a - b)
    // Optional fields assigned rather than spread in: tens of thousands of tasks are built.
    const task: Json = { name: child.argoName, template: templates[i]!.name }
    if (depends.length > 0) task['depends'] = dependsText(depends.map((d) => children[d]!), isAny)
    if (child.kind === 'leaf') {
      if (child.when) task['when'] = renderValue(view, child.when, 'raw')
      if (child.withItems) task['withItems'] = child.withItems
      if (child.withParam) task['withParam'] = withParamValue(view, child.withParam)
    }
    if (args !== undefined) task['arguments'] = args
    tasks.push(task)
  }
  for (let i = 0; i < children.length; i++) if (!dependedOn.has(i)) targets.add(i)

  const outputParameters: Json[] = []
  const outputArtifacts: Json[] = []
  if (group) {
    for (const exp of group.exports) (exp.artifact ? outputArtifacts : outputParameters).push(outputEntry(view, exp.name, atomSource(exp.atom), exp.artifact))
  } else {
    for (const out of scope.outputs) (out.artifact ? outputArtifacts : outputParameters).push(outputEntry(view, out.name, out.source, out.artifact))
  }

  const annotations: Record<string, string> = {}
  if (Object.keys(externalDepends).length > 0) annotations[ANNOTATIONS.externalDepends] = JSON.stringify(externalDepends)
  if (!group && Object.keys(scope.renamed).length > 0) annotations[ANNOTATIONS.ioNames] = JSON.stringify(scope.renamed)
  if (!group && scope.group) annotations[ANNOTATIONS.group] = JSON.stringify(scope.group)
  const inputParameters = group ? group.imports.filter((p) => !p.artifact).map((p) => ({ name: p.name })) : []
  const inputArtifacts = group ? group.imports.filter((p) => p.artifact).map((p) => ({ name: p.name })) : []
  const inputs: Json = group ? (argumentsOf(inputParameters, inputArtifacts) ?? {}) : scope.inputs
  const displayAnnotations: Record<string, string> | undefined = group
    ? undefined
    : scope.hasDisplayName
      ? { [ANNOTATIONS.displayName]: `{{inputs.parameters.${RESERVED.displayName}}}` }
      : scope.displayName !== undefined
        ? { [ANNOTATIONS.displayName]: scope.displayName }
        : undefined
  if (children.length === 0) {
    // Argo's CRDs want at least one task in a DAG: an empty scope is a suspend of no time.
    const empty: Json = {
      ...(Object.keys(annotations).length > 0 && { metadata: { annotations } }),
      ...(displayAnnotations && { annotations: displayAnnotations }),
      ...(Object.keys(inputs).length > 0 && { inputs }),
      suspend: { duration: '0' },
    }
    return ctx.intern('dag', scope.baseName, empty, [], scope.isRoot)
  }
  const body: Json = {}
  if (Object.keys(annotations).length > 0) body['metadata'] = { annotations }
  if (displayAnnotations) body['annotations'] = displayAnnotations
  if (Object.keys(inputs).length > 0) body['inputs'] = inputs
  const outputs = argumentsOf(outputParameters, outputArtifacts)
  if (outputs !== undefined) body['outputs'] = outputs
  if (!group && scope.parallelism !== undefined) body['parallelism'] = scope.parallelism
  if (!group && scope.retryStrategy !== undefined) body['retryStrategy'] = scope.retryStrategy
  // A task that runs whatever happened upstream must still be scheduled after a failure, and the
  // failure must still fail the DAG: every task it waits for is a target.
  body['dag'] = anyCompletion ? { failFast: false, target: children.filter((_, i) => targets.has(i)).map((c) => c.argoName).join(' '), tasks } : { tasks }
  const calls = [...new Set(templates.map((t) => t.name))]
  return ctx.intern('dag', group ? `${scope.baseName}-part` : scope.baseName, body, calls, !group && scope.isRoot)
}

// ---------------------------------------------------------------------------------------------
// Partitioning

// Rough sizes of DAG entries (JSON-ish bytes), to fill partitions; documents are measured exactly later.
const TEMPLATE_REF_BYTES = 60
/** What encoding a task's output for a template input adds (`{{=join(split(…` around it). */
const ENCODE_BYTES = 40
/** What reading encoded text back adds, in a condition or a computed value. */
const DECODE_BYTES = 60

function atomBytes(atom: Atom): number {
  switch (atom.kind) {
    case 'global':
      return atom.name.length + 26
    case 'scopeInput':
      return atom.name.length + 28
    case 'member':
      return atom.member.length + atom.output.argoName.length + (atom.output.protocolType !== undefined ? 260 : 40) + (atom.output.artifact ? 0 : ENCODE_BYTES)
    case 'status':
      return atom.member.length + 20
    case 'item':
      return 12 + (atom.field?.length ?? 0)
    case 'workflow':
      return 20
  }
}

function sourceBytes(source: Source): number {
  switch (source.kind) {
    case 'const':
      return source.text.length + 4
    case 'atom':
      return atomBytes(source.atom)
    case 'expr':
      return 120 + source.atoms.reduce((n, a) => n + 2 * atomBytes(a) + (a.kind === 'scopeInput' || a.kind === 'global' ? DECODE_BYTES : 0), 0)
    case 'format':
      return source.parts.reduce((n, p) => n + ('text' in p ? p.text.length + 8 : sourceBytes(p.source)), 4)
  }
}

function leafBytes(leaf: Leaf): number {
  let bytes = 90 + leaf.argoName.length + leaf.template.name.length + TEMPLATE_REF_BYTES
  for (const arg of leaf.args) bytes += 30 + arg.name.length + sourceBytes(arg.source)
  for (const r of leaf.reserved) bytes += 30 + r.name.length + r.value.length
  for (const dep of leaf.dependsOn) bytes += (leaf.anyCompletion ? 80 : 4) + dep.length
  if (leaf.when) bytes += 20 + sourceBytes(leaf.when)
  if (leaf.withParam) bytes += 20 + sourceBytes(leaf.withParam)
  if (leaf.withItems) bytes += 20 + JSON.stringify(leaf.withItems).length
  return Math.ceil(bytes * 1.25)
}

function groupBytes(group: Group): number {
  let bytes = 90 + group.argoName.length + 40 + TEMPLATE_REF_BYTES
  for (const port of group.imports) bytes += 70 + 2 * port.name.length + atomBytes(port.atom)
  return Math.ceil(bytes * 1.25)
}

function unitBytes(unit: Unit): number {
  return unit.kind === 'leaf' ? leafBytes(unit) : groupBytes(unit)
}

function unitAtoms(unit: Unit): Atom[] {
  return unit.kind === 'leaf' ? leafAtoms(unit) : unit.imports.map((p) => p.atom)
}

/** Makes a partition of `members` (consecutive in `position`'s order), with the inputs and outputs its template needs. */
function makeGroup(analysis: Analysis, members: readonly Unit[], argoName: string, packing: Packing): Group {
  const position = packing.position
  const start = members[0]!
  const end = members[members.length - 1]!
  const first = start.kind === 'group' ? start.first : position.get(start.name)!
  const last = end.kind === 'group' ? end.last : position.get(end.name)!
  const inside = (member: string) => {
    const at = position.get(member)
    return at !== undefined && at >= first && at <= last
  }
  // What a member group reads from outside it, and what it offers, are already known: reading its
  // ports instead of its leaves keeps each grouping level linear in the ports (same order, same names).
  const inputNames = new NameAllocator(200)
  const imports: Port[] = []
  const imported = new Set<string>()
  const take = (atom: Atom, key: string | undefined) => {
    if (key === undefined || imported.has(key)) return
    if ((atom.kind === 'member' || atom.kind === 'status') && inside(atom.member)) return
    imported.add(key)
    const base = atom.kind === 'member' ? `${analysis.leafByTask.get(atom.member)!.argoName}-${atom.output.argoName}` : atom.kind === 'scopeInput' ? atom.name : 'value'
    imports.push({ key, atom, artifact: isArtifactAtom(atom), name: inputNames.allocate(base) })
  }
  for (const member of members) {
    if (member.kind === 'group') for (const port of member.imports) take(port.atom, port.key)
    else for (const atom of leafAtoms(member)) take(atom, atomKey(atom))
  }
  const outputNames = new NameAllocator(200)
  const exports: Port[] = []
  const offer = (leafName: string, key: string, atom: Atom) => {
    if (atom.kind !== 'member' || !packing.readOutside(key, first, last)) return
    exports.push({ key, atom, artifact: isArtifactAtom(atom), name: outputNames.allocate(`${analysis.leafByTask.get(leafName)!.argoName}-${atom.output.argoName}`) })
  }
  for (const member of members) {
    if (member.kind === 'group') for (const port of member.exports) offer((port.atom as { member: string }).member, port.key, port.atom)
    else for (const produced of analysis.producedKeys.get(member.name) ?? []) offer(member.name, produced.key, produced.atom)
  }
  const dependsOn = new Set<string>()
  for (const member of members) for (const dep of member.dependsOn) if (!inside(dep)) dependsOn.add(dep)
  return { kind: 'group', children: members, position, first, last, argoName, imports, exports, exportByKey: new Map(exports.map((e) => [e.key, e])), dependsOn: [...dependsOn] }
}

/** The order one packing took the members in, and where the consumers of each value sit in it. */
class Packing {
  readonly position: ReadonlyMap<string, number>
  /** Per value: the first and last position of its consumers (-1 for one outside the order). */
  private readonly spans = new Map<string, { readonly first: number; readonly last: number }>()

  constructor(
    leaves: readonly Leaf[],
    private readonly consumers: ReadonlyMap<string, readonly string[]>,
  ) {
    this.position = new Map(leaves.map((leaf, i) => [leaf.name, i]))
  }

  /**
   * Whether something outside positions `first` to `last` reads the value. Asked for every value
   * a partition holds at every grouping level: each value's consumers are looked at once.
   */
  readOutside(key: string, first: number, last: number): boolean {
    let span = this.spans.get(key)
    if (span === undefined) {
      let low = Number.POSITIVE_INFINITY
      let high = Number.NEGATIVE_INFINITY
      for (const consumer of this.consumers.get(key) ?? []) {
        const at = this.position.get(consumer) ?? -1
        low = Math.min(low, at)
        high = Math.max(high, at)
      }
      this.spans.set(key, (span = { first: low, last: high }))
    }
    return span.first < first || span.last > last
  }
}

function partition(ctx: EmitContext, analysis: Analysis, units: readonly Unit[], byDepth: boolean, packing: Packing): Group[] {
  const maxBytes = Math.floor(ctx.options.maxDocumentBytes / 3)
  const index = new UnitFinder(units)
  const items: PartitionItem[] = units.map((unit) => {
    const needs: { key: string; producer: number | undefined }[] = []
    for (const atom of unitAtoms(unit)) {
      const key = atomKey(atom)
      // The v4 CRDs cap a template's input parameters, not its input artifacts.
      if (key === undefined || isArtifactAtom(atom)) continue
      needs.push({ key, producer: atom.kind === 'member' || atom.kind === 'status' ? index.indexOf(atom.member) : undefined })
    }
    return { depth: byDepth && unit.kind === 'leaf' ? (analysis.depth.get(unit.name) ?? 0) : 0, bytes: unitBytes(unit), needs }
  })
  const blocks = formBlocks(items, { maxItems: ctx.options.maxDagTasks, maxBytes, maxImports: ARGO_CAPS.inputParameters - 50 })
  const width = String(blocks.length).length
  return blocks.map((block, i) => makeGroup(analysis, block.map((j) => units[j]!), `part-${String(i + 1).padStart(width, '0')}`, packing))
}

/** Checks that a task waiting for any outcome, or for a condition's own outcome, shares a DAG with what it waits for. */
function checkSplitWaits(ctx: EmitContext, scope: Scope, units: readonly Unit[]): void {
  const unitOf = new UnitFinder(units)
  const conditional = new Set(scope.leaves.filter((l) => l.when !== undefined).map((l) => l.name))
  for (const leaf of scope.leaves) {
    const home = unitOf.indexOf(leaf.name)
    const apart = (names: readonly string[]) => names.filter((d) => unitOf.indexOf(d) !== home).map((d) => `"${d}"`).join(', ')
    const reads = leafAtoms(leaf).filter((a) => a.kind === 'status').map((a) => (a as { member: string }).member)
    const anyOutcome = apart(leaf.anyCompletion ? [...leaf.dependsOn, ...reads] : reads)
    // A condition is waited for by its own outcome (see dependsText), which a partition does not pass on.
    const conditions = leaf.anyCompletion ? '' : apart(leaf.dependsOn.filter((d) => conditional.has(d)))
    const where = ['argo', scope.baseName, leaf.name]
    const tooLarge = 'but the scope is too large for one Argo DAG and they ended up in different partitions'
    if (anyOutcome !== '') ctx.report('E_SCHEMA', where, `"${leaf.name}" runs whatever happens to ${anyOutcome}, ${tooLarge}; move the exit handler or ignoreUpstreamFailure task into a smaller group`)
    if (conditions !== '') ctx.report('E_SCHEMA', where, `"${leaf.name}" runs only if the condition ${conditions} held, ${tooLarge}; move the condition and what waits for it into a smaller group`)
  }
}

/** More grouping levels than a DAG of any real size needs (200^8 tasks): beyond, grouping is stuck. */
const MAX_GROUPING_LEVELS = 8

/** Bytes a partition's template takes for the values it hands out (its outputs). */
function exportBytes(group: Group): number {
  let bytes = 0
  for (const port of group.exports) bytes += 60 + 2 * port.name.length + atomBytes(port.atom)
  return Math.ceil(bytes * 1.25)
}

/** Whether a partition of this level (its members aside), with what it hands out, is larger than a template may be. */
function levelOverflows(units: readonly Unit[], maxBytes: number): boolean {
  return units.some((unit) => {
    if (unit.kind === 'leaf') return false
    let bytes = exportBytes(unit)
    for (const child of unit.children) bytes += unitBytes(child)
    return bytes > maxBytes
  })
}

/**
 * The leaves in a depth-first topological order: each task as soon as possible after the tasks it
 * reads from, so a run of consecutive tasks is mostly a whole sub-tree of the graph and hands few
 * values to the rest (Kahn's algorithm with a stack; ties in the analysed order).
 */
function depthFirstOrder(scope: Scope): Leaf[] {
  const index = new Map(scope.leaves.map((l, i) => [l.name, i]))
  const waiting = new Map<string, number>()
  const dependents = new Map<string, Leaf[]>()
  for (const leaf of scope.leaves) {
    let count = 0
    for (const dep of new Set(leaf.dependsOn)) {
      if (!index.has(dep)) continue
      count++
      const list = dependents.get(dep)
      if (list) list.push(leaf)
      else dependents.set(dep, [leaf])
    }
    waiting.set(leaf.name, count)
  }
  // Reversed, so that the first of several ready tasks is taken first.
  const stack = scope.leaves.filter((l) => waiting.get(l.name) === 0).reverse()
  const order: Leaf[] = []
  while (stack.length > 0) {
    const leaf = stack.pop()!
    order.push(leaf)
    const ready: Leaf[] = []
    for (const next of dependents.get(leaf.name) ?? []) {
      const left = waiting.get(next.name)! - 1
      waiting.set(next.name, left)
      if (left === 0) ready.push(next)
    }
    ready.sort((a, b) => index.get(b.name)! - index.get(a.name)!)
    // One push per task: a spread of a hundred thousand ready tasks would overflow the stack.
    for (const next of ready) stack.push(next)
  }
  if (order.length !== scope.leaves.length) throw new Error(`internal: ${scope.leaves.length - order.length} tasks of "${scope.baseName}" are on a cycle`)
  return order
}

/** Grouping levels still needed to bring `over` (times over budget) to 1, shrinking by `shrink` per level. */
function levelsToGo(over: number, shrink: number): number {
  return shrink > 1 ? Math.log(over) / Math.log(shrink) : Number.POSITIVE_INFINITY
}

/**
 * Partitions `leaves` (in a topological order) and groups the partitions until the scope fits.
 * `overflowing` is set when a level has a partition over `maxTemplateBytes`; grouping stops there.
 */
function partitionScope(
  ctx: EmitContext,
  analysis: Analysis,
  leaves: readonly Leaf[],
  byDepth: boolean,
  overBudget: (units: readonly Unit[]) => number,
  maxTemplateBytes: number,
  onSlowProgress: 'stop' | 'continue',
): { units: Unit[]; overflowing: boolean } {
  const packing = new Packing(leaves, analysis.consumers)
  let units: Unit[] = partition(ctx, analysis, leaves, byDepth, packing)
  let over = overBudget(units)
  while (over > 1) {
    if (levelOverflows(units, maxTemplateBytes)) return { units, overflowing: true }
    const grouped = partition(ctx, analysis, units, false, packing)
    if (grouped.length >= units.length) break
    const groupedOver = overBudget(grouped)
    // Each level should shrink the DAG several times over. When groups barely merge, or merge but
    // still hand out as many values (a deep tree packed by level: 102 partitions at 100,000 tasks,
    // 40 times the bytes a template may take, 2 % less per level), the cuts between them carry
    // more than a template may take: more levels would take quadratic time and memory and still
    // not fit. The by-level attempt gives up there, for sub-trees (1.2 s of levels, at 130 ms
    // each, down to 0.3 s at 100,000 tasks).
    // Asked to continue (the last resort), only the task count is judged, as the byte estimates are rough.
    const levelsLeft =
      onSlowProgress === 'stop' ? levelsToGo(groupedOver, over / groupedOver) : levelsToGo(grouped.length / ctx.options.maxDagTasks, units.length / grouped.length)
    units = grouped
    over = groupedOver
    // The last resort judges the task count only: once it fits, more levels (one unit fewer each,
    // at half a second and 40 MB apiece at 100,000 tasks) cannot make the byte estimate fit.
    if (levelsLeft > MAX_GROUPING_LEVELS || (onSlowProgress === 'continue' && levelsLeft <= 0)) break
  }
  return { units, overflowing: levelOverflows(units, maxTemplateBytes) }
}

/** Builds the scope's DAG template, split into partitions when it would not fit. */
export function buildScopeTemplate(ctx: EmitContext, scope: Scope): TemplateEntry {
  const maxBytes = Math.floor(ctx.options.maxDocumentBytes / 3)
  // How many times over its budgets (tasks, bytes) a DAG of these units is; it fits at 1 or less.
  const overBudget = (units: readonly Unit[]) => Math.max(units.length / ctx.options.maxDagTasks, units.reduce((sum, u) => sum + unitBytes(u), 0) / maxBytes)
  const fits = (units: readonly Unit[]) => overBudget(units) <= 1
  let units: Unit[] = [...scope.leaves]
  if (!fits(units)) {
    // Who reads what is only needed to partition (most scopes are small: thousands of groups).
    const analysis = analyse(scope)
    // Leaves are packed level by level (depth, then the analysed order), which is topological
    // and lets a wide level run in parallel. In a deep tree (a task feeding a few tasks, each
    // feeding a few more), a level's values all go to the next level, and the partitions holding
    // them would hand out thousands; packing sub-trees instead hands out few.
    const order = new Map(scope.leaves.map((l, i) => [l.name, i]))
    const sorted = [...scope.leaves].sort((a, b) => analysis.depth.get(a.name)! - analysis.depth.get(b.name)! || order.get(a.name)! - order.get(b.name)!)
    // Partitions near the object limit (estimates are rough) would fit no object once written.
    const tooLarge = Math.floor(ctx.options.maxDocumentBytes * 0.8)
    const byLevel = partitionScope(ctx, analysis, sorted, true, overBudget, tooLarge, 'stop')
    units = byLevel.units
    if (!fits(units) || byLevel.overflowing) {
      const subTrees = partitionScope(ctx, analysis, depthFirstOrder(scope), false, overBudget, tooLarge, 'stop')
      // Sub-trees that fit are better than levels that stopped grouping, even if still large.
      if (fits(subTrees.units) && (!subTrees.overflowing || !fits(units))) units = subTrees.units
      // Neither fits: group level by level to the end, as the size estimates are rough and a
      // partition near the limit may still fit once written.
      else if (!fits(units)) units = partitionScope(ctx, analysis, sorted, true, overBudget, Number.POSITIVE_INFINITY, 'continue').units
    }
    if (!fits(units)) {
      ctx.report(
        'E_SCHEMA',
        ['argo', scope.baseName],
        `"${scope.baseName}" is too large and too densely connected for Argo's v4 caps: Typeflow could not group its ${scope.leaves.length} tasks into DAG templates of at most ${ctx.options.maxDagTasks} tasks and ${maxBytes} bytes that each take at most ${ARGO_CAPS.inputParameters} input parameters, because too many values cross between its parts; split it into nested pipelines that pass fewer values between them, or compile it for KFP only`,
      )
    }
    checkSplitWaits(ctx, scope, units)
  }
  return buildDag(ctx, scope, units, undefined)
}
