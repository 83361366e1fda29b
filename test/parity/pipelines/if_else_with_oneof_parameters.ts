import { eq, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/if_else_with_oneof_parameters.yaml'
export const twins = ['current/valid/if_else_with_oneof_parameters.yaml']

export function build(goldenText: string): PipelineNode {
  const { 'flip-coin': flipCoin, 'print-and-return': printAndReturn } = loadPipelineComponents(goldenText)
  return pipeline({ name: 'flip-coin-pipeline' }, (dag) => {
    const flip = dag.task(flipCoin!)
    let heads, tails
    dag.if(eq(flip.outputs.Output!, 'heads'), () => {
      heads = dag.task(printAndReturn!, { text: 'Got heads!' })
    }).else(() => {
      tails = dag.task(printAndReturn!, { text: 'Got tails!' })
    })
    const x = dag.oneOf(heads!.outputs.Output!, tails!.outputs.Output!)
    dag.task(printAndReturn!, { text: x })
    return { Output: x }
  })
}
