import { component, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_env.yaml'

const printEnv = component({
  name: 'print-env',
  image: 'alpine',
  command: [
    'sh',
    '-c',
    `set -e -x
echo "$ENV1"
echo "$ENV2"
echo "$ENV3"
`,
  ],
})

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printEnvOp = components['print-env-op']!
  return pipeline({ name: 'pipeline-with-env' }, (dag) => {
    dag.task(printEnv, {}, { env: { ENV1: 'val0', ENV2: 'val2', ENV3: 'val3' } })
    dag.task(printEnvOp, {}, { env: { ENV1: 'val1' } })
  })
}
