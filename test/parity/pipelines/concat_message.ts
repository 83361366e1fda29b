import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/concat_message.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const concatMessage = components['concat-message']!
  return pipeline({
    name: 'concat-message',
    inputs: { message1: param.string(), message2: param.string() },
  }, (dag, p) => {
    const concatMessageTask = dag.task(concatMessage, { message1: p.message1, message2: p.message2 })
    return { Output: concatMessageTask.outputs.Output! }
  })
}
