/**
 * `argoPodSettings`: the Argo template fragments of a task's Kubernetes settings, checked in
 * isolation against the field names and types Argo and Kubernetes define (the Argo reference's
 * `fields-appendix.md` and the core/v1 definitions in its `schema.json`).
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import path, { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { KubernetesNode, ResourcesNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { allTasks, component, param, pipeline } from '@typeflow/dsl'
import { argoPodSettings, argoPodSettingSources, type ArgoPodSettings } from '../../packages/compiler/src/targets/argo/kubernetes.ts'

const here = dirname(fileURLToPath(import.meta.url))
const argoRoot = path.resolve(here, '../../../shared/reference/argo')
const haveReference = existsSync(path.join(argoRoot, 'schema.json'))

type Json = Record<string, any>

/** The field names a table in `fields-appendix.md` lists for one type. */
function appendixFields(type: string): Set<string> {
  const text = readFileSync(path.join(argoRoot, 'fields-appendix.md'), 'utf8')
  const section = text.split(/^## /m).find((s) => s.startsWith(`${type}\n`)) ?? ''
  return new Set([...section.matchAll(/^\| `([A-Za-z]+)`\*? \|/gm)].map((m) => m[1]!))
}

/**
 * Problems with a value against a definition of Argo's `schema.json`: unknown fields (the
 * definitions list every field), wrong JSON types, missing required fields (not for patches).
 */
function shapeProblems(value: unknown, schema: Json, definitions: Json, where = '', patch = false): string[] {
  const check = (v: unknown, s: Json, w: string) => shapeProblems(v, s, definitions, w, patch)
  if (schema['$ref']) {
    const name = String(schema['$ref']).replace('#/definitions/', '')
    // Kubernetes reads an IntOrString from a JSON number or string (the schema only says string).
    if (name === 'io.k8s.apimachinery.pkg.util.intstr.IntOrString') return Number.isInteger(value) || typeof value === 'string' ? [] : [`${where}: expected an int or a string`]
    return check(value, definitions[name], where)
  }
  if (schema['oneOf'] || schema['anyOf']) {
    const options = (schema['oneOf'] ?? schema['anyOf']) as Json[]
    return options.some((o) => check(value, o, where).length === 0) ? [] : [`${where}: matches no alternative`]
  }
  const type = schema['type']
  if (type === 'object' || schema['properties']) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${where}: expected an object`]
    const problems: string[] = []
    // (A strategic merge patch names only what it changes, besides merge keys.)
    if (!patch) for (const required of (schema['required'] ?? []) as string[]) if (!(required in value)) problems.push(`${where}: missing ${required}`)
    for (const [key, item] of Object.entries(value)) {
      const property = schema['properties']?.[key] ?? (typeof schema['additionalProperties'] === 'object' ? schema['additionalProperties'] : undefined)
      if (!property) problems.push(`${where}: unknown field ${key}`)
      else problems.push(...check(item, property, `${where}.${key}`))
    }
    return problems
  }
  if (type === 'array') return Array.isArray(value) ? value.flatMap((item, i) => check(item, schema['items'], `${where}[${i}]`)) : [`${where}: expected an array`]
  if (type === 'string') return typeof value === 'string' ? [] : [`${where}: expected a string`]
  if (type === 'integer') return Number.isInteger(value) ? [] : [`${where}: expected an integer`]
  if (type === 'boolean') return typeof value === 'boolean' ? [] : [`${where}: expected a boolean`]
  return []
}

const definitions: Json = haveReference ? (JSON.parse(readFileSync(path.join(argoRoot, 'schema.json'), 'utf8')) as Json)['definitions'] : {}
const ref = (name: string) => ({ $ref: `#/definitions/${name}` })
const core = (name: string) => ref(`io.k8s.api.core.v1.${name}`)

/** Where each fragment goes, and what it must be. */
const TEMPLATE_FIELDS = ['nodeSelector', 'tolerations', 'affinity', 'volumes', 'initContainers', 'podSpecPatch', 'activeDeadlineSeconds', 'securityContext', 'metadata'] as const
const CONTAINER_FIELDS = ['volumeMounts', 'env', 'imagePullPolicy'] as const

/** The fragments placed where the emitter puts them: a template with a `main` container. */
function asTemplate(settings: ArgoPodSettings): Json {
  const template: Json = { name: 'train', container: { name: 'main', image: 'img' } }
  for (const field of TEMPLATE_FIELDS) if (settings[field] !== undefined) template[field] = settings[field]
  for (const field of CONTAINER_FIELDS) if (settings[field] !== undefined) template['container'][field] = settings[field]
  return template
}

/** The pod spec patch as JSON, with every `{{…}}` placeholder given a value of its kind. */
function patchOf(settings: ArgoPodSettings, values: Readonly<Record<string, string>>): Json {
  const text = (settings.podSpecPatch ?? '{}').replace(/\{\{inputs\.parameters\.([a-z0-9-]+)\}\}/g, (_m, name: string) => values[name] ?? name)
  return JSON.parse(text) as Json
}

const base: TaskNode = { kind: 'task', name: 't', component: component({ name: 'c', image: 'img' }), inputs: {}, after: [], caching: {}, env: [] }
const withSettings = (kubernetes: KubernetesNode, resources?: ResourcesNode): TaskNode => ({ ...base, kubernetes, ...(resources !== undefined && { resources }) })

/** A resolver that names each value's template input after its source. */
function resolver(): { readonly resolve: (s: ValueSourceNode) => string; readonly asked: string[] } {
  const asked: string[] = []
  return {
    asked,
    resolve: (source) => {
      const name = source.kind === 'pipelineInput' ? source.name : source.kind === 'taskOutput' ? `${source.task}-${source.output}` : source.kind
      asked.push(name)
      return `{{inputs.parameters.${name}}}`
    },
  }
}

const input = (name: string): ValueSourceNode => ({ kind: 'pipelineInput', name })

const everything: KubernetesNode = {
  nodeSelector: { pool: 'gpu' },
  tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 10 }],
  nodeAffinity: [
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] },
    { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }], weight: 20 },
    { json: { kind: 'constant', value: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } }] } } },
  ],
  secretsAsEnv: [{ secret: 'db', env: { USER: 'user', PASSWORD: 'password' }, optional: false }, { secret: input('token_secret'), env: { TOKEN: 'token' }, optional: true }],
  secretsAsVolume: [{ secret: 'certs', mountPath: '/certs', optional: true }],
  configMapsAsEnv: [{ configMap: input('config_name'), env: { MODE: 'mode' }, optional: false }],
  configMapsAsVolume: [{ configMap: 'settings', mountPath: '/etc/settings', optional: false }],
  pvcMounts: [{ pvc: { kind: 'taskOutput', task: 'createpvc', output: 'name' }, mountPath: '/data', subPath: 'run' }],
  emptyDirs: [{ name: 'scratch', mountPath: '/scratch', medium: 'Memory', sizeLimit: '1Gi' }],
  ephemeralVolumes: [{ name: 'cache', mountPath: '/cache', accessModes: ['ReadWriteOnce'], size: '5Gi', storageClass: 'fast', metadata: { labels: { a: 'b' } } }],
  imagePullSecrets: ['registry', input('pull_secret')],
  imagePullPolicy: 'IfNotPresent',
  fieldPathEnv: [{ name: 'NODE', fieldPath: 'spec.nodeName' }],
  timeoutSeconds: 600,
  securityContext: { runAsUser: 1000, runAsGroup: 0, runAsNonRoot: true },
  podMetadata: { labels: { team: 'ml' }, annotations: { note: 'x' } },
  initContainers: [{ name: 'prepare', image: 'busybox', command: ['sh', '-c'], args: ['echo ok > /scratch/ok'], env: [{ name: 'A', value: 'b' }], volumeMounts: [{ volumeName: 'scratch', mountPath: '/scratch' }] }],
}

describe.skipIf(!haveReference)('argoPodSettings', () => {
  it('puts each fragment in a field Argo defines, with the Kubernetes shape', () => {
    const { resolve } = resolver()
    const settings = argoPodSettings(withSettings(everything), resolve)
    const templateFields = appendixFields('Template')
    const containerFields = appendixFields('ContainerNode')
    for (const field of TEMPLATE_FIELDS) expect(templateFields.has(field), `Template.${field}`).toBe(true)
    for (const field of CONTAINER_FIELDS) expect(containerFields.has(field), `ContainerNode.${field}`).toBe(true)
    expect(Object.keys(settings).filter((k) => !(TEMPLATE_FIELDS as readonly string[]).includes(k) && !(CONTAINER_FIELDS as readonly string[]).includes(k))).toEqual([])
    expect(shapeProblems(asTemplate(settings), ref('io.argoproj.workflow.v1alpha1.Template'), definitions)).toEqual([])
    // The check is not vacuous.
    expect(shapeProblems({ name: 'v', secrets: {} }, core('Volume'), definitions)).toEqual([': unknown field secrets'])
    expect(shapeProblems({ nodeSelector: { a: 1 } }, ref('io.argoproj.workflow.v1alpha1.Template'), definitions)).toEqual(['.nodeSelector.a: expected a string'])
  })

  it('maps every setting', () => {
    const { resolve, asked } = resolver()
    const settings = argoPodSettings(withSettings(everything), resolve)
    expect(asked).toEqual(['createpvc-name', 'token_secret', 'config_name', 'pull_secret'])
    expect(settings).toEqual({
      nodeSelector: { pool: 'gpu' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }, { key: 'k', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 10 }],
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 20, preference: { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] } },
            { weight: 5, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          ],
        },
      },
      volumes: [
        { name: 'typeflow-secret-0', secret: { secretName: 'certs', optional: true } },
        { name: 'typeflow-config-map-0', configMap: { name: 'settings' } },
        { name: 'typeflow-pvc-0', persistentVolumeClaim: { claimName: '{{inputs.parameters.createpvc-name}}' } },
        { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } },
        { name: 'cache', ephemeral: { volumeClaimTemplate: { metadata: { labels: { a: 'b' } }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: 'fast' } } } },
      ],
      volumeMounts: [
        { name: 'typeflow-secret-0', mountPath: '/certs' },
        { name: 'typeflow-config-map-0', mountPath: '/etc/settings' },
        { name: 'typeflow-pvc-0', mountPath: '/data', subPath: 'run' },
        { name: 'scratch', mountPath: '/scratch' },
        { name: 'cache', mountPath: '/cache' },
      ],
      env: [
        { name: 'USER', valueFrom: { secretKeyRef: { name: 'db', key: 'user' } } },
        { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: '{{inputs.parameters.token_secret}}', key: 'token', optional: true } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: '{{inputs.parameters.config_name}}', key: 'mode' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
      imagePullPolicy: 'IfNotPresent',
      initContainers: [{ name: 'prepare', image: 'busybox', command: ['sh', '-c'], args: ['echo ok > /scratch/ok'], env: [{ name: 'A', value: 'b' }], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] }],
      podSpecPatch: '{"imagePullSecrets":[{"name":"registry"},{"name":"{{inputs.parameters.pull_secret}}"}]}',
      activeDeadlineSeconds: 600,
      securityContext: { runAsUser: 1000, runAsGroup: 0, runAsNonRoot: true },
      metadata: { labels: { team: 'ml' }, annotations: { note: 'x' } },
    })
    expect(shapeProblems(patchOf(settings, {}), { type: 'object', properties: { imagePullSecrets: { type: 'array', items: core('LocalObjectReference') } } }, definitions, '', true)).toEqual([])
  })

  it('resources read from parameters go into podSpecPatch for the main container', () => {
    const resources: ResourcesNode = {
      cpuLimit: '4',
      fromParameters: { cpuRequest: input('cpu'), memoryLimit: input('memory'), accelerator: { type: 'NVIDIA_TESLA_T4', count: input('gpus') } },
    }
    const { resolve } = resolver()
    const settings = argoPodSettings({ ...base, resources }, resolve)
    expect(settings).toEqual({
      podSpecPatch: '{"containers":[{"name":"main","resources":{"limits":{"memory":"{{inputs.parameters.memory}}","nvidia.com/gpu":"{{inputs.parameters.gpus}}"},"requests":{"cpu":"{{inputs.parameters.cpu}}"}}}]}',
    })
    const patch = patchOf(settings, { memory: '16Gi', gpus: '2', cpu: '500m' })
    expect(shapeProblems(patch, { type: 'object', properties: { containers: { type: 'array', items: core('Container') } } }, definitions, '', true)).toEqual([])
    expect(patch['containers'][0]['resources']['limits']['nvidia.com/gpu']).toBe('2')
    // An accelerator type from a parameter is the resource name itself.
    const typed = argoPodSettings({ ...base, resources: { fromParameters: { accelerator: { type: input('kind'), count: 1 } } } }, resolver().resolve)
    expect(patchOf(typed, { kind: 'amd.com/gpu' })['containers'][0]['resources']).toEqual({ limits: { 'amd.com/gpu': '1' } })
  })

  it('JSON from parameters is spliced into the patch unquoted; constants are inlined', () => {
    const k: KubernetesNode = {
      nodeSelector: { pool: 'a' },
      nodeSelectorJson: input('selector'),
      tolerations: [{ key: 'x', operator: 'Exists' }, { json: input('toleration') }, { json: { kind: 'constant', value: [{ key: 'c', operator: 'Exists' }] } }],
      nodeAffinity: [{ json: input('affinity') }, { json: { kind: 'constant', value: {} } }],
    }
    const { resolve } = resolver()
    const settings = argoPodSettings(withSettings(k), resolve)
    expect(settings.nodeSelector).toEqual({ pool: 'a' })
    expect(settings.tolerations).toBeUndefined()
    expect(settings.affinity).toBeUndefined()
    const patch = patchOf(settings, {
      selector: '{"disk":"ssd"}',
      toleration: '{"key":"dyn","operator":"Exists"}',
      affinity: '{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"z","operator":"In","values":["1"]}]}]}}',
    })
    expect(patch).toEqual({
      nodeSelector: { disk: 'ssd' },
      tolerations: [{ key: 'x', operator: 'Exists' }, { key: 'dyn', operator: 'Exists' }, { key: 'c', operator: 'Exists' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'z', operator: 'In', values: ['1'] }] }] } } },
    })
    expect(shapeProblems(patch, { type: 'object', properties: { nodeSelector: { type: 'object', additionalProperties: { type: 'string' } }, tolerations: { type: 'array', items: core('Toleration') }, affinity: core('Affinity') } }, definitions, '', true)).toEqual([])
  })

  it('a list parameter of tolerations replaces the list; what has no Argo form is reported', () => {
    const typeOf = (s: ValueSourceNode) => (s.kind === 'pipelineInput' && s.name === 'list' ? ('LIST' as const) : ('STRUCT' as const))
    const alone = argoPodSettings(withSettings({ tolerations: [{ json: input('list') }] }), resolver().resolve, typeOf)
    expect(alone.podSpecPatch).toBe('{"tolerations":{{inputs.parameters.list}}}')
    expect(alone.unsupported).toBeUndefined()
    const mixed = argoPodSettings(withSettings({ tolerations: [{ key: 'a', operator: 'Exists' }, { json: input('list') }], nodeAffinity: [{ json: input('a1') }, { json: input('a2') }] }), resolver().resolve, typeOf)
    expect(mixed.unsupported).toHaveLength(2)
  })

  it('works on tasks built with the DSL; argoPodSettingSources lists what to declare as template inputs', () => {
    const emit = component({ name: 'emit', image: 'img', outputs: { name: param.string() } })
    const train = component({ name: 'train', image: 'img' })
    const p = pipeline({ name: 'p', inputs: { secret: param.string(), cpu: param.string() } }, (dag, p) => {
      const made = dag.task(emit)
      dag.task(train, {}, { resources: { cpuLimit: p.cpu }, kubernetes: { secretsAsVolume: [{ secret: p.secret, mountPath: '/s' }], pvcMounts: [{ pvc: made.outputs.name, mountPath: '/d' }], timeout: '5m' } })
    })
    const task = [...allTasks(p.body)].find((t) => t.name === 'train')!
    expect(argoPodSettingSources(task)).toEqual([{ kind: 'pipelineInput', name: 'secret' }, { kind: 'taskOutput', task: 'emit', output: 'name' }, { kind: 'pipelineInput', name: 'cpu' }])
    const settings = argoPodSettings(task, resolver().resolve)
    expect(settings.activeDeadlineSeconds).toBe(300)
    expect(shapeProblems(asTemplate(settings), ref('io.argoproj.workflow.v1alpha1.Template'), definitions)).toEqual([])
  })

  it('a task without settings gives no fragments', () => {
    expect(argoPodSettings(base, () => {
      throw new Error('nothing to resolve')
    })).toEqual({})
  })
})
