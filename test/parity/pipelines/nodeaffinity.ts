import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/nodeaffinity.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'test-node-affinity' }, (dag) => {
    dag.task(c['print-hello-with-preferred-affinity']!, {}, {
      kubernetes: { nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['us-west-1'] }], weight: 50 }] },
    })
    dag.task(c['print-hello-with-empty-json']!, {}, { kubernetes: { nodeAffinity: [{ json: {} }] } })
    dag.task(c['print-hello-with-json-affinity']!, {}, {
      kubernetes: {
        nodeAffinity: [{
          json: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, preference: { matchExpressions: [{ key: 'disktype', operator: 'In', values: ['ssd'] }] } }] },
        }],
      },
    })
    dag.task(c['print-hello-with-json-affinity-2']!, {}, {
      kubernetes: {
        nodeAffinity: [{
          json: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['us-west-1'] }] } },
              { weight: 50, preference: { matchExpressions: [{ key: 'instance-type', operator: 'In', values: ['n1-standard-4'] }] } },
            ],
          },
        }],
      },
    })
  })
}
