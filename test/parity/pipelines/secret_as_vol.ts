import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/secret_as_vol.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['comp']!, {}, { kubernetes: { secretsAsVolume: [{ secret: 'my-secret', mountPath: '/mnt/my_vol' }] } })
  })
}
