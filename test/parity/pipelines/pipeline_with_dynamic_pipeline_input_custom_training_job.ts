import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_dynamic_pipeline_input_custom_training_job.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline',
    inputs: {
      project: param.string(),
      location: param.string(),
      machine_type: param.string(),
      accelerator_type: param.string(),
      accelerator_count: param.int(),
      encryption_spec_key_name: param.string({ default: '' }),
    },
  }, (dag, p) => {
    dag.task(c['custom-training-job']!, {
      display_name: 'add-numbers',
      worker_pool_specs: [{
        container_spec: { image_uri: 'gcr.io/ml-pipeline/google-cloud-pipeline-components:2.5.0', command: ['echo'], args: ['foo'] },
        machine_spec: { machine_type: p.machine_type, accelerator_type: p.accelerator_type, accelerator_count: p.accelerator_count },
        replica_count: 1,
      }],
      project: p.project,
      location: p.location,
      encryption_spec_key_name: p.encryption_spec_key_name,
    })
  })
}
