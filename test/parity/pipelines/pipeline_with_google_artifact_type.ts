import { artifactType, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_google_artifact_type.yaml'
export const twins = ['current/valid/pipeline_with_google_artifact_type.yaml']

const VertexDataset = artifactType('google.VertexDataset', '0.0.0')

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-google-types' }, (dag) => {
    const importer = dag.importer({ uri: 'gs://ml-pipeline-playground/shakespeare1.txt', type: VertexDataset, metadata: { key: 'value' } })
    const producer = dag.task(c['model-producer']!)
    dag.task(c['model-consumer']!, { model: producer.outputs.model!, dataset: importer.outputs.artifact })
  })
}
