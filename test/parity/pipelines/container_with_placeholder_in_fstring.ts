import { Artifact, artifact, component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/components/container_with_placeholder_in_fstring.yaml'

const containerWithPlaceholderInFstring = component({
  name: 'container-with-placeholder-in-fstring',
  image: 'python:3.9',
  inputs: { text1: param.string({ default: 'text!' }) },
  outputs: { output_artifact: artifact(Artifact) },
  command: ({ inputs, outputs }) => ['my_program', `prefix-${inputs.text1.value}`, `${outputs.output_artifact.uri}/0`],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'container-with-placeholder-in-fstring',
    inputs: { text1: param.string({ default: 'text!' }) },
  }, (dag, p) => {
    const containerWithPlaceholderInFstringTask = dag.task(containerWithPlaceholderInFstring, { text1: p.text1 })
    return { output_artifact: containerWithPlaceholderInFstringTask.outputs.output_artifact }
  })
}
