import { Artifact, artifact, component, Dataset, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/components_with_optional_artifacts.yaml'
export const twins = ['current/valid/components_with_optional_artifacts.yaml']

const customArtifactPrinter = component({
  name: 'custom-artifact-printer',
  image: 'alpine',
  inputs: { artifact: artifact(Artifact, { optional: true }) },
  command: ({ inputs, ifPresent }) => [ifPresent('artifact', ['echo', inputs.artifact.uri], ['echo', 'No artifact provided!'])],
})

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const innerPipeline = pipeline({ name: 'inner-pipeline', inputs: { dataset: artifact(Dataset, { optional: true }) } }, (dag, p) => {
    dag.task(c['python-artifact-printer']!, { artifact: p.dataset })
  })
  return pipeline({ name: 'optional-artifact-pipeline', inputs: { dataset1: artifact(Dataset, { optional: true }) } }, (dag, p) => {
    dag.task(customArtifactPrinter, { artifact: p.dataset1 })
    dag.task(customArtifactPrinter)
    const importer = dag.importer({ uri: 'gs://ml-pipeline-playground/shakespeare1.txt', type: Dataset })
    dag.task(innerPipeline, { dataset: importer.outputs.artifact })
    dag.task(innerPipeline)
  })
}
