import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/parallel_and_nested/nested_pipeline_opt_inputs_nil_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const componentInt = components['component-int']!
  const componentStr = components['component-str']!
  const componentBool = components['component-bool']!
  const nestedPipeline = pipeline({
    name: 'nested-pipeline',
    inputs: {
      nestedInputBool: param.bool({ optional: true }),
      nestedInputInt: param.int({ optional: true }),
      nestedInputStr: param.string({ optional: true }),
    },
  }, (dag, p) => {
    dag.task(componentBool, { componentInput: p.nestedInputBool }, { caching: false })
    dag.task(componentInt, { componentInput: p.nestedInputInt }, { caching: false })
    dag.task(componentStr, { componentInput: p.nestedInputStr }, { caching: false })
  })
  return pipeline({ name: 'nested-pipeline-opt-inputs-nil' }, (dag) => {
    dag.task(nestedPipeline, {}, { caching: false })
  })
}
