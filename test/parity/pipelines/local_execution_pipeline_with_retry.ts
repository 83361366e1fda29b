import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/local_execution_pipeline_with_retry.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const flaky = components['flaky']!
  return pipeline({
    name: 'pipeline-with-retry',
    inputs: { counter_path: param.string() },
  }, (dag, p) => {
    const flakyTask = dag.task(flaky, { counter_path: p.counter_path }, { retry: { count: 3, factor: 1 } })
    return { Output: flakyTask.outputs.Output! }
  })
}
