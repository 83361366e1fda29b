import { component, pipeline } from '@typeflow/dsl'

export const train = component({ name: 'train', image: 'ghcr.io/acme/train:1.0' })

export default pipeline({ name: 'settings' }, (dag) => {
  dag.task(train)
    .setResources({
      cpuRequest: '2',
      cpuLimit: '4',
      memoryRequest: '8Gi',
      memoryLimit: '16Gi',
      accelerator: { type: 'nvidia.com/gpu', count: 1 },
    })
    .setCaching(false)
    .setRetry({ count: 1, backoff: '60s', factor: 2, maxBackoff: '1h' })
    .setEnv('LOG_LEVEL', 'debug')
    .setDisplayName('Train')
})
