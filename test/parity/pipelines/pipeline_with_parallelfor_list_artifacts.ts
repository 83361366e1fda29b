import { type ArtifactRef, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_parallelfor_list_artifacts.yaml'
export const twins = ['current/valid/pipeline_with_parallelfor_list_artifacts_GH-12033.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const texts = param.list<string>({ default: ['Hello', ',', ' ', 'world!'] })
  const makeArtifacts = pipeline({ name: 'make-artifacts', inputs: { texts } }, (dag, p) => ({
    Output: dag.forEach(p.texts, (text) => dag.task(c['make-artifact']!, { data: text }).outputs.Output!),
  }))
  const makeDatasets = pipeline({ name: 'make-datasets', inputs: { texts } }, (dag, p) => ({
    Output: dag.forEach(p.texts, (text) => dag.task(c['make-dataset']!, { data: text }).outputs.Output!),
  }))
  return pipeline({ name: 'pipeline-parallelfor-artifacts' }, (dag) => {
    const artifacts = dag.task(makeArtifacts)
    dag.forEach(artifacts.outputs.Output as ArtifactRef<string, true>, (artifact) => {
      dag.task(c['print-artifact-name']!, { artifact })
    })
    const datasets = dag.task(makeDatasets)
    dag.forEach(datasets.outputs.Output as ArtifactRef<string, true>, (artifact) => {
      dag.task(c['print-artifact-name']!, { artifact })
    })
  })
}
