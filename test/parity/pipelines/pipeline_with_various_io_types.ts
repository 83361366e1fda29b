import { Artifact, artifact, artifactType, component, HTML, Model, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_various_io_types.yaml'

const BQMLModel = artifactType('google.BQMLModel')

const upstream = component({
  name: 'upstream',
  image: 'gcr.io/image',
  inputs: {
    input_1: param.string(),
    input_2: param.float(),
    input_3: artifact(Artifact),
    input_4: param.string(),
  },
  outputs: {
    output_1: param.int(),
    output_2: artifact(Model),
    output_3: artifact(Artifact),
    output_4: artifact(Model),
    output_5: artifact(Artifact),
    output_6: artifact(Artifact),
    output_7: artifact(Artifact),
    output_8: artifact(HTML),
    output_9: artifact(BQMLModel),
  },
  args: ({ inputs, outputs }) => [
    inputs.input_1.value,
    inputs.input_2.value,
    inputs.input_3.path,
    inputs.input_4.value,
    outputs.output_1.path,
    outputs.output_2.uri,
    outputs.output_3.path,
    outputs.output_4.uri,
    outputs.output_5.uri,
    outputs.output_6.path,
    outputs.output_7.path,
    outputs.output_8.path,
  ],
})

const downstream = component({
  name: 'downstream',
  image: 'gcr.io/image',
  inputs: {
    input_a: param.int(),
    input_b: artifact(Model),
    input_c: artifact(Artifact),
    input_d: artifact(Model),
    input_e: artifact(Artifact),
    input_f: artifact(Artifact),
    input_g: artifact(Artifact),
    input_h: artifact(HTML),
    input_i: artifact(BQMLModel),
  },
  args: ({ inputs }) => [
    inputs.input_a.value,
    inputs.input_b.uri,
    inputs.input_c.path,
    inputs.input_d.uri,
    inputs.input_e.uri,
    inputs.input_f.path,
    inputs.input_g.path,
    inputs.input_h.path,
  ],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'pipeline-with-various-types',
    inputs: { input1: param.string(), input3: artifact(Artifact), input4: param.string({ default: '' }) },
  }, (dag, p) => {
    const upstreamTask = dag.task(upstream, {
      input_1: p.input1,
      input_2: 3.1415926,
      input_3: p.input3,
      input_4: p.input4,
    })
    dag.task(downstream, {
      input_a: upstreamTask.outputs.output_1,
      input_b: upstreamTask.outputs.output_2,
      input_c: upstreamTask.outputs.output_3,
      input_d: upstreamTask.outputs.output_4,
      input_e: upstreamTask.outputs.output_5,
      input_f: upstreamTask.outputs.output_6,
      input_g: upstreamTask.outputs.output_7,
      input_h: upstreamTask.outputs.output_8,
      input_i: upstreamTask.outputs.output_9,
    })
  })
}
