import { param, pipeline, type ParamRef, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/collected_artifacts.yaml'

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const off = { caching: false } as const
  const singleNodeDag = pipeline({ name: 'single-node-dag', inputs: { char: param.string() } }, (dag, p) => ({
    Output: dag.task(c['create-dataset']!, { content: p.char }, off).outputs.data!,
  }))
  const collectingArtifacts = pipeline({
    name: 'collecting-artifacts',
    inputs: { model_ids: param.string({ default: '' }), model_chars: param.string({ default: '' }) },
  }, (dag, p) => {
    const ids = dag.task(c['split-ids']!, { model_ids: p.model_ids }, off)
    const chars = dag.task(c['split-chars']!, { model_ids: p.model_chars }, off)
    const models = dag.forEach(ids.outputs.Output! as ParamRef<readonly string[]>, (id) => {
      const file = dag.task(c['create-file']!, { content: id }, off)
      dag.task(c['read-single-file']!, { file: file.outputs.file! }, off)
      const { datasets, results } = dag.forEach(chars.outputs.Output! as ParamRef<readonly string[]>, (char) => {
        const data = dag.task(singleNodeDag, { char }, off)
        const model = dag.task(c['read-single-dataset-generate-model']!, { id, data: data.outputs.Output }, off)
        return { datasets: data.outputs.Output, results: model.outputs.results! }
      })
      dag.task(c['read-datasets']!, { data: datasets }, off)
      dag.task(c['read-models']!, { models: results }, off)
      return results
    })
    return { Output: models }
  })
  return pipeline({ name: 'collected-artifact-pipeline' }, (dag) => {
    const collected = dag.task(collectingArtifacts, { model_ids: 's1,s2,s3', model_chars: 'x,y,z' }, off)
    dag.task(c['read-models']!, { models: collected.outputs.Output }, off)
  })
}
