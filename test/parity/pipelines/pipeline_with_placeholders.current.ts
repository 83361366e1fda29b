import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_placeholders.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printAllPlaceholders = components['print-all-placeholders']!
  return pipeline({ name: 'pipeline-with-placeholders' }, (dag) => {
    dag.task(printAllPlaceholders, {
      job_id: '{{$.pipeline_job_uuid}}',
      job_name: '{{$.pipeline_job_name}}',
      job_resource_name: '{{$.pipeline_job_resource_name}}',
      task_id: '{{$.pipeline_task_uuid}}',
      task_name: '{{$.pipeline_task_name}}',
    }, { caching: false })
  })
}
