import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/components/container_io.yaml'

const containerIo = component({
  name: 'container-io',
  image: 'python:3.9',
  inputs: { text: param.string() },
  outputs: { output_path: param.string() },
  command: ({ inputs }) => ['my_program', inputs.text.value],
  args: ({ outputs }) => ['--output_path', outputs.output_path.path],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'container-io',
    inputs: { text: param.string() },
  }, (dag, p) => {
    const containerIoTask = dag.task(containerIo, { text: p.text })
    return { output_path: containerIoTask.outputs.output_path }
  })
}
