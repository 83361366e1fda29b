import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pythonic_artifacts_with_list_of_artifacts.yaml'
export const twins = ['current/valid/pythonic_artifacts_with_list_of_artifacts.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'make-and-join-datasets',
    inputs: { texts: param.list<string>({ default: ['Hello', ',', ' ', 'world!'] }) },
  }, (dag, p) => {
    const datasets = dag.forEach(p.texts, (text) => dag.task(c['make-dataset']!, { text }).outputs.Output!)
    const joined = dag.task(c['join-datasets']!, { datasets })
    return { Output: joined.outputs.Output! }
  })
}
