import { component, createPvc, deletePvc, pipeline } from '@typeflow/dsl'

export const producer = component({ name: 'producer', image: 'ghcr.io/acme/io:1.0' })
export const consumer = component({ name: 'consumer', image: 'ghcr.io/acme/io:1.0' })

export default pipeline({ name: 'secrets-and-volumes' }, (dag) => {
  const pvc = dag.task(createPvc, { pvc_name_suffix: '-shared', access_modes: ['ReadWriteMany'], size: '5Gi', storage_class_name: 'standard' })
  const wrote = dag.task(producer, {}, {
    kubernetes: {
      secretsAsEnv: [{ secret: 'db-credentials', env: { DB_PASSWORD: 'password' } }],
      pvcMounts: [{ pvc: pvc.outputs.name, mountPath: '/shared' }],
    },
  })
  const read = dag.task(consumer).after(wrote).setKubernetes({
    secretsAsVolume: [{ secret: 'tls', mountPath: '/etc/tls' }],
    pvcMounts: [{ pvc: pvc.outputs.name, mountPath: '/shared' }],
  })
  dag.task(deletePvc, { pvc_name: pvc.outputs.name }).after(read)
})
