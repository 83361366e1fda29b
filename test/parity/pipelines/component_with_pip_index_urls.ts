import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/component_with_pip_index_urls.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const componentOp = components['component-op']!
  return pipeline({ name: 'v2-component-pip-index-urls' }, (dag) => {
    dag.task(componentOp)
  })
}
