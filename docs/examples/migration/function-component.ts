import { artifact, Dataset, functionComponent, param } from '@typeflow/dsl'
import { readFileSync } from 'node:fs'

export const add = functionComponent(
  { name: 'add', inputs: { a: param.int(), b: param.int() }, outputs: { sum: param.int() } },
  ({ a, b }) => ({ sum: a + b }),
)

export const rowCount = functionComponent(
  {
    name: 'row-count',
    image: 'node:22-slim',
    inputs: { data: artifact(Dataset) },
    outputs: { rows: param.int() },
  },
  ({ data }) => ({ rows: readFileSync(data.path, 'utf8').trim().split('\n').length - 1 }),
)
