import { artifact, Dataset, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/components/input_artifact.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const inputArtifact = components['input-artifact']!
  return pipeline({
    name: 'input-artifact',
    inputs: { data: artifact(Dataset) },
  }, (dag, p) => {
    dag.task(inputArtifact, { data: p.data })
  })
}
