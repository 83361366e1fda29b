import { fmt, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_params_containing_format.yaml'
export const twins = ['current/valid/essential/pipeline_with_params_containing_format.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-with-pipelineparam-containing-format',
    inputs: { name: param.string({ default: 'KFP' }) },
  }, (dag, p) => {
    const hello = dag.task(c['print-op']!, { text: fmt`Hello ${p.name}` })
    dag.task(c['print-op']!, { text: fmt`${hello.outputs.Output!}, again.` })
    dag.forEach(['1', '2'], (item) => {
      dag.task(c['print-op2']!, { text1: item, text2: fmt` and ${p.name}.` })
    })
  })
}
