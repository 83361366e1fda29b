import { component, concat, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_concat_placeholder.yaml'

const componentWithConcatPlaceholder = component({
  name: 'component-with-concat-placeholder',
  image: 'gcr.io/my-project/my-image',
  inputs: { input_prefix: param.string() },
  args: ({ inputs }) => ['--arg0', concat(inputs.input_prefix.value, 'some value')],
})

export function build(): PipelineNode {
  return pipeline({ name: 'one-step-pipeline-with-concat-placeholder' }, (dag) => {
    dag.task(componentWithConcatPlaceholder, { input_prefix: 'some prefix:' })
  })
}
