import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/essential/iris_pipeline_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const trainModel = components['train-model']!
  const createDataset = components['create-dataset']!
  const normalizeDataset = components['normalize-dataset']!
  return pipeline({
    name: 'iris-training-pipeline',
    inputs: { neighbors: param.int({ default: 3 }), standard_scaler: param.bool({ default: true }) },
  }, (dag, p) => {
    const createDatasetTask = dag.task(createDataset, {}, { caching: false })
    const normalizeDatasetTask = dag.task(normalizeDataset, {
      input_iris_dataset: createDatasetTask.outputs.iris_dataset!,
      standard_scaler: p.standard_scaler,
    }, { caching: false })
    dag.task(trainModel, {
      n_neighbors: p.neighbors,
      normalized_iris_dataset: normalizeDatasetTask.outputs.normalized_iris_dataset!,
    }, { caching: false })
  })
}
