import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_task_using_ignore_upstream_failure.yaml'
export const twins = ['current/valid/pipeline_with_task_using_ignore_upstream_failure.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'my-pipeline',
    inputs: { sample_input: param.string({ default: 'message' }) },
  }, (dag, p) => {
    const failTask = dag.task(c['fail-op']!, { message: p.sample_input })
    dag.task(c['print-op']!, { message: failTask.outputs.Output! }, { ignoreUpstreamFailure: true })
  })
}
