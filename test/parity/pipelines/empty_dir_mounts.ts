import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/empty_dir_mounts.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['comp']!, {}, { kubernetes: { emptyDirs: [{ name: 'emptydir-vol-1', mountPath: '/mnt/my_vol_1', medium: 'Memory', sizeLimit: '1Gi' }] } })
  })
}
