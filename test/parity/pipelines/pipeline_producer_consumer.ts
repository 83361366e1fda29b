import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/parallelfor_fan_in/pipeline_producer_consumer.yaml'
export const twins = ['current/valid/pipeline_producer_consumer.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const doublePipeline = pipeline({ name: 'double-pipeline', inputs: { num: param.int() } }, (dag, p) => {
    return { Output: dag.task(c['double']!, { num: p.num }).outputs.Output! }
  })
  const addPipeline = pipeline({ name: 'add-pipeline', inputs: { nums: param.list<number>() } }, (dag, p) => {
    const sum = dag.task(c['add']!, { nums: p.nums })
    const echoed = dag.forEach(['m', 'a', 't', 'h'], (s) => dag.task(c['echo-and-return']!, { string: s }).outputs.Output!)
    return { out1: sum.outputs.Output!, out2: echoed }
  })
  return pipeline({ name: 'math-pipeline' }, (dag) => {
    const doubled = dag.forEach([1, 2, 3], () => dag.forEach([1, 2, 3], (y) => dag.task(doublePipeline, { num: y }).outputs.Output))
    const added = dag.task(addPipeline, { nums: doubled })
    dag.task(c['join-and-print']!, { strings: added.outputs.out2 })
    return { Output: added.outputs.out1 }
  })
}
