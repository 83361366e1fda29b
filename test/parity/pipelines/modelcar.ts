import { Model, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/modelcar.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const off = { caching: false } as const
  return pipeline({
    name: 'pipeline-with-modelcar-model',
    inputs: { model_uri: param.string({ default: 'oci://registry.domain.local/modelcar:test' }) },
  }, (dag, p) => {
    const model = dag.importer({ uri: p.model_uri, type: Model })
    dag.task(c['get-model-files-list']!, { input_model: model.outputs.artifact }, off)
    dag.task(c['build-model-car']!, {}, off)
  })
}
