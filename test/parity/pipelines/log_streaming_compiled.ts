import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/log_streaming_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printMessage = components['print-message']!
  return pipeline({
    name: 'log-streaming-pipeline',
    description: 'Pipeline that prints a hello message in a loop to test log streaming in Dashboard',
    inputs: { message: param.string({ default: 'Hello world' }) },
  }, (dag, p) => {
    dag.task(printMessage, { message: p.message }, { caching: false })
  })
}
