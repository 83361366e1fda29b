import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/add_numbers.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const addNumbers = components['add-numbers']!
  return pipeline({
    name: 'add-numbers',
    inputs: { a: param.int(), b: param.int() },
  }, (dag, p) => {
    const addNumbersTask = dag.task(addNumbers, { a: p.a, b: p.b })
    return { Output: addNumbersTask.outputs.Output! }
  })
}
