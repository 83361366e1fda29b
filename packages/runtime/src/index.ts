/**
 * Typeflow's runtime: the executor that runs a TypeScript function component inside its
 * container (KFP executor protocol and Argo flags), and its packaging into a command line.
 *
 * @module
 */
export * from './executor/index.ts'
