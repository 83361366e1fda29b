import { pipeline, type ParamRef, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/parallel_and_nested/loop_consume_upstream.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const same = { caching: false, displayName: 'same display name' } as const
  return pipeline({ name: 'loop-consume-upstream', displayName: 'Loop Consume Upstream' }, (dag) => {
    const split = dag.task(c['split-input']!, { input: 'component1,component2,component3' }, same)
    dag.task(c['print-input']!, { input: split.outputs.Output! }, same)
    dag.forEach(split.outputs.Output! as ParamRef<readonly string[]>, (item) => {
      const file = dag.task(c['create-file']!, { content: item }, same)
      dag.task(c['read-file']!, { file: file.outputs.file! }, same)
    })
  })
}
