import { artifact, artifactType, component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_importer_and_gcpc_types.yaml'
export const twins = ['current/valid/pipeline_with_importer_and_gcpc_types.yaml']

const VertexDataset = artifactType('google.VertexDataset')

const consumerOp = component({
  name: 'consumer-op',
  image: 'dummy',
  inputs: { dataset: artifact(VertexDataset) },
  command: ['cmd'],
  args: ({ inputs }) => [inputs.dataset.path],
})

export function build(): PipelineNode {
  return pipeline({ name: 'pipeline-with-importer-and-gcpc-type' }, (dag) => {
    const importer = dag.importer({ uri: 'gs://ml-pipeline-playground/shakespeare1.txt', type: VertexDataset, metadata: { key: 'value' } })
    dag.task(consumerOp, { dataset: importer.outputs.artifact })
  })
}
