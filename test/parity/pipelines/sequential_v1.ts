import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/sequential_v1.yaml'

const echo = component({
  name: 'echo',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  inputs: { message: param.string() },
  command: ['sh', '-c'],
  args: ({ inputs }) => [`echo ${inputs.message.value}`],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'sequential',
    inputs: { param1: param.string(), param2: param.string() },
  }, (dag, p) => {
    dag.task(echo, { message: p.param1 })
    dag.task(echo, { message: p.param2 })
  })
}
