import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/essential/embedded_artifact.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const readEmbeddedArtifactDir = components['read-embedded-artifact-dir']!
  const readEmbeddedArtifactFile = components['read-embedded-artifact-file']!
  return pipeline({ name: 'nb-simple' }, (dag) => {
    dag.task(readEmbeddedArtifactDir, {}, { caching: false })
    dag.task(readEmbeddedArtifactFile, {}, { caching: false })
  })
}
