import type { TaskFinalStatus } from './control-flow.ts'
import type { ArtifactSpecNode, ArtifactTypeNode, JsonValue, ParameterSpecNode, ParameterType } from './ir.ts'
import { ARTIFACT_OPTION_KEYS, PARAM_OPTION_KEYS, refuseUnknownKeys } from './option-keys.ts'
import { callerLocation } from './source.ts'

declare const phantom: unique symbol

/**
 * An artifact type. The schema title is kept as a literal type, so a `Model` can never be wired
 * where a `Dataset` is expected, even though both look the same at run time.
 */
export interface ArtifactType<S extends string = string> extends ArtifactTypeNode {
  readonly schemaTitle: S
}

/**
 * Declares an artifact type of your own (KFP: a schema title and version).
 *
 * @example
 * ```ts
 * import { artifact, artifactType } from '@typeflow/dsl'
 * const FeatureSet = artifactType('acme.FeatureSet', '1.0.0')
 * const features = artifact(FeatureSet) // an input or output of that type
 * ```
 */
export function artifactType<const S extends string>(schemaTitle: S, schemaVersion = '0.0.1'): ArtifactType<S> {
  return Object.freeze({ schemaTitle, schemaVersion })
}

/** Any artifact; as an input type it accepts every artifact type (KFP's rule). */
export const Artifact = artifactType('system.Artifact')
/** A data set. */
export const Dataset = artifactType('system.Dataset')
/** A trained model. */
export const Model = artifactType('system.Model')
/** Scalar metrics shown by the KFP UI. */
export const Metrics = artifactType('system.Metrics')
/** Confusion matrix and ROC curve metrics. */
export const ClassificationMetrics = artifactType('system.ClassificationMetrics')
/** Classification metrics per data slice. */
export const SlicedClassificationMetrics = artifactType('system.SlicedClassificationMetrics')
/** An HTML page rendered by the KFP UI. */
export const HTML = artifactType('system.HTML')
/** A Markdown document rendered by the KFP UI. */
export const Markdown = artifactType('system.Markdown')

/** A typed parameter input or output. `V` is the TypeScript value type, `Optional` whether callers may omit it. */
export interface ParamSpec<V = unknown, Optional extends boolean = boolean> extends ParameterSpecNode {
  readonly [phantom]?: { readonly value: V; readonly optional: Optional }
}

/** A typed artifact input or output. */
export interface ArtifactSpec<S extends string = string, List extends boolean = boolean, Optional extends boolean = boolean>
  extends ArtifactSpecNode {
  readonly type: ArtifactType<S>
  readonly [phantom]?: { readonly list: List; readonly optional: Optional }
}

/** Options shared by every parameter declaration. */
export interface ParamOptions<V> {
  /** Value used when the caller gives none; makes the parameter optional. */
  readonly default?: V
  /** Lets callers omit the parameter without a default. @default false */
  readonly optional?: boolean
  readonly description?: string
}

/** Options that make a parameter optional: a default, or `optional: true`. */
export type OptionalParamOptions<V> = ParamOptions<V> & ({ readonly default: V } | { readonly optional: true })

/** Declares a parameter of value type `V`; optional when given a default or `optional: true`. */
export interface ParamFactory<V> {
  (options: OptionalParamOptions<V>): ParamSpec<V, true>
  (options?: ParamOptions<V>): ParamSpec<V, false>
}

/** Declares a list parameter; `T` is the element type. */
export interface ListParamFactory {
  <T extends JsonValue = JsonValue>(options: OptionalParamOptions<readonly T[]>): ParamSpec<readonly T[], true>
  <T extends JsonValue = JsonValue>(options?: ParamOptions<readonly T[]>): ParamSpec<readonly T[], false>
}

/** Declares a struct (JSON object) parameter; `T` is its shape. */
export interface StructParamFactory {
  <T extends { readonly [key: string]: JsonValue } = { readonly [key: string]: JsonValue }>(options: OptionalParamOptions<T>): ParamSpec<T, true>
  <T extends { readonly [key: string]: JsonValue } = { readonly [key: string]: JsonValue }>(options?: ParamOptions<T>): ParamSpec<T, false>
}

function makeParam(type: ParameterType, options: ParamOptions<unknown> | undefined): ParamSpec<never, never> {
  refuseUnknownKeys(options, PARAM_OPTION_KEYS, 'a parameter option', ['param'], callerLocation)
  const spec: { -readonly [K in keyof ParameterSpecNode]: ParameterSpecNode[K] } = {
    kind: 'parameter',
    type,
    optional: options?.optional === true || options?.default !== undefined,
  }
  if (options?.default !== undefined) spec.default = options.default as JsonValue
  if (options?.description !== undefined) spec.description = options.description
  return Object.freeze(spec)
}

/**
 * Parameter declarations: `param.string()`, `param.int({ default: 10 })`, `param.list<string>()` …
 *
 * @example
 * ```ts
 * import { param } from '@typeflow/dsl'
 * const inputs = {
 *   table: param.string({ description: 'BigQuery table' }),
 *   epochs: param.int({ default: 10 }),
 *   learningRate: param.float({ default: 0.01 }),
 *   dryRun: param.bool({ optional: true }),
 *   columns: param.list<string>(),
 *   config: param.struct<{ seed: number }>(),
 * }
 * ```
 */
export const param: {
  readonly string: ParamFactory<string>
  readonly int: ParamFactory<number>
  readonly float: ParamFactory<number>
  readonly bool: ParamFactory<boolean>
  readonly list: ListParamFactory
  readonly struct: StructParamFactory
  /** The final status an exit handler's task receives (KFP `PipelineTaskFinalStatus`). */
  readonly finalStatus: () => ParamSpec<TaskFinalStatus, false>
} = Object.freeze({
  finalStatus: () => makeParam('TASK_FINAL_STATUS', undefined),
  string: (options?: ParamOptions<unknown>) => makeParam('STRING', options),
  int: (options?: ParamOptions<unknown>) => makeParam('NUMBER_INTEGER', options),
  float: (options?: ParamOptions<unknown>) => makeParam('NUMBER_DOUBLE', options),
  bool: (options?: ParamOptions<unknown>) => makeParam('BOOLEAN', options),
  list: (options?: ParamOptions<unknown>) => makeParam('LIST', options),
  struct: (options?: ParamOptions<unknown>) => makeParam('STRUCT', options),
})

/** Options for an artifact declaration. */
export interface ArtifactOptions {
  /** Lets callers omit this input. @default false */
  readonly optional?: boolean
  readonly description?: string
}

function makeArtifact<S extends string>(type: ArtifactType<S>, isList: boolean, options: ArtifactOptions | undefined): ArtifactSpecNode {
  refuseUnknownKeys(options, ARTIFACT_OPTION_KEYS, 'an artifact option', ['artifact'], callerLocation)
  const spec: { -readonly [K in keyof ArtifactSpecNode]: ArtifactSpecNode[K] } = {
    kind: 'artifact',
    type,
    isList,
    optional: options?.optional === true,
  }
  if (options?.description !== undefined) spec.description = options.description
  return Object.freeze(spec)
}

type ArtifactOptional<O> = O extends { readonly optional: true } ? true : false

/**
 * An artifact input or output of the given type; `artifact.list(T)` for a list of artifacts.
 *
 * @example
 * ```ts
 * import { artifact, Dataset, Model } from '@typeflow/dsl'
 * const io = {
 *   data: artifact(Dataset),
 *   warmStart: artifact(Model, { optional: true }),
 *   shards: artifact.list(Dataset),
 * }
 * ```
 */
export const artifact = Object.assign(
  <S extends string, const O extends ArtifactOptions = {}>(type: ArtifactType<S>, options?: O): ArtifactSpec<S, false, ArtifactOptional<O>> =>
    makeArtifact(type, false, options) as ArtifactSpec<S, false, ArtifactOptional<O>>,
  {
    list: <S extends string, const O extends ArtifactOptions = {}>(type: ArtifactType<S>, options?: O): ArtifactSpec<S, true, ArtifactOptional<O>> =>
      makeArtifact(type, true, options) as ArtifactSpec<S, true, ArtifactOptional<O>>,
  },
)

/** Declared inputs of a component or pipeline. */
export type InputSpecs = { readonly [name: string]: ParamSpec | ArtifactSpec }
/** Declared outputs of a component. */
export type OutputSpecs = { readonly [name: string]: ParamSpec | ArtifactSpec }

/** @internal Extracts the phantom value type of a parameter spec. */
export type ParamValue<P> = P extends { readonly [phantom]?: { readonly value: infer V } } ? V : never
/** @internal Whether a spec may be omitted by callers. */
export type IsOptional<P> = P extends { readonly [phantom]?: { readonly optional: infer O } } ? (O extends true ? true : false) : false
/** @internal Whether an artifact spec is a list. */
export type IsList<P> = P extends { readonly [phantom]?: { readonly list: infer L } } ? (L extends true ? true : false) : false
