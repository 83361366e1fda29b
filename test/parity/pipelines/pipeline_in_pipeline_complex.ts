import { component, eq, ne, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_in_pipeline_complex.yaml'
export const twins = ['current/valid/parallel_and_nested/pipeline_in_pipeline_complex.yaml']

const printOp2 = component({
  name: 'print-op2',
  image: 'alpine',
  inputs: { msg: param.string() },
  command: ({ inputs }) => ['echo', inputs.msg.value],
})

const printOp = component({
  name: 'print-op',
  image: 'alpine',
  inputs: { msg: param.string() },
  command: ({ inputs }) => ['echo', inputs.msg.value],
})

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const innerPipeline = pipeline({ name: 'inner-pipeline', inputs: { msg: param.string() } }, (dag, p) => {
    const printed = dag.task(c['print-op1']!, { msg: p.msg })
    dag.if(eq(printed.outputs.Output!, 'Hello'), () => {
      dag.task(printOp2, { msg: 'world' })
    })
    dag.if(ne(printed.outputs.Output!, 'Hello'), () => {
      dag.task(printOp, { msg: 'Bye!' })
    })
  })
  return pipeline({
    name: 'pipeline-in-pipeline-complex',
    inputs: { msg: param.string({ default: 'Hello' }) },
  }, (dag, p) => {
    dag.task(c['print-op1']!, { msg: p.msg })
    dag.forEach(['Hello', 'world!'], (msg) => {
      dag.task(innerPipeline, { msg })
    })
  })
}
