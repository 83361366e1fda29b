import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/parallelfor_fan_in/nested_with_parameters.yaml'
export const twins = ['current/valid/nested_with_parameters.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'math-pipeline' }, (dag) => {
    const sums = dag.forEach([1, 2, 3], (x) =>
      dag.forEach([1, 2, 3], (y) => {
        const a = dag.task(c['double']!, { num: x })
        const b = dag.task(c['double']!, { num: y })
        return dag.task(c['add-two-nums']!, { x: a.outputs.Output!, y: b.outputs.Output! }).outputs.Output!
      }),
    )
    dag.task(c['add']!, { nums: sums })
    return { Output: sums }
  })
}
