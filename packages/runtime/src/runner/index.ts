/**
 * The local runner: executes a pipeline's compiled KFP IR on this machine with the backends'
 * semantics (dependency order with parallelism, conditions, loops, fan-in, exit handlers,
 * retries, caching), a local artifact store (`.typeflow/`) and a live progress view.
 *
 * @example
 * ```ts
 * import { createProgress, formatSummary, runPipeline } from '@typeflow/runtime/runner'
 * const progress = createProgress()
 * const result = await runPipeline(myPipeline, { params: { n: 3 }, onEvent: progress.onEvent })
 * progress.close()
 * console.log(formatSummary(result)) // '6 tasks: 4 done, 2 cached in 1.2s'
 * ```
 * @module
 */
export { runPipeline, cacheScope, parseParamValue, pipelineInputValues, RunInputError, type RunEvent, type RunOptions, type RunResult } from './run.ts'
export { createProgress, formatDuration, formatSummary, type Progress, type ProgressOptions } from './progress.ts'
export { Scheduler, retryDelayMs, type CacheScope, type FinalTaskState, type Outcome, type ResolvedInputs, type SchedulerOptions, type TaskCache, type TaskEvent, type TaskOutputEvent, type TaskRecord, type TaskState } from './scheduler.ts'
export {
  detectContainerRuntime,
  executeLeaf,
  formatParameter,
  functionCommandStart,
  isFunctionComponent,
  resolveCommandLine,
  withDefaults,
  type AttemptResult,
  type ContainerRuntime,
  type ExecutionMode,
  type LeafTask,
  type PlaceholderContext,
  type TaskEnvironment,
} from './execute-task.ts'
export { LocalStore, LOCAL_PIPELINE_ROOT, newRunId, writeFileAtomic, type CacheEntry, type StoredArtifact, type TaskOutputs } from './store.ts'
export { CelError, checkCel, evaluateCel, evaluateCondition, selectParameter, type CelValue } from './cel.ts'
export { durationSeconds } from './spec.ts'
export type * from './spec.ts'
export { runCommand } from './cli.ts'
export { loadPipelineFile, type LoadedPipeline } from './load.ts'
