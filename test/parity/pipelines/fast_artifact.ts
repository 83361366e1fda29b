import { artifact, component, Dataset, pipeline, type PipelineNode } from '@typeflow/dsl'

export const golden = 'current/argo_compatibility/fast_artifact.yaml'

const writeArtifact = component({
  name: 'write-artifact',
  image: 'alpine:3.23',
  outputs: { output: artifact(Dataset) },
  command: ['sh', '-c'],
  args: ({ outputs }) => ['mkdir -p "$(dirname "$0")"; printf foo > "$0"; printf "input:  foo\\n"', outputs.output.path],
})

export function build(): PipelineNode {
  return pipeline({ name: 'argo-compatibility-artifact' }, (dag) => {
    dag.task(writeArtifact, {}, { caching: false })
  })
}
