import { component, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/long-running.yaml'

const waitOp = component({
  name: 'wait-op',
  image: 'alpine:latest',
  command: ['sh', '-c'],
  args: ['echo step-1 sleeping for 5m; sleep 300; echo done1'],
})

export function build(): PipelineNode {
  return pipeline({ name: 'wait-awhile' }, (dag) => {
    const waitOpTask = dag.task(waitOp)
    dag.task(waitOp, {}, { after: [waitOpTask] })
  })
}
