/**
 * The pipeline graph as plain, frozen data.
 *
 * Everything the authoring API builds ends up as these records, and they are all the compiler
 * ever sees: no builder objects, no functions, nothing a target would have to ask questions of.
 * That keeps passes pure, makes the graph hashable for cache keys, and lets tests (and
 * JavaScript users) write pipelines as literals.
 *
 * @module
 */

/** Any value that survives a JSON round trip. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue }

/** Where in the user's code something was declared (1-based line and column). */
export interface SourceLocation {
  readonly file: string
  readonly line: number
  readonly column: number
}

/** The KFP parameter types (`ParameterType.ParameterTypeEnum`). */
export type ParameterType =
  | 'STRING'
  | 'NUMBER_INTEGER'
  | 'NUMBER_DOUBLE'
  | 'BOOLEAN'
  | 'LIST'
  | 'STRUCT'
  | 'TASK_FINAL_STATUS'

/** An artifact type: a schema title such as `system.Dataset` and its version. */
export interface ArtifactTypeNode {
  readonly schemaTitle: string
  readonly schemaVersion: string
}

/** A parameter input or output of a component or pipeline. */
export interface ParameterSpecNode {
  readonly kind: 'parameter'
  readonly type: ParameterType
  /** True when the caller may leave it out (it has a default, or is explicitly optional). */
  readonly optional: boolean
  readonly default?: JsonValue
  readonly description?: string
}

/** An artifact input or output of a component or pipeline. */
export interface ArtifactSpecNode {
  readonly kind: 'artifact'
  readonly type: ArtifactTypeNode
  readonly isList: boolean
  readonly optional: boolean
  readonly description?: string
}

export type IoSpecNode = ParameterSpecNode | ArtifactSpecNode

/** What a value placeholder in a command line refers to. */
export type PlaceholderNode =
  | { readonly kind: 'placeholder'; readonly ref: 'executorInput' }
  | { readonly kind: 'placeholder'; readonly ref: 'executorOutputFile' }
  | {
      readonly kind: 'placeholder'
      readonly ref: 'inputValue' | 'inputPath' | 'inputUri' | 'inputMetadata' | 'inputArtifactList'
      readonly name: string
    }
  | {
      readonly kind: 'placeholder'
      readonly ref: 'outputPath' | 'outputUri' | 'outputMetadata' | 'outputParameterFile'
      readonly name: string
    }
  /** A KFP runtime value such as `{{$.pipeline_job_name}}`, kept by its KFP spelling. */
  | { readonly kind: 'placeholder'; readonly ref: 'runtime'; readonly name: string }

/** One command-line argument: literal text interleaved with placeholders. */
export interface TextArgNode {
  readonly kind: 'text'
  readonly parts: readonly (string | PlaceholderNode)[]
}

/** Several arguments joined into one string (KFP `ConcatPlaceholder`). */
export interface ConcatArgNode {
  readonly kind: 'concat'
  readonly items: readonly CommandArgNode[]
}

/** Arguments that appear only when an optional input is given (KFP `IfPresentPlaceholder`). */
export interface IfPresentArgNode {
  readonly kind: 'ifPresent'
  readonly input: string
  readonly then: readonly CommandArgNode[]
  readonly else?: readonly CommandArgNode[]
}

export type CommandArgNode = TextArgNode | ConcatArgNode | IfPresentArgNode

/** A container resource quantity as Kubernetes writes it (`500m`, `2`, `16Gi`). */
export interface ResourcesNode {
  readonly cpuRequest?: string
  readonly cpuLimit?: string
  readonly memoryRequest?: string
  readonly memoryLimit?: string
  readonly accelerator?: { readonly type: string; readonly count: number }
}

export interface EnvVarNode {
  readonly name: string
  readonly value: string
}

/** A step that runs one container image. */
export interface ContainerComponentNode {
  readonly kind: 'container'
  readonly name: string
  readonly description?: string
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: Readonly<Record<string, IoSpecNode>>
  readonly image: string
  readonly command?: readonly CommandArgNode[]
  readonly args?: readonly CommandArgNode[]
  readonly source?: SourceLocation
}

/** A value flowing into a task input or out of a pipeline. */
export type ValueSourceNode =
  | { readonly kind: 'constant'; readonly value: JsonValue }
  | { readonly kind: 'pipelineInput'; readonly name: string }
  | { readonly kind: 'taskOutput'; readonly task: string; readonly output: string }

export interface RetryNode {
  readonly maxRetryCount: number
  /** Seconds before the first retry. */
  readonly backoffSeconds: number
  readonly backoffFactor: number
  /** Upper bound on the wait between retries, in seconds. */
  readonly backoffMaxSeconds: number
}

export interface CachingNode {
  readonly enabled: boolean
  /** A user-chosen cache key that replaces the computed one. */
  readonly key?: string
}

/** One use of a component inside a pipeline. */
export interface TaskNode {
  readonly kind: 'task'
  /** Unique within the whole pipeline (including nested groups); also the KFP task key. */
  readonly name: string
  readonly displayName?: string
  readonly component: ComponentNode
  readonly inputs: Readonly<Record<string, ValueSourceNode>>
  /** Ordering-only dependencies (data dependencies come from `inputs`). */
  readonly after: readonly string[]
  readonly caching: CachingNode
  readonly env: readonly EnvVarNode[]
  readonly resources?: ResourcesNode
  readonly retry?: RetryNode
  readonly source?: SourceLocation
}

/** Anything that can appear in a pipeline body. Control-flow groups join this union. */
export type BodyNode = TaskNode

/** A pipeline output: what it exposes and which value feeds it. */
export interface PipelineOutputNode {
  readonly spec: IoSpecNode
  readonly from: ValueSourceNode
}

/** A pipeline: a DAG of tasks with typed inputs and outputs. A pipeline is itself a component. */
export interface PipelineNode {
  readonly kind: 'pipeline'
  readonly name: string
  readonly description?: string
  readonly displayName?: string
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: Readonly<Record<string, PipelineOutputNode>>
  /** In declaration order; the compiler imposes its own deterministic order. */
  readonly body: readonly BodyNode[]
  readonly defaultPipelineRoot?: string
  readonly source?: SourceLocation
}

export type ComponentNode = ContainerComponentNode | PipelineNode

/** Every IR record kind; exhaustive `Record<IrKind, …>` tables in passes and targets key on it. */
export type IrKind = ComponentNode['kind'] | BodyNode['kind']

/** The interface (inputs and outputs) of any component. */
export function componentOutputs(component: ComponentNode): Readonly<Record<string, IoSpecNode>> {
  if (component.kind === 'container') return component.outputs
  const outputs: Record<string, IoSpecNode> = {}
  for (const [name, output] of Object.entries(component.outputs)) outputs[name] = output.spec
  return outputs
}

/** Deeply freezes a plain-data record (no-op on primitives and already frozen objects). */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key])
  }
  return value
}
