import { eq, fmt, gt, le, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/flip_coin.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const off = { caching: false } as const
  return pipeline({ name: 'conditional-execution-pipeline', description: 'Shows how to use dsl.If().' }, (dag) => {
    const flip = dag.task(c['flip-coin']!, {}, off)
    dag.if(eq(flip.outputs.Output!, 'heads'), () => {
      const n = dag.task(c['random-num']!, { low: 0, high: 9 }, off).outputs.Output!
      dag.if(gt(n, 5), () => void dag.task(c['print-msg']!, { msg: fmt`heads and ${n} > 5!` }, off))
      dag.if(le(n, 5), () => void dag.task(c['print-msg']!, { msg: fmt`heads and ${n} <= 5!` }, off))
    })
    dag.if(eq(flip.outputs.Output!, 'tails'), () => {
      const n = dag.task(c['random-num']!, { low: 10, high: 19 }, off).outputs.Output!
      dag.if(gt(n, 15), () => void dag.task(c['print-msg']!, { msg: fmt`tails and ${n} > 15!` }, off))
      dag.if(le(n, 15), () => void dag.task(c['print-msg']!, { msg: fmt`tails and ${n} <= 15!` }, off))
    })
  })
}
