import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/parallel_and_nested/nested_parallel_for_secret.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-4-nested-parallel-for-secret',
    description: 'Pipeline with outer task output used as secret name inside ParallelFor.',
  }, (dag) => {
    const secretName = dag.task(c['emit-secret-name']!)
    dag.forEach(['x', 'y'], (item) => {
      dag.task(c['worker-component']!, { item }, {
        kubernetes: { secretsAsEnv: [{ secret: secretName.outputs.Output!, env: { MY_SECRET_KEY: 'username' } }] },
      })
    }, { parallelism: 1 })
  })
}
