/**
 * The KFP `PlatformSpec` (second document of a compiled KFP file): per executor, the
 * `kfp_kubernetes.KubernetesExecutorConfig` that kfp-kubernetes would write for a task's
 * Kubernetes settings.
 *
 * What kfp-kubernetes does, reproduced here:
 * - executors are keyed by their `exec-…` label, under `platforms.kubernetes.deploymentSpec.executors`;
 * - a name given as text is written twice: the deprecated literal (`secretName: my-secret`) and
 *   the parameter form (`secretNameParameter: {runtimeValue: {constant: my-secret}}`); a name
 *   read from a parameter only in the parameter form (an `InputParameterSpec`, resolved like a
 *   task input in the task's DAG); a PVC name also in the deprecated `pvc_reference` oneof
 *   (`constant`, `componentInputParameter` or `taskOutputParameter`);
 * - `optional` of secrets and config maps is always written (proto3 `optional` presence);
 * - int64 fields are strings (`activeDeadlineSeconds: '20'`, `tolerationSeconds: '10'`,
 *   `runAsUser: '65534'`); the config is a `google.protobuf.Struct`, so other numbers are doubles
 *   (`weight: 50.0`);
 * - an ephemeral volume without a storage class gets `defaultStorageClass: true`.
 *
 * @module
 */

import type { KubernetesNameNode, KubernetesNode, PodMetadataNode, SelectorRequirementNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { YamlFloat } from '../../writer/yaml.ts'
import { protobufValue } from './emit.ts'
import { nameKeyed } from './name-keyed.ts'

type JsonObject = Record<string, unknown>

/** Delivers a value source as an `InputParameterSpec` in the task's DAG. */
export type ResolveParameter = (source: ValueSourceNode) => JsonObject

function nameFields(name: KubernetesNameNode, literal: string, parameter: string, resolve: ResolveParameter): JsonObject {
  if (typeof name === 'string') return { [literal]: name, [parameter]: { runtimeValue: { constant: name } } }
  return { [parameter]: resolve(name) }
}

/** The deprecated `pvc_reference` oneof of `PvcMount`, where the reference fits it. */
function pvcReference(name: KubernetesNameNode, resolved: JsonObject): JsonObject {
  if (typeof name === 'string') return { constant: name }
  if (typeof resolved['componentInputParameter'] === 'string' && resolved['parameterExpressionSelector'] === undefined) {
    return { componentInputParameter: resolved['componentInputParameter'] }
  }
  if (resolved['taskOutputParameter'] !== undefined) return { taskOutputParameter: resolved['taskOutputParameter'] }
  const constant = (resolved['runtimeValue'] as JsonObject | undefined)?.['constant']
  if (typeof constant === 'string') return { constant }
  return {}
}

function selector(requirements: readonly SelectorRequirementNode[] | undefined): JsonObject[] | undefined {
  if (!requirements?.length) return undefined
  return requirements.map((r) => ({ key: r.key, operator: r.operator, ...(r.values?.length && { values: [...r.values] }) }))
}

function metadata(m: PodMetadataNode | undefined): JsonObject | undefined {
  if (!m) return undefined
  const out: JsonObject = {
    ...(m.labels && Object.keys(m.labels).length > 0 && { labels: { ...m.labels } }),
    ...(m.annotations && Object.keys(m.annotations).length > 0 && { annotations: { ...m.annotations } }),
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** A JSON value given inline or read from a parameter, as an `InputParameterSpec`. */
function jsonParameter(source: ValueSourceNode, resolve: ResolveParameter): JsonObject {
  return source.kind === 'constant' ? { runtimeValue: { constant: protobufValue(source.value) } } : resolve(source)
}

/**
 * The `KubernetesExecutorConfig` of one task, as kfp-kubernetes writes it (JSON keys, plain data
 * with {@link YamlFloat} for doubles), or undefined when the task has no Kubernetes settings.
 *
 * @example
 * ```ts
 * const config = kubernetesExecutorConfig(task, (source) => ctx.resolve(source, false))
 * // { secretAsEnv: [{ keyToEnv: [{ envVar: 'PASSWORD', secretKey: 'password' }], optional: false,
 * //   secretName: 'db', secretNameParameter: { runtimeValue: { constant: 'db' } } }] }
 * ```
 */
export function kubernetesExecutorConfig(task: Pick<TaskNode, 'kubernetes'>, resolve: ResolveParameter): JsonObject | undefined {
  const k: KubernetesNode | undefined = task.kubernetes
  if (!k) return undefined
  const out: JsonObject = {}
  if (k.secretsAsVolume?.length) {
    out['secretAsVolume'] = k.secretsAsVolume.map((s) => ({
      mountPath: s.mountPath,
      optional: s.optional,
      ...nameFields(s.secret, 'secretName', 'secretNameParameter', resolve),
    }))
  }
  if (k.secretsAsEnv?.length) {
    out['secretAsEnv'] = k.secretsAsEnv.map((s) => ({
      keyToEnv: Object.entries(s.env).map(([envVar, secretKey]) => ({ envVar, secretKey })),
      optional: s.optional,
      ...nameFields(s.secret, 'secretName', 'secretNameParameter', resolve),
    }))
  }
  if (k.pvcMounts?.length) {
    out['pvcMount'] = k.pvcMounts.map((m) => {
      const parameter = typeof m.pvc === 'string' ? { runtimeValue: { constant: m.pvc } } : resolve(m.pvc)
      return { ...pvcReference(m.pvc, parameter), mountPath: m.mountPath, pvcNameParameter: parameter, ...(m.subPath !== undefined && { subPath: m.subPath }) }
    })
  }
  if (k.nodeSelector !== undefined || k.nodeSelectorJson !== undefined) {
    out['nodeSelector'] = {
      ...(k.nodeSelector !== undefined && Object.keys(k.nodeSelector).length > 0 && { labels: { ...k.nodeSelector } }),
      ...(k.nodeSelectorJson !== undefined && { nodeSelectorJson: jsonParameter(k.nodeSelectorJson, resolve) }),
    }
  }
  const podMetadata = metadata(k.podMetadata)
  if (podMetadata) out['podMetadata'] = podMetadata
  if (k.imagePullSecrets?.length) out['imagePullSecret'] = k.imagePullSecrets.map((s) => nameFields(s, 'secretName', 'secretNameParameter', resolve))
  if (k.imagePullPolicy !== undefined) out['imagePullPolicy'] = k.imagePullPolicy
  if (k.configMapsAsVolume?.length) {
    out['configMapAsVolume'] = k.configMapsAsVolume.map((c) => ({
      mountPath: c.mountPath,
      optional: c.optional,
      ...nameFields(c.configMap, 'configMapName', 'configMapNameParameter', resolve),
    }))
  }
  if (k.configMapsAsEnv?.length) {
    out['configMapAsEnv'] = k.configMapsAsEnv.map((c) => ({
      keyToEnv: Object.entries(c.env).map(([envVar, configMapKey]) => ({ configMapKey, envVar })),
      optional: c.optional,
      ...nameFields(c.configMap, 'configMapName', 'configMapNameParameter', resolve),
    }))
  }
  if (k.timeoutSeconds !== undefined) out['activeDeadlineSeconds'] = String(k.timeoutSeconds)
  if (k.fieldPathEnv?.length) out['fieldPathAsEnv'] = k.fieldPathEnv.map((e) => ({ fieldPath: e.fieldPath, name: e.name }))
  if (k.tolerations?.length) {
    out['tolerations'] = k.tolerations.map((t) =>
      'json' in t
        ? { tolerationJson: jsonParameter(t.json, resolve) }
        : {
            ...(t.effect !== undefined && { effect: t.effect }),
            ...(t.key !== undefined && { key: t.key }),
            operator: t.operator,
            ...(t.tolerationSeconds !== undefined && { tolerationSeconds: String(t.tolerationSeconds) }),
            ...(t.value !== undefined && { value: t.value }),
          },
    )
  }
  if (k.ephemeralVolumes?.length) {
    out['genericEphemeralVolume'] = k.ephemeralVolumes.map((v) => {
      const meta = metadata(v.metadata)
      return {
        accessModes: [...v.accessModes],
        ...(v.storageClass === undefined ? { defaultStorageClass: true } : { storageClassName: v.storageClass }),
        ...(meta !== undefined && { metadata: meta }),
        mountPath: v.mountPath,
        size: v.size,
        volumeName: v.name,
      }
    })
  }
  if (k.nodeAffinity?.length) {
    out['nodeAffinity'] = k.nodeAffinity.map((t) => {
      if ('json' in t) return { nodeAffinityJson: jsonParameter(t.json, resolve) }
      const matchExpressions = selector(t.matchExpressions)
      const matchFields = selector(t.matchFields)
      return {
        ...(matchExpressions !== undefined && { matchExpressions }),
        ...(matchFields !== undefined && { matchFields }),
        ...(t.weight !== undefined && { weight: new YamlFloat(t.weight) }),
      }
    })
  }
  if (k.emptyDirs?.length) {
    out['emptyDirMounts'] = k.emptyDirs.map((d) => ({
      ...(d.medium !== undefined && { medium: d.medium }),
      mountPath: d.mountPath,
      ...(d.sizeLimit !== undefined && { sizeLimit: d.sizeLimit }),
      volumeName: d.name,
    }))
  }
  if (k.securityContext !== undefined) {
    const sc = k.securityContext
    out['securityContext'] = {
      ...(sc.runAsGroup !== undefined && { runAsGroup: String(sc.runAsGroup) }),
      ...(sc.runAsNonRoot !== undefined && { runAsNonRoot: sc.runAsNonRoot }),
      ...(sc.runAsUser !== undefined && { runAsUser: String(sc.runAsUser) }),
    }
  }
  if (k.initContainers?.length) {
    out['initContainers'] = k.initContainers.map((c) => ({
      ...(c.args?.length && { args: [...c.args] }),
      ...(c.command?.length && { command: [...c.command] }),
      ...(c.env?.length && { env: c.env.map((e) => ({ name: e.name, value: e.value })) }),
      image: c.image,
      name: c.name,
      ...(c.resources !== undefined && {
        resources: {
          ...(c.resources.limits !== undefined && { limits: { ...c.resources.limits } }),
          ...(c.resources.requests !== undefined && { requests: { ...c.resources.requests } }),
        },
      }),
      ...(c.restartPolicy !== undefined && { restartPolicy: c.restartPolicy }),
      ...(c.volumeMounts?.length && { volumeMounts: c.volumeMounts.map((m) => ({ mountPath: m.mountPath, volumeName: m.volumeName })) }),
    }))
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/**
 * The PlatformSpec document for the executors' Kubernetes configs (keyed by executor label), or
 * undefined when there are none: the SDK writes the second document only when it has content.
 *
 * @example
 * ```ts
 * platformSpec({ 'exec-comp': { activeDeadlineSeconds: '20' } })
 * // { platforms: { kubernetes: { deploymentSpec: { executors: { 'exec-comp': { activeDeadlineSeconds: '20' } } } } } }
 * ```
 */
export function platformSpec(executors: Readonly<Record<string, JsonObject>>): JsonObject | undefined {
  if (Object.keys(executors).length === 0) return undefined
  const sorted: JsonObject = nameKeyed()
  for (const label of Object.keys(executors).sort()) sorted[label] = executors[label]
  return { platforms: { kubernetes: { deploymentSpec: { executors: sorted } } } }
}
