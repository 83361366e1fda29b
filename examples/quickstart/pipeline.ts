/**
 * The smallest useful pipeline: one step writes a greeting to a Dataset, the next reads it.
 * Run `tsx examples/quickstart/pipeline.ts` to write dist/quickstart.kfp.yaml.
 */
import { artifact, component, Dataset, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

const say = component({
  name: 'say',
  description: 'Writes a greeting to a text file.',
  image: 'alpine:3.20',
  inputs: { greeting: param.string(), times: param.int({ default: 1 }) },
  outputs: { message: artifact(Dataset) },
  command: ({ inputs, outputs }) => [
    'sh', '-c', 'for i in $(seq "$1"); do echo "$0"; done > "$2"',
    inputs.greeting.value, inputs.times.value, outputs.message.path,
  ],
})

const show = component({
  name: 'show',
  image: 'alpine:3.20',
  inputs: { message: artifact(Dataset) },
  command: ({ inputs }) => ['cat', inputs.message.path],
})

export const quickstart = pipeline(
  { name: 'quickstart', description: 'Says hello, then shows what it said.', inputs: { greeting: param.string({ default: 'Hello, Typeflow!' }) } },
  (dag, p) => {
    const said = dag.task(say, { greeting: p.greeting, times: 3 })
    dag.task(show, { message: said.outputs.message })
  },
)

export default quickstart
build(import.meta, quickstart)
