import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/local_execution_pipeline_with_exit_handler.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-with-exit-handler',
    description: "Runs `echo` inside an ExitHandler.\nOn success the exit task receives a PipelineTaskFinalStatus with\nstate='SUCCEEDED'. No pipeline output — KFP's compiler rejects\nreturning a value from inside an ExitHandler.",
    inputs: { message: param.string({ default: 'hello' }) },
  }, (dag, p) => {
    dag.exitHandler((status) => dag.task(c['record-exit']!, { status }), () => {
      dag.task(c['echo']!, { message: p.message })
    })
  })
}
