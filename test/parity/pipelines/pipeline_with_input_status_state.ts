import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_input_status_state.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'status-state-pipeline' }, (dag) => {
    dag.exitHandler((status) => dag.task(c['echo-state']!, { status }), () => {
      dag.task(c['some-task']!)
    })
  })
}
