import { eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_condition_dynamic_task_output_custom_training_job.yaml'

export function build(goldenText: string): PipelineNode {
  return customTrainingJobPipeline(goldenText, 'pipeline')
}

/** The pipeline under a given name (the current harness renames it). */
export function customTrainingJobPipeline(goldenText: string, name: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name,
    inputs: { project: param.string(), location: param.string(), encryption_spec_key_name: param.string({ default: '' }) },
  }, (dag, p) => {
    const flip = dag.task(c['flip-biased-coin-op']!, {}, { caching: false })
    const machineType = dag.task(c['machine-type']!)
    const acceleratorType = dag.task(c['accelerator-type']!)
    const acceleratorCount = dag.task(c['accelerator-count']!)
    dag.if(eq(flip.outputs.Output!, 'heads'), () => {
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
  })
}
