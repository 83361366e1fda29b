import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/output_metrics.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const outputMetrics = components['output-metrics']!
  return pipeline({ name: 'output-metrics' }, (dag) => {
    const outputMetricsTask = dag.task(outputMetrics)
    return { metrics: outputMetricsTask.outputs.metrics! }
  })
}
