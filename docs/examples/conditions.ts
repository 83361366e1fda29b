/**
 * Conditions: `dag.if(…).elif(…).else(…)` over parameter values, and `dag.oneOf` for the output
 * of whichever branch ran.
 */
import { and, component, eq, ge, gt, lt, not, or, param, pipeline, type Task } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const evaluate = component({
  name: 'evaluate',
  image: 'ghcr.io/acme/evaluate:1.0',
  outputs: { auc: param.float(), drift: param.float(), stage: param.string() },
})
export const deploy = component({ name: 'deploy', image: 'ghcr.io/acme/deploy:1.0', inputs: { target: param.string() }, outputs: { url: param.string() } })
export const canary = component({ name: 'canary', image: 'ghcr.io/acme/deploy:1.0', outputs: { url: param.string() } })
export const alert = component({ name: 'alert', image: 'ghcr.io/acme/alert:1.0', inputs: { message: param.string() }, outputs: { url: param.string() } })
export const announce = component({ name: 'announce', image: 'ghcr.io/acme/alert:1.0', inputs: { url: param.string() } })

export const release = pipeline(
  { name: 'release', inputs: { minAuc: param.float({ default: 0.8 }), force: param.bool({ default: false }) } },
  (dag, p) => {
    const scores = dag.task(evaluate)
    // Both sides of a comparison must have the same type: TypeScript checks it.
    const good = and(ge(scores.outputs.auc, p.minAuc), lt(scores.outputs.drift, 0.1))

    let full!: Task<typeof deploy.outputs>
    let partial!: Task<typeof canary.outputs>
    let alerted!: Task<typeof alert.outputs>
    dag
      .if(or(good, eq(p.force, true)), () => {
        full = dag.task(deploy, { target: 'production' })
      }, { displayName: 'good enough' })
      .elif(and(gt(scores.outputs.auc, 0.5), not(eq(scores.outputs.stage, 'frozen'))), () => {
        partial = dag.task(canary)
      })
      .else(() => {
        alerted = dag.task(alert, { message: 'model rejected' })
      })

    // Exactly one branch ran: oneOf reads its output.
    const url = dag.oneOf(full.outputs.url, partial.outputs.url, alerted.outputs.url)
    dag.task(announce, { url })
    return { url }
  },
)

export default release
build(import.meta, release)
