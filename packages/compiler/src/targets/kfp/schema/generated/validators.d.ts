import type { ValidateFunction } from 'ajv'

/** Validates a KFP PipelineSpec document (generated from pipeline-spec.schema.ts). */
export declare const pipeline: ValidateFunction
/** Validates a KFP PlatformSpec document (generated from platform-spec.schema.ts). */
export declare const platform: ValidateFunction
