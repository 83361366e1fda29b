import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_retry.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const add = components['add']!
  return pipeline({
    name: 'test-pipeline',
    inputs: { a: param.float({ default: 1 }), b: param.float({ default: 7 }) },
  }, (dag, p) => {
    dag.task(add, { a: p.a, b: p.b }, { retry: { count: 3 } })
  })
}
