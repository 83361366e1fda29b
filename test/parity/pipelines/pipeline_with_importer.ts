import { Dataset, eq, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/pipeline_with_importer.yaml'
export const twins = ['current/valid/pipeline_with_importer.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  return pipeline({
    name: 'pipeline-with-importer',
    inputs: { dataset2: param.string({ default: 'gs://ml-pipeline-playground/shakespeare2.txt' }) },
  }, (dag, p) => {
    const importer1 = dag.importer({ uri: 'gs://ml-pipeline-playground/shakespeare1.txt', type: Dataset, reimport: false, metadata: { key: 'value' } })
    const train1 = dag.task(c['train']!, { dataset: importer1.outputs.artifact })
    dag.if(eq(train1.outputs.scalar!, '123'), () => {
      const importer2 = dag.importer({ uri: p.dataset2, type: Dataset, reimport: true })
      dag.task(c['train']!, { dataset: importer2.outputs.artifact })
    })
  })
}
