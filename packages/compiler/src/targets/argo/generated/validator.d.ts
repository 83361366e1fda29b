import type { ValidateFunction } from 'ajv'

/** Validates one emitted Argo document (generated from targets/argo/schema.ts). */
export declare const document: ValidateFunction
