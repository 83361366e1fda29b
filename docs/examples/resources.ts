/**
 * Compute resources, GPUs and retries for one task. Accelerator models become node placement
 * for the cluster named at compile time (`--cluster gke`).
 */
import { artifact, component, Dataset, Model, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const prepare = component({
  name: 'prepare',
  image: 'ghcr.io/acme/prep:1.0',
  outputs: { data: artifact(Dataset) },
})
export const finetune = component({
  name: 'finetune',
  image: 'ghcr.io/acme/finetune:3.0',
  inputs: { data: artifact(Dataset), epochs: param.int({ default: 3 }) },
  outputs: { model: artifact(Model) },
})

export const finetuning = pipeline({ name: 'finetuning' }, (dag) => {
  const data = dag.task(prepare, {}, { resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '1Gi', memoryLimit: '4Gi' } })
  dag.task(finetune, { data: data.outputs.data })
    .setResources({
      cpuRequest: '8',
      // A GPU task needs a memory limit (policy E_GPU_WITHOUT_MEMORY_LIMIT).
      memoryLimit: '64Gi',
      // `model` is placed through the cluster profile's node label; without --cluster it is an error.
      accelerator: { type: 'nvidia.com/gpu', count: 2, model: 'nvidia-l4' },
    })
    // Retry twice, waiting 30 s, then 60 s (factor 2), never more than 10 min (policy W_GPU_RETRIES warns).
    .setRetry({ count: 2, backoff: '30s', factor: 2, maxBackoff: '10m' })
    .setEnv('NCCL_DEBUG', 'INFO')
    .setDisplayName('Fine-tune on 2 GPUs')
})

/** Compiled with the GKE profile: `typeflow compile resources.ts --cluster gke`. */
export const compileOptions = { cluster: 'gke' } as const

export default finetuning
build(import.meta, finetuning, { cluster: { kind: 'gke' } })
