import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/env-var.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const comp = components['comp']!
  return pipeline({
    name: 'test-env-exists',
    inputs: { env_var: param.string() },
  }, (dag, p) => {
    const compTask = dag.task(comp, { env_var: p.env_var }, { caching: false })
    return { Output: compTask.outputs.Output! }
  })
}
