import { artifact, component, Dataset, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/two_step_pipeline_containerized.yaml'

const component1 = component({
  name: 'component1',
  image: 'alpine',
  inputs: { text: param.string() },
  outputs: { output_gcs: artifact(Dataset) },
  command: ['sh', '-c', 'mkdir --parents $(dirname "$1") && echo "$0" > "$1"'],
  args: ({ inputs, outputs }) => [inputs.text.value, outputs.output_gcs.path],
})

const component2 = component({
  name: 'component2',
  image: 'alpine',
  inputs: { input_gcs: artifact(Dataset) },
  command: ['cat'],
  args: ({ inputs }) => [inputs.input_gcs.path],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'containerized-two-step-pipeline',
    inputs: { text: param.string() },
  }, (dag, p) => {
    const component1Task = dag.task(component1, { text: p.text })
    dag.task(component2, { input_gcs: component1Task.outputs.output_gcs })
  })
}
