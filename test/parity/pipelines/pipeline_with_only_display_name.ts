import { component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/pipeline_with_only_display_name.yaml'

const echo = component({
  name: 'echo',
  image: 'public.ecr.aws/docker/library/python:3.12',
  command: ['echo'],
  args: ['hello world'],
})

export function build(): PipelineNode {
  return pipeline({ name: 'echo-name', displayName: 'echo-displayname' }, (dag) => {
    dag.task(echo)
  })
}
