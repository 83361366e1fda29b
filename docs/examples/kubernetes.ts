/**
 * Kubernetes pod settings of a task (what kfp-kubernetes offers): secrets and config maps,
 * volumes, node placement, pull secrets, timeouts, security context, labels, init containers.
 */
import { component, createPvc, deletePvc, param, pipeline } from '@typeflow/dsl'
import { build } from '@typeflow/compiler'

export const sync = component({
  name: 'sync',
  image: 'ghcr.io/acme/sync:1.0',
  inputs: { bucket: param.string() },
  command: ({ inputs }) => ['sync', inputs.bucket.value, '/data'],
})
export const train = component({ name: 'train', image: 'ghcr.io/acme/train:1.0', command: ['train', '--data', '/data'] })

export const onKubernetes = pipeline(
  { name: 'on-kubernetes', inputs: { credentials: param.string({ default: 's3-credentials' }) } },
  (dag, p) => {
    // A PVC for this run (the KFP backend creates it), mounted by two tasks, deleted at the end.
    const volume = dag.task(createPvc, { access_modes: ['ReadWriteOnce'], size: '20Gi', pvc_name_suffix: '-data' })
    const synced = dag.task(sync, { bucket: 's3://acme-data' }, {
      kubernetes: {
        pvcMounts: [{ pvc: volume.outputs.name, mountPath: '/data' }],
        // Secret keys as environment variables; the secret's name may be a parameter.
        secretsAsEnv: [{ secret: p.credentials, env: { AWS_ACCESS_KEY_ID: 'access-key', AWS_SECRET_ACCESS_KEY: 'secret-key' } }],
        configMapsAsEnv: [{ configMap: 'sync-settings', env: { SYNC_THREADS: 'threads' }, optional: true }],
        imagePullSecrets: ['ghcr-pull'],
        imagePullPolicy: 'IfNotPresent',
        timeout: '30m',
      },
    })
    const trained = dag.task(train).after(synced).setKubernetes({
      pvcMounts: [{ pvc: volume.outputs.name, mountPath: '/data' }],
      nodeSelector: { 'cloud.google.com/gke-nodepool': 'training' },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
      nodeAffinity: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['europe-west4-a'] }], weight: 50 }],
      secretsAsVolume: [{ secret: 'wandb', mountPath: '/secrets/wandb' }],
      configMapsAsVolume: [{ configMap: 'train-config', mountPath: '/etc/train' }],
      emptyDirs: [{ name: 'scratch', mountPath: '/scratch', medium: 'Memory', sizeLimit: '2Gi' }],
      ephemeralVolumes: [{ name: 'cache', mountPath: '/cache', size: '50Gi', storageClass: 'premium-rwo' }],
      fieldPathEnv: { POD_NAME: 'metadata.name' },
      securityContext: { runAsUser: 1000, runAsNonRoot: true },
      podLabels: { team: 'fraud' },
      podAnnotations: { 'example.com/owner': 'fraud-ml' },
      initContainers: [{ name: 'warm-cache', image: 'busybox:1.36', command: ['sh', '-c', 'echo ready'] }],
    })
    dag.task(deletePvc, { pvc_name: volume.outputs.name }).after(trained)
  },
)

export default onKubernetes
build(import.meta, onKubernetes)
