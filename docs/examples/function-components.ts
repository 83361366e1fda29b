/**
 * Function components: steps written as TypeScript functions. The compiler bundles each function
 * (with what it imports) into the command line of a plain Node image.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { artifact, Dataset, functionComponent, Metrics, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const makeNumbers = functionComponent(
  {
    name: 'make-numbers',
    inputs: { count: param.int(), scale: param.float({ default: 1 }) },
    outputs: { numbers: artifact(Dataset) },
  },
  // Inputs arrive as values; output artifacts as `{ path, uri, metadata }` to write.
  ({ count, scale = 1, numbers }) => {
    const values = Array.from({ length: count }, (_, i) => (i + 1) * scale)
    writeFileSync(numbers.path, values.join('\n'))
    numbers.metadata['count'] = values.length
  },
)

export const summarize = functionComponent(
  {
    name: 'summarize',
    inputs: { numbers: artifact(Dataset) },
    outputs: { stats: artifact(Metrics), total: param.float(), mean: param.float() },
    // The image only needs `node` on its PATH (default: DEFAULT_FUNCTION_IMAGE, node:22-slim).
    image: 'node:22-slim',
  },
  // It may be async; it returns the output parameters.
  async ({ numbers, stats }) => {
    const values = readFileSync(numbers.path, 'utf8').split('\n').map(Number)
    const total = values.reduce((a, b) => a + b, 0)
    const mean = total / values.length
    writeFileSync(stats.path, JSON.stringify({ total, mean }))
    return { total, mean }
  },
)

export const numbers = pipeline(
  { name: 'numbers', inputs: { count: param.int({ default: 10 }) } },
  (dag, p) => {
    const made = dag.task(makeNumbers, { count: p.count })
    const summary = dag.task(summarize, { numbers: made.outputs.numbers })
    return { total: summary.outputs.total }
  },
)

export default numbers
build(import.meta, numbers)
