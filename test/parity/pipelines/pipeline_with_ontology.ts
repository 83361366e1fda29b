import { artifact, component, Dataset, Model, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_ontology.yaml'

const trainer = component({
  name: 'trainer',
  image: 'gcr.io/my-project/my-fancy-trainer',
  inputs: { examples: artifact(Dataset), n_epochs: param.int(), optimizer: param.string() },
  outputs: { model: artifact(Model) },
  args: ({ inputs, outputs }) => [
    '--input-examples',
    inputs.examples.uri,
    '--optimizer',
    inputs.optimizer.value,
    '--n_epochs',
    inputs.n_epochs.value,
    '--output-model',
    outputs.model.uri,
  ],
})

const ingestion = component({
  name: 'ingestion',
  image: 'gcr.io/my-project/my-ingestor',
  inputs: { input_location: param.string() },
  outputs: { examples: artifact(Dataset) },
  args: ({ inputs, outputs }) => ['--input-location', inputs.input_location.value, '--output-examples', outputs.examples.uri],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'two-step-pipeline-with-ontology',
    description: 'A linear two-step pipeline with artifact ontology types.',
    inputs: {
      input_location: param.string({ default: 'gs://test-bucket/pipeline_root' }),
      n_epochs: param.int({ default: 200 }),
      optimizer: param.string({ default: 'sgd' }),
    },
  }, (dag, p) => {
    const ingestionTask = dag.task(ingestion, { input_location: p.input_location })
    dag.task(trainer, { examples: ingestionTask.outputs.examples, n_epochs: p.n_epochs, optimizer: p.optimizer })
  })
}
