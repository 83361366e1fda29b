import { eq, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/if_else_with_oneof_artifacts.yaml'
export const twins = [
  'current/valid/critical/if_else_with_oneof_artifacts.yaml',
  'current/valid/if_else_with_oneof_artifacts.yaml',
]

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const flipCoinPipeline = pipeline({ name: 'flip-coin-pipeline' }, (dag) => {
    const flip = dag.task(c['flip-coin']!)
    let heads, tails
    dag.if(eq(flip.outputs.Output!, 'heads'), () => {
      heads = dag.task(c['param-to-artifact']!, { val: flip.outputs.Output! })
    }).else(() => {
      tails = dag.task(c['param-to-artifact']!, { val: flip.outputs.Output! })
    })
    const x = dag.oneOf(heads!.outputs.a!, tails!.outputs.a!)
    dag.task(c['print-artifact']!, { a: x })
    return { Output: x }
  })
  return pipeline({ name: 'outer-pipeline' }, (dag) => {
    const flip = dag.task(flipCoinPipeline)
    dag.task(c['print-artifact']!, { a: flip.outputs.Output })
  })
}
