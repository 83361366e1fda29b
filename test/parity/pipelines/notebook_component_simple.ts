import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/notebook_component_simple.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const runTrainNotebook = components['run-train-notebook']!
  return pipeline({
    name: 'nb-simple',
    inputs: { text: param.string({ default: 'hello' }) },
  }, (dag, p) => {
    dag.task(runTrainNotebook, { text: p.text }, { caching: false })
  })
}
