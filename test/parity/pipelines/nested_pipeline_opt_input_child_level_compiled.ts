import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/parallel_and_nested/nested_pipeline_opt_input_child_level_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const componentAInt = components['component-a-int']!
  const componentAStr = components['component-a-str']!
  const componentBInt = components['component-b-int']!
  const componentBStr = components['component-b-str']!
  const componentABool = components['component-a-bool']!
  const componentBBool = components['component-b-bool']!
  const nestedPipeline = pipeline({
    name: 'nested-pipeline',
    inputs: {
      nestedInputBool1: param.bool({ default: false }),
      nestedInputBool2: param.bool({ default: false }),
      nestedInputInt1: param.int({ default: 0 }),
      nestedInputInt2: param.int({ default: 0 }),
      nestedInputStr1: param.string({ default: 'Input 1 - nested pipeline' }),
      nestedInputStr2: param.string({ default: 'Input 2 - nested pipeline' }),
    },
  }, (dag, p) => {
    dag.task(componentABool, { componentInputBool: p.nestedInputBool1 }, { caching: false })
    dag.task(componentAInt, { componentInputInt: p.nestedInputInt1 }, { caching: false })
    dag.task(componentAStr, { componentInputStr: p.nestedInputStr1 }, { caching: false })
    dag.task(componentBBool, { componentInputBool: p.nestedInputBool2 }, { caching: false })
    dag.task(componentBInt, { componentInputInt: p.nestedInputInt2 }, { caching: false })
    dag.task(componentBStr, { componentInputStr: p.nestedInputStr2 }, { caching: false })
  })
  return pipeline({ name: 'nested-pipeline-opt-input-child-level' }, (dag) => {
    dag.task(nestedPipeline, {
      nestedInputBool1: true,
      nestedInputInt1: 1,
      nestedInputStr1: 'Input - pipeline',
    }, { caching: false })
  })
}
