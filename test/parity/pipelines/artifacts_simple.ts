import { artifact, component, Dataset, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/parallelfor_fan_in/artifacts_simple.yaml'

const addContainer = component({
  name: 'add-container',
  image: 'python:3.9',
  inputs: { in_datasets: artifact.list(Dataset) },
  outputs: { out_dataset: artifact(Dataset) },
  command: ['python', '-c'],
  args: ({ inputs, outputs }) => [
    `
import argparse
import json
import os

def main(in_datasets, out_dataset_uri):
    in_dicts = json.loads(in_datasets)
    uris = [d['uri'] for d in in_dicts]
    total = 0
    for uri in uris:
        with open(uri.replace('gs://', '/gcs/')) as f:
            total += int(f.read())

    outpath = out_dataset_uri.replace('gs://', '/gcs/')
    os.makedirs(os.path.dirname(outpath), exist_ok=True)
    with open(outpath, 'w') as f:
        f.write(str(total))

parser = argparse.ArgumentParser()
parser.add_argument('in_datasets')
parser.add_argument('out_dataset_uri')
args = parser.parse_args()

main(args.in_datasets, args.out_dataset_uri)
`,
    inputs.in_datasets.path,
    outputs.out_dataset.uri,
  ],
})

export function build(goldenText: string): PipelineNode {
  const { double, add } = loadPipelineComponents(goldenText)
  return pipeline({ name: 'math-pipeline' }, (dag) => {
    const datasets = dag.forEach([1, 2, 3], (x) => dag.task(double!, { num: x }).outputs.out_dataset!)
    dag.task(add!, { in_datasets: datasets })
    dag.task(addContainer, { in_datasets: datasets as never })
    return { Output: datasets }
  })
}
