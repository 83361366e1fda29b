import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/init_container.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['print-greeting']!, {}, {
      kubernetes: {
        emptyDirs: [{ name: 'shared-data', mountPath: '/data' }],
        initContainers: [{
          name: 'prepare-data',
          image: 'busybox:1.36',
          command: ['sh', '-c'],
          args: ['echo ready > /data/marker'],
          env: { MARKER_TEXT: 'ready' },
          volumeMounts: [{ volumeName: 'shared-data', mountPath: '/data' }],
        }],
      },
    })
  })
}
