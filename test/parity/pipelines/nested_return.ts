import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/nested_return.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const nestedReturn = components['nested-return']!
  return pipeline({ name: 'nested-return' }, (dag) => {
    const nestedReturnTask = dag.task(nestedReturn)
    return { Output: nestedReturnTask.outputs.Output! }
  })
}
