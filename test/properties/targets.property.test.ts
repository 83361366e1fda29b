/**
 * Properties of both targets on random pipelines from the one generator (./arbitraries.ts:
 * parameters, artifacts, nested pipelines, conditions, loops, fan-in, exit handlers, importers,
 * resources, caching options …):
 *
 * 1. schema: every valid pipeline compiles to KFP and Argo; the written YAML reads the same as
 *    YAML 1.1 and 1.2 and passes the strict KFP schema and the Argo schema (and argo-validate.mjs
 *    against Argo's schema.json when ../shared is there);
 * 2. graph: the pipeline IR, the KFP IR and the Argo DAG describe the same graph.
 *
 * Argo: the generator with `{ argo: true }` leaves out the two things the Argo target reports it
 * cannot express (ARGO_LIMITS: fan-in of artifacts, loops over lists of artifacts); a property
 * checks on the unrestricted generator that those are the only diagnostics Argo gives.
 *
 * Fixed seed and bounded runs in CI; `pnpm test:deep` (TYPEFLOW_DEEP=1) runs many more. Every
 * property prints `property <name>: <N> pipelines (seed <S>)`; `TYPEFLOW_SEED=<n>` replays another
 * seed; counterexamples print as DSL-like text. Bugs the properties found are pinned in
 * ./known-bugs.test.ts; the generator steps around them unless `TYPEFLOW_KNOWN_BUGS=1`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'
import { formatDiagnostic } from '@typeflow/dsl'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { validateKfpDocuments } from '../../packages/compiler/src/targets/kfp/schema/validate.ts'
import { failures, runArgoValidate, sharedAvailable, warnings } from '../argo/helpers.ts'
import { ARGO_LIMITS, featuresOf, type GeneratorOptions, pipelineArb, REQUIRED_FEATURES, withOutline } from './arbitraries.ts'
import { expectSameShape, irGraphShape } from './graph.ts'
import { check, compileOk, compileSafely, documentsOf, KNOWN, runs, SEED, sortNames, TIMEOUT } from './harness.ts'

const ALL: GeneratorOptions = { knownBugs: KNOWN }
const ARGO: GeneratorOptions = { argo: true, knownBugs: KNOWN }
/** Runs of a property that compiles each pipeline for one or both targets. */
const RUNS = runs(100, 1_000)

/** YAML 1.2 (the `yaml` package's default), which is how Go and most tools other than PyYAML read it. */
function yaml12(text: string): unknown[] {
  const docs = parseAllDocuments(text)
  if (!Array.isArray(docs)) return []
  for (const d of docs) if (d.errors.length > 0) throw new Error(`YAML 1.2 parse error: ${d.errors[0]!.message}`)
  return docs.map((d) => d.toJS() as unknown)
}

/** Argo diagnostics for what it cannot express (ARGO_LIMITS), recognised by their messages. */
const ARGO_LIMIT_MESSAGES = [/cannot express a fan-in of artifacts/, /cannot loop over a list of artifacts/]

describe('both targets: schemas and graphs (one generator: every feature)', () => {
  it('the generator covers every feature (counted over a sample at the fixed seed)', () => {
    const counts = new Map<string, number>()
    let generated = 0
    for (const arb of [pipelineArb(ALL), pipelineArb(ARGO)]) {
      // Generating is cheap: a larger sample than the properties', so that rare features show for any seed.
      for (const p of fc.sample(arb, { seed: SEED, numRuns: Math.max(RUNS, 500) })) {
        generated++
        for (const f of featuresOf(p)) counts.set(f, (counts.get(f) ?? 0) + 1)
      }
    }
    console.log(`property generator-coverage: ${generated} pipelines (seed ${SEED})\n${sortNames(counts.keys()).map((k) => `  ${k}: ${counts.get(k)}`).join('\n')}`)
    expect(REQUIRED_FEATURES.filter((f) => !counts.has(f)), 'features never generated').toEqual([])
  })

  it('counterexamples print as DSL-like text that depends on the content only', () => {
    const [p] = fc.sample(pipelineArb(ALL).filter((q) => q.body.length > 2), { seed: SEED, numRuns: 1 })
    const printed = fc.stringify(p)
    expect(printed).toMatch(/^pipeline\(\{ name: "/m)
    expect(printed).toContain('dag.')
    expect(fc.stringify(withOutline(structuredClone(p!)))).toBe(printed)
  })

  // 1. schema

  const argoFiles: { name: string; text: string }[] = []
  it('(1) valid pipelines compile to KFP and Argo; the YAML reads the same as 1.1 and 1.2 and passes the KFP and Argo schemas', () => {
    check('schema-both-targets', pipelineArb(ARGO), (p) => {
      const out = compileOk(p, ['kfp', 'argo'])
      for (const target of ['kfp', 'argo'] as const) {
        const text = out[target]!
        const docs11 = documentsOf(text)
        expect(yaml12(text), `${target}: YAML 1.2 and 1.1 read different values`).toEqual(docs11)
        const issues = target === 'kfp' ? validateKfpDocuments(docs11) : validateArgoDocuments(docs11 as Record<string, unknown>[])
        expect(issues, `${target} schema`).toEqual([])
      }
      if (argoFiles.length < 100) argoFiles.push({ name: `random-${argoFiles.length}`, text: out.argo! })
    }, RUNS)
  }, TIMEOUT)

  it.skipIf(!sharedAvailable)('(1) the Argo files pass argo-validate.mjs --no-unknown-fields against Argo\'s schema.json', () => {
    expect(argoFiles.length, 'the previous property collects the files').toBeGreaterThan(0)
    const dir = mkdtempSync(path.join(tmpdir(), 'typeflow-props-'))
    try {
      const files = argoFiles.map((f) => {
        const file = path.join(dir, `${f.name}.argo.yaml`)
        writeFileSync(file, f.text)
        return file
      })
      const run = runArgoValidate(files, 'schema')
      console.log(`property argo-validate: ${files.length} pipelines (seed ${SEED}): ${run.summary.pass} pass, ${run.summary.fail} fail`)
      expect(failures(run)).toEqual([])
      expect(warnings(run)).toEqual([])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, TIMEOUT)

  it(`(1) with every feature, KFP compiles, and Argo reports only what it cannot express (${ARGO_LIMITS.join('; ')})`, () => {
    check('schema-kfp-all-features', pipelineArb(ALL), (p) => {
      compileOk(p, ['kfp'])
      const argo = compileSafely(p, ['argo'])
      if (!argo.ok) {
        for (const d of argo.diagnostics) {
          expect(d.code, formatDiagnostic(d)).toBe('E_SCHEMA')
          expect(ARGO_LIMIT_MESSAGES.some((m) => m.test(d.message)), formatDiagnostic(d)).toBe(true)
        }
      }
    }, RUNS)
  }, TIMEOUT)

  // 2. graph

  it('(2) the pipeline IR, the KFP IR and the Argo DAG describe the same graph (groups, dependencies, data edges)', () => {
    check('same-graph', pipelineArb(ARGO), (p) => {
      const out = compileOk(p, ['kfp', 'argo'])
      const kfp = kfpGraphShape(documentsOf(out.kfp!))
      expectSameShape(kfp, irGraphShape(p), 'KFP IR', 'pipeline IR')
      expectSameShape(argoGraphShape(documentsOf(out.argo!)), kfp, 'Argo', 'KFP IR')
    }, RUNS)
  }, TIMEOUT)

  it('(2) with every feature (artifact fan-in and loops over artifacts too), the KFP IR describes the graph of the pipeline IR', () => {
    check('same-graph-kfp-all-features', pipelineArb(ALL), (p) => {
      expectSameShape(kfpGraphShape(documentsOf(compileOk(p, ['kfp']).kfp!)), irGraphShape(p), 'KFP IR', 'pipeline IR')
    }, RUNS)
  }, TIMEOUT)
})
