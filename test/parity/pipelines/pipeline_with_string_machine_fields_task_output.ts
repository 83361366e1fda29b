import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_string_machine_fields_task_output.yaml'
export const twins = ['current/valid/pipeline_with_string_machine_fields_task_output.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({ name: 'pipeline' }, (dag) => {
    const cpu = dag.task(c['cpu-limit']!)
    const memory = dag.task(c['memory-limit']!)
    const type = dag.task(c['accelerator-type']!)
    const count = dag.task(c['accelerator-limit']!)
    dag.task(c['sum-numbers']!, { a: 1, b: 2 })
      .setResources({ cpuLimit: cpu.outputs.Output!, memoryLimit: memory.outputs.Output!, accelerator: { type: type.outputs.Output!, count: count.outputs.Output! } })
  })
}
