import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_string_machine_fields_pipeline_input.yaml'
export const twins = ['current/valid/pipeline_with_string_machine_fields_pipeline_input.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline',
    inputs: {
      cpu_limit: param.string({ default: '4000m' }),
      memory_limit: param.string({ default: '15G' }),
      accelerator_type: param.string({ default: 'NVIDIA_TESLA_P4' }),
      accelerator_limit: param.string({ default: '1' }),
    },
  }, (dag, p) => {
    dag.task(c['sum-numbers']!, { a: 1, b: 2 }, {
      resources: { cpuLimit: p.cpu_limit, memoryLimit: p.memory_limit, accelerator: { type: p.accelerator_type, count: p.accelerator_limit } },
    })
  })
}
