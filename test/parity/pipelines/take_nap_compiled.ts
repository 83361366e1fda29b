import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/take_nap_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const wakeUp = components['wake-up']!
  const takeNap = components['take-nap']!
  return pipeline({
    name: 'take-nap-pipeline',
    description: 'Pipeline that sleeps for 15 mins (900 secs)',
    inputs: { naptime_secs: param.int({ default: 900 }) },
  }, (dag, p) => {
    const takeNapTask = dag.task(takeNap, { naptime_secs: p.naptime_secs }, { caching: false })
    dag.task(wakeUp, { message: takeNapTask.outputs.Output! }, { caching: false })
  })
}
