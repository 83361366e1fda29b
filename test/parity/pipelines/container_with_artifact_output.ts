import { artifact, component, Model, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/components/container_with_artifact_output.yaml'

const containerWithArtifactOutput = component({
  name: 'container-with-artifact-output',
  image: 'gcr.io/my-image',
  inputs: { num_epochs: param.int() },
  outputs: { model: artifact(Model), model_config_path: param.string() },
  command: ['sh', 'run.sh'],
  args: ({ inputs, outputs }) => [
    '--epochs',
    inputs.num_epochs.value,
    '--model_path',
    outputs.model.uri,
    '--model_metadata',
    outputs.model.metadata,
    '--model_config_path',
    outputs.model_config_path.path,
  ],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'container-with-artifact-output',
    inputs: { num_epochs: param.int() },
  }, (dag, p) => {
    const containerWithArtifactOutputTask = dag.task(containerWithArtifactOutput, { num_epochs: p.num_epochs })
    return {
      model: containerWithArtifactOutputTask.outputs.model,
      model_config_path: containerWithArtifactOutputTask.outputs.model_config_path,
    }
  })
}
