/**
 * Kubernetes pod settings of one task (`TaskNode.kubernetes`, and resources read from parameters)
 * as Argo Workflows template fragments.
 *
 * How the Argo emitter uses {@link argoPodSettings} (scope.ts `podSettings`, container.ts):
 * - once per container task; what it returns is merged into that task's container template:
 *   `nodeSelector`, `tolerations`, `affinity`, `activeDeadlineSeconds`, `securityContext`,
 *   `initContainers` and `podSpecPatch` are Template fields, set as they are (the emitter sets
 *   none of them otherwise); `metadata.labels` / `metadata.annotations` are merged into the
 *   template's `metadata` (the emitter's own keys win on a clash; Typeflow's are `typeflow.dev/…`);
 *   `volumes` are appended to `template.volumes`; `volumeMounts`, `env` and `imagePullPolicy` go on
 *   `template.container` (appended to the emitter's own mounts and env);
 * - volume names it makes are `typeflow-secret-<i>`, `typeflow-config-map-<i>`, `typeflow-pvc-<i>`
 *   (analysis reserves the `typeflow-` prefix; empty dirs and ephemeral volumes keep the user's names);
 * - `resolveValue(source)` is called for every value read at run time (a secret, config map, PVC
 *   or pull-secret name, a node selector / toleration / affinity given as a parameter, a resource
 *   quantity from a parameter) and must return the text that yields it inside this template,
 *   normally `{{inputs.parameters.<name>}}` after declaring that input and passing the value from
 *   the DAG task. Constants are never passed to it. Values that are JSON (STRUCT/LIST parameters)
 *   must resolve to their compact JSON text (as Argo passes every non-string parameter);
 * - `typeOf(source)` (optional) tells whether a toleration parameter holds one toleration
 *   (`STRUCT`, the default) or a list of them (`LIST`);
 * - Argo substitutes `{{…}}` in every string of a template, but fields that are not strings
 *   (resource quantities, whole JSON objects) cannot hold a placeholder: those go into
 *   `podSpecPatch`, a strategic merge patch of the pod (`{"containers":[{"name":"main",
 *   "resources":{…}}], "nodeSelector": …, "tolerations": […], "affinity": …,
 *   "imagePullSecrets": [...]}`), the one Argo form that applies parameter values to them.
 *   When any toleration comes from a parameter, every toleration goes into the patch (a patch
 *   replaces the list). Image pull secrets are always in the patch: a template has no such field;
 * - `unsupported` lists what has no Argo form (several node affinity objects from parameters, a
 *   list parameter of tolerations next to other tolerations); the emitter reports each as a
 *   diagnostic.
 *
 * Static resources (quantities known at compile time) stay the emitter's job
 * (`container.resources`); only values from parameters are handled here.
 *
 * @module
 */

import type { KubernetesNameNode, KubernetesNode, NodeAffinityNode, ParameterType, SelectorRequirementNode, TaskNode, TolerationNode, ValueSourceNode } from '@typeflow/dsl'
import { acceleratorResource } from '../../passes/placement.ts'

type JsonObject = Record<string, unknown>

/** A `core/v1` Toleration. */
export interface ArgoToleration {
  readonly key?: string
  readonly operator?: string
  readonly value?: string
  readonly effect?: string
  readonly tolerationSeconds?: number
}

/** A `core/v1` EnvVar whose value comes from a secret, a config map or a pod field. */
export interface ArgoEnvVar {
  readonly name: string
  readonly valueFrom:
    | { readonly secretKeyRef: { readonly name: string; readonly key: string; readonly optional?: boolean } }
    | { readonly configMapKeyRef: { readonly name: string; readonly key: string; readonly optional?: boolean } }
    | { readonly fieldRef: { readonly fieldPath: string } }
}

/** A `core/v1` VolumeMount. */
export interface ArgoVolumeMount {
  readonly name: string
  readonly mountPath: string
  readonly subPath?: string
}

/** The Argo fragments of one task's Kubernetes settings; see the module documentation. */
export interface ArgoPodSettings {
  /** `template.nodeSelector`. */
  readonly nodeSelector?: Readonly<Record<string, string>>
  /** `template.tolerations`. */
  readonly tolerations?: readonly ArgoToleration[]
  /** `template.affinity` (`{ nodeAffinity: … }`). */
  readonly affinity?: JsonObject
  /** Appended to `template.volumes` (`core/v1` Volume). */
  readonly volumes?: readonly JsonObject[]
  /** Appended to `template.container.volumeMounts`. */
  readonly volumeMounts?: readonly ArgoVolumeMount[]
  /** Appended to `template.container.env`. */
  readonly env?: readonly ArgoEnvVar[]
  /** `template.container.imagePullPolicy`. */
  readonly imagePullPolicy?: string
  /** `template.initContainers` (`UserContainer`). */
  readonly initContainers?: readonly JsonObject[]
  /** `template.podSpecPatch`: a JSON strategic merge patch (values from parameters). */
  readonly podSpecPatch?: string
  /** `template.activeDeadlineSeconds`. */
  readonly activeDeadlineSeconds?: number
  /** `template.securityContext` (`core/v1` PodSecurityContext). */
  readonly securityContext?: { readonly runAsUser?: number; readonly runAsGroup?: number; readonly runAsNonRoot?: boolean }
  /** Merged into `template.metadata`. */
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> }
  /** Settings with no Argo form, to report as diagnostics. */
  readonly unsupported?: readonly string[]
}

/** Text of `resolveValue` spliced into the patch as raw JSON (not as a JSON string). */
class Raw {
  constructor(readonly text: string) {}
}

/** JSON text of a patch in which {@link Raw} values appear unquoted. */
function patchText(patch: JsonObject): string {
  const raws: string[] = []
  const json = JSON.stringify(patch, (_key, value: unknown) => {
    if (value instanceof Raw) {
      raws.push(value.text)
      return `\u0000raw${raws.length - 1}\u0000`
    }
    return value
  })
  return json.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!)
}

function constantText(source: ValueSourceNode): string | undefined {
  if (source.kind !== 'constant') return undefined
  return typeof source.value === 'string' ? source.value : JSON.stringify(source.value)
}

function requirements(list: readonly SelectorRequirementNode[] | undefined): JsonObject[] | undefined {
  if (!list?.length) return undefined
  return list.map((r) => ({ key: r.key, operator: r.operator, ...(r.values?.length && { values: [...r.values] }) }))
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function toleration(t: Exclude<TolerationNode, { json: ValueSourceNode }>): ArgoToleration {
  return {
    ...(t.key !== undefined && { key: t.key }),
    operator: t.operator,
    ...(t.value !== undefined && { value: t.value }),
    ...(t.effect !== undefined && { effect: t.effect }),
    ...(t.tolerationSeconds !== undefined && { tolerationSeconds: t.tolerationSeconds }),
  }
}

/** Node affinity from static terms and constant JSON objects (lists concatenated). */
function staticNodeAffinity(terms: readonly NodeAffinityNode[]): JsonObject | undefined {
  const required: JsonObject[] = []
  const preferred: JsonObject[] = []
  for (const term of terms) {
    if ('json' in term) {
      if (term.json.kind !== 'constant' || !isObject(term.json.value)) continue
      const value = term.json.value
      const req = value['requiredDuringSchedulingIgnoredDuringExecution']
      if (isObject(req) && Array.isArray(req['nodeSelectorTerms'])) required.push(...(req['nodeSelectorTerms'] as JsonObject[]))
      const pref = value['preferredDuringSchedulingIgnoredDuringExecution']
      if (Array.isArray(pref)) preferred.push(...(pref as JsonObject[]))
      continue
    }
    const selector: JsonObject = {}
    const expressions = requirements(term.matchExpressions)
    const fields = requirements(term.matchFields)
    if (expressions) selector['matchExpressions'] = expressions
    if (fields) selector['matchFields'] = fields
    if (term.weight !== undefined) preferred.push({ weight: term.weight, preference: selector })
    else required.push(selector)
  }
  if (required.length === 0 && preferred.length === 0) return undefined
  return {
    ...(required.length > 0 && { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: required } }),
    ...(preferred.length > 0 && { preferredDuringSchedulingIgnoredDuringExecution: preferred }),
  }
}

/**
 * The Argo template fragments for one task's Kubernetes settings and for its resources read from
 * parameters (see the module documentation for how the emitter merges them). Pure: the same task
 * and resolver always give the same fragments.
 *
 * @example
 * ```ts
 * const inputs: string[] = []
 * const settings = argoPodSettings(task, (source) => {
 *   const name = `k8s-${inputs.length}`
 *   inputs.push(name) // declare it on the template, pass the value from the DAG task
 *   return `{{inputs.parameters.${name}}}`
 * })
 * // task with kubernetes.secretsAsEnv [{ secret: p.creds, env: { TOKEN: 'token' } }] →
 * // settings.env = [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: '{{inputs.parameters.k8s-0}}', key: 'token' } } }]
 * ```
 */
export function argoPodSettings(
  task: Pick<TaskNode, 'kubernetes' | 'resources'>,
  resolveValue: (source: ValueSourceNode) => string,
  typeOf?: (source: ValueSourceNode) => ParameterType | undefined,
): ArgoPodSettings {
  const k: KubernetesNode = task.kubernetes ?? {}
  const unsupported: string[] = []
  const patch: JsonObject = {}
  const name = (value: KubernetesNameNode): string => (typeof value === 'string' ? value : (constantText(value) ?? resolveValue(value)))

  // Placement.
  const nodeSelector: Record<string, string> = { ...(k.nodeSelector ?? {}) }
  if (k.nodeSelectorJson) {
    const json = k.nodeSelectorJson
    if (json.kind === 'constant') {
      if (isObject(json.value)) for (const [key, value] of Object.entries(json.value)) nodeSelector[key] = typeof value === 'string' ? value : JSON.stringify(value)
    } else patch['nodeSelector'] = new Raw(resolveValue(json))
  }
  const tolerations: (ArgoToleration | Raw)[] = []
  let dynamicTolerations = false
  let tolerationList: Raw | undefined
  for (const t of k.tolerations ?? []) {
    if (!('json' in t)) {
      tolerations.push(toleration(t))
      continue
    }
    if (t.json.kind === 'constant') {
      const values = Array.isArray(t.json.value) ? t.json.value : [t.json.value]
      for (const value of values) if (isObject(value)) tolerations.push(value as ArgoToleration)
      continue
    }
    dynamicTolerations = true
    const raw = new Raw(resolveValue(t.json))
    if (typeOf?.(t.json) === 'LIST') {
      if (tolerationList !== undefined) unsupported.push('tolerations: more than one list parameter of tolerations')
      tolerationList = raw
    } else tolerations.push(raw)
  }
  if (tolerationList !== undefined && tolerations.length > 0) {
    unsupported.push('tolerations: a list parameter of tolerations together with other tolerations (Argo cannot concatenate lists at run time)')
  }
  if (dynamicTolerations) patch['tolerations'] = tolerationList ?? tolerations
  const nodeAffinity = staticNodeAffinity(k.nodeAffinity ?? [])
  const dynamicAffinity = (k.nodeAffinity ?? []).filter((t): t is { json: ValueSourceNode } => 'json' in t && t.json.kind !== 'constant')
  if (dynamicAffinity.length > 1) unsupported.push('nodeAffinity: more than one node affinity object from parameters')
  // The patch replaces the template's affinity terms (a strategic merge keeps no list of terms): they would be lost.
  if (dynamicAffinity.length > 0 && nodeAffinity !== undefined) unsupported.push('nodeAffinity: a node affinity object from a parameter together with other terms (Argo cannot merge them at run time)')
  if (dynamicAffinity.length > 0) patch['affinity'] = { nodeAffinity: new Raw(resolveValue(dynamicAffinity[0]!.json)) }

  // Volumes and environment.
  const volumes: JsonObject[] = []
  const volumeMounts: ArgoVolumeMount[] = []
  const env: ArgoEnvVar[] = []
  k.secretsAsVolume?.forEach((s, i) => {
    const volume = `typeflow-secret-${i}`
    volumes.push({ name: volume, secret: { secretName: name(s.secret), ...(s.optional && { optional: true }) } })
    volumeMounts.push({ name: volume, mountPath: s.mountPath })
  })
  k.configMapsAsVolume?.forEach((c, i) => {
    const volume = `typeflow-config-map-${i}`
    volumes.push({ name: volume, configMap: { name: name(c.configMap), ...(c.optional && { optional: true }) } })
    volumeMounts.push({ name: volume, mountPath: c.mountPath })
  })
  k.pvcMounts?.forEach((m, i) => {
    const volume = `typeflow-pvc-${i}`
    volumes.push({ name: volume, persistentVolumeClaim: { claimName: name(m.pvc) } })
    volumeMounts.push({ name: volume, mountPath: m.mountPath, ...(m.subPath !== undefined && { subPath: m.subPath }) })
  })
  for (const d of k.emptyDirs ?? []) {
    volumes.push({ name: d.name, emptyDir: { ...(d.medium !== undefined && { medium: d.medium }), ...(d.sizeLimit !== undefined && { sizeLimit: d.sizeLimit }) } })
    volumeMounts.push({ name: d.name, mountPath: d.mountPath })
  }
  for (const v of k.ephemeralVolumes ?? []) {
    const metadata = {
      ...(v.metadata?.labels !== undefined && { labels: { ...v.metadata.labels } }),
      ...(v.metadata?.annotations !== undefined && { annotations: { ...v.metadata.annotations } }),
    }
    volumes.push({
      name: v.name,
      ephemeral: {
        volumeClaimTemplate: {
          ...(Object.keys(metadata).length > 0 && { metadata }),
          spec: {
            accessModes: [...v.accessModes],
            resources: { requests: { storage: v.size } },
            ...(v.storageClass !== undefined && { storageClassName: v.storageClass }),
          },
        },
      },
    })
    volumeMounts.push({ name: v.name, mountPath: v.mountPath })
  }
  for (const s of k.secretsAsEnv ?? []) {
    const secret = name(s.secret)
    for (const [variable, key] of Object.entries(s.env)) env.push({ name: variable, valueFrom: { secretKeyRef: { name: secret, key, ...(s.optional && { optional: true }) } } })
  }
  for (const c of k.configMapsAsEnv ?? []) {
    const configMap = name(c.configMap)
    for (const [variable, key] of Object.entries(c.env)) env.push({ name: variable, valueFrom: { configMapKeyRef: { name: configMap, key, ...(c.optional && { optional: true }) } } })
  }
  for (const f of k.fieldPathEnv ?? []) env.push({ name: f.name, valueFrom: { fieldRef: { fieldPath: f.fieldPath } } })
  if (k.imagePullSecrets?.length) patch['imagePullSecrets'] = k.imagePullSecrets.map((s) => ({ name: name(s) }))

  // Resources read from parameters.
  const r = task.resources?.fromParameters
  if (r) {
    const limits: JsonObject = {}
    const requests: JsonObject = {}
    if (r.cpuLimit) limits['cpu'] = resolveValue(r.cpuLimit)
    if (r.memoryLimit) limits['memory'] = resolveValue(r.memoryLimit)
    if (r.cpuRequest) requests['cpu'] = resolveValue(r.cpuRequest)
    if (r.memoryRequest) requests['memory'] = resolveValue(r.memoryRequest)
    if (r.accelerator) {
      const type = typeof r.accelerator.type === 'string' ? acceleratorResource(r.accelerator.type) : resolveValue(r.accelerator.type)
      limits[type] = typeof r.accelerator.count === 'number' ? String(r.accelerator.count) : resolveValue(r.accelerator.count)
    }
    const resources = { ...(Object.keys(limits).length > 0 && { limits }), ...(Object.keys(requests).length > 0 && { requests }) }
    if (Object.keys(resources).length > 0) patch['containers'] = [{ name: 'main', resources }]
  }

  const labels = k.podMetadata?.labels
  const annotations = k.podMetadata?.annotations
  const initContainers = k.initContainers?.map((c) => ({
    name: c.name,
    image: c.image,
    ...(c.command?.length && { command: [...c.command] }),
    ...(c.args?.length && { args: [...c.args] }),
    ...(c.env?.length && { env: c.env.map((e) => ({ name: e.name, value: e.value })) }),
    ...(c.volumeMounts?.length && { volumeMounts: c.volumeMounts.map((m) => ({ name: m.volumeName, mountPath: m.mountPath })) }),
    ...(c.restartPolicy !== undefined && { restartPolicy: c.restartPolicy }),
    ...(c.resources !== undefined && {
      resources: {
        ...(c.resources.limits !== undefined && { limits: { ...c.resources.limits } }),
        ...(c.resources.requests !== undefined && { requests: { ...c.resources.requests } }),
      },
    }),
  }))
  const staticTolerations = tolerations.filter((t): t is ArgoToleration => !(t instanceof Raw))
  return {
    ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }),
    ...(!dynamicTolerations && staticTolerations.length > 0 && { tolerations: staticTolerations }),
    ...(nodeAffinity !== undefined && { affinity: { nodeAffinity } }),
    ...(volumes.length > 0 && { volumes }),
    ...(volumeMounts.length > 0 && { volumeMounts }),
    ...(env.length > 0 && { env }),
    ...(k.imagePullPolicy !== undefined && { imagePullPolicy: k.imagePullPolicy }),
    ...(initContainers !== undefined && initContainers.length > 0 && { initContainers }),
    ...(Object.keys(patch).length > 0 && { podSpecPatch: patchText(patch) }),
    ...(k.timeoutSeconds !== undefined && { activeDeadlineSeconds: k.timeoutSeconds }),
    ...(k.securityContext !== undefined && { securityContext: { ...k.securityContext } }),
    ...((labels !== undefined || annotations !== undefined) && {
      metadata: { ...(labels !== undefined && { labels: { ...labels } }), ...(annotations !== undefined && { annotations: { ...annotations } }) },
    }),
    ...(unsupported.length > 0 && { unsupported }),
  }
}

/**
 * The values `argoPodSettings` will ask `resolveValue` for, in the order it asks: what the
 * emitter must declare as template inputs and pass from the DAG task.
 *
 * @example
 * ```ts
 * argoPodSettingSources(task).map((source) => source.kind) // ['pipelineInput', 'taskOutput']
 * ```
 */
export function argoPodSettingSources(task: Pick<TaskNode, 'kubernetes' | 'resources'>): ValueSourceNode[] {
  const seen: ValueSourceNode[] = []
  argoPodSettings(task, (source) => {
    seen.push(source)
    return ''
  })
  return seen
}
