import { Artifact, artifact, component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/two_step_pipeline.yaml'

const writeToGcs = component({
  name: 'write-to-gcs',
  image: 'google/cloud-sdk:slim',
  inputs: { text: param.string() },
  outputs: { output_gcs_path: artifact(Artifact) },
  command: ({ inputs, outputs }) => [
    'sh',
    '-c',
    `set -e -x
echo "$0" | gsutil cp - "$1"
`,
    inputs.text.value,
    outputs.output_gcs_path.uri,
  ],
})

const readFromGcs = component({
  name: 'read-from-gcs',
  image: 'google/cloud-sdk:slim',
  inputs: { input_gcs_path: artifact(Artifact) },
  command: ({ inputs }) => [
    'sh',
    '-c',
    `set -e -x
gsutil cat "$0"
`,
    inputs.input_gcs_path.uri,
  ],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'simple-two-step-pipeline',
    inputs: { text: param.string({ default: 'Hello KFP!' }) },
  }, (dag, p) => {
    const writeToGcsTask = dag.task(writeToGcs, { text: p.text }).setDisplayName('Producer')
    dag.task(readFromGcs, { input_gcs_path: writeToGcsTask.outputs.output_gcs_path }).setDisplayName('Consumer')
  })
}
