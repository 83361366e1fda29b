import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'legacy/pipelines/pipeline_with_after.yaml'

const printText = component({
  name: 'print-text',
  image: 'alpine',
  inputs: { text: param.string() },
  command: ({ inputs }) => [
    'sh',
    '-c',
    `set -e -x
echo "$0"
`,
    inputs.text.value,
  ],
})

export function build(): PipelineNode {
  return pipeline({ name: 'pipeline-with-after' }, (dag) => {
    const printTextTask = dag.task(printText, { text: '1st task' })
    const printText2 = dag.task(printText, { text: '2nd task' }, { after: [printTextTask] })
    dag.task(printText, { text: '3rd task' }, { after: [printTextTask, printText2] })
  })
}
