import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_reused_component.yaml'

const add = component({
  name: 'add',
  image: 'google/cloud-sdk:latest',
  inputs: { op_1: param.int(), op2: param.int() },
  outputs: { sum: param.int() },
  command: ({ inputs, outputs }) => [
    'sh',
    '-c',
    `set -e -x
echo "$(($0+$1))" | gsutil cp - "$2"
`,
    inputs.op_1.value,
    inputs.op2.value,
    outputs.sum.path,
  ],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'add-pipeline',
    inputs: { a: param.int({ default: 2 }), b: param.int({ default: 5 }) },
  }, (dag, p) => {
    const addTask = dag.task(add, { op_1: p.a, op2: 3 })
    const add2 = dag.task(add, { op_1: addTask.outputs.sum, op2: p.b })
    dag.task(add, { op_1: add2.outputs.sum, op2: 7 })
  })
}
