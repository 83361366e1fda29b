/**
 * The parts of a KFP PipelineSpec (proto3 JSON, as parsed from the compiled YAML) the local
 * runner reads. Everything is optional because proto3 omits defaults.
 *
 * @module
 */

/** `google.protobuf.Value` as JSON. */
export type Value = null | boolean | number | string | Value[] | { [key: string]: Value }

/** `ArtifactTypeSchema`. */
export interface ArtifactTypeSpec {
  readonly schemaTitle?: string
  readonly schemaVersion?: string
  readonly instanceSchema?: string
}

/** `ComponentInputsSpec.ParameterSpec` / outputs' parameter spec. */
export interface ParameterDefinition {
  readonly parameterType?: string
  readonly defaultValue?: Value
  readonly isOptional?: boolean
  readonly description?: string
}

/** `ComponentInputsSpec.ArtifactSpec` / outputs' artifact spec. */
export interface ArtifactDefinition {
  readonly artifactType?: ArtifactTypeSpec
  readonly isArtifactList?: boolean
  readonly isOptional?: boolean
  readonly metadata?: { [key: string]: Value }
}

/** Inputs or outputs of a component. */
export interface IoDefinitions {
  readonly parameters?: Readonly<Record<string, ParameterDefinition>>
  readonly artifacts?: Readonly<Record<string, ArtifactDefinition>>
}

/** `InputParameterSpec`. */
export interface InputParameterSpec {
  readonly taskOutputParameter?: { readonly producerTask: string; readonly outputParameterKey: string }
  readonly runtimeValue?: { readonly constant?: Value; readonly runtimeParameter?: string }
  readonly componentInputParameter?: string
  readonly taskFinalStatus?: { readonly producerTask: string }
  readonly parameterExpressionSelector?: string
}

/** `InputArtifactSpec`. */
export interface InputArtifactSpec {
  readonly taskOutputArtifact?: { readonly producerTask: string; readonly outputArtifactKey: string }
  readonly componentInputArtifact?: string
}

/** `PipelineTaskSpec`. */
export interface TaskSpec {
  readonly taskInfo?: { readonly name?: string }
  readonly inputs?: {
    readonly parameters?: Readonly<Record<string, InputParameterSpec>>
    readonly artifacts?: Readonly<Record<string, InputArtifactSpec>>
  }
  readonly dependentTasks?: readonly string[]
  readonly cachingOptions?: { readonly enableCache?: boolean; readonly cacheKey?: string }
  readonly componentRef: { readonly name: string }
  readonly triggerPolicy?: { readonly condition?: string; readonly strategy?: string }
  readonly parameterIterator?: { readonly items: { readonly raw?: string; readonly inputParameter?: string }; readonly itemInput: string }
  readonly artifactIterator?: { readonly items: { readonly inputArtifact: string }; readonly itemInput: string }
  readonly iteratorPolicy?: { readonly parallelismLimit?: number }
  readonly retryPolicy?: {
    readonly maxRetryCount?: number
    readonly backoffDuration?: string
    readonly backoffFactor?: number
    readonly backoffMaxDuration?: string
  }
}

/** A selector of a DAG output. */
export interface ParameterSelector {
  readonly producerSubtask: string
  readonly outputParameterKey: string
}
/** A selector of a DAG artifact output. */
export interface ArtifactSelector {
  readonly producerSubtask: string
  readonly outputArtifactKey: string
}

/** `DagSpec`. */
export interface DagSpec {
  readonly tasks?: Readonly<Record<string, TaskSpec>>
  readonly outputs?: {
    readonly parameters?: Readonly<
      Record<string, { readonly valueFromParameter?: ParameterSelector; readonly valueFromOneof?: { readonly parameterSelectors: readonly ParameterSelector[] } }>
    >
    readonly artifacts?: Readonly<Record<string, { readonly artifactSelectors: readonly ArtifactSelector[] }>>
  }
}

/** `ComponentSpec`. */
export interface ComponentSpec {
  readonly inputDefinitions?: IoDefinitions
  readonly outputDefinitions?: IoDefinitions
  readonly dag?: DagSpec
  readonly executorLabel?: string
}

/** `PipelineContainerSpec`. */
export interface ContainerSpec {
  readonly image: string
  readonly command?: readonly string[]
  readonly args?: readonly string[]
  readonly env?: readonly { readonly name: string; readonly value: string }[]
}

/** `ImporterSpec`. */
export interface ImporterSpec {
  readonly artifactUri: { readonly constant?: Value; readonly runtimeParameter?: string }
  readonly typeSchema?: ArtifactTypeSpec
  readonly metadata?: { [key: string]: Value }
  readonly reimport?: boolean
}

/** `ExecutorSpec`. */
export interface ExecutorSpec {
  readonly container?: ContainerSpec
  readonly importer?: ImporterSpec
}

/** `PipelineSpec`. */
export interface PipelineSpec {
  readonly pipelineInfo: { readonly name: string; readonly displayName?: string }
  readonly root: ComponentSpec
  readonly components?: Readonly<Record<string, ComponentSpec>>
  readonly deploymentSpec?: { readonly executors?: Readonly<Record<string, ExecutorSpec>> }
  readonly defaultPipelineRoot?: string
}

/**
 * Seconds in a proto3 JSON `Duration` (`"3600s"`, `"1.5s"`); 0 when absent or unreadable.
 *
 * @example
 * ```ts
 * durationSeconds('3600s') // 3600
 * durationSeconds(undefined) // 0
 * ```
 */
export function durationSeconds(duration: string | undefined): number {
  if (duration === undefined) return 0
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(duration.trim())
  return match ? Number(match[1]) : 0
}
