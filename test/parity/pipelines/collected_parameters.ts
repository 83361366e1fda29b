import { param, pipeline, type ParamRef, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/collected_parameters.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const off = { caching: false } as const
  const collectingParameters = pipeline({ name: 'collecting-parameters', inputs: { model_ids: param.string({ default: '' }) } }, (dag, p) => {
    const ids = dag.task(c['split-ids']!, { ids: p.model_ids })
    const prepended = dag.forEach(ids.outputs.Output! as ParamRef<readonly string[]>, (id) => {
      const t = dag.task(c['prepend-id']!, { content: id }, off)
      dag.task(c['consume-single-id']!, { id: t.outputs.Output! }, off)
      return t.outputs.Output!
    })
    dag.task(c['consume-ids']!, { ids: prepended }, off)
    return { Output: prepended }
  })
  return pipeline({ name: 'collected-param-pipeline' }, (dag) => {
    const collected = dag.task(collectingParameters, { model_ids: 's1,s2,s3' }, off)
    dag.task(c['consume-ids']!, { ids: collected.outputs.Output }, off)
  })
}
