import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/metrics_visualization_v2.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const htmlVisualization = components['html-visualization']!
  const irisSgdclassifier = components['iris-sgdclassifier']!
  const wineClassification = components['wine-classification']!
  const digitClassification = components['digit-classification']!
  const markdownVisualization = components['markdown-visualization']!
  return pipeline({ name: 'metrics-visualization-pipeline' }, (dag) => {
    dag.task(digitClassification)
    dag.task(htmlVisualization)
    dag.task(irisSgdclassifier, { test_samples_fraction: 0.3 })
    dag.task(markdownVisualization)
    dag.task(wineClassification)
  })
}
