import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/dict_input.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const dictInput = components['dict-input']!
  return pipeline({ name: 'dict-input', inputs: { struct: param.struct() } }, (dag, p) => {
    dag.task(dictInput, { struct: p.struct })
  })
}
