/**
 * The KFP v2 container I/O protocol as data: `ExecutorInput` (what the launcher substitutes for
 * `{{$}}`), `RuntimeArtifact`, `ExecutorOutput` (what a container may write to
 * `outputs.outputFile`) and the `PipelineTaskFinalStatus` struct handed to exit handlers.
 *
 * Keys are proto3 JSON lowerCamelCase, exactly as Go's `protojson.Marshal` writes them. Inputs are
 * parsed leniently (unknown keys are kept and ignored, every proto3 field is optional) because the
 * backend adds fields over time; `ExecutorOutput` is strict because the backend parses it with
 * `protojson.Unmarshal`, which rejects unknown fields.
 *
 * The schemas use `zod/mini` so that the executor bundle shipped inside every pod stays small.
 *
 * @module
 */
import * as z from 'zod/mini'

/**
 * Any JSON value (what `google.protobuf.Value` can carry).
 *
 * @example
 * ```ts
 * const v: Json = { a: [1, 'x', null] }
 * ```
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

/**
 * A JSON object (`google.protobuf.Struct`).
 *
 * @example
 * ```ts
 * const metadata: JsonObject = { accuracy: 0.9 }
 * ```
 */
export type JsonObject = { [key: string]: Json }

/**
 * Where the first value JSON cannot carry sits inside `value` (keys and indices from the top),
 * and what it is; `undefined` when all of it is JSON (plain objects, arrays, strings, finite
 * numbers, booleans and null).
 *
 * @example
 * ```ts
 * nonJsonAt({ a: [1, undefined] }) // { path: ['a', 1], value: undefined }
 * nonJsonAt({ a: 1 }) // undefined
 * ```
 */
export function nonJsonAt(value: unknown): { path: (string | number)[]; value: unknown } | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : { path: [], value }
  if (typeof value !== 'object') return { path: [], value }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = nonJsonAt(value[i])
      if (bad) return (bad.path.unshift(i), bad)
    }
    return undefined
  }
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return { path: [], value }
  for (const [key, item] of Object.entries(value)) {
    const bad = nonJsonAt(item)
    if (bad) return (bad.path.unshift(key), bad)
  }
  return undefined
}

// Checked in place, never copied: zod's own JSON and record schemas build a copy that leaves out
// (without checking it) a key named "__proto__", which JSON allows.
const jsonCheck = z.superRefine((value: unknown, ctx) => {
  const bad = nonJsonAt(value)
  if (bad) ctx.addIssue({ code: 'custom', message: 'not a JSON value (finite numbers, strings, booleans, null, plain objects and arrays only)', path: bad.path, input: bad.value })
})

/**
 * Schema of a JSON value (finite numbers, plain objects and arrays only). A value that passes is
 * returned as it is, every key kept (a key named `"__proto__"` too).
 *
 * @example
 * ```ts
 * JsonSchema.safeParse({ a: Number.NaN }).success // false
 * ```
 */
export const JsonSchema: z.ZodMiniType<Json> = z.custom<Json>().check(jsonCheck)

/**
 * Schema of a JSON object (`google.protobuf.Struct`), returned as it is like {@link JsonSchema}.
 *
 * @example
 * ```ts
 * JsonObjectSchema.safeParse([1]).success // false
 * ```
 */
export const JsonObjectSchema: z.ZodMiniType<JsonObject> = z
  .custom<JsonObject>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), { message: 'expected a JSON object' })
  .check(jsonCheck)

/**
 * `ArtifactTypeSchema` (proto `ml_pipelines.ArtifactTypeSchema`).
 *
 * @example
 * ```ts
 * ArtifactTypeSchema.parse({ schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' })
 * ```
 */
export const ArtifactTypeSchema = z.looseObject({
  schemaTitle: z.optional(z.string()),
  schemaUri: z.optional(z.string()),
  instanceSchema: z.optional(z.string()),
  schemaVersion: z.optional(z.string()),
})

/**
 * The type of an artifact as the backend describes it.
 *
 * @example
 * ```ts
 * const t: ArtifactType = { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }
 * ```
 */
export type ArtifactType = z.infer<typeof ArtifactTypeSchema>

/**
 * One artifact at run time (proto `RuntimeArtifact`): its MLMD id as `name`, its type, its
 * object-store `uri`, its `metadata`, and an optional local `customPath` that overrides the
 * URI-derived path.
 *
 * @example
 * ```ts
 * const a = RuntimeArtifactSchema.parse({ name: '12', uri: 'gs://b/k', metadata: {} })
 * a.uri // 'gs://b/k'
 * ```
 */
export const RuntimeArtifactSchema = z.looseObject({
  name: z.optional(z.string()),
  type: z.optional(ArtifactTypeSchema),
  uri: z.optional(z.string()),
  metadata: z.optional(z.nullable(JsonObjectSchema)),
  customPath: z.optional(z.string()),
})

/**
 * One artifact at run time (proto `RuntimeArtifact`).
 *
 * @example
 * ```ts
 * const a: RuntimeArtifact = { name: '12', uri: 'minio://mlpipeline/v2/artifacts/p/r/t/u/model', metadata: {} }
 * ```
 */
export type RuntimeArtifact = z.infer<typeof RuntimeArtifactSchema>

/**
 * A list of artifacts (proto `ArtifactList`); a single-artifact input has one entry.
 *
 * @example
 * ```ts
 * ArtifactListSchema.parse({ artifacts: [{ uri: 's3://b/k' }] })
 * ```
 */
export const ArtifactListSchema = z.looseObject({
  artifacts: z.optional(z.array(RuntimeArtifactSchema)),
})

/**
 * A list of artifacts (proto `ArtifactList`).
 *
 * @example
 * ```ts
 * const list: ArtifactList = { artifacts: [{ uri: 'gs://b/a' }, { uri: 'gs://b/b' }] }
 * ```
 */
export type ArtifactList = z.infer<typeof ArtifactListSchema>

/**
 * The `ExecutorInput` JSON that KFP substitutes for `{{$}}`.
 *
 * @example
 * ```ts
 * const input = ExecutorInputSchema.parse(JSON.parse(process.argv[3]!))
 * input.inputs?.parameterValues?.['n'] // 3
 * input.outputs?.outputFile // '/gcs/b/root/task/uuid/output_metadata.json'
 * ```
 */
export const ExecutorInputSchema = z.looseObject({
  inputs: z.optional(
    z.looseObject({
      /** Deprecated `map<string, ml_pipelines.Value>`; read only as a fallback. */
      parameters: z.optional(JsonObjectSchema),
      parameterValues: z.optional(JsonObjectSchema),
      artifacts: z.optional(z.record(z.string(), ArtifactListSchema)),
    }),
  ),
  outputs: z.optional(
    z.looseObject({
      parameters: z.optional(z.record(z.string(), z.looseObject({ outputFile: z.optional(z.string()) }))),
      artifacts: z.optional(z.record(z.string(), ArtifactListSchema)),
      outputFile: z.optional(z.string()),
    }),
  ),
})

/**
 * The `ExecutorInput` JSON that KFP substitutes for `{{$}}`.
 *
 * @example
 * ```ts
 * const input: ExecutorInput = ExecutorInputSchema.parse(JSON.parse(text))
 * ```
 */
export type ExecutorInput = z.infer<typeof ExecutorInputSchema>

/**
 * One artifact in `ExecutorOutput`: only the fields every backend accepts (`customPath` is
 * omitted on purpose: backends before KFP 2.15 reject it as an unknown field).
 *
 * @example
 * ```ts
 * OutputRuntimeArtifactSchema.parse({ name: 'model', uri: 'gs://b/model', metadata: { accuracy: 0.9 } })
 * ```
 */
export const OutputRuntimeArtifactSchema = z.strictObject({
  name: z.optional(z.string()),
  uri: z.optional(z.string()),
  metadata: z.optional(JsonObjectSchema),
})

/**
 * The `ExecutorOutput` JSON a container writes to `outputs.outputFile` (strict: the backend's
 * `protojson.Unmarshal` rejects unknown fields).
 *
 * @example
 * ```ts
 * ExecutorOutputSchema.parse({
 *   parameterValues: { Output: 42 },
 *   artifacts: { model: { artifacts: [{ name: 'model', uri: 'gs://b/model', metadata: { accuracy: 0.9 } }] } },
 * })
 * ```
 */
export const ExecutorOutputSchema = z.strictObject({
  parameterValues: z.optional(JsonObjectSchema),
  artifacts: z.optional(z.record(z.string(), z.strictObject({ artifacts: z.array(OutputRuntimeArtifactSchema) }))),
})

/**
 * The `ExecutorOutput` JSON a container writes to `outputs.outputFile`.
 *
 * @example
 * ```ts
 * const out: ExecutorOutput = { parameterValues: { Output: 42 } }
 * ```
 */
export type ExecutorOutput = z.infer<typeof ExecutorOutputSchema>

/**
 * Known `PipelineTaskFinalStatus.state` values (other strings are passed through).
 *
 * @example
 * ```ts
 * const failed = (s: PipelineTaskState) => s === 'FAILED'
 * ```
 */
export type PipelineTaskState = 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'SKIPPED' | (string & {})

/**
 * What an exit-handler task receives for a `TASK_FINAL_STATUS` input: the state of the pipeline
 * it guards and, on failure, the error (`google.rpc.Status`).
 *
 * @example
 * ```ts
 * export default ({ status }: { status: PipelineTaskFinalStatus }) => {
 *   if (status.state === 'FAILED') console.error(`${status.pipelineTaskName}: ${status.error.message ?? ''}`)
 * }
 * ```
 */
export interface PipelineTaskFinalStatus {
  readonly state: PipelineTaskState
  readonly pipelineJobResourceName: string
  readonly pipelineTaskName: string
  readonly error: { readonly code?: number; readonly message?: string }
}

const FinalStatusWireSchema = z.looseObject({
  state: z.string(),
  pipelineJobResourceName: z.optional(z.nullable(z.string())),
  pipeline_job_resource_name: z.optional(z.nullable(z.string())),
  pipelineTaskName: z.optional(z.nullable(z.string())),
  pipeline_task_name: z.optional(z.nullable(z.string())),
  error: z.optional(
    z.nullable(
      z.looseObject({
        code: z.optional(z.nullable(z.number())),
        message: z.optional(z.nullable(z.string())),
      }),
    ),
  ),
})

/**
 * Schema of the `TASK_FINAL_STATUS` struct, accepting the backend's camelCase keys and the
 * snake_case spelling the Python SDK also accepts; yields a {@link PipelineTaskFinalStatus}.
 *
 * @example
 * ```ts
 * PipelineTaskFinalStatusSchema.parse({ state: 'FAILED', pipeline_task_name: 'train', error: { code: 2, message: 'boom' } })
 * // { state: 'FAILED', pipelineJobResourceName: '', pipelineTaskName: 'train', error: { code: 2, message: 'boom' } }
 * ```
 */
export const PipelineTaskFinalStatusSchema: z.ZodMiniType<PipelineTaskFinalStatus, unknown> = z.pipe(
  FinalStatusWireSchema,
  z.transform((s): PipelineTaskFinalStatus => {
    const error: { code?: number; message?: string } = {}
    if (typeof s.error?.code === 'number') error.code = s.error.code
    if (typeof s.error?.message === 'string') error.message = s.error.message
    return {
      state: s.state,
      pipelineJobResourceName: s.pipelineJobResourceName ?? s.pipeline_job_resource_name ?? '',
      pipelineTaskName: s.pipelineTaskName ?? s.pipeline_task_name ?? '',
      error,
    }
  }),
)
