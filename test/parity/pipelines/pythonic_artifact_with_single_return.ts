import { Dataset, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pythonic_artifact_with_single_return.yaml'
export const twins = ['current/valid/pythonic_artifact_with_single_return.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'make-language-model-pipeline' }, (dag) => {
    const importer = dag.importer({ uri: 'gs://ml-pipeline-playground/shakespeare1.txt', type: Dataset, metadata: { key: 'value' } })
    const model = dag.task(c['make-language-model']!, { text_dataset: importer.outputs.artifact })
    return { Output: model.outputs.Output! }
  })
}
