import { Artifact, artifact, component, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_outputs.yaml'

const printOp2 = component({
  name: 'print-op2',
  image: 'alpine',
  inputs: { msg: param.string() },
  outputs: { data: artifact(Artifact) },
  command: ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: ({ inputs, outputs }) => [inputs.msg.value, outputs.data.path],
})

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printOp1 = components['print-op1']!
  const innerPipeline = pipeline({
    name: 'inner-pipeline',
    inputs: { msg: param.string() },
  }, (dag, p) => {
    const printOp1Task = dag.task(printOp1, { msg: p.msg })
    const printOp2Task = dag.task(printOp2, { msg: printOp1Task.outputs.Output! })
    return { data: printOp2Task.outputs.data, msg: printOp1Task.outputs.Output! }
  })
  return pipeline({
    name: 'pipeline-in-pipeline',
    inputs: { msg: param.string({ default: 'Hello' }) },
  }, (dag, p) => {
    const innerPipelineTask = dag.task(innerPipeline, { msg: 'world' })
    dag.task(printOp1, { msg: p.msg })
    return { Output: innerPipelineTask.outputs.data }
  })
}
