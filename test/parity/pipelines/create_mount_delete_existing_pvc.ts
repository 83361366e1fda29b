import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'
import { pvcComponents } from '../kubernetes-components.ts'

export const golden = 'kubernetes/data/create_mount_delete_existing_pvc.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const { createPvc, deletePvc } = pvcComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    const pvc = dag.task(createPvc, { pvc_name: 'static-pvc-name-cmdep', access_modes: ['ReadWriteOnce'], size: '5Gi', storage_class_name: 'standard' })
    const task = dag.task(c['comp']!, {}, { kubernetes: { pvcMounts: [{ pvc: pvc.outputs.name, mountPath: '/data' }] } })
    dag.task(deletePvc, { pvc_name: pvc.outputs.name }).after(task)
  })
}
