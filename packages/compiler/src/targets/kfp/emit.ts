import type { ContainerComponentNode, IoSpecNode, JsonValue, ResourcesNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { renderKfpArg, sanitizeName } from '@typeflow/dsl'
import type { AnalysedPipeline, AnalysedTask } from '../../analyse/graph.ts'
import { compareNames } from '../../analyse/graph.ts'
import { YamlFloat } from '../../writer/yaml.ts'

/** The KFP IR schema version the SDK hard-codes. */
export const KFP_SCHEMA_VERSION = '2.1.0'

type Json = unknown
type JsonObject = Record<string, Json>

/** `google.protobuf.Value` numbers are doubles: the SDK writes `2.0` even for integers. */
export function protobufValue(value: JsonValue): Json {
  if (typeof value === 'number') return new YamlFloat(value)
  if (Array.isArray(value)) return value.map(protobufValue)
  if (value !== null && typeof value === 'object') {
    const out: JsonObject = {}
    for (const [k, v] of Object.entries(value)) out[k] = protobufValue(v)
    return out
  }
  return value
}

function ioDefinitions(specs: Readonly<Record<string, IoSpecNode>>, direction: 'input' | 'output'): JsonObject | undefined {
  const parameters: JsonObject = {}
  const artifacts: JsonObject = {}
  for (const name of Object.keys(specs).sort(compareNames)) {
    const spec = specs[name]!
    if (spec.kind === 'parameter') {
      parameters[name] = {
        parameterType: spec.type,
        ...(direction === 'input' && spec.default !== undefined && { defaultValue: protobufValue(spec.default) }),
        ...(direction === 'input' && spec.optional && { isOptional: true }),
        ...(spec.description !== undefined && { description: spec.description }),
      }
    } else {
      artifacts[name] = {
        artifactType: { schemaTitle: spec.type.schemaTitle, schemaVersion: spec.type.schemaVersion },
        ...(spec.isList && { isArtifactList: true }),
        ...(direction === 'input' && spec.optional && { isOptional: true }),
        ...(spec.description !== undefined && { description: spec.description }),
      }
    }
  }
  const out: JsonObject = {}
  if (Object.keys(artifacts).length > 0) out['artifacts'] = artifacts
  if (Object.keys(parameters).length > 0) out['parameters'] = parameters
  return Object.keys(out).length > 0 ? out : undefined
}

const memoryUnits: Readonly<Record<string, number>> = {
  '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
}

/** CPU in cores, as the SDK's deprecated `cpuLimit` wants it. */
export function cpuToFloat(cpu: string): number {
  return cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu)
}

/** Memory in GB (10^9 bytes), as the SDK's deprecated `memoryLimit` wants it. */
export function memoryToFloat(memory: string): number {
  const match = /^([0-9.]+)([KMGTPE]i?)?$/.exec(memory)
  if (!match) return Number.NaN
  return (Number(match[1]) * memoryUnits[match[2] ?? '']!) / 1e9
}

function resourceSpec(r: ResourcesNode): JsonObject | undefined {
  const out: JsonObject = {}
  if (r.accelerator) {
    const count = String(r.accelerator.count)
    out['accelerator'] = { count, resourceCount: count, resourceType: r.accelerator.type, type: r.accelerator.type }
  }
  if (r.cpuLimit !== undefined) {
    out['cpuLimit'] = new YamlFloat(cpuToFloat(r.cpuLimit))
    out['resourceCpuLimit'] = r.cpuLimit
  }
  if (r.cpuRequest !== undefined) {
    out['cpuRequest'] = new YamlFloat(cpuToFloat(r.cpuRequest))
    out['resourceCpuRequest'] = r.cpuRequest
  }
  if (r.memoryLimit !== undefined) {
    out['memoryLimit'] = new YamlFloat(memoryToFloat(r.memoryLimit))
    out['resourceMemoryLimit'] = r.memoryLimit
  }
  if (r.memoryRequest !== undefined) {
    out['memoryRequest'] = new YamlFloat(memoryToFloat(r.memoryRequest))
    out['resourceMemoryRequest'] = r.memoryRequest
  }
  return Object.keys(out).length > 0 ? out : undefined
}

function containerSpec(component: ContainerComponentNode, task: TaskNode): JsonObject {
  const resources = task.resources && resourceSpec(task.resources)
  return {
    image: component.image,
    ...(component.command !== undefined && { command: component.command.map(renderKfpArg) }),
    ...(component.args !== undefined && { args: component.args.map(renderKfpArg) }),
    ...(task.env.length > 0 && { env: task.env.map((e) => ({ name: e.name, value: e.value })) }),
    ...(resources !== undefined && { resources }),
  }
}

function taskInputs(task: AnalysedTask): JsonObject | undefined {
  const declared = task.node.component.inputs
  const parameters: JsonObject = {}
  const artifacts: JsonObject = {}
  for (const { input, from } of task.edges) {
    const isArtifact = declared[input]?.kind === 'artifact'
    ;(isArtifact ? artifacts : parameters)[input] = inputSource(from, isArtifact)
  }
  const out: JsonObject = {}
  if (Object.keys(artifacts).length > 0) out['artifacts'] = artifacts
  if (Object.keys(parameters).length > 0) out['parameters'] = parameters
  return Object.keys(out).length > 0 ? out : undefined
}

function inputSource(from: ValueSourceNode, isArtifact: boolean): JsonObject {
  switch (from.kind) {
    case 'constant':
      return { runtimeValue: { constant: protobufValue(from.value) } }
    case 'pipelineInput':
      return isArtifact ? { componentInputArtifact: from.name } : { componentInputParameter: from.name }
    case 'taskOutput':
      return isArtifact
        ? { taskOutputArtifact: { outputArtifactKey: from.output, producerTask: from.task } }
        : { taskOutputParameter: { outputParameterKey: from.output, producerTask: from.task } }
  }
}

function retryPolicy(task: TaskNode): JsonObject | undefined {
  const r = task.retry
  if (!r) return undefined
  return {
    backoffDuration: `${r.backoffSeconds}s`,
    // The SDK turns a zero factor into its default of 2 (`factor or 2.0`).
    backoffFactor: new YamlFloat(r.backoffFactor || 2),
    backoffMaxDuration: `${r.backoffMaxSeconds}s`,
    maxRetryCount: r.maxRetryCount,
  }
}

function pipelineOutputs(pipeline: AnalysedPipeline): JsonObject | undefined {
  const parameters: JsonObject = {}
  const artifacts: JsonObject = {}
  for (const name of Object.keys(pipeline.node.outputs).sort(compareNames)) {
    const output = pipeline.node.outputs[name]!
    if (output.from.kind !== 'taskOutput') continue
    if (output.spec.kind === 'artifact') {
      artifacts[name] = { artifactSelectors: [{ outputArtifactKey: output.from.output, producerSubtask: output.from.task }] }
    } else {
      parameters[name] = { valueFromParameter: { outputParameterKey: output.from.output, producerSubtask: output.from.task } }
    }
  }
  const out: JsonObject = {}
  if (Object.keys(artifacts).length > 0) out['artifacts'] = artifacts
  if (Object.keys(parameters).length > 0) out['parameters'] = parameters
  return Object.keys(out).length > 0 ? out : undefined
}

function pipelineOutputSpecs(pipeline: AnalysedPipeline): Record<string, IoSpecNode> {
  const specs: Record<string, IoSpecNode> = {}
  for (const [name, output] of Object.entries(pipeline.node.outputs)) specs[name] = output.spec
  return specs
}

/** Allocates `comp-…`/`exec-…` keys the way the SDK does: sanitized, then `-2`, `-3` … on clashes. */
class KeyAllocator {
  private readonly taken = new Set<string>()
  allocate(base: string): string {
    if (!this.taken.has(base)) {
      this.taken.add(base)
      return base
    }
    for (let i = 2; ; i++) {
      const candidate = `${base}-${i}`
      if (!this.taken.has(candidate)) {
        this.taken.add(candidate)
        return candidate
      }
    }
  }
}

/** Where the KFP target records each task's emitted names; later passes (Argo, plan) reuse it. */
export interface KfpNames {
  readonly componentOf: ReadonlyMap<TaskNode, string>
}

/**
 * Translates an analysed pipeline into a KFP PipelineSpec, following the SDK's naming and
 * layout. Leaf components of a DAG are named before nested pipelines, each level in task-name
 * order, so the output does not depend on declaration order.
 */
export function emitPipelineSpec(pipeline: AnalysedPipeline, sdkVersion: string): JsonObject {
  const components: JsonObject = {}
  const executors: JsonObject = {}
  const componentKeys = new KeyAllocator()
  const executorKeys = new KeyAllocator()

  const buildDag = (scope: AnalysedPipeline): JsonObject => {
    const componentRef = new Map<string, string>()
    const names = [...scope.tasks.keys()].sort(compareNames)
    for (const name of names) {
      const task = scope.tasks.get(name)!
      const component = task.node.component
      if (component.kind !== 'container') continue
      const key = componentKeys.allocate(`comp-${sanitizeName(name)}`)
      const label = executorKeys.allocate(`exec-${sanitizeName(name)}`)
      componentRef.set(name, key)
      const inputs = ioDefinitions(component.inputs, 'input')
      const outputs = ioDefinitions(component.outputs, 'output')
      components[key] = {
        executorLabel: label,
        ...(inputs !== undefined && { inputDefinitions: inputs }),
        ...(outputs !== undefined && { outputDefinitions: outputs }),
      }
      executors[label] = { container: containerSpec(component, task.node) }
    }
    for (const name of names) {
      const task = scope.tasks.get(name)!
      if (!task.child) continue
      const key = componentKeys.allocate(`comp-${sanitizeName(name)}`)
      componentRef.set(name, key)
      components[key] = componentForPipeline(task.child)
    }
    const tasks: JsonObject = {}
    for (const name of names) {
      const task = scope.tasks.get(name)!
      const node = task.node
      const inputs = taskInputs(task)
      const retry = retryPolicy(node)
      tasks[name] = {
        cachingOptions: node.caching.enabled ? { enableCache: true, ...(node.caching.key !== undefined && { cacheKey: node.caching.key }) } : {},
        componentRef: { name: componentRef.get(name) },
        ...(task.dependsOn.length > 0 && { dependentTasks: [...task.dependsOn] }),
        ...(inputs !== undefined && { inputs }),
        ...(retry !== undefined && { retryPolicy: retry }),
        taskInfo: { name: node.displayName ?? name },
      }
    }
    const outputs = pipelineOutputs(scope)
    return { ...(outputs !== undefined && { outputs }), tasks }
  }

  const componentForPipeline = (scope: AnalysedPipeline): JsonObject => {
    const dag = buildDag(scope)
    const inputs = ioDefinitions(scope.node.inputs, 'input')
    const outputs = ioDefinitions(pipelineOutputSpecs(scope), 'output')
    return {
      dag,
      ...(inputs !== undefined && { inputDefinitions: inputs }),
      ...(outputs !== undefined && { outputDefinitions: outputs }),
    }
  }

  const root = componentForPipeline(pipeline)
  const info = pipeline.node
  return {
    ...(Object.keys(components).length > 0 && { components }),
    ...(info.defaultPipelineRoot !== undefined && { defaultPipelineRoot: info.defaultPipelineRoot }),
    ...(Object.keys(executors).length > 0 && { deploymentSpec: { executors } }),
    pipelineInfo: {
      ...(info.description !== undefined && { description: info.description }),
      ...(info.displayName !== undefined && { displayName: info.displayName }),
      name: info.name,
    },
    root,
    schemaVersion: KFP_SCHEMA_VERSION,
    sdkVersion,
  }
}
