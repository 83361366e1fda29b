import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/essential/component_with_env_variable.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const readEnvVar = components['read-env-var']!
  return pipeline({
    name: 'pipeline-with-env-variable',
    inputs: { var_name: param.string({ default: 'KFP_TEST_ENV_VAR' }) },
  }, (dag, p) => {
    const readEnvVarTask = dag.task(readEnvVar, { var_name: p.var_name }, { env: { KFP_TEST_ENV_VAR: 'env_var_value' } })
    return { Output: readEnvVarTask.outputs.Output! }
  })
}
