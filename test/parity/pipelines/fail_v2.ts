import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/failing/fail_v2.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const fail = components['fail']!
  return pipeline({ name: 'fail-pipeline' }, (dag) => {
    dag.task(fail)
  })
}
