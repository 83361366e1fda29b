import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/pipeline_with_collected_artifacts.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-collected-artifacts' }, (dag) => {
    const written = dag.forEach([0, 1, 2], (index) => dag.task(c['write-artifact']!, { index }).outputs.out!)
    return { Output: dag.task(c['read-and-join']!, { artifacts: written }).outputs.Output! }
  })
}
