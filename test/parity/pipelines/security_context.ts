import { loadPipelineComponents, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'kubernetes/data/security_context.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['print-greeting']!, {}, { kubernetes: { securityContext: { runAsUser: 65534, runAsGroup: 0 } } })
  })
}
