/**
 * The fraud-model training DAG: validate the raw transactions' schema, materialize features,
 * train on one GPU with a 16Gi memory limit, evaluate on a holdout set, then gate: register the
 * model only if AUC ≥ 0.82 and the fairness gap ≤ 0.05, otherwise notify the owner. An exit
 * handler reports the run's final status, whatever happened.
 */
import { and, artifact, artifactType, ClassificationMetrics, component, Dataset, ge, le, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

/** Our own artifact type: a feature table with a versioned schema. */
export const FeatureTable = artifactType('acme.FeatureTable', '1.0.0')

const image = (name: string) => `registry.acme.dev/fraud/${name}@sha256:${'0'.repeat(64)}`

export const validateSchema = component({
  name: 'validate-schema',
  description: 'Checks the raw transactions against the expected schema.',
  image: image('validate'),
  inputs: { transactionsUri: param.string(), schemaVersion: param.string({ default: 'v3' }) },
  outputs: { transactions: artifact(Dataset), rowCount: param.int() },
  command: ({ inputs, outputs }) => [
    'fraud-validate', '--source', inputs.transactionsUri.value, '--schema', inputs.schemaVersion.value,
    '--out', outputs.transactions.path, '--row-count', outputs.rowCount.path,
  ],
})

export const materializeFeatures = component({
  name: 'materialize-features',
  image: image('features'),
  inputs: { transactions: artifact(Dataset), lookbackDays: param.int({ default: 90 }) },
  outputs: { train: artifact(FeatureTable), holdout: artifact(FeatureTable) },
  command: ({ inputs, outputs }) => [
    'fraud-features', '--in', inputs.transactions.path, `--lookback-days=${inputs.lookbackDays.value}`,
    '--train-out', outputs.train.path, '--holdout-out', outputs.holdout.path,
  ],
})

export const trainModel = component({
  name: 'train-model',
  image: image('train'),
  inputs: { features: artifact(FeatureTable), learningRate: param.float({ default: 0.05 }), epochs: param.int({ default: 20 }) },
  outputs: { model: artifact(Model) },
  command: ({ inputs, outputs }) => [
    'fraud-train', '--features', inputs.features.path,
    '--lr', inputs.learningRate.value, '--epochs', inputs.epochs.value, '--model-out', outputs.model.path,
  ],
})

export const evaluateHoldout = component({
  name: 'evaluate-holdout',
  image: image('evaluate'),
  inputs: { model: artifact(Model), holdout: artifact(FeatureTable) },
  outputs: { metrics: artifact(ClassificationMetrics), auc: param.float(), fairnessGap: param.float() },
  command: ({ inputs, outputs }) => [
    'fraud-evaluate', '--model', inputs.model.path, '--holdout', inputs.holdout.path,
    '--metrics-out', outputs.metrics.path, '--auc-out', outputs.auc.path, '--fairness-gap-out', outputs.fairnessGap.path,
  ],
})

export const registerModel = component({
  name: 'register-model',
  image: image('registry'),
  inputs: { model: artifact(Model), metrics: artifact(ClassificationMetrics), modelName: param.string() },
  outputs: { version: param.string() },
  command: ({ inputs, outputs }) => [
    'fraud-register', '--model', inputs.model.uri, '--metrics', inputs.metrics.path,
    '--name', inputs.modelName.value, '--version-out', outputs.version.path,
  ],
})

export const notifyOwner = component({
  name: 'notify-owner',
  image: image('notify'),
  inputs: { owner: param.string(), auc: param.float(), fairnessGap: param.float() },
  command: ({ inputs }) => [
    'fraud-notify', '--to', inputs.owner.value,
    '--message', `Model rejected: AUC ${inputs.auc.value}, fairness gap ${inputs.fairnessGap.value}`,
  ],
})

export const reportStatus = component({
  name: 'report-status',
  image: image('notify'),
  inputs: { status: param.finalStatus(), owner: param.string() },
  command: ({ inputs }) => ['fraud-report-status', '--status', inputs.status.value, '--to', inputs.owner.value],
})

export const fraudTraining = pipeline(
  {
    name: 'fraud-training',
    description: 'Trains, evaluates and registers the card-fraud model.',
    inputs: {
      transactionsUri: param.string({ default: 'gs://acme-fraud/transactions/latest' }),
      learningRate: param.float({ default: 0.05 }),
      modelName: param.string({ default: 'card-fraud' }),
      owner: param.string({ default: 'fraud-ml@acme.dev' }),
      minAuc: param.float({ default: 0.82 }),
      maxFairnessGap: param.float({ default: 0.05 }),
    },
  },
  (dag, p) => {
    dag.exitHandler(
      (status) => dag.task(reportStatus, { status, owner: p.owner }),
      () => {
        const validated = dag.task(validateSchema, { transactionsUri: p.transactionsUri })
        const features = dag.task(materializeFeatures, { transactions: validated.outputs.transactions })
        const trained = dag.task(trainModel, { features: features.outputs.train, learningRate: p.learningRate }, {
          resources: { cpuRequest: '4', memoryRequest: '12Gi', memoryLimit: '16Gi', accelerator: { type: 'nvidia.com/gpu', count: 1 } },
          retry: { count: 1, backoff: '30s' },
          env: { PYTHONUNBUFFERED: '1' },
        })
        const scores = dag.task(evaluateHoldout, { model: trained.outputs.model, holdout: features.outputs.holdout })
        const passed = and(ge(scores.outputs.auc, p.minAuc), le(scores.outputs.fairnessGap, p.maxFairnessGap))
        dag
          .if(passed, () => {
            dag.task(registerModel, { model: trained.outputs.model, metrics: scores.outputs.metrics, modelName: p.modelName })
              .setDisplayName('Register model')
              .setCaching(false)
          }, { displayName: 'evaluation passed' })
          .else(() => {
            dag.task(notifyOwner, { owner: p.owner, auc: scores.outputs.auc, fairnessGap: scores.outputs.fairnessGap })
          }, { displayName: 'evaluation failed' })
      },
      { displayName: 'train and gate' },
    )
  },
)

export default fraudTraining
build(import.meta, fraudTraining)
