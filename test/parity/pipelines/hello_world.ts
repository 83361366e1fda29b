import { component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/hello_world.yaml'

const echo = component({
  name: 'echo',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  command: ['echo'],
  args: ['hello world'],
})

export function build(): PipelineNode {
  return pipeline({ name: 'echo' }, (dag) => {
    dag.task(echo)
  })
}
