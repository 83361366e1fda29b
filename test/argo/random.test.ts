/**
 * Random pipelines (the property-test generator of test/properties) on the Argo target, as each
 * kind: no diagnostics, our strict schema, the same graph as the KFP IR, YAML that reads back as
 * written, and argo-validate.mjs in both modes without warnings. `TYPEFLOW_SEED` replays another seed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import type { ArgoKind } from '../../packages/compiler/src/targets/argo/options.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { parseYamlPreservingFloats } from '../../packages/compiler/src/writer/yaml.ts'
import { validPipelineArb } from '../properties/arbitraries.ts'
import { analysed, argoYaml, failures, runArgoValidate, sharedAvailable, warnings, writeTemp } from './helpers.ts'

/** argo-validate.mjs compiles the 2.7 MB CRDs on every run: give it room on a busy machine. */
const VALIDATOR_TIMEOUT = 300_000

const SEED = Number(process.env['TYPEFLOW_SEED'] ?? 20_250_611)
const KINDS: readonly ArgoKind[] = ['Workflow', 'WorkflowTemplate', 'CronWorkflow']

describe('random pipelines on the Argo target', () => {
  const files: { name: string; text: string }[] = []

  it('compile without diagnostics, fit the schema and keep the graph', () => {
    fc.assert(
      fc.property(validPipelineArb(), (pipeline) => {
        const graph = analysed(pipeline)
        const kind = KINDS[files.length % KINDS.length]!
        const { documents, diagnostics } = emitArgo(graph, kind === 'CronWorkflow' ? { kind, schedules: ['*/30 * * * *'] } : { kind })
        expect(diagnostics).toEqual([])
        expect(validateArgoDocuments(documents)).toEqual([])
        expect(argoGraphShape(documents)).toEqual(kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(graph))) as unknown[]))
        const text = argoYaml(documents)
        expect(parseYamlPreservingFloats(text)).toEqual(documents)
        files.push({ name: `random-${files.length}`, text })
      }),
      { seed: SEED, numRuns: 200 },
    )
    console.log(`property argo-same-graph: ${files.length} generated pipelines`)
  })

  it.skipIf(!sharedAvailable)('pass argo-validate.mjs --no-unknown-fields against schema.json and the v4 CRDs', () => {
    const paths = writeTemp(files)
    for (const mode of ['schema', 'crd'] as const) {
      const run = runArgoValidate(paths, mode)
      console.log(`argo-validate (${mode === 'crd' ? '--crd-dir v4 CRDs' : 'schema.json'}) on ${paths.length} random pipelines: ${run.summary.pass} pass, ${run.summary.fail} fail`)
      expect(failures(run)).toEqual([])
      expect(warnings(run)).toEqual([])
    }
  }, VALIDATOR_TIMEOUT)
})
