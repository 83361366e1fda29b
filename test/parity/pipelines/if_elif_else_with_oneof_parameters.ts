import { eq, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/if_elif_else_with_oneof_parameters.yaml'
export const twins = ['current/valid/if_elif_else_with_oneof_parameters.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const rollDie = pipeline({ name: 'roll-die-pipeline' }, (dag) => {
    const flip = dag.task(c['flip-three-sided-die']!)
    let heads, tails, draw
    dag.if(eq(flip.outputs.Output!, 'heads'), () => {
      heads = dag.task(c['print-and-return']!, { text: 'Got heads!' })
    }).elif(eq(flip.outputs.Output!, 'tails'), () => {
      tails = dag.task(c['print-and-return']!, { text: 'Got tails!' })
    }).else(() => {
      draw = dag.task(c['special-print-and-return']!, { text: 'Draw!' })
    })
    return { Output: dag.oneOf(heads!.outputs.Output!, tails!.outputs.Output!, draw!.outputs.output_key!) }
  })
  return pipeline({ name: 'outer-pipeline' }, (dag) => {
    const die = dag.task(rollDie)
    const t = dag.task(c['print-and-return']!, { text: die.outputs.Output })
    return { Output: t.outputs.Output! }
  })
}
