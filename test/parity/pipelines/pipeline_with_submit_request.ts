import { pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_submit_request.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const submitRequest = components['submit-request']!
  return pipeline({
    name: 'pipeline-with-external-request',
    description: 'A pipeline that requests both in-cluster & external URLs.',
  }, (dag) => {
    dag.task(submitRequest, { url: 'httpbin.org/get' }, { caching: false })
    dag.task(submitRequest, { url: 'ml-pipeline:8888/apis/v2beta1/healthz' }, { caching: false })
  })
}
