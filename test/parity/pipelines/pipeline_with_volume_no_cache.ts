import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'
import { pvcComponents } from '../kubernetes-components.ts'

export const golden = 'current/valid/pipeline_with_volume_no_cache.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const { createPvc, deletePvc } = pvcComponents(goldenText)
  return pipeline({ name: 'pipeline-with-volume-no-cache' }, (dag) => {
    const pvc = dag.task(createPvc, { pvc_name_suffix: '-my-pvc', access_modes: ['ReadWriteOnce'], size: '5Mi', storage_class_name: 'standard' }, { caching: false })
    const data = { pvcMounts: [{ pvc: pvc.outputs.name, mountPath: '/data' }] }
    const producer = dag.task(c['producer']!, {}, { kubernetes: data })
    const consumer = dag.task(c['consumer']!, {}, { kubernetes: data }).after(producer)
    dag.task(deletePvc, { pvc_name: pvc.outputs.name }, { caching: false }).after(consumer)
  })
}
