import { eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_as_exit_task.yaml'
export const twins = ['current/valid/pipeline_as_exit_task.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const conditionalNotification = pipeline({ name: 'conditional-notification', inputs: { status: param.finalStatus() } }, (dag, p) => {
    const state = dag.task(c['get-run-state']!, { status: p.status })
    dag.if(eq(state.outputs.Output!, 'FAILED'), () => {
      dag.task(c['print-op']!, { message: 'notify task failure.' })
    })
  })
  return pipeline({
    name: 'pipeline-with-task-final-status-conditional',
    inputs: { message: param.string({ default: 'Hello World!' }) },
  }, (dag, p) => {
    dag.exitHandler((status) => dag.task(conditionalNotification, { status }), () => {
      dag.task(c['print-op']!, { message: p.message })
      dag.task(c['fail-op']!, { message: 'Task failed.' })
    }, { displayName: 'my-pipeline' })
  })
}
