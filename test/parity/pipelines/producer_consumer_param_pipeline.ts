import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/critical/producer_consumer_param_pipeline.yaml'

const consumer = component({
  name: 'consumer',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  inputs: { input_value: param.string() },
  command: ({ inputs }) => [
    'sh',
    '-c',
    `set -e -x
echo "Read from an input parameter: " && echo "$0"
`,
    inputs.input_value.value,
  ],
})

const producer = component({
  name: 'producer',
  image: 'registry.access.redhat.com/ubi9/python-311:latest',
  inputs: { input_text: param.string() },
  outputs: { output_value: param.string() },
  command: ({ inputs, outputs }) => [
    'sh',
    '-c',
    `set -e -x
mkdir -p "$(dirname "$1")"
echo "$0, this is an output parameter" > "$1"
`,
    inputs.input_text.value,
    outputs.output_value.path,
  ],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'producer-consumer-param-pipeline',
    inputs: { text: param.string({ default: 'Hello world' }) },
  }, (dag, p) => {
    const producerTask = dag.task(producer, { input_text: p.text })
    dag.task(consumer, { input_value: producerTask.outputs.output_value })
  })
}
