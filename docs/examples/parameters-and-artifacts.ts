/**
 * Parameters and artifacts: typed inputs and outputs, defaults, optional inputs, lists and
 * structs, the built-in artifact types and one of your own.
 */
import { Artifact, artifact, artifactType, component, Dataset, Metrics, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

/** An artifact type of your own: a schema title and a version. */
export const FeatureTable = artifactType('acme.FeatureTable', '1.0.0')

export const extract = component({
  name: 'extract',
  image: 'ghcr.io/acme/extract:1.0',
  inputs: {
    table: param.string({ description: 'Source table' }),
    columns: param.list<string>(),
    limit: param.int({ default: 1000 }),
    sample: param.float({ optional: true }),
  },
  outputs: { features: artifact(FeatureTable), rows: param.int() },
  command: ({ inputs, outputs }) => [
    'extract', inputs.table.value, '--columns', inputs.columns.value, '--limit', inputs.limit.value,
    '--out', outputs.features.path, '--rows-file', outputs.rows.path,
  ],
})

export const train = component({
  name: 'train',
  image: 'ghcr.io/acme/train:1.0',
  inputs: {
    features: artifact(FeatureTable),
    warmStart: artifact(Model, { optional: true }),
    config: param.struct<{ seed: number; depth: number }>(),
    dryRun: param.bool({ default: false }),
  },
  outputs: { model: artifact(Model), metrics: artifact(Metrics) },
  command: ({ inputs, outputs }) => [
    'train', inputs.features.path, inputs.config.value, inputs.dryRun.value, outputs.model.path, outputs.metrics.path,
  ],
})

/** A generic `Artifact` input accepts any artifact type (KFP's rule). */
export const upload = component({
  name: 'upload',
  image: 'ghcr.io/acme/upload:1.0',
  inputs: { file: artifact(Artifact), bucket: param.string() },
  command: ({ inputs }) => ['upload', inputs.file.path, inputs.bucket.value],
})

export const features = pipeline(
  {
    name: 'features',
    description: 'Extracts a feature table, trains on it and uploads the model.',
    inputs: { table: param.string({ default: 'events' }), bucket: param.string() },
  },
  (dag, p) => {
    const extracted = dag.task(extract, { table: p.table, columns: ['user', 'amount'] })
    const trained = dag.task(train, { features: extracted.outputs.features, config: { seed: 7, depth: 6 } })
    dag.task(upload, { file: trained.outputs.model, bucket: p.bucket })
    // Whatever the body returns becomes the pipeline's outputs.
    return { model: trained.outputs.model, rows: extracted.outputs.rows }
  },
)

/** Wiring a Model where a FeatureTable is expected does not typecheck (and does not compile). */
export const miswired = pipeline({ name: 'miswired' }, (dag) => {
  const extracted = dag.task(extract, { table: 'events', columns: [] })
  const trained = dag.task(train, { features: extracted.outputs.features, config: { seed: 1, depth: 2 } })
  // @ts-expect-error Type '"system.Model"' is not assignable to type '"acme.FeatureTable" | "system.Artifact"'
  dag.task(train, { features: trained.outputs.model, config: { seed: 1, depth: 2 } })
})

export default features
build(import.meta, features)
