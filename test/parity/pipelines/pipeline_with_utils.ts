import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/pipeline_with_utils.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const echo = components['echo']!
  return pipeline({
    name: 'pipeline-with-utils',
    description: 'A simple hello world pipeline',
    inputs: { msg: param.string({ default: 'Hello, World!' }) },
  }, (dag, p) => {
    dag.task(echo, { msg: p.msg })
  })
}
