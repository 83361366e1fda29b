/**
 * The PlatformSpec (second document of a compiled KFP file) back to the `kubernetes` task option:
 * each executor's `KubernetesExecutorConfig` becomes the `KubernetesOptions` that the compiler
 * (`packages/compiler/src/targets/kfp/platform.ts`) turns into that config again.
 *
 * @module
 */
import type { JsonValue } from '@typeflow/dsl'
import type { Value } from './model.ts'
import type { IrInputParameter } from './spec.ts'

/** An option's value as code: an object, a list, or a value (a constant or a reference). */
export type OptionTree =
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, OptionTree])[] }
  | { readonly kind: 'array'; readonly items: readonly OptionTree[] }
  | { readonly kind: 'value'; readonly value: Value }

type Json = Record<string, unknown>
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The executors of a PlatformSpec document, and what in it has no task option. */
export interface PlatformExecutors {
  readonly executors: Readonly<Record<string, Json>>
  readonly warnings: readonly string[]
}

/**
 * Reads `platforms.kubernetes.deploymentSpec.executors` from a PlatformSpec document; anything
 * else in the document (another platform, `pipelineConfig`) is reported, not read.
 *
 * @example
 * ```ts
 * import { platformExecutors } from './kubernetes.ts'
 * platformExecutors({ platforms: { kubernetes: { deploymentSpec: { executors: { 'exec-comp': { imagePullPolicy: 'Always' } } } } } })
 * // { executors: { 'exec-comp': { imagePullPolicy: 'Always' } }, warnings: [] }
 * ```
 */
export function platformExecutors(document: unknown): PlatformExecutors {
  const warnings: string[] = []
  const executors: Record<string, Json> = {}
  if (!isRecord(document) || !isRecord(document['platforms'])) {
    return { executors, warnings: ['a second YAML document that is not a PlatformSpec (no `platforms` mapping)'] }
  }
  for (const key of Object.keys(document)) if (key !== 'platforms') warnings.push(`PlatformSpec field "${key}" is not read by the importer`)
  for (const [platform, value] of Object.entries(document['platforms'])) {
    if (platform !== 'kubernetes') {
      warnings.push(`PlatformSpec platform "${platform}": only the kubernetes platform has a task option`)
      continue
    }
    if (!isRecord(value)) continue
    for (const key of Object.keys(value)) {
      if (key === 'deploymentSpec') continue
      if (key === 'pipelineConfig') {
        warnings.push(`PlatformSpec pipelineConfig (${Object.keys(isRecord(value[key]) ? value[key] : {}).join(', ') || 'empty'}): pipeline-level Kubernetes settings such as a workspace have no DSL option`)
      } else warnings.push(`PlatformSpec kubernetes field "${key}" is not read by the importer`)
    }
    const deployment = value['deploymentSpec']
    const list = isRecord(deployment) ? deployment['executors'] : undefined
    if (isRecord(list)) for (const [label, config] of Object.entries(list)) if (isRecord(config)) executors[label] = config
  }
  return { executors, warnings }
}

const leaf = (value: JsonValue): OptionTree => ({ kind: 'value', value: { kind: 'constant', value } })
const obj = (entries: readonly (readonly [string, OptionTree | undefined])[]): OptionTree => ({
  kind: 'object',
  entries: entries.filter((e): e is readonly [string, OptionTree] => e[1] !== undefined),
})
const arr = (items: readonly OptionTree[]): OptionTree => ({ kind: 'array', items })
const str = (value: unknown): OptionTree | undefined => (typeof value === 'string' ? leaf(value) : undefined)
const strings = (value: unknown): OptionTree | undefined => (Array.isArray(value) && value.every((v) => typeof v === 'string') ? leaf(value as string[]) : undefined)
const stringMap = (value: unknown): OptionTree | undefined =>
  isRecord(value) && Object.values(value).every((v) => typeof v === 'string') ? leaf(value as { [key: string]: string }) : undefined
/** An int64 (written as a string) or a number, as a number. */
const integer = (value: unknown): OptionTree | undefined => {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : typeof value === 'number' ? value : undefined
  return n === undefined ? undefined : leaf(n)
}

/** A setting that cannot be carried over; `resolve` may throw it for an unreadable reference. */
export class Unmappable extends Error {}

/**
 * The `kubernetes` option of a task from its executor's config. `resolve` reads an
 * `InputParameterSpec` in the task's DAG (a pipeline input, a task output, a constant); `warn`
 * gets what cannot be carried over, which is left out.
 *
 * @example
 * ```ts
 * import { kubernetesOption } from './kubernetes.ts'
 * kubernetesOption({ imagePullPolicy: 'Always' }, () => { throw new Error('no references') }, console.warn, 'task comp')
 * // { kind: 'object', entries: [['imagePullPolicy', { kind: 'value', value: { kind: 'constant', value: 'Always' } }]] }
 * ```
 */
export function kubernetesOption(config: Readonly<Json>, resolve: (spec: IrInputParameter) => Value, warn: (message: string) => void, where: string): OptionTree | undefined {
  const entries: [string, OptionTree][] = []
  const fail = (message: string): never => {
    throw new Unmappable(message)
  }
  const list = (field: string): Json[] => {
    const value = config[field]
    if (!Array.isArray(value) || !value.every(isRecord)) fail(`expected a list of mappings`)
    return value as Json[]
  }
  const known = (item: Json, fields: readonly string[], what: string) => {
    for (const k of Object.keys(item)) if (!fields.includes(k)) fail(`${what} field "${k}" has no DSL option`)
  }
  /** A name given as text or read from a parameter (`…NameParameter`, else the deprecated `…Name`). */
  const name = (item: Json, literal: string, parameter: string): OptionTree => {
    const spec = item[parameter]
    if (isRecord(spec)) {
      const constant = isRecord(spec['runtimeValue']) ? spec['runtimeValue']['constant'] : undefined
      if (typeof constant === 'string') return leaf(constant)
      const value = resolve(spec as IrInputParameter)
      if (value.kind === 'constant') {
        if (typeof value.value === 'string') return leaf(value.value)
        fail(`${parameter} is not a string`)
      }
      return { kind: 'value', value }
    }
    if (typeof item[literal] === 'string') return leaf(item[literal] as string)
    return fail(`no ${literal} or ${parameter}`)
  }
  /** A JSON value given inline (`{ json: … }`) or read from a parameter (the reference itself). */
  const json = (spec: unknown, what: string): OptionTree => {
    if (!isRecord(spec)) return fail(`${what} is not an InputParameterSpec`)
    const value = resolve(spec as IrInputParameter)
    return value.kind === 'constant' ? obj([['json', leaf(value.value)]]) : { kind: 'value', value }
  }
  const optional = (item: Json): OptionTree | undefined => (item['optional'] === true ? leaf(true) : undefined)
  const keyToEnv = (item: Json, key: string): OptionTree => {
    const pairs = item['keyToEnv']
    if (!Array.isArray(pairs) || !pairs.every((p) => isRecord(p) && typeof p['envVar'] === 'string' && typeof p[key] === 'string')) fail(`keyToEnv is not a list of envVar/${key}`)
    return leaf(Object.fromEntries((pairs as Json[]).map((p) => [p['envVar'] as string, p[key] as string])))
  }
  const required = (item: Json, field: string): OptionTree => str(item[field]) ?? fail(`${field} is missing or not a string`)

  /** A secret or config map reference mounted at `mountPath`, or its keys as env (`keyToEnv` with `envKey`). */
  const referenceHandler = (field: string, option: string, ref: string, nameField: string, via: string): Record<string, () => void> => ({
    [field]: () => {
      const items = list(field).map((item) => {
        const asVolume = via === 'mountPath'
        known(item, [asVolume ? 'mountPath' : 'keyToEnv', 'optional', nameField, `${nameField}Parameter`], field)
        return obj([[ref, name(item, nameField, `${nameField}Parameter`)], asVolume ? ['mountPath', required(item, 'mountPath')] : ['env', keyToEnv(item, via)], ['optional', optional(item)]])
      })
      entries.push([option, arr(items)])
    },
  })

  const handlers: Record<string, () => void> = {
    // Secrets and config maps, as volumes or as env: one shape, four PlatformSpec fields.
    ...referenceHandler('secretAsVolume', 'secretsAsVolume', 'secret', 'secretName', 'mountPath'),
    ...referenceHandler('secretAsEnv', 'secretsAsEnv', 'secret', 'secretName', 'secretKey'),
    ...referenceHandler('configMapAsVolume', 'configMapsAsVolume', 'configMap', 'configMapName', 'mountPath'),
    ...referenceHandler('configMapAsEnv', 'configMapsAsEnv', 'configMap', 'configMapName', 'configMapKey'),
    pvcMount: () => {
      const items = list('pvcMount').map((m) => {
        known(m, ['mountPath', 'subPath', 'pvcNameParameter', 'constant', 'componentInputParameter', 'taskOutputParameter'], 'pvcMount')
        let pvc: OptionTree
        if (m['pvcNameParameter'] !== undefined) pvc = name(m, '', 'pvcNameParameter')
        else if (typeof m['constant'] === 'string') pvc = leaf(m['constant'])
        else {
          // Only the deprecated `pvc_reference` oneof (an older SDK): it reads like a parameter spec.
          const { mountPath: _m, subPath: _s, ...reference } = m
          pvc = name({ ref: reference }, '', 'ref')
        }
        return obj([['pvc', pvc], ['mountPath', required(m, 'mountPath')], ['subPath', str(m['subPath'])]])
      })
      entries.push(['pvcMounts', arr(items)])
    },
    nodeSelector: () => {
      const ns = config['nodeSelector']
      if (!isRecord(ns)) return fail('nodeSelector is not a mapping')
      known(ns, ['labels', 'nodeSelectorJson'], 'nodeSelector')
      if (ns['labels'] !== undefined && ns['nodeSelectorJson'] !== undefined) fail('both labels and nodeSelectorJson: the DSL takes one or the other')
      if (ns['nodeSelectorJson'] !== undefined) {
        const tree = json(ns['nodeSelectorJson'], 'nodeSelectorJson')
        if (tree.kind !== 'value') fail('a constant nodeSelectorJson: the DSL writes constant node selectors as labels')
        entries.push(['nodeSelector', tree])
      } else entries.push(['nodeSelector', stringMap(ns['labels'] ?? {}) ?? fail('nodeSelector.labels is not a string map')])
    },
    podMetadata: () => {
      const m = config['podMetadata']
      if (!isRecord(m)) return fail('podMetadata is not a mapping')
      known(m, ['labels', 'annotations'], 'podMetadata')
      if (m['labels'] !== undefined) entries.push(['podLabels', stringMap(m['labels']) ?? fail('labels is not a string map')])
      if (m['annotations'] !== undefined) entries.push(['podAnnotations', stringMap(m['annotations']) ?? fail('annotations is not a string map')])
    },
    imagePullSecret: () => {
      const items = list('imagePullSecret').map((s) => {
        known(s, ['secretName', 'secretNameParameter'], 'imagePullSecret')
        return name(s, 'secretName', 'secretNameParameter')
      })
      entries.push(['imagePullSecrets', arr(items)])
    },
    imagePullPolicy: () => entries.push(['imagePullPolicy', str(config['imagePullPolicy']) ?? fail('not a string')]),
    activeDeadlineSeconds: () => entries.push(['timeout', integer(config['activeDeadlineSeconds']) ?? fail('not an integer')]),
    fieldPathAsEnv: () => {
      const pairs = list('fieldPathAsEnv').map((e) => {
        known(e, ['name', 'fieldPath'], 'fieldPathAsEnv')
        if (typeof e['name'] !== 'string' || typeof e['fieldPath'] !== 'string') fail('expected name and fieldPath')
        return [e['name'] as string, e['fieldPath'] as string] as const
      })
      entries.push(['fieldPathEnv', leaf(Object.fromEntries(pairs))])
    },
    tolerations: () => {
      const items = list('tolerations').map((t) => {
        if (t['tolerationJson'] !== undefined) {
          known(t, ['tolerationJson'], 'toleration')
          return json(t['tolerationJson'], 'tolerationJson')
        }
        known(t, ['key', 'operator', 'value', 'effect', 'tolerationSeconds'], 'toleration')
        return obj([
          ['key', str(t['key'])],
          ['operator', t['operator'] === 'Equal' ? undefined : str(t['operator'])],
          ['value', str(t['value'])],
          ['effect', str(t['effect'])],
          ['tolerationSeconds', t['tolerationSeconds'] === undefined ? undefined : (integer(t['tolerationSeconds']) ?? fail('tolerationSeconds is not an integer'))],
        ])
      })
      entries.push(['tolerations', arr(items)])
    },
    genericEphemeralVolume: () => {
      const items = list('genericEphemeralVolume').map((v) => {
        known(v, ['accessModes', 'defaultStorageClass', 'storageClassName', 'metadata', 'mountPath', 'size', 'volumeName'], 'genericEphemeralVolume')
        const meta = v['metadata']
        if (meta !== undefined && !isRecord(meta)) fail('metadata is not a mapping')
        if (isRecord(meta)) known(meta, ['labels', 'annotations'], 'genericEphemeralVolume.metadata')
        if (v['storageClassName'] === undefined && v['defaultStorageClass'] !== true) fail('no storage class and not the default one')
        return obj([
          ['name', required(v, 'volumeName')],
          ['mountPath', required(v, 'mountPath')],
          ['size', required(v, 'size')],
          ['accessModes', strings(v['accessModes']) ?? fail('accessModes is not a list of strings')],
          ['storageClass', str(v['storageClassName'])],
          ['labels', isRecord(meta) && meta['labels'] !== undefined ? (stringMap(meta['labels']) ?? fail('labels is not a string map')) : undefined],
          ['annotations', isRecord(meta) && meta['annotations'] !== undefined ? (stringMap(meta['annotations']) ?? fail('annotations is not a string map')) : undefined],
        ])
      })
      entries.push(['ephemeralVolumes', arr(items)])
    },
    nodeAffinity: () => {
      const requirements = (value: unknown): OptionTree | undefined => {
        if (value === undefined) return undefined
        if (!Array.isArray(value) || !value.every(isRecord)) return fail('a selector is not a list of requirements')
        return arr(
          (value as Json[]).map((r) => {
            known(r, ['key', 'operator', 'values'], 'node selector requirement')
            return obj([['key', required(r, 'key')], ['operator', required(r, 'operator')], ['values', r['values'] === undefined ? undefined : (strings(r['values']) ?? fail('values is not a list of strings'))]])
          }),
        )
      }
      const items = list('nodeAffinity').map((t) => {
        if (t['nodeAffinityJson'] !== undefined) {
          known(t, ['nodeAffinityJson'], 'nodeAffinity')
          return json(t['nodeAffinityJson'], 'nodeAffinityJson')
        }
        known(t, ['matchExpressions', 'matchFields', 'weight'], 'nodeAffinity')
        if (t['weight'] !== undefined && typeof t['weight'] !== 'number') fail('weight is not a number')
        return obj([['matchExpressions', requirements(t['matchExpressions'])], ['matchFields', requirements(t['matchFields'])], ['weight', typeof t['weight'] === 'number' ? leaf(t['weight']) : undefined]])
      })
      entries.push(['nodeAffinity', arr(items)])
    },
    emptyDirMounts: () => {
      const items = list('emptyDirMounts').map((d) => {
        known(d, ['medium', 'mountPath', 'sizeLimit', 'volumeName'], 'emptyDirMounts')
        if (d['medium'] !== undefined && d['medium'] !== 'Memory') fail(`medium "${String(d['medium'])}" (the DSL takes "Memory" or none)`)
        return obj([['name', required(d, 'volumeName')], ['mountPath', required(d, 'mountPath')], ['medium', str(d['medium'])], ['sizeLimit', str(d['sizeLimit'])]])
      })
      entries.push(['emptyDirs', arr(items)])
    },
    securityContext: () => {
      const sc = config['securityContext']
      if (!isRecord(sc)) return fail('securityContext is not a mapping')
      known(sc, ['runAsUser', 'runAsGroup', 'runAsNonRoot'], 'securityContext')
      const number = (field: string) => (sc[field] === undefined ? undefined : (integer(sc[field]) ?? fail(`${field} is not an integer`)))
      if (sc['runAsNonRoot'] !== undefined && typeof sc['runAsNonRoot'] !== 'boolean') fail('runAsNonRoot is not a boolean')
      entries.push(['securityContext', obj([['runAsUser', number('runAsUser')], ['runAsGroup', number('runAsGroup')], ['runAsNonRoot', typeof sc['runAsNonRoot'] === 'boolean' ? leaf(sc['runAsNonRoot']) : undefined]])])
    },
    initContainers: () => {
      const items = list('initContainers').map((c) => {
        known(c, ['name', 'image', 'command', 'args', 'env', 'volumeMounts', 'restartPolicy', 'resources'], 'initContainers')
        let env: OptionTree | undefined
        if (c['env'] !== undefined) {
          const e = c['env']
          if (!Array.isArray(e) || !e.every((x) => isRecord(x) && typeof x['name'] === 'string' && typeof x['value'] === 'string' && Object.keys(x).length === 2)) {
            fail('env is not a list of name/value pairs (valueFrom has no DSL option)')
          }
          env = leaf(Object.fromEntries((e as Json[]).map((x) => [x['name'] as string, x['value'] as string])))
        }
        let mounts: OptionTree | undefined
        if (c['volumeMounts'] !== undefined) {
          const vm = c['volumeMounts']
          if (!Array.isArray(vm) || !vm.every((m) => isRecord(m) && typeof m['volumeName'] === 'string' && typeof m['mountPath'] === 'string' && Object.keys(m).length === 2)) {
            fail('volumeMounts is not a list of volumeName/mountPath')
          }
          mounts = leaf((vm as Json[]).map((m) => ({ volumeName: m['volumeName'] as string, mountPath: m['mountPath'] as string })))
        }
        let resources: OptionTree | undefined
        if (c['resources'] !== undefined) {
          const r = c['resources']
          if (!isRecord(r)) return fail('resources is not a mapping')
          known(r, ['requests', 'limits'], 'initContainers.resources')
          resources = obj([
            ['requests', r['requests'] === undefined ? undefined : (stringMap(r['requests']) ?? fail('requests is not a string map'))],
            ['limits', r['limits'] === undefined ? undefined : (stringMap(r['limits']) ?? fail('limits is not a string map'))],
          ])
        }
        if (c['restartPolicy'] !== undefined && c['restartPolicy'] !== 'Always') fail(`restartPolicy "${String(c['restartPolicy'])}" (the DSL takes "Always" or none)`)
        return obj([
          ['name', required(c, 'name')],
          ['image', required(c, 'image')],
          ['command', c['command'] === undefined ? undefined : (strings(c['command']) ?? fail('command is not a list of strings'))],
          ['args', c['args'] === undefined ? undefined : (strings(c['args']) ?? fail('args is not a list of strings'))],
          ['env', env],
          ['volumeMounts', mounts],
          ['restartPolicy', str(c['restartPolicy'])],
          ['resources', resources],
        ])
      })
      entries.push(['initContainers', arr(items)])
    },
  }
  for (const field of Object.keys(config).sort()) {
    const handler = handlers[field]
    if (!handler) {
      warn(`${where}: Kubernetes setting "${field}" has no DSL option`)
      continue
    }
    try {
      handler()
    } catch (error) {
      if (!(error instanceof Unmappable)) throw error
      warn(`${where}: Kubernetes setting "${field}" cannot be expressed (${error.message}); it was left out`)
    }
  }
  return entries.length > 0 ? obj(entries) : undefined
}

/**
 * Every value (constant or reference) in an option tree, to order tasks by what they read.
 *
 * @example
 * ```ts
 * import { optionValues } from './kubernetes.ts'
 * optionValues({ kind: 'array', items: [{ kind: 'value', value: { kind: 'input', name: 'secret' } }] })
 * // [{ kind: 'input', name: 'secret' }]
 * ```
 */
export function optionValues(tree: OptionTree | undefined): Value[] {
  if (tree === undefined) return []
  switch (tree.kind) {
    case 'value':
      return [tree.value]
    case 'array':
      return tree.items.flatMap(optionValues)
    case 'object':
      return tree.entries.flatMap(([, t]) => optionValues(t))
  }
}
