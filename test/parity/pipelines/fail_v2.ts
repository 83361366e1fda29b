import { loadPipelineComponents, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/failing/fail_v2.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const fail = components['fail']!
  return pipeline({ name: 'fail-pipeline' }, (dag) => {
    dag.task(fail)
  })
}
