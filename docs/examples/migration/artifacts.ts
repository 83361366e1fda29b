import { readFileSync, writeFileSync } from 'node:fs'
import { artifact, Dataset, functionComponent, Model, param, pipeline } from '@typeflow/dsl'

export const prepare = functionComponent(
  { name: 'prepare', inputs: { rows: param.int() }, outputs: { data: artifact(Dataset) } },
  ({ rows, data }) => {
    writeFileSync(data.path, Array.from({ length: rows }, (_, i) => `${i},${i % 2}`).join('\n'))
    data.metadata['rows'] = rows
  },
)

export const train = functionComponent(
  { name: 'train', inputs: { data: artifact(Dataset) }, outputs: { model: artifact(Model) } },
  ({ data, model }) => {
    const lines = readFileSync(data.path, 'utf8').split('\n').length
    writeFileSync(model.path, JSON.stringify({ trainedOn: lines }))
  },
)

export default pipeline({ name: 'artifacts', inputs: { rows: param.int({ default: 100 }) } }, (dag, p) => {
  const prepared = dag.task(prepare, { rows: p.rows })
  const trained = dag.task(train, { data: prepared.outputs.data })
  return { model: trained.outputs.model }
})
