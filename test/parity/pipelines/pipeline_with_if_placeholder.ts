import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_if_placeholder.yaml'

const componentWithOptionalInputs = component({
  name: 'component-with-optional-inputs',
  image: 'gcr.io/my-project/my-image',
  inputs: {
    optional_input_1: param.string({ optional: true }),
    optional_input_2: param.string({ optional: true }),
    required_input: param.string(),
  },
  args: ({ inputs, ifPresent }) => [
    '--arg0',
    inputs.required_input.value,
    ifPresent('optional_input_1', ['--arg1', inputs.optional_input_1.value]),
    ifPresent('optional_input_2', ['--arg2', inputs.optional_input_2.value], ['--arg3', 'default value']),
  ],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'one-step-pipeline-with-if-placeholder',
    inputs: { input0: param.string(), input1: param.string(), input2: param.string() },
  }, (dag, p) => {
    dag.task(componentWithOptionalInputs, { optional_input_1: p.input1, required_input: p.input0 })
  })
}
