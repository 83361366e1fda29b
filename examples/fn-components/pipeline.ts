/**
 * Function components: steps written as TypeScript functions. The compiler ships each function,
 * bundled with what it imports, inside the container command of a plain Node image.
 * Run `tsx examples/fn-components/pipeline.ts` to write dist/fn-components.kfp.yaml.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { artifact, Dataset, functionComponent, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

const generate = functionComponent(
  {
    name: 'generate',
    description: 'Writes the numbers 1..count, one per line.',
    inputs: { count: param.int() },
    outputs: { numbers: artifact(Dataset) },
  },
  ({ count, numbers }) => {
    const values = Array.from({ length: count }, (_, i) => i + 1)
    writeFileSync(numbers.path, values.join('\n'))
    numbers.metadata['count'] = values.length
  },
)

const sum = functionComponent(
  {
    name: 'sum',
    description: 'Adds up the numbers.',
    inputs: { numbers: artifact(Dataset) },
    outputs: { total: param.int() },
  },
  ({ numbers }) => {
    const values = readFileSync(numbers.path, 'utf8').split('\n').map(Number)
    return { total: values.reduce((a, b) => a + b, 0) }
  },
)

export const fnComponents = pipeline(
  { name: 'fn-components', description: 'Generates numbers, then sums them.', inputs: { count: param.int({ default: 10 }) } },
  (dag, p) => {
    const generated = dag.task(generate, { count: p.count })
    dag.task(sum, { numbers: generated.outputs.numbers })
  },
)

export default fnComponents
build(import.meta, fnComponents)
