import { eq, ne, param, pipeline, type ParamRef, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_loops_and_conditions.yaml'
export const twins = ['current/valid/pipeline_with_loops_and_conditions.yaml']

type Args = { readonly A_a: string; readonly B_b: readonly string[] }

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const printText = c['print-text']!
  // The SDK types these items from the unparameterized `list` annotations: STRING.
  const item = param.string()
  return pipeline({
    name: 'pipeline-with-loops-and-conditions-multi-layers',
    inputs: {
      msg: param.string({ default: 'hello' }),
      loop_parameter: param.list<Args>({ default: [{ B_b: ['A', 'B'], A_a: 'heads' }, { B_b: ['X', 'Y', 'Z'], A_a: 'tails' }] }),
    },
  }, (dag, p) => {
    const generator = dag.task(c['args-generator-op']!)
    const flip = dag.task(c['flip-coin-op']!)
    dag.if(ne(flip.outputs.Output!, 'no-such-result'), () => {
      const generator2 = dag.task(c['args-generator-op']!)
      dag.forEach(generator.outputs.Output! as ParamRef<readonly Args[]>, (args) => {
        dag.task(printText, { msg: p.msg })
        dag.if(eq(args.field('A_a'), 'heads'), () => {
          dag.task(printText, { msg: args.field('B_b') as never })
        })
        dag.if(eq(flip.outputs.Output!, 'heads'), () => {
          dag.task(printText, { msg: args.field('B_b') as never })
        })
        dag.if(eq(args.field('A_a'), 'tails'), () => {
          dag.forEach([{ a: '-1' }, { a: '-2' }], (struct) => {
            dag.task(c['print-struct']!, { struct })
          })
        })
        dag.forEach(args.field('B_b'), (text) => {
          dag.task(printText, { msg: text })
        }, { item })
        dag.forEach(p.loop_parameter, (outer) => {
          dag.task(printText, { msg: outer as never })
          dag.forEach(generator2.outputs.Output! as ParamRef<readonly Args[]>, (inner) => {
            dag.task(printText, { msg: outer as never, msg2: inner.field('A_a') })
          }, { item })
        }, { item })
        dag.forEach(['1', '2'], (text) => {
          dag.task(printText, { msg: text })
          dag.if(eq(text, '1'), () => {
            dag.task(printText, { msg: '1' })
          })
        })
      }, { item })
    })
    dag.forEach(p.loop_parameter, (args) => {
      dag.if(eq(args.field('A_a'), 'heads'), () => {
        dag.forEach(args.field('B_b'), (text) => {
          dag.task(printText, { msg: text })
        }, { item })
      })
    }, { item })
  })
}
