/**
 * Typeflow's authoring API: typed components and pipelines that build a frozen, plain-data graph.
 * Loading existing KFP components from YAML (`loadComponent`, `loadComponentFile`,
 * `loadPipelineComponents`) and KFP's placeholder syntax are in `@typeflow/dsl/kfp`: a pipeline
 * file that loads no YAML does not type-check them along with it.
 *
 * @example
 * ```ts
 * import { artifact, component, Dataset, param, pipeline } from '@typeflow/dsl'
 * const hello = component({ name: 'hello', image: 'alpine:3.20', command: ['echo', 'hello'] })
 * export default pipeline({ name: 'hello' }, (dag) => { dag.task(hello) })
 * ```
 * @module
 */
export * from './types.ts'
export {
  component,
  jsonProblem,
  type ArgumentFor,
  type ArtifactRef,
  type CommandContext,
  type CommandSpec,
  type ComponentConfig,
  type ComponentDef,
  type InputPlaceholder,
  type OutputPlaceholder,
  type ParamRef,
  type PipelineDef,
  type Runnable,
  type TaskArgs,
  type TaskOutputs,
} from './component.ts'
export {
  DEFAULT_FUNCTION_IMAGE,
  functionComponent,
  type ComponentFunction,
  type FunctionArgs,
  type FunctionComponentConfig,
  type FunctionInputArtifact,
  type FunctionInputValue,
  type FunctionOutputArtifact,
  type FunctionResult,
} from './function-component.ts'
export {
  pipeline,
  type AnyRef,
  type AnyTask,
  type Branches,
  type CollectedResult,
  type GroupOptions,
  type ImporterConfig,
  type LoopItem,
  type LoopOptions,
  type LoopResult,
  type CpuQuantity,
  type Dag,
  type Duration,
  type MemoryQuantity,
  type OutputsOf,
  type PipelineConfig,
  type PipelineInputs,
  type AcceleratorRequest,
  type AcceleratorType,
  type RetryOptions,
  type Task,
  type TaskOptions,
  type TaskResources,
} from './pipeline.ts'
export { concat, type CommandItem } from './placeholders.ts'
export {
  createPvc,
  deletePvc,
  kubernetesSources,
  resourceSources,
  type AccessMode,
  type InitContainer,
  type JsonObject,
  type JsonObjectRef,
  type KubernetesName,
  type KubernetesOptions,
  type NodeAffinityTerm,
  type SelectorRequirement,
  type Toleration,
} from './kubernetes.ts'
export { and, collected, eq, fmt, ge, gt, le, lt, ne, not, or, type Collected, type Comparable, type FormatValue, type Operand, type Predicate, type TaskFinalStatus } from './control-flow.ts'
export { fitName, sanitizeName, KUBERNETES_NAME, MAX_NAME_LENGTH } from './names.ts'
export { closestName } from './option-keys.ts'
export { formatDiagnostic, type Diagnostic, type DiagnosticCode } from './diagnostics.ts'
export { TypeflowError } from './errors.ts'
export type * from './ir.ts'
export { allTasks, componentOutputs, deepFreeze } from './ir.ts'
