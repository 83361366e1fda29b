import { artifact, component, Dataset, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/components/container_with_if_placeholder.yaml'

const containerWithIfPlaceholder = component({
  name: 'container-with-if-placeholder',
  image: 'python:3.9',
  inputs: { optional_input: param.string({ default: 'default' }) },
  outputs: { dataset: artifact(Dataset), output_path: param.string() },
  command: ({ ifPresent, inputs, outputs }) => [
    'my_program',
    ifPresent('optional_input', [inputs.optional_input.value], ['bye']),
    '--dataset',
    ifPresent('optional_input', [outputs.dataset.uri], ['bye']),
  ],
  args: ({ outputs }) => ['--output_path', outputs.output_path.path],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'container-with-if-placeholder',
    inputs: { optional_input: param.string({ default: 'default' }) },
  }, (dag, p) => {
    const containerWithIfPlaceholderTask = dag.task(containerWithIfPlaceholder, { optional_input: p.optional_input })
    return {
      dataset: containerWithIfPlaceholderTask.outputs.dataset,
      output_path: containerWithIfPlaceholderTask.outputs.output_path,
    }
  })
}
