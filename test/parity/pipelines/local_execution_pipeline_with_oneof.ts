import { eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/local_execution_pipeline_with_oneof.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-oneof', inputs: { pick_a: param.bool({ default: true }) } }, (dag, p) => {
    let a, b
    dag.if(eq(p.pick_a, true), () => {
      a = dag.task(c['branch-a']!)
    }).else(() => {
      b = dag.task(c['branch-b']!)
    })
    const tagged = dag.task(c['tag-selected']!, { value: dag.oneOf(a!.outputs.Output!, b!.outputs.Output!) })
    return { Output: tagged.outputs.Output! }
  })
}
