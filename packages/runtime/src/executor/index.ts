/**
 * The function-component runtime: the executor that runs a TypeScript function inside its
 * container (KFP executor protocol and Argo flags) and the packaging that ships it in the
 * container command.
 *
 * @example
 * ```ts
 * import { DEFAULT_FUNCTION_IMAGE, packageFunctionComponentSync } from '@typeflow/runtime'
 * const int = { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } as const
 * const { command, args } = packageFunctionComponentSync({
 *   name: 'add',
 *   interface: { inputs: { a: int, b: int }, outputs: { sum: int } },
 *   functionSource: 'export default ({ a, b }) => ({ sum: a + b })',
 * })
 * // the container: { image: DEFAULT_FUNCTION_IMAGE, command, args }
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
