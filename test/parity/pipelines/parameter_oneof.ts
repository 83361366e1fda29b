import { eq, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/parameter_oneof.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const off = { caching: false } as const
  const core = pipeline({ name: 'core' }, (dag) => {
    const flip = dag.task(c['flip-coin']!, {}, off)
    let heads, tails
    dag.if(eq(flip.outputs.Output!, 'heads'), () => {
      heads = dag.task(c['core-comp']!, { input: 'Got heads!' }, off)
    }).else(() => {
      tails = dag.task(c['core-output-comp']!, { input: 'Got tails!' }, off)
    })
    return { Output: dag.oneOf(heads!.outputs.Output!, tails!.outputs.output_key!) }
  })
  const mantle = pipeline({ name: 'mantle' }, (dag) => ({ Output: dag.task(core, {}, off).outputs.Output }))
  return pipeline({ name: 'parameter-oneof-pipeline' }, (dag) => {
    const m = dag.task(mantle, {}, off)
    dag.task(c['crust-comp']!, { input: m.outputs.Output }, off)
  })
}
