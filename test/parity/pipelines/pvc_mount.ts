import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/pvc_mount.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pvc-mount-pipeline', inputs: { pvc_name: param.string() } }, (dag, p) => {
    const data = { pvcMounts: [{ pvc: p.pvc_name, mountPath: '/data' }] }
    const producer = dag.task(c['producer']!, {}, { kubernetes: data })
    dag.task(c['consumer']!, {}, { kubernetes: data, after: [producer] })
  })
}
