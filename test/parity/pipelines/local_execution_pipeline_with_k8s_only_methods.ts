import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/local_execution_pipeline_with_k8s_only_methods.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const echo = components['echo']!
  return pipeline({
    name: 'pipeline-with-k8s-only-methods',
    inputs: { message: param.string({ default: 'hello' }) },
  }, (dag, p) => {
    const echoTask = dag.task(echo, { message: p.message }, {
      resources: { cpuLimit: '1000m', memoryLimit: '256Mi', accelerator: { type: 'nvidia.com/gpu' } },
    })
    return { Output: echoTask.outputs.Output! }
  })
}
