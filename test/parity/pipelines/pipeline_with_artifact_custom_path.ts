import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_artifact_custom_path.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const validateInputArtifact = components['validate-input-artifact']!
  const componentOutputArtifact = components['component-output-artifact']!
  return pipeline({
    name: 'pipeline-with-custom-path-artifact',
    description: 'pipeline with artifact with custom path',
  }, (dag) => {
    const componentOutputArtifactTask = dag.task(componentOutputArtifact, {}, { caching: false })
    dag.task(validateInputArtifact, { in_dataset: componentOutputArtifactTask.outputs.out_dataset! })
  })
}
