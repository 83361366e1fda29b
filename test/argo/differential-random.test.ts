/**
 * The differential test of differential.test.ts on random pipelines (the property generator,
 * Argo-expressible ones). Not run by default. It found an item of unknown type compared with a
 * boolean reading as `false` on Argo whatever it held (fixed), a fan-in of a task some iterations
 * skip (`W_ARGO_SKIPPED_FAN_IN`), and a fan-in across nested loops flat on the local runner
 * (fixed: a list of lists, as on the KFP backend and Argo). Run it with
 * `TYPEFLOW_DIFFERENTIAL=1 pnpm vitest run test/argo/differential-random.test.ts` (and
 * `TYPEFLOW_SEED`, `TYPEFLOW_RUNS`) to investigate; it prints each divergence with its pipeline.
 */
import fc from 'fast-check'
import { expect, it } from 'vitest'
import type { IoSpecNode } from '@typeflow/dsl'
import type { Value } from '../../packages/runtime/src/runner/index.ts'
import { pipelineArb } from '../properties/arbitraries.ts'
import { byType, differences, runArgo, runKfp } from './differential.ts'

const enabled = process.env['TYPEFLOW_DIFFERENTIAL'] === '1'

/** Task outputs by type, hostile where text. */
const hostile = byType({ STRING: 'x{$$(HOME){{workflow.name}}', NUMBER_INTEGER: 3, NUMBER_DOUBLE: 2.5, BOOLEAN: true, STRUCT: { b: 2, a: 's{', xs: ['p{', '$'] }, LIST: ['a{', '$'] })
const outputs = (_task: string, _output: string, spec: IoSpecNode) => hostile(spec)

/** Pipeline parameter values with nothing the kubelet or Argo would read, as `argo submit -p` takes them. */
const plain = byType({ STRING: 'plain text', NUMBER_INTEGER: 4, NUMBER_DOUBLE: 0.5, BOOLEAN: false, STRUCT: { a: 'q', b: 1, xs: ['r'] }, LIST: ['m', 'n'] })

it.skipIf(!enabled)('random pipelines deliver the same values on both targets (TYPEFLOW_DIFFERENTIAL=1: divergences still open)', async () => {
  const tally = new Map<string, number>()
  const count = (key: string) => tally.set(key, (tally.get(key) ?? 0) + 1)
  const found: string[] = []
  await fc.assert(
    fc.asyncProperty(pipelineArb({ argo: true }), async (p) => {
      const params: Record<string, Value> = {}
      // Lists even where a default exists: a loop over an empty list differs by design (its fan-in
      // is [] on KFP and unresolved on Argo; docs/guides/argo.md).
      for (const [name, spec] of Object.entries(p.inputs)) if (spec.kind === 'parameter' && (spec.default === undefined || spec.type === 'LIST')) params[name] = plain(spec)
      let kfp: Awaited<ReturnType<typeof runKfp>>
      let argo: ReturnType<typeof runArgo>
      try {
        kfp = await runKfp(p, outputs, params)
        argo = runArgo(p, outputs, params)
      } catch (error) {
        // Values that do not fit how the pipeline reads them (an item compared with a number, a
        // string iterated): not the targets' disagreement.
        count(`not run: ${(error as Error).message.slice(0, 50)}`)
        return
      }
      count(`KFP ${kfp.state}${kfp.error ? ` (${kfp.error.replace(/^(?:[^:]+: )*/, '').slice(0, 40)})` : ''}, Argo ${argo.phase}`)
      if (kfp.state !== 'succeeded' || argo.phase !== 'Succeeded') return
      const different = differences(kfp.deliveries, argo.deliveries)
      if (different.length > 0) found.push(`${fc.stringify(p)}\n${different.join('\n')}`)
    }),
    { seed: Number(process.env['TYPEFLOW_SEED'] ?? 3), numRuns: Number(process.env['TYPEFLOW_RUNS'] ?? 200) },
  )
  console.log(`differential on random pipelines: ${JSON.stringify([...tally])}\n${found.join('\n=====\n')}`)
  expect(found).toEqual([])
}, 600_000)
