import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_placeholders.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printOp = components['print-op']!
  return pipeline({ name: 'pipeline-with-placeholders' }, (dag) => {
    dag.task(printOp, { msg: 'job name:', value: '{{$.pipeline_job_name}}' })
    dag.task(printOp, { msg: 'job resource name:', value: '{{$.pipeline_job_resource_name}}' })
    dag.task(printOp, { msg: 'job id:', value: '{{$.pipeline_job_uuid}}' })
    dag.task(printOp, { msg: 'task name:', value: '{{$.pipeline_task_name}}' })
    dag.task(printOp, { msg: 'task id:', value: '{{$.pipeline_task_uuid}}' })
  })
}
