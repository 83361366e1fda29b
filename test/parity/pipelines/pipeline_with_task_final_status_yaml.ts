import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_task_final_status_yaml.yaml'

const exitOp = component({
  name: 'exit-op',
  image: 'python:3.9',
  inputs: { user_input: param.string(), status: param.finalStatus() },
  command: ({ inputs }) => ['echo', 'user input:', inputs.user_input.value, 'pipeline status:', inputs.status.value],
})

const printOp = component({
  name: 'print-op',
  image: 'python:3.9',
  inputs: { message: param.string() },
  command: ({ inputs }) => ['echo', inputs.message.value],
})

export function build(): PipelineNode {
  return pipeline({
    name: 'pipeline-with-task-final-status-yaml',
    inputs: { message: param.string({ default: 'Hello World!' }) },
  }, (dag, p) => {
    dag.exitHandler((status) => dag.task(exitOp, { user_input: p.message, status }), () => {
      dag.task(printOp, { message: p.message })
    }, { displayName: 'my-pipeline' })
  })
}
