/**
 * Loops: `dag.forEach` over a static list, a list parameter or a task's list output, at most
 * `parallelism` iterations at once; what the body returns comes back as lists (fan-in).
 */
import { collected, component, param, pipeline, type Task } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const listShards = component({
  name: 'list-shards',
  image: 'ghcr.io/acme/shards:1.0',
  outputs: { shards: param.list<{ path: string; rows: number }>() },
})
export const score = component({
  name: 'score',
  image: 'ghcr.io/acme/score:1.0',
  inputs: { path: param.string(), rows: param.int(), model: param.string() },
  outputs: { accuracy: param.float() },
})
export const average = component({ name: 'average', image: 'ghcr.io/acme/score:1.0', inputs: { values: param.list<number>() } })
export const warm = component({ name: 'warm', image: 'ghcr.io/acme/score:1.0', inputs: { region: param.string() } })

export const backtest = pipeline(
  { name: 'backtest', inputs: { regions: param.list<string>({ default: ['eu', 'us'] }) } },
  (dag, p) => {
    // Over a list parameter: one `warm` task per region.
    dag.forEach(p.regions, (region) => {
      dag.task(warm, { region })
    })

    // Over a task's list output, three at a time; struct items expose their fields.
    const shards = dag.task(listShards)
    const results = dag.forEach(shards.outputs.shards, (shard) => {
      const scored = dag.task(score, { path: shard.field('path'), rows: shard.field('rows'), model: 'candidate' })
      return { accuracy: scored.outputs.accuracy }
    }, { parallelism: 3 })
    // Fan-in: the accuracy of every iteration, as one list.
    dag.task(average, { values: results.accuracy })

    // Over a static list; `collected` reads a looped task's output after the loop.
    let baseline!: Task<typeof score.outputs>
    dag.forEach([1000, 5000], (rows) => {
      baseline = dag.task(score, { path: 'gs://acme-data/holdout', rows, model: 'baseline' })
    })
    dag.task(average, { values: collected(baseline.outputs.accuracy) })
  },
)

export default backtest
build(import.meta, backtest)
