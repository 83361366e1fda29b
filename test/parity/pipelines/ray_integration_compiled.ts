import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/integration/ray_integration_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const rayFn = components['ray-fn']!
  return pipeline({
    name: 'ray-integration-test',
    description: 'Ray Integration Test',
  }, (dag) => {
    dag.task(rayFn, {}, { caching: false })
  })
}
