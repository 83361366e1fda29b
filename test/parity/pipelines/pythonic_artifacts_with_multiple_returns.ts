import { artifact, Dataset, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pythonic_artifacts_with_multiple_returns.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const makeDataset = components['make-dataset']!
  const datasetSplitter = components['dataset-splitter']!
  const splitterPipeline = pipeline({
    name: 'splitter-pipeline',
    inputs: { in_dataset: artifact(Dataset) },
  }, (dag, p) => {
    const datasetSplitterTask = dag.task(datasetSplitter, { in_dataset: p.in_dataset })
    return {
      dataset1: datasetSplitterTask.outputs.dataset1!,
      dataset2: datasetSplitterTask.outputs.dataset1!,
    }
  })
  return pipeline({ name: 'split-datasets-and-return-first' }, (dag) => {
    const makeDatasetTask = dag.task(makeDataset)
    const splitterPipelineTask = dag.task(splitterPipeline, { in_dataset: makeDatasetTask.outputs.Output! })
    return { Output: splitterPipelineTask.outputs.dataset1 }
  })
}
