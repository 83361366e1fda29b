import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/node_selector.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['comp']!, {}, { kubernetes: { nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-p4' } } })
  })
}
