/**
 * Runs one pipeline on both targets and says where they deliver different values: the KFP IR on
 * the local runner's scheduler (KFP's semantics: conditions in CEL, loops, fan-in, parameters as
 * typed values), the Argo manifests on the simulated controller and kubelet (test/argo/run.ts).
 * Containers do not run: each execution records the parameter values its component receives and
 * answers with outputs chosen by type, the same on both sides. An Argo input holds kubelet-encoded
 * text, so it is compared as the kubelet hands it to the process.
 */
import type { ComponentNode, IoSpecNode, PipelineNode } from '@typeflow/dsl'
import { componentOutputs } from '@typeflow/dsl'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { readBack } from '../../packages/compiler/src/index.ts'
import type { AnalysedPipeline } from '../../packages/compiler/src/analyse/graph.ts'
import { argoIoName, RESERVED_PREFIX } from '../../packages/compiler/src/targets/argo/names.ts'
import { LBRACE_ENV } from '../../packages/compiler/src/targets/argo/text.ts'
import { formatParameter, LocalStore, pipelineInputValues, Scheduler, withDefaults, type PipelineSpec, type StoredArtifact, type TaskEnvironment, type Value } from '../../packages/runtime/src/runner/index.ts'
import { analysed, compileArgo } from './helpers.ts'
import { runWorkflow } from './run.ts'
import { kubeletExpand } from './simulate.ts'

/** The env of a pod, as the kubelet expands `$(VAR)` with it: a reference that should not expand shows. */
const POD_ENV = new Map([[LBRACE_ENV, '{'], ['HOME', '/root']])

/** What a component run produces for an output parameter (by task, output name and declared spec), the same on both targets. */
export type OutputValues = (task: string, output: string, spec: IoSpecNode) => Value

/** Per task name: the multiset of what its executions received, each as `input=value` lines. */
export type Deliveries = Map<string, string[]>

function record(into: Deliveries, task: string, inputs: Readonly<Record<string, string>>): void {
  // An optional input left out arrives empty on Argo and absent on KFP: both read as no entry.
  const line = Object.keys(inputs)
    .filter((k) => inputs[k] !== '')
    .sort()
    .map((k) => `${k}=${JSON.stringify(inputs[k])}`)
    .join(' ')
  const list = into.get(task)
  if (list) list.push(line)
  else into.set(task, [line])
}

/**
 * Values chosen by parameter type (what a test's component outputs, or its pipeline inputs, hold);
 * `null` for artifacts and final statuses.
 */
export function byType(values: Readonly<Record<'STRING' | 'NUMBER_INTEGER' | 'NUMBER_DOUBLE' | 'BOOLEAN' | 'STRUCT' | 'LIST', Value>>): (spec: IoSpecNode) => Value {
  return (spec) => (spec.kind === 'parameter' && spec.type !== 'TASK_FINAL_STATUS' ? values[spec.type] : null)
}

/**
 * Output specs by output name, over every component of every pipeline (nested ones too). Task
 * names repeat across nested pipelines; the test pipelines give outputs of one name one type.
 */
/**
 * The declared type of every task's outputs, keyed by task and output name (a task name can recur
 * in nested pipelines; the first declaration wins there).
 */
function outputSpecsOf(graph: AnalysedPipeline, into = new Map<string, IoSpecNode>()): Map<string, IoSpecNode> {
  for (const task of graph.tasks.values()) {
    for (const [name, spec] of Object.entries(componentOutputs(task.node.component as ComponentNode))) {
      const key = `${task.name}\u0000${name}`
      if (!into.has(key)) into.set(key, spec)
    }
    if (task.child) outputSpecsOf(task.child, into)
  }
  return into
}

/** The KFP side: the scheduler on the emitted IR, with executions answered by `outputs`. */
export async function runKfp(pipeline: PipelineNode, outputs: OutputValues, params: Readonly<Record<string, Value>> = {}): Promise<{ state: string; error?: string; deliveries: Deliveries; records: readonly unknown[] }> {
  const graph = analysed(pipeline)
  const spec = readBack(emitKfp(graph)[0]) as PipelineSpec
  const outputSpecs = outputSpecsOf(graph)
  const deliveries: Deliveries = new Map()
  const environment: TaskEnvironment = {
    store: new LocalStore('/nonexistent'),
    runId: 'wf-run',
    pipelineName: spec.pipelineInfo.name,
    pipelineRoot: 'minio://typeflow',
    hostCommands: false,
    containerRuntime: () => ({ kind: 'none', reason: 'differential test' }),
  }
  const scheduler = new Scheduler({
    spec,
    environment,
    concurrency: 1,
    cache: undefined,
    executeLeaf: async (task) => {
      const given = withDefaults(task.component, task.parameters)
      const inputs: Record<string, string> = {}
      for (const [name, value] of Object.entries(given)) if (task.component.inputDefinitions?.parameters?.[name]) inputs[name] = formatParameter(value)
      record(deliveries, task.name, inputs)
      const parameters: Record<string, Value> = {}
      const artifacts: Record<string, StoredArtifact[]> = {}
      for (const name of Object.keys(task.component.outputDefinitions?.parameters ?? {})) parameters[name] = outputs(task.name, name, outputSpecs.get(`${task.name}\u0000${name}`)!) as never
      for (const [name, definition] of Object.entries(task.component.outputDefinitions?.artifacts ?? {})) {
        artifacts[name] = [{ name, uri: `minio://typeflow/${task.path}/${name}`, type: { schemaTitle: definition.artifactType?.schemaTitle ?? 'system.Artifact' }, metadata: {} }]
      }
      return { ok: true, mode: 'host', outputs: { parameters: parameters as never, artifacts } }
    },
  })
  const artifacts: Record<string, StoredArtifact[]> = {}
  for (const [name, spec] of Object.entries(pipeline.inputs)) if (spec.kind === 'artifact') artifacts[name] = [{ name, uri: `minio://typeflow/inputs/${name}`, type: { schemaTitle: spec.type.schemaTitle }, metadata: {} }]
  // The runner's own reading of pipeline inputs, but for input artifacts, which it cannot take from a user yet.
  const withoutArtifacts = { ...spec, root: { ...spec.root, inputDefinitions: { ...spec.root.inputDefinitions, artifacts: {} } } }
  const outcome = await scheduler.run({ parameters: pipelineInputValues(withoutArtifacts, params), artifacts }, undefined)
  return { state: outcome.state, ...(outcome.error !== undefined && { error: outcome.error }), deliveries, records: scheduler.records() }
}

/** The Argo side: the simulated run of the emitted manifests, containers answered by `outputs`. */
export function runArgo(
  pipeline: PipelineNode,
  outputs: OutputValues,
  params: Readonly<Record<string, Value>> = {},
  passes = 2,
): { phase: string; deliveries: Deliveries; unresolvedOutputs: readonly string[]; unresolvedItems: readonly string[] } {
  const outputSpecs = outputSpecsOf(analysed(pipeline))
  const docs = compileArgo(pipeline)
  const templates = new Map<string, Record<string, any>>()
  for (const d of docs as Record<string, any>[]) for (const t of (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['templates']) templates.set(t['name'], t)
  const deliveries: Deliveries = new Map()
  const parameters: Record<string, string> = {}
  // Given as `argo submit -p` gives them: kubelet text, here with nothing to escape in it.
  for (const [name, value] of Object.entries(params)) parameters[argoIoName(name)] = formatParameter(value)
  const artifacts: Record<string, string> = {}
  for (const [name, spec] of Object.entries(pipeline.inputs)) if (spec.kind === 'artifact') artifacts[argoIoName(name)] = `inputs/${name}`
  const result = runWorkflow(docs, {
    passes,
    parameters,
    artifacts,
    outputs: (run) => {
      const inputs: Record<string, string> = {}
      // The component's inputs: all but the ones Typeflow adds (`typeflow-…`).
      for (const [name, value] of Object.entries(run.inputs)) if (!name.startsWith(RESERVED_PREFIX)) inputs[name] = kubeletExpand(value, POD_ENV)
      record(deliveries, run.task, inputs)
      const out: Record<string, string> = {}
      for (const { name } of (templates.get(run.template)?.['outputs']?.['parameters'] ?? []) as { name: string }[]) {
        if (!name.startsWith(RESERVED_PREFIX)) out[name] = formatParameter(outputs(run.task, name, outputSpecs.get(`${run.task}\u0000${name}`)!))
      }
      return out
    },
  })
  return { phase: result.phase, deliveries, unresolvedOutputs: result.unresolvedOutputs, unresolvedItems: result.unresolvedItems }
}

/** Differences between the two targets' deliveries, one line each (empty: they agree). */
export function differences(kfp: Deliveries, argo: Deliveries): string[] {
  const out: string[] = []
  for (const task of new Set([...kfp.keys(), ...argo.keys()])) {
    const a = [...(kfp.get(task) ?? [])].sort()
    const b = [...(argo.get(task) ?? [])].sort()
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${task}: KFP ${JSON.stringify(a).slice(0, 300)} / Argo ${JSON.stringify(b).slice(0, 300)}`)
  }
  return out
}
