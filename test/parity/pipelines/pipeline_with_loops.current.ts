import { param, type PipelineNode } from '@typeflow/dsl'
import { pipelineWithLoops } from './pipeline_with_loops.ts'

export const golden = 'current/valid/parallel_and_nested/pipeline_with_loops.yaml'

/** The legacy pipeline with a default for `loop_parameter`. */
export function build(goldenText: string): PipelineNode {
  return pipelineWithLoops(goldenText, param.list<string>({ default: ['a', 'b'] }))
}
