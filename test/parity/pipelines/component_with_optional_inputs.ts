import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/component_with_optional_inputs.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const componentOp = components['component-op']!
  return pipeline({ name: 'v2-component-optional-input' }, (dag) => {
    dag.task(componentOp, { input1: 'Hello', input2: 'World' })
  })
}
