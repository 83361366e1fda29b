import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/parallelfor_fan_in/parameters_simple.yaml'

const addContainer = component({
  name: 'add-container',
  image: 'stedolan/jq',
  inputs: { nums: param.list<number>() },
  outputs: { sum: param.int() },
  command: ['sh', '-c'],
  args: ({ inputs, outputs }) => [
    `
            set -ex
            mkdir -p $(dirname ${outputs.sum.path})
            echo ${inputs.nums.value} | jq 'add' > ${outputs.sum.path}
            `,
  ],
})

export function build(goldenText: string): PipelineNode {
  const { double, add } = loadPipelineComponents(goldenText)
  return pipeline({ name: 'math-pipeline' }, (dag) => {
    const doubled = dag.forEach([1, 2, 3], (x) => dag.task(double!, { num: x }).outputs.Output!)
    dag.task(add!, { nums: doubled })
    dag.task(addContainer, { nums: doubled })
    return { Output: doubled }
  })
}
