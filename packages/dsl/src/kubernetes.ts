/**
 * Kubernetes pod settings of a task, typed: what `kfp-kubernetes` offers (node selectors,
 * tolerations, affinity, secrets and config maps as environment variables or volumes, PVC mounts,
 * empty dirs, ephemeral volumes, image pull secrets and policy, field-path environment variables,
 * timeouts, security context, pod labels and annotations, init containers), and the `createPvc` /
 * `deletePvc` components the KFP backend recognises.
 *
 * Names of secrets, config maps, PVCs and pull secrets may come from parameters (a pipeline input,
 * a task output, a loop item); a task output read this way makes the task wait for its producer.
 *
 * @module
 */

import { component, isJsonValue, isRef, type ParamRef } from './component.ts'
import { DslError } from './errors.ts'
import { refuseUnknownKeys } from './option-keys.ts'
import type {
  EnvVarNode,
  InitContainerNode,
  JsonValue,
  KubernetesNameNode,
  KubernetesNode,
  NodeAffinityNode,
  ParameterResourcesNode,
  PodMetadataNode,
  ResourcesNode,
  SelectorRequirementNode,
  SourceLocation,
  TaskNode,
  TolerationNode,
  ValueSourceNode,
} from './ir.ts'
import type { Duration, MemoryQuantity } from './pipeline.ts'
import { durationSeconds } from './pipeline.ts'
import { param } from './types.ts'

/** A Kubernetes object name: fixed text, or a string parameter read when the task runs. */
export type KubernetesName = string | ParamRef<string>

/** A JSON object, as Kubernetes API objects are written. */
export type JsonObject = { readonly [key: string]: JsonValue }

/** A struct parameter holding a Kubernetes API object as JSON. */
export type JsonObjectRef = ParamRef<{ readonly [key: string]: JsonValue }>

/** A toleration of a node taint (`core/v1` Toleration). */
export interface Toleration {
  /** The taint key; leave it out with `operator: 'Exists'` to tolerate every taint. */
  readonly key?: string
  /** @default 'Equal' */
  readonly operator?: 'Equal' | 'Exists'
  readonly value?: string
  /** Which taint effect is tolerated. @default every effect */
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute'
  /** How long a `NoExecute` taint is tolerated before eviction. */
  readonly tolerationSeconds?: number
}

/** @internal The keys of {@link Toleration} (a type test holds them equal). */
export const TOLERATION_KEYS = ['key', 'operator', 'value', 'effect', 'tolerationSeconds'] as const

/** A node selector requirement (`{ key: 'zone', operator: 'In', values: ['us-west-1'] }`). */
export interface SelectorRequirement {
  readonly key: string
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt'
  readonly values?: readonly string[]
}

/** A node affinity term: required without `weight`, preferred with a weight from 1 to 100. */
export interface NodeAffinityTerm {
  readonly matchExpressions?: readonly SelectorRequirement[]
  readonly matchFields?: readonly SelectorRequirement[]
  readonly weight?: number
}

/** @internal The keys of {@link NodeAffinityTerm}. */
export const NODE_AFFINITY_TERM_KEYS = ['matchExpressions', 'matchFields', 'weight'] as const

/** PVC access modes. */
export type AccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod'

/** A container that runs before the task's container and shares its volumes. */
export interface InitContainer {
  readonly name: string
  readonly image: string
  readonly command?: readonly string[]
  readonly args?: readonly string[]
  readonly env?: Readonly<Record<string, string>>
  /** Mounts of the pod's volumes (`emptyDirs`, `ephemeralVolumes`) by name. */
  readonly volumeMounts?: readonly { readonly volumeName: string; readonly mountPath: string }[]
  readonly restartPolicy?: 'Always'
  readonly resources?: { readonly requests?: Readonly<Record<string, string>>; readonly limits?: Readonly<Record<string, string>> }
}

/** @internal The keys of {@link InitContainer}. */
export const INIT_CONTAINER_KEYS = ['name', 'image', 'command', 'args', 'env', 'volumeMounts', 'restartPolicy', 'resources'] as const

/**
 * Kubernetes settings of one task (`dag.task(c, args, { kubernetes: { … } })` or
 * `task.setKubernetes({ … })`; settings given twice are merged: lists append, maps merge).
 *
 * @example
 * ```ts
 * dag.task(train, { data }, {
 *   kubernetes: {
 *     nodeSelector: { 'cloud.google.com/gke-nodepool': 'training' },
 *     tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }],
 *     secretsAsEnv: [{ secret: p.credentials, env: { AWS_ACCESS_KEY_ID: 'access-key' } }],
 *     pvcMounts: [{ pvc: volume.outputs.name, mountPath: '/data' }],
 *     emptyDirs: [{ name: 'scratch', mountPath: '/scratch', medium: 'Memory', sizeLimit: '1Gi' }],
 *     timeout: '2h',
 *   },
 * })
 * ```
 */
export interface KubernetesOptions {
  /** Node labels the pod must run on; or a struct parameter holding the whole label map. */
  readonly nodeSelector?: Readonly<Record<string, string>> | JsonObjectRef
  /** Tolerations, each typed, or as JSON: a struct (one toleration) or list parameter, or `{ json: … }`. */
  readonly tolerations?: readonly (Toleration | JsonObjectRef | ParamRef<readonly JsonValue[]> | { readonly json: JsonObject | readonly JsonObject[] })[]
  /** Node affinity terms, or whole `NodeAffinity` objects as JSON (`{ json: {...} }` or a struct parameter). */
  readonly nodeAffinity?: readonly (NodeAffinityTerm | { readonly json: JsonObject | JsonObjectRef } | JsonObjectRef)[]
  /** Secret keys as environment variables: `env` maps each variable to a key of the secret. */
  readonly secretsAsEnv?: readonly { readonly secret: KubernetesName; readonly env: Readonly<Record<string, string>>; readonly optional?: boolean }[]
  /** Secrets mounted as directories (one file per key). */
  readonly secretsAsVolume?: readonly { readonly secret: KubernetesName; readonly mountPath: string; readonly optional?: boolean }[]
  /** Config map keys as environment variables: `env` maps each variable to a key of the config map. */
  readonly configMapsAsEnv?: readonly { readonly configMap: KubernetesName; readonly env: Readonly<Record<string, string>>; readonly optional?: boolean }[]
  readonly configMapsAsVolume?: readonly { readonly configMap: KubernetesName; readonly mountPath: string; readonly optional?: boolean }[]
  /** PersistentVolumeClaims to mount, by name (for instance `createPvc`'s `name` output). */
  readonly pvcMounts?: readonly { readonly pvc: KubernetesName; readonly mountPath: string; readonly subPath?: string }[]
  readonly emptyDirs?: readonly { readonly name: string; readonly mountPath: string; readonly medium?: 'Memory'; readonly sizeLimit?: MemoryQuantity }[]
  /** Volumes backed by a PVC created with the pod and deleted with it. */
  readonly ephemeralVolumes?: readonly {
    readonly name: string
    readonly mountPath: string
    readonly size: MemoryQuantity
    /** @default ['ReadWriteOnce'] */
    readonly accessModes?: readonly AccessMode[]
    /** @default the cluster's default storage class */
    readonly storageClass?: string
    readonly labels?: Readonly<Record<string, string>>
    readonly annotations?: Readonly<Record<string, string>>
  }[]
  readonly imagePullSecrets?: readonly KubernetesName[]
  readonly imagePullPolicy?: 'Always' | 'Never' | 'IfNotPresent'
  /** Environment variables from the pod's own fields: variable → field path (`metadata.labels['x']`). */
  readonly fieldPathEnv?: Readonly<Record<string, string>>
  /** Stops the pod after this long (`activeDeadlineSeconds`). */
  readonly timeout?: Duration
  readonly securityContext?: { readonly runAsUser?: number; readonly runAsGroup?: number; readonly runAsNonRoot?: boolean }
  readonly podLabels?: Readonly<Record<string, string>>
  readonly podAnnotations?: Readonly<Record<string, string>>
  readonly initContainers?: readonly InitContainer[]
}

/** The options of {@link KubernetesOptions} that are lists. */
const KUBERNETES_LIST_KEYS = ['tolerations', 'nodeAffinity', 'secretsAsEnv', 'secretsAsVolume', 'configMapsAsEnv', 'configMapsAsVolume', 'pvcMounts', 'emptyDirs', 'ephemeralVolumes', 'imagePullSecrets', 'initContainers'] as const

/** @internal The keys of {@link KubernetesOptions}. */
export const KUBERNETES_OPTION_KEYS = ['nodeSelector', 'tolerations', 'nodeAffinity', 'secretsAsEnv', 'secretsAsVolume', 'configMapsAsEnv', 'configMapsAsVolume', 'pvcMounts', 'emptyDirs', 'ephemeralVolumes', 'imagePullSecrets', 'imagePullPolicy', 'fieldPathEnv', 'timeout', 'securityContext', 'podLabels', 'podAnnotations', 'initContainers'] as const

type Where = readonly string[]

function invalid(where: Where, message: string, source: SourceLocation | undefined): never {
  throw new DslError('E_INVALID_CONSTANT', where, message, source)
}

function nameNode(value: unknown, where: Where, source: SourceLocation | undefined): KubernetesNameNode {
  if (typeof value === 'string') return value
  if (isRef(value)) {
    if (value.kind === 'artifactRef') invalid(where, 'a Kubernetes name is a string parameter, not an artifact', source)
    return value.source
  }
  return invalid(where, `a Kubernetes name is a string or a string parameter (got ${value === undefined ? 'undefined' : typeof value})`, source)
}

function jsonNode(value: unknown, where: Where, source: SourceLocation | undefined): ValueSourceNode {
  if (isRef(value)) {
    if (value.kind === 'artifactRef') invalid(where, 'expected a struct parameter or a JSON object, got an artifact', source)
    return value.source
  }
  if (isJsonValue(value)) return { kind: 'constant', value: structuredClone(value) }
  return invalid(where, 'expected a struct parameter or a JSON object', source)
}

function stringMap(value: Readonly<Record<string, string>> | undefined, where: Where, source: SourceLocation | undefined): Record<string, string> | undefined {
  if (value === undefined) return undefined
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') invalid([...where, k], `expected a string, got ${typeof v}`, source)
    out[k] = v
  }
  return out
}

function requirements(list: readonly SelectorRequirement[] | undefined): SelectorRequirementNode[] | undefined {
  return list?.map((r) => ({ key: r.key, operator: r.operator, ...(r.values !== undefined && { values: [...r.values] }) }))
}

/** Whether a value is a `{ json }` wrapper rather than a typed term. */
function isJsonWrapper(value: unknown): value is { readonly json: unknown } {
  return typeof value === 'object' && value !== null && !isRef(value) && 'json' in value
}

/**
 * @internal Turns authoring options (one `kubernetes` object per call, in order) into the IR.
 * Lists are concatenated, maps merged, single values taken from the last call that sets them.
 */
export function kubernetesNode(all: readonly KubernetesOptions[], where: Where, source: SourceLocation | undefined): KubernetesNode | undefined {
  const nodeSelector: Record<string, string> = {}
  let nodeSelectorJson: ValueSourceNode | undefined
  const tolerations: TolerationNode[] = []
  const nodeAffinity: NodeAffinityNode[] = []
  const secretsAsEnv: NonNullable<KubernetesNode['secretsAsEnv']>[number][] = []
  const secretsAsVolume: NonNullable<KubernetesNode['secretsAsVolume']>[number][] = []
  const configMapsAsEnv: NonNullable<KubernetesNode['configMapsAsEnv']>[number][] = []
  const configMapsAsVolume: NonNullable<KubernetesNode['configMapsAsVolume']>[number][] = []
  const pvcMounts: NonNullable<KubernetesNode['pvcMounts']>[number][] = []
  const emptyDirs: NonNullable<KubernetesNode['emptyDirs']>[number][] = []
  const ephemeralVolumes: NonNullable<KubernetesNode['ephemeralVolumes']>[number][] = []
  const imagePullSecrets: KubernetesNameNode[] = []
  const fieldPathEnv: { name: string; fieldPath: string }[] = []
  const labels: Record<string, string> = {}
  const annotations: Record<string, string> = {}
  const initContainers: InitContainerNode[] = []
  let imagePullPolicy: KubernetesNode['imagePullPolicy']
  let timeoutSeconds: number | undefined
  let securityContext: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean } | undefined

  for (const k of all) {
    const at = (...path: string[]) => [...where, ...path]
    refuseUnknownKeys(k, KUBERNETES_OPTION_KEYS, 'a Kubernetes option', where, source)
    for (const field of KUBERNETES_LIST_KEYS) {
      const list = k[field]
      if (list !== undefined && !Array.isArray(list)) invalid(at(field), `${field} is a list${field === 'tolerations' || field === 'nodeAffinity' ? ' (a parameter holding JSON goes inside it: [p.value])' : ''}`, source)
    }
    if (k.nodeSelector !== undefined) {
      if (isRef(k.nodeSelector)) nodeSelectorJson = jsonNode(k.nodeSelector, at('nodeSelector'), source)
      else Object.assign(nodeSelector, stringMap(k.nodeSelector, at('nodeSelector'), source))
    }
    k.tolerations?.forEach((t, i) => {
      if (isRef(t)) tolerations.push({ json: jsonNode(t, at('tolerations', String(i)), source) })
      else if (isJsonWrapper(t)) tolerations.push({ json: jsonNode(t.json, at('tolerations', String(i)), source) })
      else {
        refuseUnknownKeys(t, TOLERATION_KEYS, 'a toleration field', at('tolerations', String(i)), source)
        const tol = t as Toleration
        tolerations.push({
          ...(tol.key !== undefined && { key: tol.key }),
          operator: tol.operator ?? 'Equal',
          ...(tol.value !== undefined && { value: tol.value }),
          ...(tol.effect !== undefined && { effect: tol.effect }),
          ...(tol.tolerationSeconds !== undefined && { tolerationSeconds: tol.tolerationSeconds }),
        })
      }
    })
    k.nodeAffinity?.forEach((term, i) => {
      if (isRef(term)) nodeAffinity.push({ json: jsonNode(term, at('nodeAffinity', String(i)), source) })
      else if (isJsonWrapper(term)) nodeAffinity.push({ json: jsonNode(term.json, at('nodeAffinity', String(i)), source) })
      else {
        refuseUnknownKeys(term, NODE_AFFINITY_TERM_KEYS, 'a node affinity term field', at('nodeAffinity', String(i)), source)
        const t = term as NodeAffinityTerm
        const matchExpressions = requirements(t.matchExpressions)
        const matchFields = requirements(t.matchFields)
        nodeAffinity.push({
          ...(matchExpressions !== undefined && { matchExpressions }),
          ...(matchFields !== undefined && { matchFields }),
          ...(t.weight !== undefined && { weight: t.weight }),
        })
      }
    })
    k.secretsAsEnv?.forEach((s, i) => {
      secretsAsEnv.push({ secret: nameNode(s.secret, at('secretsAsEnv', String(i), 'secret'), source), env: stringMap(s.env, at('secretsAsEnv', String(i), 'env'), source) ?? {}, optional: s.optional ?? false })
    })
    k.secretsAsVolume?.forEach((s, i) => {
      secretsAsVolume.push({ secret: nameNode(s.secret, at('secretsAsVolume', String(i), 'secret'), source), mountPath: s.mountPath, optional: s.optional ?? false })
    })
    k.configMapsAsEnv?.forEach((c, i) => {
      configMapsAsEnv.push({ configMap: nameNode(c.configMap, at('configMapsAsEnv', String(i), 'configMap'), source), env: stringMap(c.env, at('configMapsAsEnv', String(i), 'env'), source) ?? {}, optional: c.optional ?? false })
    })
    k.configMapsAsVolume?.forEach((c, i) => {
      configMapsAsVolume.push({ configMap: nameNode(c.configMap, at('configMapsAsVolume', String(i), 'configMap'), source), mountPath: c.mountPath, optional: c.optional ?? false })
    })
    k.pvcMounts?.forEach((m, i) => {
      pvcMounts.push({ pvc: nameNode(m.pvc, at('pvcMounts', String(i), 'pvc'), source), mountPath: m.mountPath, ...(m.subPath !== undefined && { subPath: m.subPath }) })
    })
    for (const d of k.emptyDirs ?? []) {
      emptyDirs.push({ name: d.name, mountPath: d.mountPath, ...(d.medium !== undefined && { medium: d.medium }), ...(d.sizeLimit !== undefined && { sizeLimit: d.sizeLimit }) })
    }
    for (const v of k.ephemeralVolumes ?? []) {
      const metadata: PodMetadataNode = {
        ...(v.labels !== undefined && { labels: { ...v.labels } }),
        ...(v.annotations !== undefined && { annotations: { ...v.annotations } }),
      }
      ephemeralVolumes.push({
        name: v.name,
        mountPath: v.mountPath,
        accessModes: [...(v.accessModes ?? ['ReadWriteOnce'])],
        size: v.size,
        ...(v.storageClass !== undefined && { storageClass: v.storageClass }),
        ...(Object.keys(metadata).length > 0 && { metadata }),
      })
    }
    k.imagePullSecrets?.forEach((s, i) => imagePullSecrets.push(nameNode(s, at('imagePullSecrets', String(i)), source)))
    if (k.imagePullPolicy !== undefined) imagePullPolicy = k.imagePullPolicy
    for (const [name, fieldPath] of Object.entries(k.fieldPathEnv ?? {})) {
      const existing = fieldPathEnv.findIndex((e) => e.name === name)
      if (existing >= 0) fieldPathEnv.splice(existing, 1)
      fieldPathEnv.push({ name, fieldPath })
    }
    if (k.timeout !== undefined) timeoutSeconds = durationSeconds(k.timeout, at('timeout'), source)
    if (k.securityContext !== undefined) securityContext = { ...securityContext, ...k.securityContext }
    Object.assign(labels, stringMap(k.podLabels, at('podLabels'), source))
    Object.assign(annotations, stringMap(k.podAnnotations, at('podAnnotations'), source))
    k.initContainers?.forEach((c, i) => {
      refuseUnknownKeys(c, INIT_CONTAINER_KEYS, 'an init container field', at('initContainers', String(i)), source)
      const env: EnvVarNode[] | undefined = c.env && Object.entries(c.env).map(([name, value]) => ({ name, value }))
      initContainers.push({
        name: c.name,
        image: c.image,
        ...(c.command !== undefined && { command: [...c.command] }),
        ...(c.args !== undefined && { args: [...c.args] }),
        ...(env !== undefined && env.length > 0 && { env }),
        ...(c.volumeMounts !== undefined && { volumeMounts: c.volumeMounts.map((m) => ({ volumeName: m.volumeName, mountPath: m.mountPath })) }),
        ...(c.restartPolicy !== undefined && { restartPolicy: c.restartPolicy }),
        ...(c.resources !== undefined && {
          resources: {
            ...(c.resources.requests !== undefined && { requests: { ...c.resources.requests } }),
            ...(c.resources.limits !== undefined && { limits: { ...c.resources.limits } }),
          },
        }),
      })
    })
  }
  const podMetadata: PodMetadataNode = {
    ...(Object.keys(labels).length > 0 && { labels }),
    ...(Object.keys(annotations).length > 0 && { annotations }),
  }
  const node: KubernetesNode = {
    ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }),
    ...(nodeSelectorJson !== undefined && { nodeSelectorJson }),
    ...(tolerations.length > 0 && { tolerations }),
    ...(nodeAffinity.length > 0 && { nodeAffinity }),
    ...(secretsAsEnv.length > 0 && { secretsAsEnv }),
    ...(secretsAsVolume.length > 0 && { secretsAsVolume }),
    ...(configMapsAsEnv.length > 0 && { configMapsAsEnv }),
    ...(configMapsAsVolume.length > 0 && { configMapsAsVolume }),
    ...(pvcMounts.length > 0 && { pvcMounts }),
    ...(emptyDirs.length > 0 && { emptyDirs }),
    ...(ephemeralVolumes.length > 0 && { ephemeralVolumes }),
    ...(imagePullSecrets.length > 0 && { imagePullSecrets }),
    ...(imagePullPolicy !== undefined && { imagePullPolicy }),
    ...(fieldPathEnv.length > 0 && { fieldPathEnv }),
    ...(timeoutSeconds !== undefined && { timeoutSeconds }),
    ...(securityContext !== undefined && { securityContext }),
    ...(Object.keys(podMetadata).length > 0 && { podMetadata }),
    ...(initContainers.length > 0 && { initContainers }),
  }
  return Object.keys(node).length > 0 ? node : undefined
}

/** @internal Resource fields, static or from parameters, as the DSL accepts them. */
export interface ResourceOptions {
  readonly cpuRequest?: string | ParamRef<string>
  readonly cpuLimit?: string | ParamRef<string>
  readonly memoryRequest?: string | ParamRef<string>
  readonly memoryLimit?: string | ParamRef<string>
  readonly accelerator?: { readonly type: string | ParamRef<string>; readonly count?: number | ParamRef<number> | ParamRef<string>; readonly model?: string }
}

function resourceValue(value: unknown, where: Where, source: SourceLocation | undefined): string | ValueSourceNode {
  if (typeof value === 'string') return value
  if (isRef(value) && value.kind === 'paramRef') return value.source
  return invalid(where, 'a resource quantity is a string such as "2", "500m", "16Gi", or a string parameter', source)
}

/** @internal The keys of the resource options (`TaskResources`) and of an accelerator request. */
export const RESOURCE_KEYS = ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit', 'accelerator'] as const
export const ACCELERATOR_KEYS = ['type', 'count', 'model'] as const

/** @internal Splits resource options into static quantities and values read from parameters. */
export function resourcesNode(r: ResourceOptions, where: Where, source: SourceLocation | undefined): ResourcesNode | undefined {
  const statics: Record<string, unknown> = {}
  const dynamic: Record<string, unknown> = {}
  refuseUnknownKeys(r, RESOURCE_KEYS, 'a resource option', where, source)
  refuseUnknownKeys(r.accelerator, ACCELERATOR_KEYS, 'an accelerator option', [...where, 'accelerator'], source)
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    const value = r[field]
    if (value === undefined) continue
    const node = resourceValue(value, [...where, field], source)
    if (typeof node === 'string') statics[field] = node
    else dynamic[field] = node
  }
  if (r.accelerator !== undefined) {
    const a = r.accelerator
    const type = resourceValue(a.type, [...where, 'accelerator', 'type'], source)
    let count: number | ValueSourceNode = 1
    if (a.count !== undefined) {
      if (typeof a.count === 'number') count = a.count
      else if (isRef(a.count) && a.count.kind === 'paramRef') count = a.count.source
      else invalid([...where, 'accelerator', 'count'], 'an accelerator count is a number or a parameter', source)
    }
    const accelerator = { type, count, ...(a.model !== undefined && { model: a.model }) }
    if (typeof type === 'string' && typeof count === 'number') statics['accelerator'] = accelerator
    else dynamic['accelerator'] = accelerator
  }
  const node = { ...statics, ...(Object.keys(dynamic).length > 0 && { fromParameters: dynamic as ParameterResourcesNode }) } as ResourcesNode
  return Object.keys(node).length > 0 ? node : undefined
}

/**
 * Every value source a task's resources read (values from parameters), in field order.
 *
 * @example
 * ```ts
 * resourceSources(task) // [{ kind: 'pipelineInput', name: 'cpu' }] for resources: { cpuLimit: p.cpu }
 * ```
 */
export function resourceSources(task: Pick<TaskNode, 'resources'>): ValueSourceNode[] {
  const r = task.resources?.fromParameters
  if (!r) return []
  const out: ValueSourceNode[] = []
  for (const field of ['cpuRequest', 'cpuLimit', 'memoryRequest', 'memoryLimit'] as const) {
    const value = r[field]
    if (value !== undefined) out.push(value)
  }
  if (r.accelerator) {
    if (typeof r.accelerator.type !== 'string') out.push(r.accelerator.type)
    if (typeof r.accelerator.count !== 'number') out.push(r.accelerator.count)
  }
  return out
}

/**
 * Every value source a task's Kubernetes settings read, with where it is used (a path under
 * `kubernetes`) and what it must hold: a `name` (STRING) or `json` (a struct, or for tolerations
 * a struct or a list). Constants (JSON given inline) are included.
 *
 * @example
 * ```ts
 * for (const { source, path, holds } of kubernetesSources(task)) console.log(path.join('.'), holds, source.kind)
 * ```
 */
export function kubernetesSources(task: Pick<TaskNode, 'kubernetes'>): { readonly source: ValueSourceNode; readonly path: readonly string[]; readonly holds: 'name' | 'json' | 'json-or-list' }[] {
  const k = task.kubernetes
  if (!k) return []
  const out: { source: ValueSourceNode; path: string[]; holds: 'name' | 'json' | 'json-or-list' }[] = []
  const name = (value: KubernetesNameNode, path: string[]) => {
    if (typeof value !== 'string') out.push({ source: value, path, holds: 'name' })
  }
  if (k.nodeSelectorJson) out.push({ source: k.nodeSelectorJson, path: ['nodeSelector'], holds: 'json' })
  k.tolerations?.forEach((t, i) => {
    if ('json' in t) out.push({ source: t.json, path: ['tolerations', String(i)], holds: 'json-or-list' })
  })
  k.nodeAffinity?.forEach((t, i) => {
    if ('json' in t) out.push({ source: t.json, path: ['nodeAffinity', String(i)], holds: 'json' })
  })
  k.secretsAsEnv?.forEach((s, i) => name(s.secret, ['secretsAsEnv', String(i), 'secret']))
  k.secretsAsVolume?.forEach((s, i) => name(s.secret, ['secretsAsVolume', String(i), 'secret']))
  k.configMapsAsEnv?.forEach((c, i) => name(c.configMap, ['configMapsAsEnv', String(i), 'configMap']))
  k.configMapsAsVolume?.forEach((c, i) => name(c.configMap, ['configMapsAsVolume', String(i), 'configMap']))
  k.pvcMounts?.forEach((m, i) => name(m.pvc, ['pvcMounts', String(i), 'pvc']))
  k.imagePullSecrets?.forEach((s, i) => name(s, ['imagePullSecrets', String(i)]))
  return out
}

/**
 * Creates a PersistentVolumeClaim (KFP `kubernetes.CreatePVC`: the KFP backend recognises the
 * image and creates the claim itself). Give `pvc_name`, or `pvc_name_suffix` for a name derived
 * from the run; the claim's name is the `name` output, to mount with `pvcMounts`.
 *
 * @example
 * ```ts
 * const volume = dag.task(createPvc, { access_modes: ['ReadWriteOnce'], size: '5Gi', pvc_name_suffix: '-data' })
 * const trained = dag.task(train, {}, { kubernetes: { pvcMounts: [{ pvc: volume.outputs.name, mountPath: '/data' }] } })
 * dag.task(deletePvc, { pvc_name: volume.outputs.name }).after(trained)
 * ```
 */
export const createPvc = component({
  name: 'createpvc',
  image: 'argostub/createpvc',
  inputs: {
    access_modes: param.list<AccessMode>({ description: 'Access modes of the claim (`spec.accessModes`).' }),
    annotations: param.struct<{ readonly [key: string]: string }>({ optional: true, description: 'Annotations of the claim (`metadata.annotations`).' }),
    data_source: param.struct<{ readonly apiGroup?: string; readonly kind: string; readonly name: string }>({ optional: true, description: 'A VolumeSnapshot or PVC to fill the claim from (`spec.dataSource`).' }),
    pvc_name: param.string({ optional: true, description: 'Name of the claim; give this or `pvc_name_suffix`.' }),
    pvc_name_suffix: param.string({ optional: true, description: 'Suffix of a name derived from the run (`<workflow name><suffix>`).' }),
    size: param.string({ description: 'Requested storage, e.g. `5Gi` (`spec.resources.requests.storage`).' }),
    storage_class_name: param.string({ default: '', description: 'Storage class; empty for a statically provisioned volume.' }),
    volume_name: param.string({ optional: true, description: 'An existing PersistentVolume to bind (`spec.volumeName`).' }),
  },
  outputs: { name: param.string() },
})

/**
 * Deletes a PersistentVolumeClaim by name (KFP `kubernetes.DeletePVC`).
 *
 * @example
 * ```ts
 * dag.task(deletePvc, { pvc_name: volume.outputs.name }).after(consumer)
 * ```
 */
export const deletePvc = component({
  name: 'deletepvc',
  image: 'argostub/deletepvc',
  inputs: { pvc_name: param.string({ description: 'Name of the claim to delete (a `createPvc` task\'s `name` output).' }) },
})
