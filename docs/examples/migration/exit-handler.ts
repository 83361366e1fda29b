import { component, functionComponent, param, pipeline } from '@typeflow/dsl'

export const cleanUp = functionComponent(
  { name: 'clean-up', inputs: { status: param.finalStatus() } },
  ({ status }) => {
    console.log(status.state, status.error.message ?? '')
  },
)
export const work = component({ name: 'work', image: 'ghcr.io/acme/ops:1.0' })

export default pipeline({ name: 'with-exit-handler' }, (dag) => {
  dag.exitHandler(
    (status) => dag.task(cleanUp, { status }),
    () => {
      dag.task(work)
    },
  )
})
