import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/essential/pipeline_with_reused_component.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const addNumbers = components['add-numbers']!
  return pipeline({
    name: 'pipeline-with-reused-component',
    inputs: { a: param.int({ default: 2 }), b: param.int({ default: 5 }) },
  }, (dag, p) => {
    const addNumbersTask = dag.task(addNumbers, { a: p.a, b: 3 })
    const addNumbers2 = dag.task(addNumbers, { a: addNumbersTask.outputs.Output!, b: p.b })
    dag.task(addNumbers, { a: addNumbers2.outputs.Output!, b: 7 })
  })
}
