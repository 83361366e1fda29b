import { Artifact, artifact, component, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_in_pipeline_loaded_from_yaml.yaml'
export const twins = ['current/valid/parallel_and_nested/pipeline_in_pipeline_loaded_from_yaml.yaml']

const printOp2 = component({
  name: 'print-op2',
  image: 'alpine',
  inputs: { msg: param.string() },
  outputs: { data: artifact(Artifact) },
  command: ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: ({ inputs, outputs }) => [inputs.msg.value, outputs.data.path],
})

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const innerPipeline = pipeline({ name: 'inner-pipeline', inputs: { msg: param.string() } }, (dag, p) => {
    const printed = dag.task(c['print-op1']!, { msg: p.msg })
    const written = dag.task(printOp2, { msg: printed.outputs.Output! })
    return { msg: printed.outputs.Output!, data: written.outputs.data }
  })
  const pipelineInPipeline = pipeline({ name: 'pipeline-in-pipeline', inputs: { msg: param.string({ default: 'Hello' }) } }, (dag, p) => {
    dag.task(c['print-op1']!, { msg: p.msg })
    const inner = dag.task(innerPipeline, { msg: 'world' })
    return { Output: inner.outputs.data }
  })
  return pipeline({ name: 'pipeline-in-pipeline' }, (dag) => {
    const nested = dag.task(pipelineInPipeline, { msg: 'Hello' })
    // The SDK names this component print-op1 too (its key became comp-print-op1-3 on the clash).
    dag.task(c['print-op1-3']!, { data: nested.outputs.Output }, { name: 'print-op1' })
  })
}
