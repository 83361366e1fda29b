import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/multiple_parameters_namedtuple.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const coreComp = components['core-comp']!
  const crustComp = components['crust-comp']!
  const core = pipeline({ name: 'core' }, (dag) => {
    const coreCompTask = dag.task(coreComp, {}, { caching: false })
    return { val1: coreCompTask.outputs.val1!, val2: coreCompTask.outputs.val2! }
  })
  const mantle = pipeline({ name: 'mantle' }, (dag) => {
    const coreTask = dag.task(core, {}, { caching: false })
    return { val1: coreTask.outputs.val1, val2: coreTask.outputs.val2 }
  })
  return pipeline({ name: 'multiple-parameters-namedtuple-pipeline' }, (dag) => {
    const mantleTask = dag.task(mantle, {}, { caching: false })
    dag.task(crustComp, { val1: mantleTask.outputs.val1, val2: mantleTask.outputs.val2 }, { caching: false })
  })
}
