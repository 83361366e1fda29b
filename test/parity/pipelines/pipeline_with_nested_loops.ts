import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_nested_loops.yaml'
export const twins = ['current/valid/pipeline_with_nested_loops.yaml']

type Outer = { readonly p_a: readonly { readonly q_a: string }[]; readonly p_b: string }

export function build(goldenText: string): PipelineNode {
  const printOp = loadPipelineComponents(goldenText)['print-op']!
  // (Defaults keep the key order of the SDK source: the header comment prints them as written.)
  // The SDK types these items from the unparameterized `list` annotation: STRING.
  const item = param.string()
  return pipeline({
    name: 'pipeline-with-nested-loops',
    inputs: {
      loop_parameter: param.list<Outer>({
        default: [
          { p_b: 'hello', p_a: [{ q_a: '1' }, { q_a: '2' }] },
          { p_b: 'halo', p_a: [{ q_a: '11' }, { q_a: '22' }] },
        ],
      }),
    },
  }, (dag, p) => {
    dag.forEach(p.loop_parameter, (outer) => {
      dag.forEach(outer.field('p_a'), (inner) => {
        dag.task(printOp, { msg: inner.field('q_a') })
      }, { item })
    }, { item })
    dag.forEach(['1', '2'], (outer) => {
      dag.task(printOp, { msg: outer })
      dag.forEach(['100', '200', '300'], (inner) => {
        dag.task(printOp, { msg: outer, msg2: inner })
      })
    })
  })
}
