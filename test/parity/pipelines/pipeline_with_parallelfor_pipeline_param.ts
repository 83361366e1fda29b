import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/pipeline_with_parallelfor_pipeline_param.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const printWithPrefix = c['print-with-prefix']!
  return pipeline({
    name: 'pipeline-parallelfor-pipeline-param',
    description: 'Pipeline parameter used alongside loop item inside ParallelFor.',
    inputs: { loop_parameter: param.list<string>(), prefix: param.string() },
  }, (dag, p) => {
    dag.forEach(p.loop_parameter, (item) => {
      dag.task(printWithPrefix, { item, prefix: p.prefix })
    }, { parallelism: 1 })
    const prefix = dag.task(c['make-prefix']!)
    dag.forEach(p.loop_parameter, (item) => {
      dag.task(printWithPrefix, { item, prefix: prefix.outputs.Output! })
    })
    dag.forEach(['x', 'y'], () => {
      dag.forEach(p.loop_parameter, (item) => {
        dag.task(printWithPrefix, { item, prefix: p.prefix })
      })
    }, { parallelism: 2 })
  })
}
