/**
 * Caching: on by default for every task, as in KFP. Turn it off per task or per pipeline, or
 * give a task a key of your own.
 */
import { artifact, component, Dataset, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const snapshot = component({
  name: 'snapshot',
  image: 'ghcr.io/acme/etl:1.0',
  inputs: { table: param.string() },
  outputs: { rows: artifact(Dataset) },
})
export const clean = component({
  name: 'clean',
  image: 'ghcr.io/acme/etl:1.0',
  inputs: { rows: artifact(Dataset) },
  outputs: { rows: artifact(Dataset) },
})
export const publish = component({ name: 'publish', image: 'ghcr.io/acme/etl:1.0', inputs: { rows: artifact(Dataset) } })
export const holidays = component({
  name: 'holidays',
  image: 'ghcr.io/acme/etl:1.0',
  inputs: { year: param.int() },
  outputs: { days: artifact(Dataset) },
})

export const etl = pipeline({ name: 'etl', inputs: { table: param.string({ default: 'orders' }) } }, (dag, p) => {
  // The table changes under the same name: never reuse an old snapshot.
  const snap = dag.task(snapshot, { table: p.table }, { caching: false })
  // Downstream of a non-cacheable task: never reused either (`typeflow plan` says why).
  const cleaned = dag.task(clean, { rows: snap.outputs.rows })
  dag.task(publish, { rows: cleaned.outputs.rows })
  // A key of your own: KFP writes it as the task's cacheKey; Typeflow mixes it into its digest.
  dag.task(holidays, { year: 2026 }).setCaching({ key: 'holidays-2026-v2' })
})

/** A pipeline whose tasks do not cache unless they say so. */
export const audit = pipeline({ name: 'audit', caching: false }, (dag) => {
  const snap = dag.task(snapshot, { table: 'audit_log' })
  dag.task(clean, { rows: snap.outputs.rows })
  // Opts back in: a year's holidays do not change (a task reading from `snap` could not).
  dag.task(holidays, { year: 2026 }, { caching: true })
})

export default etl
build(import.meta, etl)
