import { component, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'current/valid/critical/pipeline_with_volume_long_name.yaml'

const createpvc = component({
  name: 'createpvc',
  image: 'argostub/createpvc',
  inputs: {
    access_modes: param.list({ description: 'Values for ``PersistentVolumeClaim.spec.accessModes``.' }),
    annotations: param.struct({ optional: true, description: 'Annotations for the PVC\'s metadata. Corresponds to\n`PersistentVolumeClaim.metadata.annotations\n<https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#PersistentVolumeClaim>`_.' }),
    data_source: param.struct({ optional: true, description: 'Specifies the data source for the PVC. This can be used to\ncreate a PVC from a VolumeSnapshot or to clone an existing PVC.\nShould be a dictionary with ``\'apiGroup\'``, ``\'kind\'``, and\n``\'name\'`` keys. For example:\n``{\'apiGroup\': \'snapshot.storage.k8s.io\', \'kind\': \'VolumeSnapshot\', \'name\': \'my-snapshot\'}``.\nCorresponds to `PersistentVolumeClaim.spec.dataSource\n<https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#PersistentVolumeClaimSpec>`_.' }),
    pvc_name: param.string({ optional: true, description: 'Name of the PVC. Corresponds to\n`PersistentVolumeClaim.metadata.name\n<https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#PersistentVolumeClaim>`_.\nOnly one of ``pvc_name`` and ``pvc_name_suffix`` can be provided.' }),
    pvc_name_suffix: param.string({ optional: true, description: 'Prefix to use for a dynamically generated name, which\nwill take the form ``<argo-workflow-name>-<pvc_name_suffix>``. Only\none of ``pvc_name`` and ``pvc_name_suffix`` can be provided.' }),
    size: param.string({ description: 'The size of storage requested by the PVC that will be\nprovisioned. For example, ``\'5Gi\'``. Corresponds to\n`PersistentVolumeClaim.spec.resources.requests.storage\n<https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#PersistentVolumeClaimSpec>`_.' }),
    storage_class_name: param.string({ default: '', description: 'Name of StorageClass from which to provision the PV\nto back the PVC. ``None`` indicates to use the cluster\'s default\nstorage_class_name. Set to ``\'\'`` for a statically specified PVC.' }),
    volume_name: param.string({ optional: true, description: 'Pre-existing PersistentVolume that should back the\nprovisioned PersistentVolumeClaim. Used for statically\nspecified PV only. Corresponds to\n`PersistentVolumeClaim.spec.volumeName\n<https://kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/persistent-volume-claim-v1/#PersistentVolumeClaimSpec>`_.' }),
  },
  outputs: { name: param.string() },
})

export function build(goldenText: string): PipelineNode {
  const components = loadPipelineComponents(goldenText)
  const dummyTask = components['dummy-task']!
  return pipeline({ name: 'here-is-a-pipeline-very-long-name' }, (dag) => {
    dag.task(createpvc, {
      access_modes: ['ReadWriteOnce'],
      pvc_name_suffix: '-my-pvc',
      size: '1Gi',
      storage_class_name: 'standard',
    })
    dag.task(dummyTask)
  })
}
