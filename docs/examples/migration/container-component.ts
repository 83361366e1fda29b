import { artifact, component, Model, param } from '@typeflow/dsl'

export const train = component({
  name: 'train',
  image: 'ghcr.io/acme/train:1.2',
  inputs: { epochs: param.int({ default: 10 }) },
  outputs: { model: artifact(Model), accuracy: param.float() },
  command: ({ inputs, outputs }) => [
    'python', 'train.py',
    '--epochs', inputs.epochs.value,
    '--model', outputs.model.path,
    '--accuracy-file', outputs.accuracy.path,
  ],
})
