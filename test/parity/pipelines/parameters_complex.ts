import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/parallelfor_fan_in/parameters_complex.yaml'
export const twins = ['current/valid/parameters_complex.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'math-pipeline' }, (dag) => {
    const { doubled, nested } = dag.forEach([1, 2, 3], (x) => {
      const d = dag.task(c['double']!, { num: x })
      const inner = dag.forEach([4, 5, 6], (y) => dag.task(c['double']!, { num: y }).outputs.Output!)
      dag.task(c['simple-add']!, { nums: inner })
      return { doubled: d.outputs.Output!, nested: inner }
    })
    dag.task(c['nested-add']!, { nums: nested })
    const { simple, nestedSums } = dag.forEach([0, 0, 0], () => ({
      simple: dag.task(c['simple-add']!, { nums: doubled }).outputs.Output!,
      nestedSums: dag.task(c['nested-add']!, { nums: nested }).outputs.Output!,
    }))
    const total = dag.task(c['add-two-numbers']!, { x: simple, y: nestedSums })
    return { Output: total.outputs.Output! }
  })
}
