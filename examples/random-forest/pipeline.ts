/**
 * The classic three-step pipeline: preprocess a CSV, train a random forest with a tunable
 * number of trees, evaluate it. Every step is a container component with typed I/O.
 */
import { artifact, component, Dataset, Metrics, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

// Pinned by digest: a re-pushed tag must not change what runs (or what the cache trusts).
const image = `ghcr.io/typeflow-examples/sklearn@sha256:${'1'.repeat(64)}`

export const preprocess = component({
  name: 'preprocess',
  description: 'Splits the raw CSV into train and test sets.',
  image,
  inputs: { sourceUri: param.string(), testFraction: param.float({ default: 0.2 }) },
  outputs: { train: artifact(Dataset), test: artifact(Dataset) },
  command: ({ inputs, outputs }) => [
    'python', '-m', 'rf.preprocess',
    '--source', inputs.sourceUri.value,
    '--test-fraction', inputs.testFraction.value,
    '--train-out', outputs.train.path,
    '--test-out', outputs.test.path,
  ],
})

export const train = component({
  name: 'train',
  description: 'Fits a random forest classifier.',
  image,
  inputs: { data: artifact(Dataset), nEstimators: param.int({ default: 100 }), maxDepth: param.int({ optional: true }) },
  outputs: { model: artifact(Model) },
  command: ({ inputs, outputs, ifPresent }) => [
    'python', '-m', 'rf.train',
    '--data', inputs.data.path,
    `--n-estimators=${inputs.nEstimators.value}`,
    ifPresent('maxDepth', ['--max-depth', inputs.maxDepth.value]),
    '--model-out', outputs.model.path,
  ],
})

export const evaluate = component({
  name: 'evaluate',
  description: 'Scores the model on the held-out test set.',
  image,
  inputs: { model: artifact(Model), data: artifact(Dataset) },
  outputs: { metrics: artifact(Metrics), accuracy: param.float() },
  command: ({ inputs, outputs }) => [
    'python', '-m', 'rf.evaluate',
    '--model', inputs.model.path,
    '--data', inputs.data.path,
    '--metrics-out', outputs.metrics.path,
    '--accuracy-out', outputs.accuracy.path,
  ],
})

export const randomForest = pipeline(
  {
    name: 'random-forest',
    description: 'Preprocess, train a random forest, evaluate.',
    inputs: { sourceUri: param.string({ default: 'gs://typeflow-examples/iris.csv' }), nEstimators: param.int({ default: 200 }) },
  },
  (dag, p) => {
    const prep = dag.task(preprocess, { sourceUri: p.sourceUri })
    const fit = dag.task(train, { data: prep.outputs.train, nEstimators: p.nEstimators }, { resources: { cpuRequest: '2', memoryLimit: '4Gi' } })
    const score = dag.task(evaluate, { model: fit.outputs.model, data: prep.outputs.test })
    return { accuracy: score.outputs.accuracy, model: fit.outputs.model }
  },
)

export default randomForest
build(import.meta, randomForest)
