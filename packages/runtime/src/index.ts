/**
 * Typeflow's runtime: the executor that runs a TypeScript function component inside its
 * container (KFP executor protocol and Argo flags), and its packaging into a command line. The
 * local runner is the `@typeflow/runtime/runner` entry point.
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
export * from './executor/index.ts'
