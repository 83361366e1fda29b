import { param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/upload_download_compiled.yaml'

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const sendFile = components['send-file']!
  const receiveFile = components['receive-file']!
  const testUploadedArtifact = components['test-uploaded-artifact']!
  return pipeline({
    name: 'test-data-passing-pipeline-1',
    inputs: { bucket_name: param.string(), mlpipeline_minio_artifact_secret: param.string() },
  }, (dag, p) => {
    const sendFileTask = dag.task(sendFile, { file_size_bytes: 20971520 }, { caching: false })
    const receiveFileTask = dag.task(receiveFile, { incomingfile: sendFileTask.outputs.outgoingfile! }, { caching: false })
    dag.task(testUploadedArtifact, {
      bucket_name: p.bucket_name,
      file_size_bytes: 20971520,
      mlpipeline_minio_artifact_secret: p.mlpipeline_minio_artifact_secret,
      previous_step: receiveFileTask.outputs.saveartifact!,
    }, { caching: false })
  })
}
