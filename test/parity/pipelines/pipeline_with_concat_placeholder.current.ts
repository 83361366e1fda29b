import { component, concat, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/pipeline_with_concat_placeholder.yaml'

const componentWithConcatPlaceholder = component({
  name: 'component-with-concat-placeholder',
  image: 'ghcr.io/containerd/busybox',
  inputs: { input_one: param.string(), input_two: param.string() },
  command: ['sh', '-ec'],
  args: ({ inputs }) => [
    'echo "$0" > /tmp/test && [[ "$0" == \'one+two=three\' ]]',
    concat(inputs.input_one.value, '+', inputs.input_two.value, '=three'),
  ],
})

export function build(): PipelineNode {
  return pipeline({ name: 'one-step-pipeline-with-concat-placeholder' }, (dag) => {
    dag.task(componentWithConcatPlaceholder, { input_one: 'one', input_two: 'two' })
  })
}
