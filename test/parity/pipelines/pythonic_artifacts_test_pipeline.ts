import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pythonic_artifacts_test_pipeline.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const genData = components['gen-data']!
  const trainModel = components['train-model']!
  return pipeline({ name: 'pythonic-artifacts-test' }, (dag) => {
    const genDataTask = dag.task(genData, {}, { caching: false })
    dag.task(trainModel, { dataset: genDataTask.outputs.Output! }, { caching: false })
  })
}
