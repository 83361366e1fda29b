import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/pipeline_with_caching.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const addOne = components['add-one']!
  return pipeline({
    name: 'pipeline-with-caching',
    inputs: { x: param.int({ default: 1 }) },
  }, (dag, p) => {
    const addOneTask = dag.task(addOne, { x: p.x })
    return { Output: addOneTask.outputs.Output! }
  })
}
