/**
 * The function-component runtime: the executor that runs a TypeScript function inside its
 * container (KFP executor protocol and Argo flags) and the packaging that ships it in the
 * container command.
 *
 * @example
 * ```ts
 * import { packageFunctionComponentSync, DEFAULT_FUNCTION_IMAGE } from '@typeflow/runtime/executor'
 * const { command, args } = packageFunctionComponentSync({ name: 'add', interface: spec, functionSource })
 * ```
 * @module
 */
export * from './protocol.ts'
export * from './uri.ts'
export * from './errors.ts'
export * from './params.ts'
export * from './execute.ts'
export * from './main.ts'
export * from './package.ts'
export { deflateDeterministic, storedZlib } from './deflate.ts'
