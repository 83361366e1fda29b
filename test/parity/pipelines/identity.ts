import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/identity.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const identity = components['identity']!
  return pipeline({ name: 'identity', inputs: { value: param.string() } }, (dag, p) => {
    const identityTask = dag.task(identity, { value: p.value })
    return { Output: identityTask.outputs.Output! }
  })
}
