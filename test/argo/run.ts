/**
 * A symbolic run of Workflows the Argo target writes, following the controller's rules closely
 * enough to check what control flow means: DAG scheduling by `depends` (enhanced results), `when`,
 * `withItems` / `withParam` expansion with `{{item}}` / `{{item.<field>}}` (an unresolved one is
 * an error of that iteration, as the controller expands items without allowing any), aggregation
 * of looped tasks' output parameters (`aggregatedJsonValueList`), DAG template outputs
 * (`valueFrom.parameter`, `valueFrom.expression`, `from`, `fromExpression`; one that reads a task
 * that did not run fails the DAG), `failFast` and `target`, template-level `parallelism`
 * (recorded), and container templates (inputs with defaults, substitution passes, then the
 * kubelet's `$(VAR)` expansion of the command). Containers are answered by a callback.
 */
import { argoPass, containerEnv, evaluateExpression, formatGo, kubeletExpand, Unresolved } from './simulate.ts'

type Json = Record<string, any>

/** What a container run saw and produced. */
export interface ContainerRun {
  /** The Typeflow task name (`typeflow-task`). */
  readonly task: string
  readonly template: string
  /** Input parameters as the template received them (after defaults). */
  readonly inputs: Readonly<Record<string, string>>
  /** Input artifacts (symbolic: `<producer task>/<output>`). */
  readonly artifacts: Readonly<Record<string, string>>
  /** The command and args as the process sees them. */
  readonly argv: readonly string[]
  /** The container's env as the process sees it (after substitution and `$(VAR)` expansion). */
  readonly env: Readonly<Record<string, string>>
  /** The substituted `memoize.key`, when the template memoizes. */
  readonly memoizeKey?: string
}

export interface RunOptions {
  /** Workflow parameter values (defaults from `spec.arguments` otherwise). */
  readonly parameters?: Readonly<Record<string, string>>
  /** Workflow input artifacts (`spec.arguments.artifacts`), symbolic, handed to the entrypoint. */
  readonly artifacts?: Readonly<Record<string, string>>
  /** Output parameter values of a container run (by Argo output name), or `'fail'`. */
  readonly outputs?: (run: ContainerRun) => Readonly<Record<string, string>> | 'fail'
  /** Substitution passes applied to a container template (Argo substitutes more than once). */
  readonly passes?: number
}

export interface RunResult {
  readonly phase: string
  readonly runs: readonly ContainerRun[]
  /** DAG templates run with a parallelism limit: template name → limit. */
  readonly limits: ReadonlyMap<string, number>
  /** Root template outputs. */
  readonly outputs: Readonly<Record<string, string>>
  /** DAG templates whose outputs could not be resolved (an expression read a task that did not run). */
  readonly unresolvedOutputs: readonly string[]
  /** Loop tasks with an iteration that failed on an item field the item does not have (`{{item.b}}` of a string). */
  readonly unresolvedItems: readonly string[]
}

interface NodeResult {
  phase: 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted'
  parameters: Record<string, string>
  artifacts: Record<string, string>
}

const templatesOf = (docs: readonly Json[]): Map<string, Json> => {
  const map = new Map<string, Json>()
  for (const d of docs) for (const t of (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['templates'] as Json[]) map.set(t['name'], t)
  return map
}

function substitute<T>(value: T, vars: ReadonlyMap<string, string>, passes = 1): T {
  let json = JSON.stringify(value)
  for (let p = 0; p < passes; p++) json = argoPass(json, vars)
  return JSON.parse(json) as T
}

const UNRESOLVED_ITEM = /\{\{item(?:\.[-\w]+)?\}\}/

/** Argo's aggregation of looped outputs: each value parsed as JSON when it is JSON, else kept. */
export function aggregate(values: readonly string[]): string {
  return JSON.stringify(values.map((v) => {
    try {
      return JSON.parse(v)
    } catch {
      return v
    }
  }))
}

/** Evaluates a `depends` expression against the phases of the DAG's tasks (undefined: not yet). */
function dependsHolds(depends: string, phaseOf: (task: string) => NodeResult['phase'] | undefined): boolean | undefined {
  const names = [...new Set([...depends.matchAll(/([A-Za-z][-\w]*)(?:\.(\w+))?/g)].map((m) => m[1]!))]
  if (names.some((n) => phaseOf(n) === undefined)) return undefined
  const result = (name: string, r: string | undefined): boolean => {
    const phase = phaseOf(name)!
    switch (r) {
      case undefined:
        return phase === 'Succeeded' || phase === 'Skipped'
      case 'Errored':
        return phase === 'Error'
      default:
        return phase === r
    }
  }
  const text = depends.replace(/([A-Za-z][-\w]*)(?:\.(\w+))?/g, (_, n: string, r: string | undefined) => (result(n, r) ? 'true' : 'false'))
  return evaluateExpression(text, new Map()) === true
}

/** Runs the Workflow (the document with an entrypoint) symbolically. */
export function runWorkflow(documents: readonly Json[], options: RunOptions = {}): RunResult {
  const templates = templatesOf(documents)
  const main = documents.find((d) => (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['entrypoint'])!
  const spec = main['kind'] === 'CronWorkflow' ? main['spec']['workflowSpec'] : main['spec']
  const globals = new Map<string, string>([['workflow.name', 'wf-run'], ['workflow.uid', 'uid-1']])
  for (const p of (spec['arguments']?.['parameters'] ?? []) as Json[]) globals.set(`workflow.parameters.${p['name']}`, options.parameters?.[p['name']] ?? p['value'])
  for (const [k, v] of Object.entries(options.parameters ?? {})) globals.set(`workflow.parameters.${k}`, v)
  const runs: ContainerRun[] = []
  const limits = new Map<string, number>()
  const unresolvedOutputs: string[] = []
  const unresolvedItems: string[] = []
  const passes = options.passes ?? 2

  const runTemplate = (name: string, params: Record<string, string>, artifacts: Record<string, string>): NodeResult => {
    const template = templates.get(name)
    if (!template) throw new Error(`no template ${name}`)
    const declared = (template['inputs']?.['parameters'] ?? []) as Json[]
    const given: Record<string, string> = {}
    for (const p of declared) {
      const value = params[p['name']] ?? p['default']
      if (value === undefined) throw new Error(`${name}: input ${p['name']} not supplied`)
      given[p['name']] = value
    }
    // common.SubstituteParams: the template, its input values filled in, is substituted for the
    // globals, then for its inputs (whose values it reads back from the globally substituted text):
    // an input value is itself scanned for tags, twice.
    const filled = { ...template, inputs: { ...template['inputs'], parameters: declared.map((p) => ({ ...p, value: given[p['name']] })) } }
    const globalPass = argoPass(JSON.stringify(filled), globals)
    const inputs: Record<string, string> = {}
    for (const p of (JSON.parse(globalPass) as Json)['inputs']['parameters'] as Json[]) inputs[p['name']] = p['value']
    const vars = new Map(globals)
    for (const [k, v] of Object.entries(inputs)) vars.set(`inputs.parameters.${k}`, v)
    const substituted = JSON.parse(argoPass(globalPass, vars)) as Json
    if (substituted['container']) return runContainer(name, substituted, inputs, artifacts, vars)
    if (substituted['suspend']) return { phase: 'Succeeded', parameters: {}, artifacts: {} }
    return runDag(name, substituted, artifacts, vars)
  }

  const runContainer = (name: string, template: Json, inputs: Record<string, string>, artifacts: Record<string, string>, vars: Map<string, string>): NodeResult => {
    // Substituted once with the inputs already; the pod spec is substituted again when it is made.
    const body = substitute(template, vars, passes - 1)
    const env = containerEnv(body['container']['env'] ?? [])
    const argv = [...(body['container']['command'] ?? []), ...(body['container']['args'] ?? [])].map((a: string) => kubeletExpand(a, env))
    const run: ContainerRun = {
      task: inputs['typeflow-task'] ?? name,
      template: name,
      inputs,
      artifacts,
      argv,
      env: Object.fromEntries(env),
      ...(body['memoize'] && { memoizeKey: body['memoize']['key'] }),
    }
    runs.push(run)
    const produced = options.outputs?.(run) ?? {}
    if (produced === 'fail') return { phase: 'Failed', parameters: {}, artifacts: {} }
    const parameters: Record<string, string> = {}
    for (const p of (template['outputs']?.['parameters'] ?? []) as Json[]) {
      const value = produced[p['name']] ?? p['valueFrom']?.['default']
      if (value === undefined) return { phase: 'Error', parameters: {}, artifacts: {} }
      parameters[p['name']] = value
    }
    const outArtifacts: Record<string, string> = {}
    for (const a of (template['outputs']?.['artifacts'] ?? []) as Json[]) outArtifacts[a['name']] = `${run.task}/${a['name']}`
    return { phase: 'Succeeded', parameters, artifacts: outArtifacts }
  }

  const runDag = (name: string, template: Json, inputArtifacts: Record<string, string>, outer: Map<string, string>): NodeResult => {
    if (typeof template['parallelism'] === 'number') limits.set(name, template['parallelism'])
    const tasks = template['dag']['tasks'] as Json[]
    const failFast = template['dag']['failFast'] !== false
    const results = new Map<string, NodeResult>()
    const scope = new Map(outer)
    const artifactScope = new Map<string, string>()
    for (const [k, v] of Object.entries(inputArtifacts)) artifactScope.set(`inputs.artifacts.${k}`, v)
    const record = (task: string, result: NodeResult) => {
      results.set(task, result)
      scope.set(`tasks.${task}.status`, result.phase)
      for (const [k, v] of Object.entries(result.parameters)) scope.set(`tasks.${task}.outputs.parameters.${k}`, v)
      for (const [k, v] of Object.entries(result.artifacts)) artifactScope.set(`tasks.${task}.outputs.artifacts.${k}`, v)
    }
    let failed = false
    for (let progress = true; progress; ) {
      progress = false
      for (const task of tasks) {
        if (results.has(task['name'])) continue
        let ready: boolean | undefined = true
        if (typeof task['depends'] === 'string') ready = dependsHolds(task['depends'], (t) => results.get(t)?.phase)
        if (ready === undefined) continue
        progress = true
        if (!ready || (failed && failFast)) {
          record(task['name'], { phase: 'Omitted', parameters: {}, artifacts: {} })
          continue
        }
        const result = runTask(task, scope, artifactScope)
        record(task['name'], result)
        if (result.phase === 'Failed' || result.phase === 'Error') failed = true
      }
    }
    const leaves = tasks.filter((t) => !tasks.some((o) => typeof o['depends'] === 'string' && new RegExp(`(^|[^-\\w])${t['name']}($|[^-\\w])`).test(o['depends'])))
    const targets = typeof template['dag']['target'] === 'string' ? (template['dag']['target'] as string).split(' ') : leaves.map((t) => t['name'] as string)
    const bad = (t: string) => ['Failed', 'Error'].includes(results.get(t)!.phase) || (results.get(t)!.phase === 'Omitted' && failed)
    if (targets.some(bad)) return { phase: 'Failed', parameters: {}, artifacts: {} }
    const parameters: Record<string, string> = {}
    const artifacts: Record<string, string> = {}
    const exprEnv = new Map([...scope, ...artifactScope])
    try {
      for (const p of (template['outputs']?.['parameters'] ?? []) as Json[]) {
        const from = p['valueFrom']
        if (from['parameter'] !== undefined) parameters[p['name']] = JSON.parse(argoPass(JSON.stringify(from['parameter']), scope)) as string
        else parameters[p['name']] = formatGo(evaluateExpression(from['expression'], exprEnv))
      }
      for (const a of (template['outputs']?.['artifacts'] ?? []) as Json[]) {
        if (a['from'] !== undefined) artifacts[a['name']] = artifactScope.get(String(a['from']).slice(2, -2))!
        else artifacts[a['name']] = String(evaluateExpression(a['fromExpression'], exprEnv))
      }
    } catch (error) {
      // An output expression reading a task that did not run: the controller cannot resolve the
      // DAG's outputs, and the DAG node fails.
      if (!(error instanceof Unresolved)) throw error
      unresolvedOutputs.push(String(template['name']))
      return { phase: 'Error', parameters: {}, artifacts: {} }
    }
    return { phase: 'Succeeded', parameters, artifacts }
  }

  const runTask = (task: Json, scope: Map<string, string>, artifactScope: Map<string, string>): NodeResult => {
    const { withItems, withParam, ...rest } = task
    const resolved = substitute(rest, scope)
    if (typeof resolved['when'] === 'string') {
      const when = resolved['when'] as string
      if (when !== "true" && when !== "false") throw new Error(`unevaluated when: ${when}`)
      if (when === 'false') return { phase: 'Skipped', parameters: {}, artifacts: {} }
    }
    const call = (t: Json): NodeResult => {
      const params: Record<string, string> = {}
      for (const p of (t['arguments']?.['parameters'] ?? []) as Json[]) params[p['name']] = p['value']
      const arts: Record<string, string> = {}
      for (const a of (t['arguments']?.['artifacts'] ?? []) as Json[]) arts[a['name']] = artifactScope.get(String(a['from']).slice(2, -2)) ?? String(a['from'])
      return runTemplate(t['template'] ?? t['templateRef']['template'], params, arts)
    }
    if (withItems === undefined && withParam === undefined) return call(resolved)
    const items: unknown[] = withItems ?? JSON.parse(substitute(withParam, scope) as string)
    const children = items.map((item): NodeResult => {
      const vars = new Map<string, string>()
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        for (const [k, v] of Object.entries(item)) vars.set(`item.${k}`, typeof v === 'string' ? v : JSON.stringify(v))
        vars.set('item', JSON.stringify(item))
      } else vars.set('item', typeof item === 'string' ? item : JSON.stringify(item))
      const expanded = substitute(resolved, vars)
      // The controller expands an item without allowing unresolved tags: `{{item.a}}` of an item
      // that is not an object (or lacks the key) is an error of that iteration.
      if (UNRESOLVED_ITEM.test(JSON.stringify(expanded))) {
        unresolvedItems.push(String(task['name']))
        return { phase: 'Error', parameters: {}, artifacts: {} }
      }
      return call(expanded)
    })
    const succeeded = children.filter((c) => c.phase === 'Succeeded')
    const parameters: Record<string, string> = {}
    for (const name of new Set(succeeded.flatMap((c) => Object.keys(c.parameters)))) parameters[name] = aggregate(succeeded.map((c) => c.parameters[name]!))
    const phase = children.some((c) => c.phase === 'Failed' || c.phase === 'Error') ? 'Failed' : 'Succeeded'
    return { phase, parameters, artifacts: {} }
  }

  const root = runTemplate(spec['entrypoint'], {}, { ...options.artifacts })
  return { phase: root.phase, runs, limits, outputs: root.parameters, unresolvedOutputs, unresolvedItems }
}
