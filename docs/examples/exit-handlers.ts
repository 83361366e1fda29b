/**
 * Exit handlers: a task that runs after a group of tasks, whatever happened to them, and receives
 * their final status. Also: ordering without data (`after`) and running despite failures.
 */
import { component, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const notify = component({
  name: 'notify',
  image: 'ghcr.io/acme/notify:1.0',
  // The status input: state, pipelineJobResourceName, pipelineTaskName, error.
  inputs: { status: param.finalStatus(), channel: param.string() },
  command: ({ inputs }) => ['notify', '--status', inputs.status.value, '--channel', inputs.channel.value],
})
export const step = component({ name: 'step', image: 'ghcr.io/acme/step:1.0', inputs: { name: param.string() } })

export const nightly = pipeline({ name: 'nightly', inputs: { channel: param.string({ default: '#ml-alerts' }) } }, (dag, p) => {
  dag.exitHandler(
    // The exit task: declared first, runs last.
    (status) => dag.task(notify, { status, channel: p.channel }),
    () => {
      const load = dag.task(step, { name: 'load' })
      // Runs after `load` although no data flows between them.
      const train = dag.task(step, { name: 'train' }, { after: [load] })
      // Runs even when `train` failed (KFP `ignore_upstream_failure`).
      dag.task(step, { name: 'cleanup' }).after(train).ignoreUpstreamFailure()
    },
    { displayName: 'nightly run' },
  )
})

export default nightly
build(import.meta, nightly)
