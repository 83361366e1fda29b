/**
 * The graph a target's output describes, read back from the emitted documents alone: which tasks
 * and control-flow groups exist, which waits for which, and where every value comes from. Both
 * targets are read into the same target-neutral shape, so a test can check that the KFP IR and the
 * Argo manifests of one pipeline describe the same graph.
 *
 * Shapes are lists of sorted strings (easy to diff):
 * - a task: its path, `train`, `sub/train` inside the nested pipeline task `sub`, or
 *   `condition-1/train` inside a group (groups are part of paths);
 * - a group: `condition-1 condition`, `condition-branches-2 branches`, `exit-handler-3 exitHandler`,
 *   `for-loop-4 loop` (with ` parallelism=2` when limited);
 * - a dependency between members of one scope: `train after prep`, `condition-1 after flip`;
 * - a data edge: `train:data <- prep:dataset` (a task output), `train:lr <- input :lr` (an input of
 *   the enclosing pipeline: `input <pipeline path>:<name>`, the root's path is empty),
 *   `train:epochs <- constant`, `t:x <- item for-loop-4` (a loop item; `.field` for a struct field),
 *   `t:xs <- collected(for-loop-4/square:y)` (fan-in; once per loop crossed),
 *   `exit:status <- status exit-handler-3` (a final status), several sources joined by ` | `
 *   (oneOf, f-strings). A group's own reads are edges too: `condition-1#when <- flip:Output` for
 *   each operand of its condition, `for-loop-4#items <- constant` for what a loop iterates.
 *   A pipeline's own outputs are edges into `<pipeline path>#outputs`.
 * Values crossing into a group are followed to where they come from, so the way each target passes
 * them through groups does not show. Inputs fed by an optional input of a nested pipeline that its
 * caller does not give are not edges: neither KFP's driver nor Argo passes anything along them.
 *
 * @module
 */

/** A target-neutral description of a pipeline graph. */
export interface GraphShape {
  readonly tasks: readonly string[]
  readonly groups: readonly string[]
  readonly dependencies: readonly string[]
  readonly dataEdges: readonly string[]
}

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const obj = (v: unknown): Obj => (isObj(v) ? v : {})
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const join = (scope: string, name: string): string => (scope === '' ? name : `${scope}/${name}`)
const collected = (binding: string): string => binding.split(' | ').map((b) => (b === 'constant' ? b : `collected(${b})`)).join(' | ')

/** Joins the sources of one value; a constant among values does not count. */
function joinBindings(bindings: Iterable<string>): string {
  const set = new Set<string>()
  for (const b of bindings) for (const part of b.split(' | ')) set.add(part)
  if (set.size > 1) set.delete('constant')
  if (set.size === 0) return 'constant'
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).join(' | ')
}

class ShapeBuilder {
  readonly tasks = new Set<string>()
  readonly groups = new Set<string>()
  readonly dependencies = new Set<string>()
  readonly dataEdges = new Set<string>()

  finish(): GraphShape {
    const sorted = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return { tasks: sorted(this.tasks), groups: sorted(this.groups), dependencies: sorted(this.dependencies), dataEdges: sorted(this.dataEdges) }
  }
}

function groupKind(name: string, task: Obj): string {
  if ('parameterIterator' in task || 'artifactIterator' in task) return 'loop'
  if (name.startsWith('condition-branches-')) return 'branches'
  if (name.startsWith('exit-handler-')) return 'exitHandler'
  return 'condition'
}

// ---------------------------------------------------------------------------------------------
// KFP IR

interface KfpFrame {
  /** Path prefix of members (nested pipeline and group names). */
  readonly scope: string
  /** The pipeline whose inputs `componentInputParameter` names at the top: its path. */
  readonly pipeline: string
  readonly top: boolean
  readonly present: ReadonlySet<string>
  /** Group components: input channel → where it comes from. */
  readonly inputs: ReadonlyMap<string, string>
}

const SELECTOR = /^parseJson\(string_value\)((?:\["[^"]*"\])+)$/

function selectorFields(selector: unknown): string {
  const match = typeof selector === 'string' ? SELECTOR.exec(selector) : null
  if (!match) return ''
  return [...match[1]!.matchAll(/\["([^"]*)"\]/g)].map((m) => `.${m[1]}`).join('')
}

/** Reads the graph of a KFP PipelineSpec (the first document; a PlatformSpec is ignored). */
export function kfpGraphShape(documents: readonly unknown[]): GraphShape {
  const spec = obj(documents[0])
  const components = obj(spec['components'])
  const shape = new ShapeBuilder()
  const root = obj(spec['root'])
  const rootInputs = new Set([...Object.keys(obj(obj(root['inputDefinitions'])['parameters'])), ...Object.keys(obj(obj(root['inputDefinitions'])['artifacts']))])

  /** Walks one DAG component; returns how to read its outputs (name → binding). */
  const walk = (component: Obj, frame: KfpFrame): Map<string, string> => {
    const dag = obj(component['dag'])
    const tasks = obj(dag['tasks'])
    const groupOutputs = new Map<string, Map<string, string>>()
    const isGroup = (name: string) => {
      const task = obj(tasks[name])
      return !('cachingOptions' in task) && isObj(obj(components[String(obj(task['componentRef'])['name'])])['dag'])
    }

    const fromInput = (name: string, selector: unknown): string | undefined => {
      let base: string | undefined
      if (frame.top) base = frame.present.has(name) ? `input ${frame.pipeline}:${name}` : undefined
      else base = frame.inputs.get(name)
      if (base === undefined) return undefined
      const fields = selectorFields(selector)
      return fields === '' ? base : base.split(' | ').map((b) => `${b}${fields}`).join(' | ')
    }
    const fromOutput = (producer: string, key: string): string => {
      if (!isGroup(producer)) return `${join(frame.scope, producer)}:${key}`
      const outputs = groupOutputs.get(producer) ?? walkGroup(producer)
      return outputs.get(key) ?? `unbound output ${producer}.${key}`
    }
    /** The binding of one input spec object; undefined when nothing is passed (absent input). */
    const bind = (source: Obj, helpers: Obj): string | undefined => {
      if ('componentInputParameter' in source || 'componentInputArtifact' in source) {
        return fromInput(String(source['componentInputParameter'] ?? source['componentInputArtifact']), source['parameterExpressionSelector'])
      }
      if (isObj(source['taskOutputParameter'])) {
        const t = source['taskOutputParameter']
        return fromOutput(String(t['producerTask']), String(t['outputParameterKey']))
      }
      if (isObj(source['taskOutputArtifact'])) {
        const t = source['taskOutputArtifact']
        return fromOutput(String(t['producerTask']), String(t['outputArtifactKey']))
      }
      if (isObj(source['taskFinalStatus'])) return `status ${join(frame.scope, String(source['taskFinalStatus']['producerTask']))}`
      const constant = JSON.stringify(obj(source['runtimeValue'])['constant'] ?? null)
      const used = [...constant.matchAll(/\{\{\$\.inputs\.parameters\[\\?['"]([^'"\\]+)\\?['"]\]\}\}/g)].map((m) => m[1]!)
      return joinBindings(used.map((channel) => bind(obj(helpers[channel]), helpers) ?? 'constant'))
    }

    const walkGroup = (name: string): Map<string, string> => {
      const task = obj(tasks[name])
      const child = obj(components[String(obj(task['componentRef'])['name'])])
      const path = join(frame.scope, name)
      const inputs = new Map<string, string>()
      const taskInputs = obj(task['inputs'])
      const all = { ...obj(taskInputs['parameters']), ...obj(taskInputs['artifacts']) }
      for (const [channel, source] of Object.entries(all)) {
        const binding = bind(obj(source), all)
        if (binding !== undefined) inputs.set(channel, binding)
      }
      const iterator = obj(task['parameterIterator'] ?? task['artifactIterator'])
      if (typeof iterator['itemInput'] === 'string') inputs.set(iterator['itemInput'], `item ${path}`)
      const exported = walk(child, { scope: path, pipeline: frame.pipeline, top: false, present: frame.present, inputs })
      const isLoop = groupKind(name, task) === 'loop'
      const outputs = new Map([...exported].map(([k, v]) => [k, isLoop ? collected(v) : v]))
      groupOutputs.set(name, outputs)
      return outputs
    }

    for (const name of Object.keys(tasks)) {
      const task = obj(tasks[name])
      const path = join(frame.scope, name)
      for (const dep of list(task['dependentTasks'])) shape.dependencies.add(`${path} after ${join(frame.scope, String(dep))}`)
      const taskInputs = obj(task['inputs'])
      const all = { ...obj(taskInputs['parameters']), ...obj(taskInputs['artifacts']) }
      // A task reading another's output waits for it even when the SDK leaves it out of
      // `dependentTasks` (it does for the channels of resource fields): the driver resolves the value.
      for (const source of Object.values(all)) {
        const producer = obj(obj(source)['taskOutputParameter'] ?? obj(source)['taskOutputArtifact'])['producerTask']
        if (typeof producer === 'string') shape.dependencies.add(`${path} after ${join(frame.scope, producer)}`)
      }
      if (isGroup(name)) {
        const kind = groupKind(name, task)
        const iterator = obj(task['parameterIterator'] ?? task['artifactIterator'])
        const limit = obj(task['iteratorPolicy'])['parallelismLimit']
        shape.groups.add(`${path} ${kind}${typeof limit === 'number' ? ` parallelism=${limit}` : ''}`)
        const condition = obj(task['triggerPolicy'])['condition']
        if (typeof condition === 'string') {
          for (const m of condition.matchAll(/inputs\.parameter_values\['([^']+)'\]/g)) {
            const binding = bind(obj(all[m[1]!]), all)
            if (binding !== undefined) shape.dataEdges.add(`${path}#when <- ${binding}`)
          }
        }
        if (kind === 'loop') {
          const items = obj(iterator['items'])
          const from = items['inputParameter'] ?? items['inputArtifact']
          const binding = typeof from === 'string' ? bind(obj(all[from]), all) : 'constant'
          if (binding !== undefined) shape.dataEdges.add(`${path}#items <- ${binding}`)
        }
        if (!groupOutputs.has(name)) walkGroup(name)
        continue
      }
      shape.tasks.add(path)
      const child = obj(components[String(obj(task['componentRef'])['name'])])
      const declared = obj(child['inputDefinitions'])
      const names = new Set([...Object.keys(obj(declared['parameters'])), ...Object.keys(obj(declared['artifacts']))])
      const given = new Set<string>()
      for (const [input, source] of Object.entries(all)) {
        // Inputs the component does not declare only carry values for f-string placeholders.
        if (!names.has(input)) continue
        const binding = bind(obj(source), all)
        if (binding === undefined) continue
        given.add(input)
        shape.dataEdges.add(`${path}:${input} <- ${binding}`)
      }
      if (isObj(child['dag'])) {
        const defaults = Object.entries(obj(obj(child['inputDefinitions'])['parameters'])).filter(([, d]) => 'defaultValue' in obj(d)).map(([n]) => n)
        walk(child, { scope: path, pipeline: path, top: true, present: new Set([...given, ...defaults]), inputs: new Map() })
      }
    }

    const outputs = obj(dag['outputs'])
    const exported = new Map<string, string>()
    for (const [name, value] of Object.entries(obj(outputs['parameters']))) {
      const v = obj(value)
      const selectors = isObj(v['valueFromParameter']) ? [v['valueFromParameter']] : list(obj(v['valueFromOneof'])['parameterSelectors'])
      exported.set(name, joinBindings(selectors.map(obj).map((s) => fromOutput(String(s['producerSubtask']), String(s['outputParameterKey'])))))
    }
    for (const [name, value] of Object.entries(obj(outputs['artifacts']))) {
      const selectors = list(obj(value)['artifactSelectors']).map(obj)
      exported.set(name, joinBindings(selectors.map((s) => fromOutput(String(s['producerSubtask']), String(s['outputArtifactKey'])))))
    }
    if (frame.top) for (const [name, binding] of exported) shape.dataEdges.add(`${frame.pipeline}#outputs:${name} <- ${binding}`)
    return exported
  }
  walk(root, { scope: '', pipeline: '', top: true, present: rootInputs, inputs: new Map() })
  return shape.finish()
}

// ---------------------------------------------------------------------------------------------
// Argo

const RESERVED_PREFIX = 'typeflow-'
const TASK_PARAMETER = 'typeflow-task'
const IO_NAMES = 'typeflow.dev/io-names'
const EXTERNAL_DEPENDS = 'typeflow.dev/external-depends'
const GROUP = 'typeflow.dev/group'

interface Located {
  readonly doc: Obj
  readonly template: Obj
}

/** How `{{inputs.…}}` and `{{tasks.…}}` read inside one DAG template. */
interface DagFrame {
  /** Path prefix of members. */
  readonly scope: string
  /** Path of the pipeline whose inputs the template's inputs are (when `top`). */
  readonly pipeline: string
  /** The pipeline's own template: `{{inputs.x}}` are the pipeline's inputs. */
  readonly top: boolean
  readonly scopeNames: Readonly<Record<string, string>>
  /** Inputs of partitions and groups, already resolved. */
  readonly inputs: ReadonlyMap<string, string>
  /** The group this template belongs to (a parallelism wrapper and its loop share it). */
  readonly group?: string
}

type Ref =
  | { kind: 'global'; name: string }
  | { kind: 'input'; name: string; fields: string }
  | { kind: 'task'; task: string; output: string }
  | { kind: 'status'; task: string }
  | { kind: 'item'; field: string }

function unescapeLiteral(text: string): string {
  return text.replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))/g, (_, x, u, U, c) => (x ?? u ?? U ? String.fromCodePoint(parseInt(x ?? u ?? U, 16)) : c))
}

const LIT = "'((?:[^'\\\\]|\\\\.)*)'"

function refsIn(text: string): Ref[] {
  const refs: Ref[] = []
  for (const m of text.matchAll(/\{\{\s*workflow\.parameters\.([-\w]+)\s*\}\}/g)) refs.push({ kind: 'global', name: m[1]! })
  for (const m of text.matchAll(new RegExp(`workflow\\.parameters\\[${LIT}\\]`, 'g'))) refs.push({ kind: 'global', name: unescapeLiteral(m[1]!) })
  for (const m of text.matchAll(/\{\{\s*inputs\.(parameters|artifacts)\.([-\w]+)\s*\}\}/g)) refs.push({ kind: 'input', name: m[2]!, fields: '' })
  // An input read as JSON for a nested field: fromJSON(inputs.parameters['x']) then get(…,'field').
  for (const m of text.matchAll(new RegExp(`(?<!fromJSON\\()\\binputs\\.(?:parameters|artifacts)\\[${LIT}\\]`, 'g'))) refs.push({ kind: 'input', name: unescapeLiteral(m[1]!), fields: '' })
  for (const m of text.matchAll(new RegExp(`fromJSON\\(inputs\\.parameters\\[${LIT}\\]\\)((?:,${LIT}\\))*)`, 'g'))) {
    const fields = [...m[2]!.matchAll(new RegExp(`,${LIT}\\)`, 'g'))].map((f) => `.${unescapeLiteral(f[1]!)}`).join('')
    refs.push({ kind: 'input', name: unescapeLiteral(m[1]!), fields })
  }
  for (const m of text.matchAll(/\{\{\s*tasks\.([-\w]+)\.outputs\.(parameters|artifacts)\.([-\w]+)\s*\}\}/g)) refs.push({ kind: 'task', task: m[1]!, output: m[3]! })
  for (const m of text.matchAll(new RegExp(`tasks\\[${LIT}\\]\\.outputs\\.(?:parameters|artifacts)\\[${LIT}\\]`, 'g'))) refs.push({ kind: 'task', task: unescapeLiteral(m[1]!), output: unescapeLiteral(m[2]!) })
  for (const m of text.matchAll(/\{\{\s*tasks\.([-\w]+)\.status\s*\}\}/g)) refs.push({ kind: 'status', task: m[1]! })
  for (const m of text.matchAll(new RegExp(`tasks\\[${LIT}\\]\\.status`, 'g'))) refs.push({ kind: 'status', task: unescapeLiteral(m[1]!) })
  for (const m of text.matchAll(/\{\{\s*item(?:\.([^}\s]+))?\s*\}\}/g)) refs.push({ kind: 'item', field: m[1] === undefined ? '' : `.${m[1]}` })
  return refs.filter((r) => r.kind !== 'task' || !r.output.startsWith(RESERVED_PREFIX))
}

function ioNames(template: Obj): Record<string, string> {
  const raw = obj(obj(template['metadata'])['annotations'])[IO_NAMES]
  return typeof raw === 'string' ? (JSON.parse(raw) as Record<string, string>) : {}
}

function groupOf(template: Obj): { id: string; kind: string; part?: string } | undefined {
  const raw = obj(obj(template['metadata'])['annotations'])[GROUP]
  return typeof raw === 'string' ? (JSON.parse(raw) as { id: string; kind: string; part?: string }) : undefined
}

/** Task names a `depends` expression refers to. */
function dependsNames(depends: unknown): string[] {
  if (typeof depends !== 'string') return []
  const names = [...depends.matchAll(/([A-Za-z][-\w]*)(?:\.(?:Succeeded|Failed|Errored|Skipped|Omitted|Daemoned|AnySucceeded|AllFailed))?/g)].map((m) => m[1]!)
  return [...new Set(names)]
}

/**
 * Reads the graph of Argo documents written by the Argo target (any kind, split over several
 * objects or not), following nested pipelines, groups and partitions back to the original names
 * via the `typeflow-task` argument and the `typeflow.dev/*` annotations.
 */
export function argoGraphShape(documents: readonly unknown[]): GraphShape {
  const docs = documents.filter(isObj)
  const specOf = (d: Obj): Obj => (d['kind'] === 'CronWorkflow' ? obj(obj(d['spec'])['workflowSpec']) : obj(d['spec']))
  // Library WorkflowTemplates have no entrypoint; the object users submit has one.
  const main = docs.find((d) => typeof specOf(d)['entrypoint'] === 'string')
  if (!main) throw new Error('no Argo document with an entrypoint')
  const byName = new Map<string, Obj>()
  for (const d of docs) {
    const name = obj(d['metadata'])['name']
    if (typeof name === 'string') byName.set(name, d)
  }
  const templateIn = (doc: Obj, name: string): Located => {
    const template = list(specOf(doc)['templates']).map(obj).find((t) => t['name'] === name)
    if (!template) throw new Error(`template "${name}" not found`)
    return { doc, template }
  }
  const target = (from: Located, task: Obj): Located => {
    if (typeof task['template'] === 'string') return templateIn(from.doc, task['template'])
    const ref = obj(task['templateRef'])
    const doc = byName.get(String(ref['name']))
    if (!doc) throw new Error(`templateRef to unknown object "${String(ref['name'])}"`)
    return templateIn(doc, String(ref['template']))
  }
  const shape = new ShapeBuilder()
  const rootTemplate = templateIn(main, String(specOf(main)['entrypoint']))
  const rootNames = ioNames(rootTemplate.template)

  const walkDag = (at: Located, frame: DagFrame): Map<string, string> => {
    const tasks = list(obj(at.template['dag'])['tasks']).map(obj)
    const externalRaw = obj(obj(at.template['metadata'])['annotations'])[EXTERNAL_DEPENDS]
    const external = typeof externalRaw === 'string' ? (JSON.parse(externalRaw) as Record<string, string[]>) : {}
    type Member = { name: string; at: Located; task: Obj; kind: 'task' | 'group' | 'partition'; group?: { id: string; kind: string; part?: string }; exports?: Map<string, string> }
    const members = new Map<string, Member>()
    for (const task of tasks) {
      const params = list(obj(task['arguments'])['parameters']).map(obj)
      const identity = params.find((p) => p['name'] === TASK_PARAMETER)
      const called = target(at, task)
      const group = groupOf(called.template)
      const name = String(task['name'])
      if (identity) members.set(name, { name: String(identity['value']), at: called, task, kind: 'task' })
      else if (group) members.set(name, { name: group.id, at: called, task, kind: 'group', group })
      else members.set(name, { name, at: called, task, kind: 'partition' })
    }
    const memberPath = (m: Member) => (m.kind === 'group' && m.group!.id === frame.group ? frame.scope : join(frame.scope, m.name))
    const looped = (task: Obj) => 'withItems' in task || 'withParam' in task

    /** Where each argument of a task comes from (`item` refs are the task's own loop item). */
    const argBindings = (task: Obj, item: string | undefined, skipReserved: boolean): Map<string, string> => {
      const out = new Map<string, string>()
      const args = obj(task['arguments'])
      for (const p of list(args['parameters']).map(obj)) {
        const name = String(p['name'])
        if (skipReserved && name.startsWith(RESERVED_PREFIX)) continue
        out.set(name, resolve(String(p['value']), item, true))
      }
      for (const a of list(args['artifacts']).map(obj)) out.set(String(a['name']), resolve(String(a['from'] ?? a['fromExpression']), item, true))
      return out
    }
    const exportsOf = (key: string): Map<string, string> => {
      const m = members.get(key)!
      if (!m.exports) {
        if (m.kind === 'partition') {
          m.exports = walkDag(m.at, { ...frame, top: false, inputs: argBindings(m.task, undefined, false) })
        } else {
          const path = memberPath(m)
          const item = looped(m.task) ? `item ${path}` : undefined
          const inner = walkDag(m.at, { scope: path, pipeline: frame.pipeline, top: false, scopeNames: {}, inputs: argBindings(m.task, item, false), group: m.group!.id })
          m.exports = looped(m.task) ? new Map([...inner].map(([k, v]) => [k, collected(v)])) : inner
        }
      }
      return m.exports
    }
    const resolve = (text: string, item: string | undefined, statuses: boolean): string => joinBindings(resolveEach(text, item, statuses))
    /** Where each reference in the text comes from (a oneOf output stays one `a | b` binding). */
    const resolveEach = (text: string, item: string | undefined, statuses: boolean): string[] => {
      const refs = refsIn(text)
      if (refs.length === 0) return ['constant']
      const bindings: string[] = []
      for (const ref of refs) {
        switch (ref.kind) {
          case 'global':
            bindings.push(`input :${rootNames[ref.name] ?? ref.name}`)
            break
          case 'input': {
            const base = frame.top ? `input ${frame.pipeline}:${frame.scopeNames[ref.name] ?? ref.name}` : (frame.inputs.get(ref.name) ?? `unbound input ${ref.name}`)
            bindings.push(ref.fields === '' ? base : base.split(' | ').map((b) => `${b}${ref.fields}`).join(' | '))
            break
          }
          case 'item':
            bindings.push(`${item ?? 'unbound item'}${ref.field}`)
            break
          case 'status': {
            if (!statuses) break
            const m = members.get(ref.task)
            bindings.push(`status ${m ? memberPath(m) : join(frame.scope, ref.task)}`)
            break
          }
          case 'task': {
            const m = members.get(ref.task)
            if (!m) bindings.push(`unknown task ${ref.task}`)
            else if (m.kind === 'task') bindings.push(`${join(frame.scope, m.name)}:${ioNames(m.at.template)[ref.output] ?? ref.output}`)
            else bindings.push(exportsOf(ref.task).get(ref.output) ?? `unbound output ${ref.task}.${ref.output}`)
          }
        }
      }
      return bindings
    }

    for (const task of tasks) {
      const key = String(task['name'])
      const m = members.get(key)!
      if (m.kind === 'partition') {
        exportsOf(key)
        continue
      }
      const path = memberPath(m)
      const samePath = path === frame.scope
      if (!samePath) {
        for (const dep of dependsNames(task['depends'])) shape.dependencies.add(`${path} after ${members.get(dep) ? memberPath(members.get(dep)!) : join(frame.scope, dep)}`)
        for (const dep of external[m.name] ?? []) shape.dependencies.add(`${path} after ${join(frame.scope, dep)}`)
      }
      if (m.kind === 'group') {
        const group = m.group!
        // A group's DAG task carries its condition and loop; a parallelism wrapper is the same group.
        // A condition on constants only reads nothing (KFP writes the constants into its CEL).
        if (typeof task['when'] === 'string') for (const b of resolveEach(task['when'], undefined, true)) if (b !== 'constant') shape.dataEdges.add(`${path}#when <- ${b}`)
        if ('withItems' in task) shape.dataEdges.add(`${path}#items <- constant`)
        // A constant withParam is an optional nested-pipeline input its caller leaves out: nothing is read.
        if (typeof task['withParam'] === 'string') {
          const items = resolve(task['withParam'], undefined, true)
          if (items !== 'constant') shape.dataEdges.add(`${path}#items <- ${items}`)
        }
        if (!samePath) {
          const limit = group.part === 'parallelism' ? m.at.template['parallelism'] : tasks.length === 1 && looped(task) ? at.template['parallelism'] : undefined
          shape.groups.add(`${path} ${group.kind}${typeof limit === 'number' ? ` parallelism=${limit}` : ''}`)
        }
        exportsOf(key)
        continue
      }
      shape.tasks.add(path)
      const names = ioNames(m.at.template)
      for (const [name, binding] of argBindings(task, undefined, true)) shape.dataEdges.add(`${path}:${names[name] ?? name} <- ${binding}`)
      if (isObj(m.at.template['dag'])) walkDag(m.at, { scope: path, pipeline: path, top: true, scopeNames: names, inputs: new Map() })
    }

    const outputs = obj(at.template['outputs'])
    const exported = new Map<string, string>()
    for (const p of list(outputs['parameters']).map(obj)) {
      const from = obj(p['valueFrom'])
      exported.set(String(p['name']), resolve(String(from['parameter'] ?? from['expression'] ?? ''), undefined, false))
    }
    for (const a of list(outputs['artifacts']).map(obj)) exported.set(String(a['name']), resolve(String(a['from'] ?? a['fromExpression']), undefined, false))
    if (frame.top) {
      for (const [name, binding] of exported) shape.dataEdges.add(`${frame.pipeline}#outputs:${frame.scopeNames[name] ?? name} <- ${binding}`)
    }
    return exported
  }

  walkDag(rootTemplate, { scope: '', pipeline: '', top: true, scopeNames: rootNames, inputs: new Map() })
  return shape.finish()
}
