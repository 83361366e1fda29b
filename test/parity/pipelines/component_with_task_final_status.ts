import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/component_with_task_final_status.yaml'
export const twins = ['current/valid/component_with_task_final_status_GH-12033.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'exit-comp', inputs: { status: param.finalStatus() } }, (dag, p) => {
    dag.task(c['exit-comp']!, { status: p.status })
  })
}
