import { artifact, component, concat, Dataset, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/components/container_with_concat_placeholder.yaml'

const containerWithConcatPlaceholder = component({
  name: 'container-with-concat-placeholder',
  image: 'python:3.9',
  inputs: { text1: param.string() },
  outputs: { output_path: param.string(), text2: artifact(Dataset) },
  command: ({ inputs, outputs }) => ['my_program', concat('prefix-', inputs.text1.value, outputs.text2.uri)],
  args: ({ outputs }) => ['--output_path', outputs.output_path.path],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'container-with-concat-placeholder',
    inputs: { text1: param.string() },
  }, (dag, p) => {
    const containerWithConcatPlaceholderTask = dag.task(containerWithConcatPlaceholder, { text1: p.text1 })
    return {
      output_path: containerWithConcatPlaceholderTask.outputs.output_path,
      text2: containerWithConcatPlaceholderTask.outputs.text2,
    }
  })
}
