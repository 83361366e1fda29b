/**
 * Fine-tuning a language model on GPUs: tokenize the corpus on CPU, sweep three learning rates in
 * parallel (two at a time, one NVIDIA L4 each), then fine-tune the winner on four A100s with a
 * shared-memory volume for the data loaders and the Hugging Face token read from a secret.
 *
 * Compiled for a GKE cluster (`cluster: 'gke'` below, or `--cluster` to choose another),
 * each GPU task gets `cloud.google.com/gke-accelerator` as node selector and the
 * `nvidia.com/gpu` toleration, in the KFP PlatformSpec and on the Argo template alike.
 */
import { artifact, component, Dataset, type KubernetesOptions, Metrics, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

const image = (name: string) => `registry.acme.dev/llm/${name}@sha256:${'1'.repeat(64)}`

/** Secrets and scratch space every GPU task of this pipeline needs. */
const gpuPod = {
  secretsAsEnv: [{ secret: 'hf-token', env: { HF_TOKEN: 'token' } }],
  emptyDirs: [{ name: 'dshm', mountPath: '/dev/shm', medium: 'Memory', sizeLimit: '16Gi' }],
} satisfies KubernetesOptions

export const tokenize = component({
  name: 'tokenize',
  image: image('tokenize'),
  inputs: { corpusUri: param.string(), maxLength: param.int({ default: 2048 }) },
  outputs: { tokens: artifact(Dataset) },
  command: ({ inputs, outputs }) => ['llm-tokenize', '--corpus', inputs.corpusUri.value, `--max-length=${inputs.maxLength.value}`, '--out', outputs.tokens.path],
})

export const trial = component({
  name: 'trial',
  image: image('train'),
  inputs: { tokens: artifact(Dataset), learningRate: param.float(), steps: param.int({ default: 500 }) },
  outputs: { evalLoss: param.float() },
  command: ({ inputs, outputs }) => ['llm-train', '--tokens', inputs.tokens.path, '--lr', inputs.learningRate.value, '--steps', inputs.steps.value, '--eval-loss-out', outputs.evalLoss.path],
})

export const pickBest = component({
  name: 'pick-best',
  image: image('sweep'),
  inputs: { learningRates: param.list(), losses: param.list() },
  outputs: { learningRate: param.float() },
  command: ({ inputs, outputs }) => ['llm-pick', '--candidates', inputs.learningRates.value, '--losses', inputs.losses.value, '--out', outputs.learningRate.path],
})

export const finetune = component({
  name: 'finetune',
  image: image('train'),
  inputs: { tokens: artifact(Dataset), learningRate: param.float(), steps: param.int({ default: 20000 }) },
  outputs: { model: artifact(Model), metrics: artifact(Metrics) },
  command: ({ inputs, outputs }) => ['llm-train', '--tokens', inputs.tokens.path, '--lr', inputs.learningRate.value, '--steps', inputs.steps.value, '--model-out', outputs.model.path, '--metrics-out', outputs.metrics.path],
})

export const gpuFinetune = pipeline(
  {
    name: 'gpu-finetune',
    description: 'Sweeps learning rates on L4s, then fine-tunes the best on four A100s.',
    inputs: { corpusUri: param.string({ default: 'gs://acme-llm/corpus/v7' }) },
  },
  (dag, p) => {
    const learningRates = [0.0001, 0.0003, 0.001]
    const tokens = dag.task(tokenize, { corpusUri: p.corpusUri }, { resources: { cpuRequest: '8', memoryLimit: '32Gi' } })
    const losses = dag.forEach(
      learningRates,
      (lr) => {
        const run = dag.task(trial, { tokens: tokens.outputs.tokens, learningRate: lr }, {
          resources: { memoryLimit: '24Gi', accelerator: { type: 'nvidia.com/gpu', count: 1, model: 'nvidia-l4' } },
          retry: { count: 1, backoff: '60s' },
          kubernetes: gpuPod,
        })
        return run.outputs.evalLoss
      },
      { parallelism: 2 },
    )
    const best = dag.task(pickBest, { learningRates, losses })
    const tuned = dag.task(finetune, { tokens: tokens.outputs.tokens, learningRate: best.outputs.learningRate }, {
      resources: { cpuRequest: '32', memoryLimit: '320Gi', accelerator: { type: 'nvidia.com/gpu', count: 4, model: 'nvidia-tesla-a100' } },
      retry: { count: 1, backoff: '5m' },
      kubernetes: { ...gpuPod, timeout: '12h' },
    })
    return { model: tuned.outputs.model, metrics: tuned.outputs.metrics }
  },
)

export default gpuFinetune
build(import.meta, gpuFinetune, { cluster: 'gke' })
