/**
 * Container components: an image and a command line built from typed placeholders.
 */
import { artifact, component, concat, Dataset, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const trainer = component({
  name: 'trainer',
  description: 'Trains a model with the image entrypoint; only the arguments are ours.',
  image: 'ghcr.io/acme/trainer:2.1',
  inputs: {
    data: artifact(Dataset),
    epochs: param.int({ default: 10 }),
    tag: param.string({ optional: true }),
    baseline: artifact(Model, { optional: true }),
  },
  outputs: { model: artifact(Model), loss: param.float() },
  // No `command`: the image's entrypoint runs with these arguments.
  args: ({ inputs, outputs, ifPresent }) => [
    // Artifacts: `.path` is a local file, `.uri` the remote location, `.metadata` its JSON metadata.
    '--data', inputs.data.path,
    '--data-uri', inputs.data.uri,
    // Parameters: `.value` is the value as text; placeholders work inside template strings.
    `--epochs=${inputs.epochs.value}`,
    // Only when the optional input is given; the third argument is the `else` branch.
    ifPresent('tag', ['--tag', inputs.tag.value], ['--untagged']),
    ifPresent('baseline', ['--baseline', inputs.baseline.path]),
    // Output parameters are written to a file at `.path`.
    '--model-out', outputs.model.path,
    '--loss-out', outputs.loss.path,
  ],
})

export const report = component({
  name: 'report',
  image: 'alpine:3.20',
  inputs: { model: artifact(Model), title: param.string() },
  command: ({ inputs }) => [
    'sh', '-c', 'echo "$0: $1"; cat "$2"',
    concat('Model ', inputs.title.value),
    inputs.model.uri,
    inputs.model.metadata,
  ],
})

export const containers = pipeline(
  { name: 'containers', inputs: { epochs: param.int({ default: 3 }) } },
  (dag, p) => {
    const data = dag.importer({ uri: 'gs://acme-data/train.csv', type: Dataset })
    const fit = dag.task(trainer, { data: data.outputs.artifact, epochs: p.epochs, tag: 'nightly' })
    dag.task(report, { model: fit.outputs.model, title: 'nightly' })
  },
)

export default containers
build(import.meta, containers)
