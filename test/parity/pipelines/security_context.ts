import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/security_context.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['print-greeting']!, {}, { kubernetes: { securityContext: { runAsUser: 65534, runAsGroup: 0 } } })
  })
}
