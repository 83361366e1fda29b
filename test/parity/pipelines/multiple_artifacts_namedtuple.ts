import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/multiple_artifacts_namedtuple.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const coreComp = components['core-comp']!
  const crustComp = components['crust-comp']!
  const core = pipeline({ name: 'core' }, (dag) => {
    const coreCompTask = dag.task(coreComp, {}, { caching: false })
    return { ds1: coreCompTask.outputs.ds1!, ds2: coreCompTask.outputs.ds2! }
  })
  const mantle = pipeline({ name: 'mantle' }, (dag) => {
    const coreTask = dag.task(core, {}, { caching: false })
    return { ds1: coreTask.outputs.ds1, ds2: coreTask.outputs.ds2 }
  })
  return pipeline({ name: 'multiple-artifacts-namedtuple-pipeline' }, (dag) => {
    const mantleTask = dag.task(mantle, {}, { caching: false })
    dag.task(crustComp, { ds1: mantleTask.outputs.ds1, ds2: mantleTask.outputs.ds2 }, { caching: false })
  })
}
