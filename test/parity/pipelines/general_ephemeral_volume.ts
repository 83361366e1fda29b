import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/general_ephemeral_volume.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['comp']!, {}, {
      kubernetes: { ephemeralVolumes: [{ name: 'pvc-name', mountPath: 'path', accessModes: ['ReadWriteOnce'], size: '5Gi', annotations: { annotation1: 'a1' } }] },
    })
  })
}
