/**
 * The graph a target's output describes, read back from the emitted documents alone: which tasks
 * exist, which waits for which, and where every task input comes from. Both targets are read into
 * the same target-neutral shape, so a test can check that the KFP IR and the Argo manifests of one
 * pipeline describe the same graph.
 *
 * Shapes are lists of sorted strings (easy to diff):
 * - a task: its path, `train` or `sub/train` inside the nested pipeline task `sub`;
 * - a dependency: `train after prep`;
 * - a data edge: `train:data <- prep:dataset` (a task output), `train:lr <- input :lr` (an input
 *   of the enclosing pipeline: `input <scope path>:<name>`, the root's path is empty), or
 *   `train:epochs <- constant`. A pipeline's own outputs are edges into `<scope path>#outputs`.
 * Inputs fed by an optional input of a nested pipeline that its caller does not give are not
 * edges: neither KFP's driver nor Argo passes anything along them.
 *
 * @module
 */

/** A target-neutral description of a pipeline graph. */
export interface GraphShape {
  readonly tasks: readonly string[]
  readonly dependencies: readonly string[]
  readonly dataEdges: readonly string[]
}

type Obj = Record<string, unknown>

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const obj = (v: unknown): Obj => (isObj(v) ? v : {})
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const join = (scope: string, name: string): string => (scope === '' ? name : `${scope}/${name}`)

class ShapeBuilder {
  readonly tasks = new Set<string>()
  readonly dependencies = new Set<string>()
  readonly dataEdges = new Set<string>()

  finish(): GraphShape {
    const sorted = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    return { tasks: sorted(this.tasks), dependencies: sorted(this.dependencies), dataEdges: sorted(this.dataEdges) }
  }
}

// ---------------------------------------------------------------------------------------------
// KFP IR

/** Reads the graph of a KFP PipelineSpec (the first document; a PlatformSpec is ignored). */
export function kfpGraphShape(documents: readonly unknown[]): GraphShape {
  const spec = obj(documents[0])
  const components = obj(spec['components'])
  const shape = new ShapeBuilder()
  const root = obj(spec['root'])
  const rootInputs = new Set([...Object.keys(obj(obj(root['inputDefinitions'])['parameters'])), ...Object.keys(obj(obj(root['inputDefinitions'])['artifacts']))])

  const walk = (component: Obj, scope: string, present: ReadonlySet<string>): void => {
    const dag = obj(component['dag'])
    for (const [name, value] of Object.entries(obj(dag['tasks']))) {
      const task = obj(value)
      const path = join(scope, name)
      shape.tasks.add(path)
      for (const dep of list(task['dependentTasks'])) shape.dependencies.add(`${path} after ${join(scope, String(dep))}`)
      const inputs = obj(task['inputs'])
      const given = new Set<string>()
      const edge = (input: string, source: Obj) => {
        let from: string
        if ('componentInputParameter' in source || 'componentInputArtifact' in source) {
          const name = String(source['componentInputParameter'] ?? source['componentInputArtifact'])
          if (!present.has(name)) return
          from = `input ${scope}:${name}`
        } else if (isObj(source['taskOutputParameter'])) {
          const t = source['taskOutputParameter']
          from = `${join(scope, String(t['producerTask']))}:${String(t['outputParameterKey'])}`
        } else if (isObj(source['taskOutputArtifact'])) {
          const t = source['taskOutputArtifact']
          from = `${join(scope, String(t['producerTask']))}:${String(t['outputArtifactKey'])}`
        } else from = 'constant'
        given.add(input)
        shape.dataEdges.add(`${path}:${input} <- ${from}`)
      }
      for (const [input, source] of Object.entries(obj(inputs['parameters']))) edge(input, obj(source))
      for (const [input, source] of Object.entries(obj(inputs['artifacts']))) edge(input, obj(source))
      const child = obj(components[String(obj(task['componentRef'])['name'])])
      if (isObj(child['dag'])) {
        const defaults = Object.entries(obj(obj(child['inputDefinitions'])['parameters'])).filter(([, d]) => 'defaultValue' in obj(d)).map(([n]) => n)
        walk(child, path, new Set([...given, ...defaults]))
      }
    }
    const outputs = obj(dag['outputs'])
    for (const [name, value] of Object.entries(obj(outputs['parameters']))) {
      const from = obj(obj(value)['valueFromParameter'])
      shape.dataEdges.add(`${scope}#outputs:${name} <- ${join(scope, String(from['producerSubtask']))}:${String(from['outputParameterKey'])}`)
    }
    for (const [name, value] of Object.entries(obj(outputs['artifacts']))) {
      const from = obj(list(obj(value)['artifactSelectors'])[0])
      shape.dataEdges.add(`${scope}#outputs:${name} <- ${join(scope, String(from['producerSubtask']))}:${String(from['outputArtifactKey'])}`)
    }
  }
  walk(root, '', rootInputs)
  return shape.finish()
}

// ---------------------------------------------------------------------------------------------
// Argo

const RESERVED_PREFIX = 'typeflow-'
const TASK_PARAMETER = 'typeflow-task'
const IO_NAMES = 'typeflow.dev/io-names'
const EXTERNAL_DEPENDS = 'typeflow.dev/external-depends'

interface Located {
  readonly doc: Obj
  readonly template: Obj
}

/** Where a value comes from, as seen from one DAG template. */
type Binding = string

/** How `{{inputs.…}}` and `{{tasks.…}}` read inside one DAG template. */
interface DagFrame {
  readonly scope: string
  /** The scope's own template: `{{inputs.x}}` are the pipeline's inputs. */
  readonly top: boolean
  readonly scopeNames: Readonly<Record<string, string>>
  /** For a partition: its inputs, already resolved. */
  readonly inputs: ReadonlyMap<string, Binding>
}

const REF_PATTERNS: readonly RegExp[] = [
  /\{\{\s*workflow\.parameters\.([-\w]+)\s*\}\}/g,
  /\{\{\s*inputs\.(parameters|artifacts)\.([-\w]+)\s*\}\}/g,
  /\{\{\s*tasks\.([-\w]+)\.outputs\.(parameters|artifacts)\.([-\w]+)\s*\}\}/g,
  /tasks\['([^']+)'\]\.outputs\.(parameters|artifacts)\['([^']+)'\]/g,
  /\binputs\.(parameters|artifacts)\['([^']+)'\]/g,
]

type Ref = { kind: 'global'; name: string } | { kind: 'input'; name: string } | { kind: 'task'; task: string; output: string }

function refsIn(text: string): Ref[] {
  const refs: Ref[] = []
  const [global, input, task, taskExpr, inputExpr] = REF_PATTERNS
  for (const m of text.matchAll(global!)) refs.push({ kind: 'global', name: m[1]! })
  for (const m of text.matchAll(input!)) refs.push({ kind: 'input', name: m[2]! })
  for (const m of text.matchAll(inputExpr!)) refs.push({ kind: 'input', name: m[2]! })
  for (const m of text.matchAll(task!)) refs.push({ kind: 'task', task: m[1]!, output: m[3]! })
  for (const m of text.matchAll(taskExpr!)) refs.push({ kind: 'task', task: m[1]!, output: m[3]! })
  return refs.filter((r) => r.kind === 'global' || r.kind === 'input' || !r.output.startsWith(RESERVED_PREFIX))
}

function ioNames(template: Obj): Record<string, string> {
  const raw = obj(obj(template['metadata'])['annotations'])[IO_NAMES]
  return typeof raw === 'string' ? (JSON.parse(raw) as Record<string, string>) : {}
}

/**
 * Reads the graph of Argo documents written by the Argo target (any kind, split over several
 * objects or not), following nested pipelines and partitions back to the original task names via
 * the `typeflow-task` argument and the `typeflow.dev/*` annotations.
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

  const walkDag = (at: Located, frame: DagFrame): Map<string, Binding> => {
    const tasks = list(obj(at.template['dag'])['tasks']).map(obj)
    const externalRaw = obj(obj(at.template['metadata'])['annotations'])[EXTERNAL_DEPENDS]
    const external = typeof externalRaw === 'string' ? (JSON.parse(externalRaw) as Record<string, string[]>) : {}
    const real = new Map<string, { name: string; at: Located }>()
    const partitions = new Map<string, { at: Located; task: Obj; exports?: Map<string, Binding> }>()
    for (const task of tasks) {
      const params = list(obj(task['arguments'])['parameters']).map(obj)
      const identity = params.find((p) => p['name'] === TASK_PARAMETER)
      if (identity) real.set(String(task['name']), { name: String(identity['value']), at: target(at, task) })
      else partitions.set(String(task['name']), { at: target(at, task), task })
    }
    const exportsOf = (name: string): Map<string, Binding> => {
      const part = partitions.get(name)!
      if (!part.exports) {
        const inputs = new Map<string, Binding>()
        const args = obj(part.task['arguments'])
        for (const p of list(args['parameters']).map(obj)) inputs.set(String(p['name']), resolve(String(p['value'])))
        for (const a of list(args['artifacts']).map(obj)) inputs.set(String(a['name']), resolve(String(a['from'])))
        part.exports = walkDag(part.at, { ...frame, top: false, inputs })
      }
      return part.exports
    }
    const resolve = (text: string): Binding => {
      const refs = refsIn(text)
      if (refs.length === 0) return 'constant'
      const bindings = new Set(refs.map((ref): Binding => {
        switch (ref.kind) {
          case 'global':
            return `input :${rootNames[ref.name] ?? ref.name}`
          case 'input':
            if (frame.top) return `input ${frame.scope}:${frame.scopeNames[ref.name] ?? ref.name}`
            return frame.inputs.get(ref.name) ?? `unbound input ${ref.name}`
          case 'task': {
            const producer = real.get(ref.task)
            if (producer) return `${join(frame.scope, producer.name)}:${ioNames(producer.at.template)[ref.output] ?? ref.output}`
            if (partitions.has(ref.task)) return exportsOf(ref.task).get(ref.output) ?? `unbound output ${ref.task}.${ref.output}`
            return `unknown task ${ref.task}`
          }
        }
      }))
      return [...bindings].join(' | ')
    }

    for (const task of tasks) {
      const producer = real.get(String(task['name']))
      if (!producer) {
        exportsOf(String(task['name']))
        continue
      }
      const path = join(frame.scope, producer.name)
      shape.tasks.add(path)
      const depends = typeof task['depends'] === 'string' ? task['depends'].split('&&').map((d) => d.trim()) : []
      for (const dep of depends) shape.dependencies.add(`${path} after ${join(frame.scope, real.get(dep)?.name ?? dep)}`)
      for (const dep of external[producer.name] ?? []) shape.dependencies.add(`${path} after ${join(frame.scope, dep)}`)
      const names = ioNames(producer.at.template)
      const args = obj(task['arguments'])
      const given = new Map<string, Binding>()
      for (const p of list(args['parameters']).map(obj)) {
        const name = String(p['name'])
        if (name.startsWith(RESERVED_PREFIX)) continue
        given.set(name, resolve(String(p['value'])))
      }
      for (const a of list(args['artifacts']).map(obj)) given.set(String(a['name']), resolve(String(a['from'])))
      for (const [name, binding] of given) shape.dataEdges.add(`${path}:${names[name] ?? name} <- ${binding}`)
      if (isObj(producer.at.template['dag'])) {
        walkDag(producer.at, { scope: path, top: true, scopeNames: names, inputs: new Map() })
      }
    }

    const outputs = obj(at.template['outputs'])
    const exported = new Map<string, Binding>()
    for (const p of list(outputs['parameters']).map(obj)) {
      const from = obj(p['valueFrom'])
      exported.set(String(p['name']), resolve(String(from['parameter'] ?? from['expression'] ?? '')))
    }
    for (const a of list(outputs['artifacts']).map(obj)) exported.set(String(a['name']), resolve(String(a['from'])))
    if (frame.top) {
      for (const [name, binding] of exported) shape.dataEdges.add(`${frame.scope}#outputs:${frame.scopeNames[name] ?? name} <- ${binding}`)
    }
    return exported
  }

  walkDag(rootTemplate, { scope: '', top: true, scopeNames: rootNames, inputs: new Map() })
  return shape.finish()
}
