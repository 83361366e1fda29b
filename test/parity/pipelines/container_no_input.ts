import { component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/components/container_no_input.yaml'

const containerNoInput = component({
  name: 'container-no-input',
  image: 'python:3.9',
  command: ['echo', 'hello world'],
})

export function build(): PipelineNode {
  return pipeline({ name: 'container-no-input' }, (dag) => {
    dag.task(containerNoInput)
  })
}
