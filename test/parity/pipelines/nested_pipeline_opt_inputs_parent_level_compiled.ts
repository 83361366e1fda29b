import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/parallel_and_nested/nested_pipeline_opt_inputs_parent_level_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const componentIntDefault = components['component-int-default']!
  const componentStrDefault = components['component-str-default']!
  const componentBoolDefault = components['component-bool-default']!
  const componentNilIntDefault = components['component-nil-int-default']!
  const componentNilStrDefault = components['component-nil-str-default']!
  const componentNilBoolDefault = components['component-nil-bool-default']!
  const nestedPipelineNilDefaults = pipeline({
    name: 'nested-pipeline-nil-defaults',
    inputs: {
      nestedInputBool: param.bool({ optional: true }),
      nestedInputInt: param.int({ optional: true }),
      nestedInputStr: param.string({ default: 'Input - nested pipeline' }),
    },
  }, (dag, p) => {
    dag.task(componentNilBoolDefault, { componentInput: p.nestedInputBool }, { caching: false })
    dag.task(componentNilIntDefault, { componentInput: p.nestedInputInt }, { caching: false })
    dag.task(componentNilStrDefault, { componentInput: p.nestedInputStr }, { caching: false })
  })
  const nestedPipelineNonNilDefaults = pipeline({
    name: 'nested-pipeline-non-nil-defaults',
    inputs: {
      nestedInputBool: param.bool({ default: false }),
      nestedInputInt: param.int({ default: 0 }),
      nestedInputStr: param.string({ default: 'Input - nested pipeline' }),
    },
  }, (dag, p) => {
    dag.task(componentBoolDefault, { componentInput: p.nestedInputBool }, { caching: false })
    dag.task(componentIntDefault, { componentInput: p.nestedInputInt }, { caching: false })
    dag.task(componentStrDefault, { componentInput: p.nestedInputStr }, { caching: false })
  })
  return pipeline({
    name: 'nested-pipeline-opt-inputs-parent-level',
    inputs: {
      inputBool: param.bool({ default: true }),
      inputInt: param.int({ default: 1 }),
      inputStr: param.string({ default: 'Input - parent pipeline' }),
    },
  }, (dag, p) => {
    dag.task(nestedPipelineNilDefaults, {
      nestedInputBool: p.inputBool,
      nestedInputInt: p.inputInt,
      nestedInputStr: p.inputStr,
    }, { caching: false })
    dag.task(nestedPipelineNonNilDefaults, {
      nestedInputBool: p.inputBool,
      nestedInputInt: p.inputInt,
      nestedInputStr: p.inputStr,
    }, { caching: false })
  })
}
