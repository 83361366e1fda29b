import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'
import { pvcComponents } from '../kubernetes-components.ts'

export const golden = 'current/valid/parallel_and_nested/parallel_for_mount_pvc.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const { createPvc } = pvcComponents(goldenText)
  return pipeline({
    name: 'pipeline-parallel-for-mount-pvc',
    description: 'Pipeline with 1 component inside ParallelFor using mount_pvc.',
    inputs: { my_pvc_name_suffix: param.string({ default: 'test-pvc' }) },
  }, (dag) => {
    const pvc = dag.task(createPvc, { pvc_name_suffix: '-my-pvc', access_modes: ['ReadWriteOnce'], size: '5Mi', storage_class_name: 'standard' })
    dag.forEach(['a'], (item) => {
      dag.task(c['example-component']!, { item }, { kubernetes: { pvcMounts: [{ pvc: pvc.outputs.name, mountPath: '/data' }] } })
    })
  })
}
