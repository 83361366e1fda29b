import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/parallel_and_nested/parallel_for_secret.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-2-parallel-for-secret',
    description: 'Pipeline with 1 component inside ParallelFor using use_secret_as_env.',
    inputs: { my_secret_name: param.string({ default: 'test-secret-1' }) },
  }, (dag, p) => {
    dag.forEach(['a', 'b', 'c'], (item) => {
      dag.task(c['example-component']!, { item }, {
        kubernetes: { secretsAsEnv: [{ secret: p.my_secret_name, env: { MY_SECRET_KEY: 'username' } }] },
      })
    }, { parallelism: 1 })
  })
}
