import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/notebook_component_mixed.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const preprocess = components['preprocess']!
  const trainModel = components['train-model']!
  const evaluateModel = components['evaluate-model']!
  return pipeline({
    name: 'nb-mixed',
    inputs: { text: param.string({ default: 'Hello   world' }) },
  }, (dag, p) => {
    const preprocessTask = dag.task(preprocess, { text: p.text }, { caching: false })
    const trainModelTask = dag.task(trainModel, { cleaned_text: preprocessTask.outputs.dataset! }, { caching: false })
    dag.task(evaluateModel, { model_text: trainModelTask.outputs.model! }, { caching: false })
  })
}
