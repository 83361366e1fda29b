import { eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_condition.yaml'
export const twins = ['current/valid/essential/pipeline_with_condition.yaml']

export function build(goldenText: string): PipelineNode {
  const { 'flip-coin-op': flipCoinOp, 'print-op': printOp } = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'single-condition-pipeline',
    inputs: { text: param.string({ default: 'condition test' }) },
  }, (dag, p) => {
    const flip1 = dag.task(flipCoinOp!, {}, { caching: false })
    dag.task(printOp!, { msg: flip1.outputs.Output! })
    dag.if(eq(flip1.outputs.Output!, 'heads'), () => {
      const flip2 = dag.task(flipCoinOp!, {}, { caching: false })
      dag.task(printOp!, { msg: flip2.outputs.Output! })
      dag.task(printOp!, { msg: p.text })
    })
  })
}
