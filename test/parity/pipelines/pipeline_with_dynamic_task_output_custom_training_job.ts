import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_dynamic_task_output_custom_training_job.yaml'
export const twins = ['current/valid/pipeline_with_dynamic_task_output_custom_training_job.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline',
    inputs: { project: param.string(), location: param.string(), encryption_spec_key_name: param.string({ default: '' }) },
  }, (dag, p) => {
    const machineType = dag.task(c['machine-type']!)
    const acceleratorType = dag.task(c['accelerator-type']!)
    const acceleratorCount = dag.task(c['accelerator-count']!)
    dag.task(c['custom-training-job']!, {
      display_name: 'add-numbers',
      worker_pool_specs: [{
        container_spec: { image_uri: 'gcr.io/ml-pipeline/google-cloud-pipeline-components:2.5.0', command: ['echo'], args: ['foo'] },
        machine_spec: {
          machine_type: machineType.outputs.Output!,
          accelerator_type: acceleratorType.outputs.Output!,
          accelerator_count: acceleratorCount.outputs.Output!,
        },
        replica_count: 1,
      }],
      project: p.project,
      location: p.location,
      encryption_spec_key_name: p.encryption_spec_key_name,
    })
  })
}
