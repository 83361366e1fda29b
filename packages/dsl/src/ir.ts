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

/** An input or output of a component or pipeline: a parameter or an artifact. */
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

/** One item of a container's `command` or `args`: text with placeholders, a concat, or an IfPresent. */
export type CommandArgNode = TextArgNode | ConcatArgNode | IfPresentArgNode

/**
 * Accelerators for one container: `type` is the Kubernetes resource name (`nvidia.com/gpu`,
 * `amd.com/gpu`) or a KFP accelerator type (`NVIDIA_TESLA_T4`, `tpu-v3`); `model` (such as
 * `nvidia-tesla-t4`) is turned into node placement by the cluster profile chosen at compile time.
 */
export interface AcceleratorNode {
  readonly type: string
  readonly count: number
  readonly model?: string
}

/**
 * Resource values known only at run time (pipeline inputs, task outputs, loop items): each reads
 * a STRING parameter holding a Kubernetes quantity; the accelerator count may also be an integer.
 * A field set here is absent from the static fields of {@link ResourcesNode}.
 */
export interface ParameterResourcesNode {
  readonly cpuRequest?: ValueSourceNode
  readonly cpuLimit?: ValueSourceNode
  readonly memoryRequest?: ValueSourceNode
  readonly memoryLimit?: ValueSourceNode
  /** Set when the accelerator's type or count comes from a parameter (then `accelerator` is absent). */
  readonly accelerator?: {
    readonly type: string | ValueSourceNode
    readonly count: number | ValueSourceNode
    readonly model?: string
  }
}

/** A container resource quantity as Kubernetes writes it (`500m`, `2`, `16Gi`). */
export interface ResourcesNode {
  readonly cpuRequest?: string
  readonly cpuLimit?: string
  readonly memoryRequest?: string
  readonly memoryLimit?: string
  readonly accelerator?: AcceleratorNode
  /** Values taken from parameters at run time (KFP: string fields with placeholders). */
  readonly fromParameters?: ParameterResourcesNode
}

/**
 * A Kubernetes object name (secret, config map, PVC, pull secret): fixed text, or a STRING
 * parameter read at run time (a pipeline input, a task output, a loop item).
 */
export type KubernetesNameNode = string | ValueSourceNode

/** A node selector requirement (`key In [a, b]`, `key Exists`, …). */
export interface SelectorRequirementNode {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'
  readonly values?: readonly string[]
}

/** A toleration of a node taint, or a whole toleration (or list of them) as JSON from a parameter. */
export type TolerationNode =
  | {
      readonly key?: string
      readonly operator: 'Equal' | 'Exists'
      readonly value?: string
      readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
      readonly tolerationSeconds?: number
    }
  /** A `core/v1` Toleration object, or a list of them (constant or STRUCT/LIST parameter). */
  | { readonly json: ValueSourceNode }

/**
 * A node affinity term: required when it has no `weight`, preferred with that weight (1-100)
 * otherwise; or a whole `core/v1` NodeAffinity object as JSON (constant or STRUCT parameter).
 */
export type NodeAffinityNode =
  | {
      readonly matchExpressions?: readonly SelectorRequirementNode[]
      readonly matchFields?: readonly SelectorRequirementNode[]
      readonly weight?: number
    }
  | { readonly json: ValueSourceNode }

/** Pod metadata: labels and annotations. */
export interface PodMetadataNode {
  readonly labels?: Readonly<Record<string, string>>
  readonly annotations?: Readonly<Record<string, string>>
}

/** A container run before the main one, sharing the pod's volumes (KFP `add_init_container`). */
export interface InitContainerNode {
  readonly name: string
  readonly image: string
  readonly command?: readonly string[]
  readonly args?: readonly string[]
  readonly env?: readonly EnvVarNode[]
  /** Mounts of the pod's volumes (empty dirs, ephemeral volumes) by volume name. */
  readonly volumeMounts?: readonly { readonly volumeName: string; readonly mountPath: string }[]
  readonly restartPolicy?: string
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> }
}

/**
 * Kubernetes pod settings of one task: what kfp-kubernetes writes into the KFP PlatformSpec and
 * what the Argo target puts on the task's template. Lists keep declaration order.
 */
export interface KubernetesNode {
  /** Node labels the pod must run on. */
  readonly nodeSelector?: Readonly<Record<string, string>>
  /** A whole node selector (label map) as JSON: a constant or a STRUCT parameter. */
  readonly nodeSelectorJson?: ValueSourceNode
  readonly tolerations?: readonly TolerationNode[]
  readonly nodeAffinity?: readonly NodeAffinityNode[]
  /** Secret keys exposed as environment variables (`env`: variable name → secret key). */
  readonly secretsAsEnv?: readonly { readonly secret: KubernetesNameNode; readonly env: Readonly<Record<string, string>>; readonly optional: boolean }[]
  readonly secretsAsVolume?: readonly { readonly secret: KubernetesNameNode; readonly mountPath: string; readonly optional: boolean }[]
  /** Config map keys exposed as environment variables (`env`: variable name → config map key). */
  readonly configMapsAsEnv?: readonly { readonly configMap: KubernetesNameNode; readonly env: Readonly<Record<string, string>>; readonly optional: boolean }[]
  readonly configMapsAsVolume?: readonly { readonly configMap: KubernetesNameNode; readonly mountPath: string; readonly optional: boolean }[]
  /** PersistentVolumeClaims mounted by name (e.g. the `name` output of a `createPvc` task). */
  readonly pvcMounts?: readonly { readonly pvc: KubernetesNameNode; readonly mountPath: string; readonly subPath?: string }[]
  readonly emptyDirs?: readonly { readonly name: string; readonly mountPath: string; readonly medium?: string; readonly sizeLimit?: string }[]
  /** Generic ephemeral volumes: a PVC created with the pod and deleted with it. */
  readonly ephemeralVolumes?: readonly {
    readonly name: string
    readonly mountPath: string
    readonly accessModes: readonly string[]
    readonly size: string
    /** Absent: the cluster's default storage class. */
    readonly storageClass?: string
    readonly metadata?: PodMetadataNode
  }[]
  readonly imagePullSecrets?: readonly KubernetesNameNode[]
  readonly imagePullPolicy?: 'Always' | 'Never' | 'IfNotPresent'
  /** Environment variables read from the pod's own fields (`metadata.annotations['x']`, `spec.nodeName`). */
  readonly fieldPathEnv?: readonly { readonly name: string; readonly fieldPath: string }[]
  /** Pod `activeDeadlineSeconds`: the pod is stopped after this many seconds. */
  readonly timeoutSeconds?: number
  readonly securityContext?: { readonly runAsUser?: number; readonly runAsGroup?: number; readonly runAsNonRoot?: boolean }
  /** Labels and annotations of the task's pod. */
  readonly podMetadata?: PodMetadataNode
  readonly initContainers?: readonly InitContainerNode[]
}

/** An environment variable with a literal value, set in a task's container. */
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
  /**
   * Set by `functionComponent()`: the TypeScript function this component runs. `command` and
   * `args` are absent until the compiler packages the function (with what it imports, bundled)
   * into a `node` command line; `packages` are npm packages installed when the pod starts.
   */
  readonly function?: {
    /** The function's text as the running program sees it (`fn.toString()`). */
    readonly source: string
    /** Where `functionComponent()` was called; the compiler reads the function from this file. */
    readonly location?: SourceLocation
    /** npm package specs (`lodash@4.17.21`) installed at run time, left out of the bundle. */
    readonly packages: readonly string[]
  }
}

/** A value flowing into a task input or out of a pipeline. */
export type ValueSourceNode =
  | { readonly kind: 'constant'; readonly value: JsonValue }
  | { readonly kind: 'pipelineInput'; readonly name: string }
  | { readonly kind: 'taskOutput'; readonly task: string; readonly output: string }
  /** The current item of an enclosing loop, or a field of it (`path`) when items are structs. */
  | { readonly kind: 'loopItem'; readonly loop: string; readonly path?: readonly string[] }
  /** Fan-in: every value a task inside a loop produced, as a list, read after the loop. */
  | { readonly kind: 'collected'; readonly task: string; readonly output: string }
  /** Whichever of these task outputs was produced: one per branch of an if/elif/else. */
  | { readonly kind: 'oneOf'; readonly branches: string; readonly sources: readonly TaskOutputSourceNode[] }
  /** The final status of the tasks an exit handler guards (or of the single upstream task). */
  | { readonly kind: 'taskFinalStatus' }
  /**
   * Text with parameter values embedded (KFP f-string, DSL `fmt`): literal text and value
   * sources, in order. Parts are never constants or templates. A STRING parameter.
   */
  | { readonly kind: 'template'; readonly parts: readonly (string | ValueSourceNode)[] }
  /**
   * A LIST or STRUCT constant with values embedded (KFP: channels inside a list or dict
   * argument). `value` holds `null` where each embedded value goes; `embedded` gives the path
   * (object keys and list indices) and the source (a parameter reference or a template).
   */
  | {
      readonly kind: 'composite'
      readonly value: JsonValue
      readonly embedded: readonly { readonly path: readonly (string | number)[]; readonly source: ValueSourceNode }[]
    }

/** A reference to one output of one task. */
export type TaskOutputSourceNode = Extract<ValueSourceNode, { kind: 'taskOutput' }>

/** A comparison operator usable in conditions. */
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>='

/** A condition on parameter values: comparisons combined with and, or, not. */
export type PredicateNode =
  | { readonly kind: 'compare'; readonly op: ComparisonOperator; readonly left: ValueSourceNode; readonly right: ValueSourceNode }
  | { readonly kind: 'and' | 'or'; readonly items: readonly PredicateNode[] }
  | { readonly kind: 'not'; readonly item: PredicateNode }

/** A task's retry policy, durations in whole seconds (KFP `retryPolicy`, Argo `retryStrategy`). */
export interface RetryNode {
  /** Retries after the first failure. */
  readonly maxRetryCount: number
  /** Seconds before the first retry. */
  readonly backoffSeconds: number
  /** Multiplier applied to the wait after each retry. */
  readonly backoffFactor: number
  /** Upper bound on the wait between retries, in seconds. */
  readonly backoffMaxSeconds: number
}

/** A task's caching settings, as the author gave them. */
export interface CachingNode {
  /** Explicit choice for this task; when absent, the pipeline's or the compiler's default applies. */
  readonly enabled?: boolean
  /**
   * A user-chosen cache key: written as KFP's `cacheKey` (the KFP backend then fingerprints the
   * task by its component and this key alone); Typeflow's own keys (local runner, Argo) mix it in.
   */
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
  /** Kubernetes pod settings (kfp-kubernetes); names read from parameters are value sources. */
  readonly kubernetes?: KubernetesNode
  readonly retry?: RetryNode
  /** Runs even when upstream tasks failed (KFP `ignore_upstream_failure`). */
  readonly ignoreUpstreamFailure?: boolean
  readonly source?: SourceLocation
}

/**
 * One branch: its tasks run only when `predicate` holds. Inside a `branches` group, a branch
 * also requires every earlier branch's predicate to be false; an `else` has no predicate.
 */
export interface ConditionNode {
  readonly kind: 'condition'
  /** The KFP group name (`condition-3`), unique in the pipeline; also used by the Argo target. */
  readonly id: string
  readonly displayName?: string
  readonly predicate?: PredicateNode
  readonly body: readonly BodyNode[]
  readonly source?: SourceLocation
}

/** An if / elif / else chain: exactly one branch runs (or none, without an else). */
export interface BranchesNode {
  readonly kind: 'branches'
  readonly id: string
  readonly branches: readonly ConditionNode[]
  readonly source?: SourceLocation
}

/** What a loop iterates over. */
export type LoopItemsNode =
  | { readonly kind: 'raw'; readonly values: readonly JsonValue[]; readonly itemId: string }
  | { readonly kind: 'values'; readonly from: ValueSourceNode }
  | { readonly kind: 'artifacts'; readonly from: ValueSourceNode }

/** A parallel for: the body runs once per item, at most `parallelism` at a time. */
export interface LoopNode {
  readonly kind: 'loop'
  readonly id: string
  readonly displayName?: string
  readonly items: LoopItemsNode
  /** Type of each item (for static lists, inferred from the values). */
  readonly itemSpec: IoSpecNode
  readonly parallelism?: number
  readonly body: readonly BodyNode[]
  readonly source?: SourceLocation
}

/** Runs `exitTask` after the body finishes, whatever happened to it. */
export interface ExitHandlerNode {
  readonly kind: 'exitHandler'
  readonly id: string
  readonly displayName?: string
  readonly exitTask: TaskNode
  readonly body: readonly BodyNode[]
  readonly source?: SourceLocation
}

/** A control-flow group. */
export type GroupNode = ConditionNode | BranchesNode | LoopNode | ExitHandlerNode

/** Anything that can appear in a pipeline body. */
export type BodyNode = TaskNode | BranchesNode | ConditionNode | LoopNode | ExitHandlerNode

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
  /** Default caching for tasks that do not choose; when absent, the compiler's default applies. */
  readonly caching?: boolean
  readonly source?: SourceLocation
}

/** Brings an existing artifact (by URI) into the pipeline; input `uri`, output `artifact`. */
export interface ImporterComponentNode {
  readonly kind: 'importer'
  readonly name: string
  readonly inputs: Readonly<Record<string, IoSpecNode>>
  readonly outputs: Readonly<Record<string, IoSpecNode>>
  readonly artifactType: ArtifactTypeNode
  /** Import again on every run instead of reusing an earlier import of the same URI. */
  readonly reimport: boolean
  readonly metadata?: { readonly [key: string]: JsonValue }
}

/** Anything a task can run: a container, a whole pipeline, or an importer. */
export type ComponentNode = ContainerComponentNode | PipelineNode | ImporterComponentNode

/** Every IR record kind; exhaustive `Record<IrKind, …>` tables in passes and targets key on it. */
export type IrKind = ComponentNode['kind'] | BodyNode['kind']

/** The interface (inputs and outputs) of any component. */
export function componentOutputs(component: ComponentNode): Readonly<Record<string, IoSpecNode>> {
  if (component.kind !== 'pipeline') return component.outputs
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

/** Every task in a body, depth first in declaration order, including exit tasks. */
export function* allTasks(body: readonly BodyNode[]): Generator<TaskNode> {
  for (const node of body) {
    switch (node.kind) {
      case 'task':
        yield node
        break
      case 'branches':
        yield* allTasks(node.branches)
        break
      case 'exitHandler':
        yield* allTasks(node.body)
        yield node.exitTask
        break
      case 'condition':
      case 'loop':
        yield* allTasks(node.body)
        break
    }
  }
}
