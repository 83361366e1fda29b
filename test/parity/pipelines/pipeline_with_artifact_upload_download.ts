import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_artifact_upload_download.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const printDatasetInfo = components['print-dataset-info']!
  const downloadDatasetAndUploadAsArtifact = components['download-dataset-and-upload-as-artifact']!
  return pipeline({
    name: 'pipeline-with-datasets',
    description: 'Download Hugging Face Data Set, upload it as an artifact and print its metadata',
    inputs: {
      dataset_name: param.string({ default: '' }),
      dataset_repo: param.string({ default: 'google/frames-benchmark' }),
    },
  }, (dag, p) => {
    const downloadDatasetAndUploadAsArtifactTask = dag.task(downloadDatasetAndUploadAsArtifact, {
      dataset_name: p.dataset_name,
      dataset_repo: p.dataset_repo,
    })
    dag.task(printDatasetInfo, { dataset: downloadDatasetAndUploadAsArtifactTask.outputs.output_dataset! })
  })
}
