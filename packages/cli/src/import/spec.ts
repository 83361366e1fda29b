/**
 * Reading KFP files for `typeflow import`: YAML parsing, kind detection and a structural check of
 * the PipelineSpec fields the importer relies on. Problems are diagnostics, never exceptions from
 * deep inside the generator.
 *
 * @module
 */
import type { Diagnostic } from '@typeflow/dsl'
import { TypeflowError } from '@typeflow/dsl'
import { parseAllDocuments } from 'yaml'

export interface IrParameterSpec {
  readonly parameterType: string
  readonly defaultValue?: unknown
  readonly isOptional?: boolean
  readonly description?: string
}
export interface IrArtifactSpec {
  readonly artifactType: { readonly schemaTitle?: string; readonly schemaVersion?: string }
  readonly isArtifactList?: boolean
  readonly isOptional?: boolean
  readonly description?: string
}
export interface IrIo {
  readonly parameters?: Readonly<Record<string, IrParameterSpec>>
  readonly artifacts?: Readonly<Record<string, IrArtifactSpec>>
}
export interface IrInputParameter {
  readonly runtimeValue?: { readonly constant?: unknown }
  readonly componentInputParameter?: string
  readonly taskOutputParameter?: { readonly producerTask: string; readonly outputParameterKey: string }
  readonly taskFinalStatus?: { readonly producerTask: string }
  readonly parameterExpressionSelector?: string
}
export interface IrInputArtifact {
  readonly componentInputArtifact?: string
  readonly taskOutputArtifact?: { readonly producerTask: string; readonly outputArtifactKey: string }
}
export interface IrTask {
  readonly componentRef: { readonly name: string }
  readonly taskInfo?: { readonly name?: string }
  readonly inputs?: {
    readonly parameters?: Readonly<Record<string, IrInputParameter>>
    readonly artifacts?: Readonly<Record<string, IrInputArtifact>>
  }
  readonly dependentTasks?: readonly string[]
  readonly cachingOptions?: { readonly enableCache?: boolean; readonly cacheKey?: string }
  readonly triggerPolicy?: { readonly condition?: string; readonly strategy?: string }
  readonly parameterIterator?: { readonly itemInput: string; readonly items: { readonly raw?: string; readonly inputParameter?: string } }
  readonly artifactIterator?: { readonly itemInput: string; readonly items: { readonly inputArtifact?: string } }
  readonly iteratorPolicy?: { readonly parallelismLimit?: number }
  readonly retryPolicy?: {
    readonly backoffDuration?: string
    readonly backoffFactor?: number
    readonly backoffMaxDuration?: string
    readonly maxRetryCount?: number
  }
}
export interface IrParameterSelector {
  readonly producerSubtask: string
  readonly outputParameterKey: string
}
export interface IrArtifactSelector {
  readonly producerSubtask: string
  readonly outputArtifactKey: string
}
export interface IrDag {
  readonly tasks?: Readonly<Record<string, IrTask>>
  readonly outputs?: {
    readonly parameters?: Readonly<
      Record<string, { readonly valueFromParameter?: IrParameterSelector; readonly valueFromOneof?: { readonly parameterSelectors: readonly IrParameterSelector[] } }>
    >
    readonly artifacts?: Readonly<Record<string, { readonly artifactSelectors: readonly IrArtifactSelector[] }>>
  }
}
export interface IrComponent {
  readonly executorLabel?: string
  readonly dag?: IrDag
  readonly inputDefinitions?: IrIo
  readonly outputDefinitions?: IrIo
}
export interface IrContainer {
  readonly image: string
  readonly command?: readonly string[]
  readonly args?: readonly string[]
  readonly env?: readonly { readonly name: string; readonly value: string }[]
  readonly resources?: Readonly<Record<string, unknown>>
}
export interface IrImporter {
  readonly artifactUri: { readonly constant?: unknown; readonly runtimeParameter?: string }
  readonly typeSchema: { readonly schemaTitle?: string; readonly schemaVersion?: string }
  readonly metadata?: Readonly<Record<string, unknown>>
  readonly reimport?: boolean
}
export interface IrExecutor {
  readonly container?: IrContainer
  readonly importer?: IrImporter
}
export interface IrPipelineSpec {
  readonly pipelineInfo: { readonly name: string; readonly description?: string; readonly displayName?: string }
  readonly components?: Readonly<Record<string, IrComponent>>
  readonly deploymentSpec?: { readonly executors?: Readonly<Record<string, IrExecutor>> }
  readonly root: IrComponent
  readonly defaultPipelineRoot?: string
  readonly schemaVersion?: string
  readonly sdkVersion?: string
}

/** What a KFP file holds. */
export type KfpFileKind = 'v1-component' | 'component' | 'pipeline'

/** A parsed KFP file. */
export type ParsedKfp =
  | { readonly kind: 'v1-component'; readonly text: string; readonly value: Record<string, unknown> }
  | {
      readonly kind: 'component' | 'pipeline'
      readonly spec: IrPipelineSpec
      /** Documents after the PipelineSpec (a PlatformSpec with Kubernetes settings). */
      readonly extraDocuments: number
      /** The second document, when there is one: a PlatformSpec (`platforms.kubernetes…`). */
      readonly platform?: unknown
    }

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

function fail(file: string, path: readonly string[], message: string, line = 1, column = 1): never {
  throw new TypeflowError([{ code: 'E_COMPONENT_YAML', path, message, source: { file, line, column } }])
}

/** Checks the fields the importer walks; returns the problems as diagnostics. */
function checkSpec(spec: Record<string, unknown>, file: string): Diagnostic[] {
  const out: Diagnostic[] = []
  const problem = (path: readonly string[], message: string) =>
    out.push({ code: 'E_COMPONENT_YAML', path, message, source: { file, line: 1, column: 1 } })
  const info = spec['pipelineInfo']
  if (!isRecord(info) || typeof info['name'] !== 'string' || info['name'] === '') problem(['pipelineInfo', 'name'], 'expected the pipeline name (a string)')
  for (const field of ['description', 'displayName']) {
    if (isRecord(info) && info[field] !== undefined && typeof info[field] !== 'string') problem(['pipelineInfo', field], 'expected a string')
  }
  const components = spec['components'] ?? {}
  if (!isRecord(components)) problem(['components'], 'expected a mapping of components')
  const executors = isRecord(spec['deploymentSpec']) ? spec['deploymentSpec']['executors'] : undefined
  if (spec['deploymentSpec'] !== undefined && !isRecord(executors)) problem(['deploymentSpec', 'executors'], 'expected a mapping of executors')
  const checkComponent = (value: unknown, path: readonly string[]) => {
    if (!isRecord(value)) return problem(path, 'expected a component (a mapping)')
    for (const io of ['inputDefinitions', 'outputDefinitions']) {
      const defs = value[io]
      if (defs === undefined) continue
      if (!isRecord(defs)) {
        problem([...path, io], 'expected a mapping')
        continue
      }
      for (const [name, p] of Object.entries(isRecord(defs['parameters']) ? defs['parameters'] : {})) {
        if (!isRecord(p) || typeof p['parameterType'] !== 'string') problem([...path, io, 'parameters', name], 'expected a parameterType')
      }
      for (const [name, a] of Object.entries(isRecord(defs['artifacts']) ? defs['artifacts'] : {})) {
        if (!isRecord(a) || !isRecord(a['artifactType'])) problem([...path, io, 'artifacts', name], 'expected an artifactType')
      }
    }
    const dag = value['dag']
    if (dag === undefined) {
      if (typeof value['executorLabel'] !== 'string') problem(path, 'a component needs an executorLabel or a dag')
      else if (!isRecord(executors) || !isRecord(executors[value['executorLabel']])) problem([...path, 'executorLabel'], `no executor "${value['executorLabel']}" in deploymentSpec`)
      return
    }
    if (!isRecord(dag)) return problem([...path, 'dag'], 'expected a mapping')
    const tasks = dag['tasks'] ?? {}
    if (!isRecord(tasks)) return problem([...path, 'dag', 'tasks'], 'expected a mapping of tasks')
    for (const [name, task] of Object.entries(tasks)) {
      const where = [...path, 'dag', 'tasks', name]
      if (isRecord(task) && task['taskInfo'] !== undefined && !(isRecord(task['taskInfo']) && ['string', 'undefined'].includes(typeof task['taskInfo']['name']))) {
        problem([...where, 'taskInfo'], 'expected taskInfo.name (a string)')
      }
      if (isRecord(task) && task['dependentTasks'] !== undefined && !(Array.isArray(task['dependentTasks']) && task['dependentTasks'].every((d) => typeof d === 'string'))) {
        problem([...where, 'dependentTasks'], 'expected a list of task names')
      }
      const ref = isRecord(task) && isRecord(task['componentRef']) ? task['componentRef']['name'] : undefined
      if (typeof ref !== 'string') problem([...path, 'dag', 'tasks', name, 'componentRef'], 'expected componentRef.name')
      else if (!isRecord(components) || !isRecord(components[ref])) problem([...path, 'dag', 'tasks', name, 'componentRef'], `unknown component "${ref}"`)
    }
  }
  if (!isRecord(spec['root'])) problem(['root'], 'expected the root component (a mapping)')
  else if (!isRecord(spec['root']['dag'])) problem(['root', 'dag'], 'expected the root DAG')
  else checkComponent(spec['root'], ['root'])
  if (isRecord(components)) for (const [key, c] of Object.entries(components)) checkComponent(c, ['components', key])
  if (isRecord(executors)) {
    for (const [label, e] of Object.entries(executors)) {
      if (!isRecord(e)) problem(['deploymentSpec', 'executors', label], 'expected an executor (a mapping)')
      else if (isRecord(e['container'])) {
        if (typeof e['container']['image'] !== 'string') problem(['deploymentSpec', 'executors', label, 'container', 'image'], 'expected an image')
        for (const field of ['command', 'args']) {
          const list = e['container'][field]
          if (list !== undefined && (!Array.isArray(list) || list.some((x) => typeof x !== 'string'))) {
            problem(['deploymentSpec', 'executors', label, 'container', field], 'expected a list of strings')
          }
        }
      } else if (!isRecord(e['importer'])) problem(['deploymentSpec', 'executors', label], 'expected a container or importer executor')
    }
  }
  return out
}

/**
 * Parses a KFP file: a v1 `component.yaml`, or a compiled PipelineSpec (one component, or a
 * pipeline). Throws a `TypeflowError` (`E_COMPONENT_YAML`) on malformed input.
 *
 * @example
 * ```ts
 * import { parseKfpFile } from './spec.ts'
 * const parsed = parseKfpFile('name: echo\nimplementation: {container: {image: alpine}}\n')
 * parsed.kind // 'v1-component'
 * ```
 */
export function parseKfpFile(text: string, file = '<input>'): ParsedKfp {
  const docs = parseAllDocuments(text)
  if (!Array.isArray(docs) || docs.length === 0) fail(file, [], 'empty file: expected a KFP component or pipeline')
  const errors = docs.flatMap((d) => d.errors)
  if (errors.length > 0) {
    const first = errors[0]!
    const pos = first.linePos?.[0]
    fail(file, [], `malformed YAML: ${first.message.split('\n')[0]!.replace(/:$/, '')}`, pos?.line ?? 1, pos?.col ?? 1)
  }
  const values = docs.map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown)
  const first = values[0]
  if (!isRecord(first)) fail(file, [], 'expected a YAML mapping: a KFP component or pipeline')
  if ('implementation' in first) return { kind: 'v1-component', text, value: first }
  if (!('pipelineInfo' in first) || !('root' in first)) {
    fail(file, [], 'not a KFP file: expected a v1 component (name, implementation) or a compiled PipelineSpec (pipelineInfo, root)')
  }
  const problems = checkSpec(first, file)
  if (problems.length > 0) throw new TypeflowError(problems)
  const spec = first as unknown as IrPipelineSpec
  return { kind: isSingleComponent(spec) ? 'component' : 'pipeline', spec, extraDocuments: values.length - 1, ...(values.length > 1 && { platform: values[1] }) }
}

/**
 * A compiled single component (`kfp.compiler.Compiler().compile(component)`): one container
 * component, run by the only root task with every input passed straight through.
 *
 * @example
 * ```ts
 * import { isSingleComponent, type IrPipelineSpec } from './spec.ts'
 * declare const spec: IrPipelineSpec
 * if (isSingleComponent(spec)) console.log('a compiled component')
 * ```
 */
export function isSingleComponent(spec: IrPipelineSpec): boolean {
  const tasks = Object.entries(spec.root.dag?.tasks ?? {})
  if (tasks.length !== 1) return false
  const [, task] = tasks[0]!
  const component = spec.components?.[task.componentRef.name]
  if (!component?.executorLabel || !spec.deploymentSpec?.executors?.[component.executorLabel]?.container) return false
  const rootInputs = [...Object.keys(spec.root.inputDefinitions?.parameters ?? {}), ...Object.keys(spec.root.inputDefinitions?.artifacts ?? {})].sort()
  const componentInputs = [...Object.keys(component.inputDefinitions?.parameters ?? {}), ...Object.keys(component.inputDefinitions?.artifacts ?? {})].sort()
  if (rootInputs.join('\n') !== componentInputs.join('\n')) return false
  const passed = [
    ...Object.entries(task.inputs?.parameters ?? {}).map(([k, v]) => v.componentInputParameter === k),
    ...Object.entries(task.inputs?.artifacts ?? {}).map(([k, v]) => v.componentInputArtifact === k),
  ]
  return passed.every(Boolean) && passed.length === componentInputs.length
}
