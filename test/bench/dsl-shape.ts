/**
 * The `dsl` benchmark shape: a pipeline written the way users write one, with `component()`,
 * `dag.task` in a loop, `dag.if`/`.else`, `dag.forEach` with a condition inside, `fmt`, task
 * options and `setCaching`. The other shapes are IR literals and skip the DSL; this one's build
 * time is what the DSL itself costs (naming, source locations, freezing), which a user pays on
 * every `tsx pipeline.ts`.
 *
 * A round of the loop declares 8 tasks: six in a line, then either an if/else (one task in each
 * branch) or a loop over the `regions` parameter whose body scores a region and, under a
 * condition, publishes it. Tasks left over after the last full round continue the line.
 *
 * @example
 * ```ts
 * import { dslPipeline } from './dsl-shape.ts'
 * const p = dslPipeline(1_000)
 * ```
 */
import { and, artifact, artifactType, ClassificationMetrics, component, Dataset, fmt, ge, gt, le, Metrics, Model, param, pipeline, type PipelineNode } from '@typeflow/dsl'

const FeatureTable = artifactType('acme.FeatureTable', '1.0.0')

// Pinned by digest like production images (an unpinned image is a policy warning per task).
const image = (name: string): string => `registry.acme.dev/fraud/${name}@sha256:${name.length.toString(16).padStart(2, '0').repeat(32)}`

const ingest = component({
  name: 'ingest',
  image: image('ingest'),
  inputs: { uri: param.string(), shard: param.int({ default: 0 }) },
  outputs: { raw: artifact(Dataset), rows: param.int() },
  command: ({ inputs, outputs }) => ['fraud-ingest', '--uri', inputs.uri.value, `--shard=${inputs.shard.value}`, '--out', outputs.raw.path, '--rows', outputs.rows.path],
})

const validate = component({
  name: 'validate',
  image: image('validate'),
  inputs: { raw: artifact(Dataset), maxRejectRate: param.float({ default: 0.01 }) },
  outputs: { clean: artifact(Dataset), rejected: param.int() },
  command: ({ inputs, outputs }) => ['fraud-validate', '--in', inputs.raw.path, '--max-reject-rate', inputs.maxRejectRate.value, '--out', outputs.clean.path, '--rejected', outputs.rejected.path],
})

const features = component({
  name: 'features',
  image: image('features'),
  inputs: { clean: artifact(Dataset), lookbackDays: param.int({ default: 90 }) },
  outputs: { table: artifact(FeatureTable) },
  command: ({ inputs, outputs }) => ['fraud-features', '--in', inputs.clean.path, `--lookback-days=${inputs.lookbackDays.value}`, '--out', outputs.table.path],
})

const split = component({
  name: 'split',
  image: image('split'),
  inputs: { table: artifact(FeatureTable), holdoutFraction: param.float({ default: 0.2 }) },
  outputs: { train: artifact(FeatureTable), holdout: artifact(FeatureTable) },
  command: ({ inputs, outputs }) => ['fraud-split', inputs.table.path, inputs.holdoutFraction.value, outputs.train.path, outputs.holdout.path],
})

const train = component({
  name: 'train',
  image: image('train'),
  inputs: { train: artifact(FeatureTable), epochs: param.int({ default: 20 }) },
  outputs: { model: artifact(Model), loss: param.float() },
  command: ({ inputs, outputs }) => ['fraud-train', '--features', inputs.train.path, '--epochs', inputs.epochs.value, '--model-out', outputs.model.path, '--loss-out', outputs.loss.path],
})

const evaluate = component({
  name: 'evaluate',
  image: image('evaluate'),
  inputs: { model: artifact(Model), holdout: artifact(FeatureTable) },
  outputs: { metrics: artifact(ClassificationMetrics), auc: param.float(), fairnessGap: param.float() },
  command: ({ inputs, outputs }) => ['fraud-evaluate', '--model', inputs.model.path, '--holdout', inputs.holdout.path, '--metrics-out', outputs.metrics.path, '--auc-out', outputs.auc.path, '--gap-out', outputs.fairnessGap.path],
})

const register = component({
  name: 'register',
  image: image('register'),
  inputs: { model: artifact(Model), metrics: artifact(ClassificationMetrics), modelName: param.string() },
  outputs: { version: param.string() },
  command: ({ inputs, outputs }) => ['fraud-register', '--model', inputs.model.uri, '--metrics', inputs.metrics.path, '--name', inputs.modelName.value, '--version-out', outputs.version.path],
})

const notify = component({
  name: 'notify',
  image: image('notify'),
  inputs: { owner: param.string(), message: param.string() },
  command: ({ inputs }) => ['fraud-notify', '--to', inputs.owner.value, '--message', inputs.message.value],
})

const scoreRegion = component({
  name: 'score-region',
  image: image('score'),
  inputs: { table: artifact(FeatureTable), region: param.string(), threshold: param.float({ default: 0.5 }) },
  outputs: { scores: artifact(Metrics), auc: param.float() },
  command: ({ inputs, outputs }) => ['fraud-score', inputs.table.path, '--region', inputs.region.value, '--threshold', inputs.threshold.value, '--scores', outputs.scores.path, '--auc', outputs.auc.path],
})

const publishRegion = component({
  name: 'publish-region',
  image: image('publish'),
  inputs: { scores: artifact(Metrics), region: param.string() },
  command: ({ inputs }) => ['fraud-publish', inputs.scores.path, '--region', inputs.region.value],
})

/** Tasks one round of the loop declares. */
export const DSL_ROUND_TASKS = 8

/** A pipeline of `n` tasks (n ≥ 1) built with the DSL, deterministic for a given `n`. */
export function dslPipeline(n: number): PipelineNode {
  return pipeline(
    {
      name: `synthetic-dsl-${n}`,
      description: `Synthetic pipeline of ${n} tasks built with the DSL.`,
      inputs: {
        rawRoot: param.string({ default: 's3://bucket/raw' }),
        epochs: param.int({ default: 20 }),
        minAuc: param.float({ default: 0.8 }),
        owner: param.string({ default: 'fraud-ml@acme.dev' }),
        regions: param.list<string>({ default: ['eu', 'us', 'ap'] }),
      },
    },
    (dag, p) => {
      let clean = dag.task(ingest, { uri: fmt`${p.rawRoot}/seed`, shard: 0 }).outputs.raw
      let declared = 1
      for (let round = 0; declared + DSL_ROUND_TASKS <= n; round++, declared += DSL_ROUND_TASKS) {
        const raw = dag.task(ingest, { uri: fmt`${p.rawRoot}/segment-${String(round)}`, shard: round })
        const valid = dag.task(validate, { raw: raw.outputs.raw, ...(round % 4 === 1 && { maxRejectRate: 0.02 }) })
        const table = dag.task(features, { clean }, round % 7 === 2 ? { env: { SEGMENT: `segment-${round}` }, resources: { cpuRequest: '2', memoryLimit: '8Gi' } } : undefined)
        const halves = dag.task(split, { table: table.outputs.table })
        const fit = dag.task(train, { train: halves.outputs.train, epochs: p.epochs }, round % 5 === 3 ? { retry: { count: 2, backoff: '30s' } } : undefined)
        const score = dag.task(evaluate, { model: fit.outputs.model, holdout: halves.outputs.holdout })
        if (round % 3 === 0) {
          dag
            .if(and(ge(score.outputs.auc, p.minAuc), le(score.outputs.fairnessGap, 0.05)), () => {
              dag.task(register, { model: fit.outputs.model, metrics: score.outputs.metrics, modelName: `fraud-${round}` }).setCaching(false)
            })
            .else(() => {
              dag.task(notify, { owner: p.owner, message: fmt`segment ${String(round)}: AUC ${score.outputs.auc}` }).setDisplayName(`Notify ${round}`)
            })
        } else {
          dag.forEach(
            p.regions,
            (region) => {
              const scored = dag.task(scoreRegion, { table: table.outputs.table, region })
              dag.if(gt(scored.outputs.auc, p.minAuc), () => void dag.task(publishRegion, { scores: scored.outputs.scores, region }))
            },
            { parallelism: 2 },
          )
        }
        clean = valid.outputs.clean
      }
      // Fewer tasks left than a round holds: the line goes on.
      for (; declared < n; declared++) clean = dag.task(validate, { raw: clean }).outputs.clean
    },
  )
}
