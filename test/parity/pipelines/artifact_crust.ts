import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/artifact_crust.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const coreComp = components['core-comp']!
  const crustComp = components['crust-comp']!
  const core = pipeline({ name: 'core' }, (dag) => {
    const coreCompTask = dag.task(coreComp, {}, { caching: false })
    return { Output: coreCompTask.outputs.dataset! }
  })
  const mantle = pipeline({ name: 'mantle' }, (dag) => {
    const coreTask = dag.task(core, {}, { caching: false })
    return { Output: coreTask.outputs.Output }
  })
  return pipeline({ name: 'artifact-pipeline' }, (dag) => {
    const mantleTask = dag.task(mantle, {}, { caching: false })
    dag.task(crustComp, { input: mantleTask.outputs.Output }, { caching: false })
  })
}
