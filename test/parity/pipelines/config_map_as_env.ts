import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'kubernetes/data/config_map_as_env.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'my-pipeline' }, (dag) => {
    dag.task(c['comp']!, {}, { kubernetes: { configMapsAsEnv: [{ configMap: 'my-cm', env: { CONFIG_MAP_VAR: 'foo' } }] } })
  })
}
