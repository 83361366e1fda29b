import type { PipelineNode } from '@typeflow/dsl'
import { customTrainingJobPipeline } from './pipeline_with_condition_dynamic_task_output_custom_training_job.ts'

export const golden = 'current/valid/pipeline_with_condition_dynamic_task_output_custom_training_job.yaml'

/** The legacy pipeline under the name the current harness gave it (its component comes from this golden). */
export function build(goldenText: string): PipelineNode {
  return customTrainingJobPipeline(goldenText, 'pipeline-with-dynamic-condition-output')
}
