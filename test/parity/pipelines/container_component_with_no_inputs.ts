import { component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/container_component_with_no_inputs.yaml'

const helloWorldContainer = component({
  name: 'hello-world-container',
  image: 'python:3.9',
  command: ['echo', 'hello world'],
})

export function build(): PipelineNode {
  return pipeline({ name: 'v2-container-component-no-input' }, (dag) => {
    dag.task(helloWorldContainer)
  })
}
