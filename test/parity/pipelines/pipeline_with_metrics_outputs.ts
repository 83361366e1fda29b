import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_metrics_outputs.yaml'
export const twins = ['current/valid/essential/pipeline_with_metrics_outputs.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-metrics-outputs' }, (dag) => {
    dag.task(c['output-metrics']!)
    dag.forEach([1, 2], () => {
      dag.task(c['output-metrics']!)
    })
  })
}
