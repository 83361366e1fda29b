import type { SourceLocation } from './ir.ts'

/**
 * Stable diagnostic codes. Tests and tools match on these, never on message text.
 * - `E_DUPLICATE_TASK` two tasks share a name
 * - `E_DUPLICATE_NAME` two components or outputs would get the same emitted name
 * - `E_CYCLE` the tasks' dependencies form a cycle
 * - `E_UNKNOWN_TASK` a reference or `after()` names a task that is not in the pipeline
 * - `E_UNKNOWN_PIPELINE_INPUT` a reference names an input the pipeline does not declare
 * - `E_UNKNOWN_OUTPUT` a reference names an output the producing component does not declare
 * - `E_INVALID_REFERENCE` a value is read where it is not visible (a task output from inside a
 *   condition or loop, a loop item outside its loop), or a group depends on its own contents
 * - `E_UNKNOWN_INPUT` an argument names an input the component does not declare
 * - `E_MISSING_INPUT` a required input has no argument
 * - `E_TYPE_MISMATCH` an argument's type does not fit the input
 * - `E_INVALID_NAME` a pipeline, task or component name Kubernetes or KFP would reject
 * - `E_INVALID_CONSTANT` / `E_INVALID_OUTPUT` / `E_INVALID_DURATION` the DSL was given a value it cannot represent
 * - `E_INVALID_PLACEHOLDER` a command line refers to an input or output the component lacks
 * - `E_COMPONENT_YAML` a loaded component file is malformed or has unknown fields
 * - `E_SCHEMA` an emitted document failed its target schema (a compiler bug; please report it)
 * - `E_IO` a file could not be read or written
 * - `E_INTERNAL` the compiler failed on input it does not check yet, or on a bug of its own: the
 *   message says what failed (please report it with the pipeline)
 * - `E_FUNCTION_CAPTURE` a function component's code cannot travel to its pod: it uses a
 *   variable from outside the function that is neither imported nor a Node global (the message
 *   names it; `source` is where it is used), or what it imports cannot be bundled
 * - `TS<number>` a TypeScript type error (from `typeflow check`)
 * - Platform policies (severity configurable; `--strict` turns warnings into errors):
 *   `E_GPU_WITHOUT_MEMORY_LIMIT` a GPU task without a memory limit, `E_LITERAL_SECRET` a literal
 *   value in an env var named like a credential, `W_UNPINNED_IMAGE` an image not pinned by
 *   digest, `W_GPU_RETRIES` a GPU task retried more than once
 * - `W_KFP_PLACEHOLDER` text you wrote holds `{{$…}}`, which KFP substitutes as its own placeholder
 *   (as the SDK's `PIPELINE_JOB_NAME_PLACEHOLDER` and friends rely on); the Argo target passes it
 *   literally
 * - `W_KFP_VALUE_IN_LIST` a list or dict argument holds values known at run time: the KFP
 *   backend resolves them in string arguments only (kubeflow/pipelines#12204), so the task
 *   receives their placeholders (so does a local run); the Argo target passes the values
 * - `W_ONEOF_NOT_EXHAUSTIVE` a `oneOf()` reads an if/elif without an else, takes nothing from
 *   one of its branches, or takes it from a task that may not run when its branch does (under a
 *   condition inside the branch, or waiting for a task that may not run): when that case happens,
 *   the value is missing and the run fails where it is read (the KFP SDK refuses a `oneOf()`
 *   without an else)
 * - `W_CACHING_NOT_INHERITED` `caching: false` (or a cache key) on the task running a nested
 *   pipeline: the tasks inside do not inherit it, on KFP as with the KFP SDK
 * - `W_ARGO_SKIPPED_FAN_IN` (Argo target) a fan-in collects a task that runs under a condition
 *   inside the loop, or waits for a task under one (it or a group around it), or a nested
 *   pipeline's oneOf output that a run may leave without a value: KFP leaves out the iterations
 *   without a value, Argo cannot (its value is empty there, or the run waits on it, depending on
 *   the Argo version)
 * - `W_NEVER_RUNS` a task waits for a task in another branch of the same if/elif/else: the two
 *   never both run, so it never runs (nor what waits for it), on either target
 * - `W_OPTIONAL_WITHOUT_VALUE` a pipeline input that is optional without a default (or an optional
 *   artifact) is read where a value is needed (a required input, a loop's list, a condition, an
 *   f-string, a list or a dict): when a run leaves it out, KFP fails there (or has nothing to put
 *   in the text), while Argo hands a parameter `''`
 */
export type DiagnosticCode =
  | 'E_DUPLICATE_TASK'
  | 'E_DUPLICATE_NAME'
  | 'E_CYCLE'
  | 'E_UNKNOWN_TASK'
  | 'E_UNKNOWN_PIPELINE_INPUT'
  | 'E_UNKNOWN_OUTPUT'
  | 'E_UNKNOWN_INPUT'
  | 'E_INVALID_REFERENCE'
  | 'E_MISSING_INPUT'
  | 'E_TYPE_MISMATCH'
  | 'E_INVALID_NAME'
  | 'E_INVALID_CONSTANT'
  | 'E_INVALID_OUTPUT'
  | 'E_INVALID_DURATION'
  | 'E_INVALID_PLACEHOLDER'
  | 'E_COMPONENT_YAML'
  | 'E_SCHEMA'
  | 'E_IO'
  | 'E_INTERNAL'
  | 'E_FUNCTION_CAPTURE'
  | `TS${number}`
  | 'E_GPU_WITHOUT_MEMORY_LIMIT'
  | 'E_LITERAL_SECRET'
  | 'W_UNPINNED_IMAGE'
  | 'W_GPU_RETRIES'
  | 'W_KFP_PLACEHOLDER'
  | 'W_KFP_VALUE_IN_LIST'
  | 'W_ONEOF_NOT_EXHAUSTIVE'
  | 'W_CACHING_NOT_INHERITED'
  | 'W_ARGO_SKIPPED_FAN_IN'
  | 'W_OPTIONAL_WITHOUT_VALUE'
  | 'W_NEVER_RUNS'

/** A problem found in a pipeline: data, so tools can filter, format and test it. */
export interface Diagnostic {
  readonly code: DiagnosticCode
  /** Where in the pipeline, e.g. `['tasks', 'train', 'inputs', 'data']`. */
  readonly path: readonly string[]
  readonly message: string
  /** `warning` does not fail a compile (unless strict); absent means `error`. */
  readonly severity?: 'error' | 'warning'
  /** The user's file, line and column when known. */
  readonly source?: SourceLocation
}

/** Formats one diagnostic as `file:line:col - CODE at path: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.source ? `${d.source.file}:${d.source.line}:${d.source.column} - ` : ''
  const path = d.path.length > 0 ? ` at ${d.path.join('.')}` : ''
  return `${where}${d.code}${path}: ${d.message}`
}
