import { param, pipeline, type ParamRef, type ParamSpec, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_parallelfor_parallelism.yaml'
export const twins = ['current/valid/pipeline_with_parallelfor_parallelism.yaml']

type Pair = { readonly a: number; readonly b: number }

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const printText = c['print-text']!
  const printInt = c['print-int']!
  return pipeline({ name: 'pipeline-with-loops', inputs: { loop_parameter: param.list<string>() } }, (dag, p) => {
    dag.forEach(p.loop_parameter, (item) => {
      dag.task(printText, { msg: item })
      dag.forEach(p.loop_parameter, (inner) => {
        dag.task(printText, { msg: inner })
      })
    }, { parallelism: 2 })
    dag.forEach([{ A_a: '1', B_b: '2' }, { A_a: '10', B_b: '20' }], (item) => {
      dag.task(printText, { msg: item.field('A_a') })
      dag.task(printText, { msg: item.field('B_b') })
      dag.forEach([{ A_a: '10', B_b: '20' }, { A_a: '100', B_b: '200' }], (inner) => {
        dag.task(printText, { msg: inner.field('A_a') })
        dag.task(printText, { msg: inner.field('B_b') })
      }, { parallelism: 1 })
    })
    dag.forEach([{ a: 1, b: 2 }, { a: 2, b: 3 }, { a: 3, b: 4 }], (item) => {
      dag.task(printInt, { x: item.field('a') })
    }, { parallelism: 1 })
    // The SDK types each item from the component's return annotation: dicts are STRUCT, an
    // unparameterized list gives STRING.
    const loopOver = (maker: string, item: ParamSpec) => {
      const made = dag.task(c[maker]!)
      dag.forEach(made.outputs.Output! as ParamRef<readonly Pair[]>, (pair) => {
        dag.task(printInt, { x: pair.field('a') })
      }, { item })
    }
    loopOver('list-dict-maker-0', param.struct())
    loopOver('list-dict-maker-1', param.struct())
    loopOver('list-dict-maker-2', param.struct())
    loopOver('list-dict-maker-3', param.string())
    loopOver('list-dict-maker-1', param.string())
  })
}
