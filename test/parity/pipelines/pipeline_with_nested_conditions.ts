import { eq, ne, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_nested_conditions.yaml'
export const twins = ['current/valid/essential/pipeline_with_nested_conditions.yaml']

export function build(goldenText: string): PipelineNode {
  const { 'flip-coin-op': flipCoinOp, 'print-op': printOp } = loadPipelineComponents(goldenText)
  return pipeline({ name: 'nested-conditions-pipeline' }, (dag) => {
    const flip1 = dag.task(flipCoinOp!)
    dag.task(printOp!, { msg: flip1.outputs.Output! })
    const flip2 = dag.task(flipCoinOp!)
    dag.task(printOp!, { msg: flip2.outputs.Output! })
    dag.if(ne(flip1.outputs.Output!, 'no-such-result'), () => {
      const flip3 = dag.task(flipCoinOp!)
      dag.task(printOp!, { msg: flip3.outputs.Output! })
      dag.if(eq(flip2.outputs.Output!, flip3.outputs.Output!), () => {
        const flip4 = dag.task(flipCoinOp!)
        dag.task(printOp!, { msg: flip4.outputs.Output! })
      })
    })
  })
}
