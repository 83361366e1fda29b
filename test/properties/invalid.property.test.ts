/**
 * 6. Invalid pipelines (./mutations.ts: a valid pipeline from the one generator plus one mutation
 * of its IR, or one mistake made through the DSL) get exactly their expected diagnostic code on
 * both targets, and compile never throws, even with several mutations stacked.
 *
 * Fixed seed and bounded runs in CI; `pnpm test:deep` (TYPEFLOW_DEEP=1) runs many more. Every
 * property prints `property <name>: <N> pipelines (seed <S>)`; `TYPEFLOW_SEED=<n>` replays another
 * seed; counterexamples print the change, the expected code and the pipeline as DSL-like text.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { PipelineNode } from '@typeflow/dsl'
import { formatDiagnostic, TypeflowError } from '@typeflow/dsl'
import { type GeneratorOptions, pipelineArb } from './arbitraries.ts'
import { check, compileSafely, describeFailure, KNOWN, KNOWN_CODES, runs, TIMEOUT } from './harness.ts'
import { applyMutation, DSL_REJECTS_AT_DECLARATION, type DslCase, dslMutationArb, dslMutationCase, type InvalidCase, mutationArb } from './mutations.ts'

const ALL: GeneratorOptions = { knownBugs: KNOWN }

/** The case must fail (not throw) with exactly its expected code. */
function expectOnlyCode(c: InvalidCase): void {
  const result = compileSafely(c.pipeline, ['kfp', 'argo'])
  if (result.ok) throw new Error(`expected ${c.expected}, but it compiled (${c.change})`)
  const codes = [...new Set(result.diagnostics.map((d) => d.code))]
  expect(codes, `${c.change}\n${describeFailure(result.diagnostics)}`).toEqual([c.expected])
}

/** Declared through the DSL, the mistake gets exactly its code: from compile, or (declaration-time mistakes) as a TypeflowError. */
function expectDslCode(c: DslCase): void {
  let built: PipelineNode
  try {
    built = c.build()
  } catch (error) {
    if (!(error instanceof TypeflowError)) throw new Error(`pipeline() threw something other than a TypeflowError (${c.change}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    expect(DSL_REJECTS_AT_DECLARATION.has(c.kind), `pipeline() threw for ${c.change}: ${error.message}`).toBe(true)
    expect([...new Set(error.diagnostics.map((d) => d.code))], `${c.change}\n${error.message}`).toEqual([c.expected])
    return
  }
  expect(DSL_REJECTS_AT_DECLARATION.has(c.kind), `pipeline() accepted ${c.change}`).toBe(false)
  expectOnlyCode({ pipeline: built, expected: c.expected, change: c.change })
}

describe('invalid pipelines: expected codes, never a throw (one generator: every feature)', () => {
  it('(6) each mutation of the IR fails with exactly its expected code, on both targets, without throwing', () => {
    check('invalid-mutations', fc.tuple(pipelineArb(ALL), mutationArb).map(([p, m]) => applyMutation(p, m)), expectOnlyCode, runs(300, 10_000))
  }, TIMEOUT)

  it('(6) each mistake made through the DSL (`as any` arguments, bad options, a late .after()) gets exactly its expected code, without throwing', () => {
    check('invalid-through-dsl', fc.tuple(pipelineArb(ALL), dslMutationArb).map(([p, m]) => dslMutationCase(p, m)), expectDslCode, runs(200, 6_000))
  }, TIMEOUT)

  it('(6) compile never throws, even with several mutations stacked, and reports only known codes', () => {
    check('never-throws', fc.tuple(pipelineArb(ALL), fc.array(mutationArb, { minLength: 1, maxLength: 4 })), ([p, mutations]) => {
      const mutated = mutations.reduce((q, m) => applyMutation(q, m).pipeline, p)
      const result = compileSafely(mutated, ['kfp', 'argo'])
      expect(result.ok).toBe(false)
      if (!result.ok) {
        for (const d of result.diagnostics) {
          expect(KNOWN_CODES.has(d.code), formatDiagnostic(d)).toBe(true)
          expect(d.message.length).toBeGreaterThan(0)
          expect(Array.isArray(d.path)).toBe(true)
        }
      }
    }, runs(200, 6_000))
  }, TIMEOUT)
})
