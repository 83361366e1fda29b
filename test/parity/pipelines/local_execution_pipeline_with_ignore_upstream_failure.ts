import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/local_execution/local_execution_pipeline_with_ignore_upstream_failure.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline-with-ignore-upstream-failure', inputs: { marker_path: param.string() } }, (dag, p) => {
    const failing = dag.task(c['fail-always']!)
    dag.task(c['write-marker']!, { marker_path: p.marker_path }, { after: [failing], ignoreUpstreamFailure: true })
  })
}
