/**
 * Strict JSON Schema (draft 2020-12) for the KFP `PlatformSpec` (second document of a compiled KFP YAML file)
 * with the `kubernetes` platform's per-executor config validated as `kfp_kubernetes.KubernetesExecutorConfig`
 * (`kubernetes_platform/proto/kubernetes_executor_config.proto`).
 *
 * Written by hand from `reference/kfp/fields/kubernetes_executor_config.fields.md`; same conventions as
 * `pipeline-spec.schema.ts`. The `ml_pipelines` messages it uses (`TaskInputsSpec.InputParameterSpec` for every
 * `*Parameter`/`*Json` field, the generic `SinglePlatformSpec` for other platforms, ...) are copied in from the
 * PipelineSpec schema under the same `$defs` names, so this schema is self-contained.
 */

import { message, pipelineSpecSchema } from './pipeline-spec.schema.ts'

type Schema = Record<string, unknown>

const ref = (name: string): Schema => ({ $ref: `#/$defs/${name}` })
const arrayOf = (items: Schema): Schema => ({ type: 'array', items })
const stringMap: Schema = { title: 'map<string, string>', type: 'object', additionalProperties: { type: 'string' } }
const str: Schema = { type: 'string' }
const nonEmptyStr: Schema = { type: 'string', minLength: 1 }
const bool: Schema = { type: 'boolean' }
const deprecated = (s: Schema): Schema => ({ ...s, deprecated: true })
const inputParameter = ref('TaskInputsSpec.InputParameterSpec')

const kubernetesDefs: Record<string, Schema> = {
  KubernetesExecutorConfig: message('KubernetesExecutorConfig', {
    secretAsVolume: arrayOf(ref('SecretAsVolume')),
    secretAsEnv: arrayOf(ref('SecretAsEnv')),
    pvcMount: arrayOf(ref('PvcMount')),
    nodeSelector: ref('NodeSelector'),
    podMetadata: ref('PodMetadata'),
    imagePullSecret: arrayOf(ref('ImagePullSecret')),
    imagePullPolicy: str,
    configMapAsVolume: arrayOf(ref('ConfigMapAsVolume')),
    configMapAsEnv: arrayOf(ref('ConfigMapAsEnv')),
    activeDeadlineSeconds: ref('int64'),
    fieldPathAsEnv: arrayOf(ref('FieldPathAsEnv')),
    tolerations: arrayOf(ref('Toleration')),
    genericEphemeralVolume: arrayOf(ref('GenericEphemeralVolume')),
    nodeAffinity: arrayOf(ref('NodeAffinityTerm')),
    podAffinity: arrayOf(ref('PodAffinityTerm')),
    enabledSharedMemory: ref('EnabledSharedMemory'),
    emptyDirMounts: arrayOf(ref('EmptyDirMount')),
    securityContext: ref('SecurityContext'),
    initContainers: arrayOf(ref('InitContainer')),
  }),
  EnabledSharedMemory: message('EnabledSharedMemory', { volumeName: str, size: str }),
  SecretAsVolume: message(
    'SecretAsVolume',
    {
      secretName: deprecated(str),
      mountPath: nonEmptyStr,
      optional: bool,
      secretNameParameter: inputParameter,
    },
    { required: ['mountPath'] },
  ),
  SecretAsEnv: message('SecretAsEnv', {
    secretName: deprecated(str),
    keyToEnv: arrayOf(ref('SecretAsEnv.SecretKeyToEnvMap')),
    optional: bool,
    secretNameParameter: inputParameter,
  }),
  'SecretAsEnv.SecretKeyToEnvMap': message('SecretAsEnv.SecretKeyToEnvMap', { secretKey: str, envVar: str }),
  PvcMount: message(
    'PvcMount',
    {
      taskOutputParameter: deprecated(ref('TaskInputsSpec.InputParameterSpec.TaskOutputParameterSpec')),
      constant: deprecated(str),
      componentInputParameter: deprecated(str),
      mountPath: nonEmptyStr,
      pvcNameParameter: inputParameter,
      subPath: str,
    },
    { required: ['mountPath'], oneofs: { pvc_reference: ['taskOutputParameter', 'constant', 'componentInputParameter'] } },
  ),
  TypedLocalObjectReference: message('TypedLocalObjectReference', { apiGroup: str, kind: str, name: str }),
  CreatePvc: message(
    'CreatePvc',
    {
      pvcName: str,
      pvcNameSuffix: str,
      accessModes: arrayOf(str),
      size: str,
      defaultStorageClass: bool,
      storageClassName: str,
      volumeName: str,
      annotations: ref('google.protobuf.Struct'),
      dataSource: ref('TypedLocalObjectReference'),
    },
    { oneofs: { name: ['pvcName', 'pvcNameSuffix'] } },
  ),
  DeletePvc: message(
    'DeletePvc',
    {
      taskOutputParameter: ref('TaskInputsSpec.InputParameterSpec.TaskOutputParameterSpec'),
      constant: str,
      componentInputParameter: str,
    },
    { oneofs: { pvc_reference: ['taskOutputParameter', 'constant', 'componentInputParameter'] } },
  ),
  NodeSelector: message('NodeSelector', { labels: stringMap, nodeSelectorJson: inputParameter }),
  PodMetadata: message('PodMetadata', { labels: stringMap, annotations: stringMap }),
  ConfigMapAsVolume: message(
    'ConfigMapAsVolume',
    {
      configMapName: deprecated(str),
      mountPath: nonEmptyStr,
      optional: bool,
      configMapNameParameter: inputParameter,
    },
    { required: ['mountPath'] },
  ),
  ConfigMapAsEnv: message('ConfigMapAsEnv', {
    configMapName: deprecated(str),
    keyToEnv: arrayOf(ref('ConfigMapAsEnv.ConfigMapKeyToEnvMap')),
    configMapNameParameter: inputParameter,
    optional: bool,
  }),
  'ConfigMapAsEnv.ConfigMapKeyToEnvMap': message('ConfigMapAsEnv.ConfigMapKeyToEnvMap', {
    configMapKey: str,
    envVar: str,
  }),
  GenericEphemeralVolume: message(
    'GenericEphemeralVolume',
    {
      volumeName: nonEmptyStr,
      mountPath: nonEmptyStr,
      accessModes: arrayOf(str),
      size: str,
      defaultStorageClass: bool,
      storageClassName: str,
      metadata: ref('PodMetadata'),
    },
    { required: ['volumeName', 'mountPath'] },
  ),
  ImagePullSecret: message('ImagePullSecret', { secretName: deprecated(str), secretNameParameter: inputParameter }),
  FieldPathAsEnv: message('FieldPathAsEnv', { name: nonEmptyStr, fieldPath: nonEmptyStr }, { required: ['name', 'fieldPath'] }),
  Toleration: message('Toleration', {
    key: str,
    operator: str,
    value: str,
    effect: str,
    tolerationSeconds: ref('int64'),
    tolerationJson: inputParameter,
  }),
  SelectorRequirement: message('SelectorRequirement', { key: str, operator: str, values: arrayOf(str) }),
  NodeAffinityTerm: message('NodeAffinityTerm', {
    matchExpressions: arrayOf(ref('SelectorRequirement')),
    matchFields: arrayOf(ref('SelectorRequirement')),
    weight: ref('int32'),
    nodeAffinityJson: inputParameter,
  }),
  PodAffinityTerm: message('PodAffinityTerm', {
    matchPodExpressions: arrayOf(ref('SelectorRequirement')),
    matchPodLabels: stringMap,
    topologyKey: str,
    namespaces: arrayOf(str),
    matchNamespaceExpressions: arrayOf(ref('SelectorRequirement')),
    matchNamespaceLabels: stringMap,
    weight: ref('int32'),
    anti: bool,
  }),
  SecurityContext: message('SecurityContext', {
    runAsUser: ref('int64'),
    runAsGroup: ref('int64'),
    runAsNonRoot: bool,
  }),
  EmptyDirMount: message(
    'EmptyDirMount',
    { volumeName: nonEmptyStr, mountPath: nonEmptyStr, medium: str, sizeLimit: str },
    { required: ['volumeName', 'mountPath'] },
  ),
  InitContainer: message(
    'InitContainer',
    {
      name: nonEmptyStr,
      image: nonEmptyStr,
      command: arrayOf(str),
      args: arrayOf(str),
      env: arrayOf(ref('InitContainer.EnvVar')),
      volumeMounts: arrayOf(ref('InitContainer.VolumeMount')),
      restartPolicy: str,
      resources: ref('InitContainer.ResourceRequirements'),
    },
    { required: ['name', 'image'] },
  ),
  'InitContainer.EnvVar': message('InitContainer.EnvVar', { name: nonEmptyStr, value: str }, { required: ['name'] }),
  'InitContainer.VolumeMount': message('InitContainer.VolumeMount', { volumeName: str, mountPath: str }),
  'InitContainer.ResourceRequirements': message('InitContainer.ResourceRequirements', {
    requests: stringMap,
    limits: stringMap,
  }),

  // Specializations of ml_pipelines messages for the `kubernetes` platform key (not proto messages of their own).
  KubernetesSinglePlatformSpec: message('SinglePlatformSpec (kubernetes)', {
    deploymentSpec: ref('KubernetesPlatformDeploymentConfig'),
    platform: str,
    config: ref('google.protobuf.Struct'),
    pipelineConfig: ref('PipelineConfig'),
  }),
  KubernetesPlatformDeploymentConfig: message('PlatformDeploymentConfig (kubernetes)', {
    executors: {
      title: 'map<string, KubernetesExecutorConfig>',
      type: 'object',
      additionalProperties: ref('KubernetesExecutorConfig'),
    },
  }),
  PlatformSpec: message(
    'PlatformSpec',
    {
      platforms: {
        title: 'map<string, SinglePlatformSpec>',
        type: 'object',
        properties: { kubernetes: ref('KubernetesSinglePlatformSpec') },
        additionalProperties: ref('SinglePlatformSpec'),
      },
    },
    { required: ['platforms'] },
  ),
}

/** Collects the `roots` and every `$defs` entry it references, transitively. */
function closure(defs: Readonly<Record<string, Schema>>, roots: readonly string[]): Record<string, Schema> {
  const out: Record<string, Schema> = {}
  const todo = [...roots]
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const n of node) visit(n)
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) todo.push(v.slice('#/$defs/'.length))
        else visit(v)
      }
    }
  }
  for (let name = todo.pop(); name !== undefined; name = todo.pop()) {
    if (name in out) continue
    const def = defs[name]
    if (def === undefined) continue // defined locally (kubernetesDefs)
    out[name] = def
    visit(def)
  }
  return out
}

const pipelineDefs = pipelineSpecSchema.$defs as Record<string, Schema>
const borrowedNames = [
  'TaskInputsSpec.InputParameterSpec',
  'SinglePlatformSpec',
  'PipelineConfig',
  'google.protobuf.Struct',
  'int32',
  'int64',
]

/**
 * JSON Schema of the KFP `PlatformSpec` (second document of a compiled KFP YAML file).
 * Use it through `validatePlatformSpec` (`./validate.ts`), or with any draft 2020-12 validator.
 *
 * @example
 * ```ts
 * const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(platformSpecSchema)
 * validate({ platforms: { kubernetes: { deploymentSpec: { executors: { 'exec-a': { activeDeadlineSeconds: '20' } } } } } })
 * ```
 */
export const platformSpecSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:typeflow:kfp:platform-spec',
  title: 'KFP PlatformSpec (with kfp_kubernetes.KubernetesExecutorConfig)',
  $ref: '#/$defs/PlatformSpec',
  $defs: { ...closure(pipelineDefs, borrowedNames), ...kubernetesDefs },
}
