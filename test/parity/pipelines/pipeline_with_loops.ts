import { param, pipeline, type ParamRef, type ParamSpec, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_loops.yaml'

type Args = { readonly A_a: string; readonly B_b: string }

export function build(goldenText: string): PipelineNode {
  return pipelineWithLoops(goldenText, param.list<string>())
}

/** The pipeline, for a given declaration of its `loop_parameter` input. */
export function pipelineWithLoops(goldenText: string, loopParameter: ParamSpec<readonly string[]>): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-loops', inputs: { loop_parameter: loopParameter } }, (dag, p) => {
    dag.forEach(p.loop_parameter, (item) => {
      dag.task(c['print-text']!, { msg: item })
    })
    const generator = dag.task(c['args-generator-op']!)
    dag.forEach(generator.outputs.Output! as ParamRef<readonly Args[]>, (item) => {
      dag.task(c['print-struct']!, { struct: item })
      dag.task(c['print-text']!, { msg: item.field('A_a') })
      dag.task(c['print-text']!, { msg: item.field('B_b') })
    })
    dag.forEach([{ A_a: '1', B_b: '2' }, { A_a: '10', B_b: '20' }], (item) => {
      dag.task(c['print-struct']!, { struct: item })
      dag.task(c['print-text']!, { msg: item.field('A_a') })
      dag.task(c['print-text']!, { msg: item.field('B_b') })
    })
  })
}
