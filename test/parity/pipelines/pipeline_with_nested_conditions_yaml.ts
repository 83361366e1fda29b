import { component, eq, fmt, gt, le, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_nested_conditions_yaml.yaml'
export const twins = ['current/valid/essential/pipeline_with_nested_conditions_yaml.yaml']

const randomNumber = (low: number, high: number) => component({
  name: 'generate-random-number',
  image: 'python:alpine3.9',
  outputs: { output: param.int() },
  command: ['sh', '-c'],
  args: ({ outputs }) => [
    'mkdir -p "$(dirname $2)" && python -c "import random; print(random.randint($0, $1), end=\'\')" | tee $2',
    String(low),
    String(high),
    outputs.output.path,
  ],
})

const flipCoin = component({
  name: 'flip-coin',
  image: 'python:alpine3.9',
  outputs: { output: param.string() },
  command: ['sh', '-c'],
  args: ({ outputs }) => [
    'mkdir -p "$(dirname $0)" && python -c "import random; result = \'heads\' if random.randint(0,1) == 0 else \'tails\'; print(result, end=\'\')" | tee $0',
    outputs.output.path,
  ],
})

const print = component({
  name: 'print',
  image: 'python:alpine3.9',
  inputs: { msg: param.string() },
  command: ({ inputs }) => ['echo', inputs.msg.value],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'conditional-execution-pipeline',
    displayName: 'Conditional execution pipeline.',
    description: 'Shows how to use dsl.Condition().',
  }, (dag) => {
    const flip = dag.task(flipCoin)
    dag.if(eq(flip.outputs.output, 'heads'), () => {
      const n = dag.task(randomNumber(0, 9)).outputs.output
      dag.if(gt(n, 5), () => void dag.task(print, { msg: fmt`heads and ${n} > 5!` }))
      dag.if(le(n, 5), () => void dag.task(print, { msg: fmt`heads and ${n} <= 5!` }))
    })
    dag.if(eq(flip.outputs.output, 'tails'), () => {
      const n = dag.task(randomNumber(10, 19)).outputs.output
      dag.if(gt(n, 15), () => void dag.task(print, { msg: fmt`tails and ${n} > 15!` }))
      dag.if(le(n, 15), () => void dag.task(print, { msg: fmt`tails and ${n} <= 15!` }))
    })
  })
}
