/**
 * Composition: a pipeline is a component. Its inputs (parameters or artifacts) are the nested
 * task's arguments, and what its body returns are the task's outputs.
 */
import { artifact, component, Dataset, Metrics, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const fit = component({
  name: 'fit',
  image: 'ghcr.io/acme/ml:1.0',
  inputs: { data: artifact(Dataset), depth: param.int() },
  outputs: { model: artifact(Model) },
})
export const evaluate = component({
  name: 'evaluate',
  image: 'ghcr.io/acme/ml:1.0',
  inputs: { model: artifact(Model), data: artifact(Dataset) },
  outputs: { metrics: artifact(Metrics), auc: param.float() },
})
export const download = component({ name: 'download', image: 'ghcr.io/acme/ml:1.0', inputs: { uri: param.string() }, outputs: { data: artifact(Dataset) } })

/** A reusable sub-pipeline: train and evaluate one configuration. */
export const trainAndEvaluate = pipeline(
  { name: 'train-and-evaluate', inputs: { data: artifact(Dataset), depth: param.int({ default: 4 }) } },
  (dag, p) => {
    const model = dag.task(fit, { data: p.data, depth: p.depth })
    const scores = dag.task(evaluate, { model: model.outputs.model, data: p.data })
    return { model: model.outputs.model, auc: scores.outputs.auc }
  },
)

export const compare = pipeline({ name: 'compare', inputs: { uri: param.string() } }, (dag, p) => {
  const data = dag.task(download, { uri: p.uri })
  // Used like any component; its outputs are typed from what its body returned.
  const shallow = dag.task(trainAndEvaluate, { data: data.outputs.data, depth: 2 }, { name: 'shallow' })
  const deep = dag.task(trainAndEvaluate, { data: data.outputs.data, depth: 8 }, { name: 'deep' })
  return { shallowAuc: shallow.outputs.auc, deepModel: deep.outputs.model }
})

export default compare
build(import.meta, compare)
