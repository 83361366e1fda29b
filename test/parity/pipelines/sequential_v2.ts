import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/valid/sequential_v2.yaml'

const echo = component({
  name: 'echo',
  image: 'library/bash',
  inputs: { downloaded: param.string() },
  command: ['sh', '-c'],
  args: ({ inputs }) => [`echo ${inputs.downloaded.value}`],
})

const download = component({
  name: 'download',
  image: 'google/cloud-sdk',
  inputs: { url: param.string() },
  outputs: { downloaded: param.string() },
  command: ['sh', '-c'],
  args: ({ inputs, outputs }) => [`gsutil cp ${inputs.url.value} ${outputs.downloaded.path}`],
})

export function build(): PipelineNode {
  return pipeline({ name: 'sequential', inputs: { url: param.string() } }, (dag, p) => {
    const downloadTask = dag.task(download, { url: p.url })
    dag.task(echo, { downloaded: downloadTask.outputs.downloaded })
  })
}
