/**
 * Kubernetes pod settings and resources: accelerator placement by cluster profile, the KFP
 * PlatformSpec, resources read from parameters, and the diagnostics analysis gives for them.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, readFileSync } from 'node:fs'
import path, { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse, parseAllDocuments } from 'yaml'
import type { Diagnostic, PipelineNode, Task, TaskNode } from '@typeflow/dsl'
import { allTasks, component, createPvc, deletePvc, fmt, param, pipeline } from '@typeflow/dsl'
import { applyPlacement, compile, parseClusterProfile, type CompileOptions } from '@typeflow/compiler'

const here = dirname(fileURLToPath(import.meta.url))
const goldenRoot = path.resolve(here, '../../../shared/reference/kfp/golden')

type Json = Record<string, any>

const train = component({ name: 'train', image: 'img', inputs: { epochs: param.int({ default: 1 }) }, outputs: { model: param.string() } })
const emit = component({ name: 'emit', image: 'img', outputs: { name: param.string(), count: param.int(), config: param.struct() } })

/** The compiled KFP file's documents. */
function kfpDocuments(p: PipelineNode, options: CompileOptions = {}): Json[] {
  // Placement, not policy, is under test: these GPU tasks have no memory limit on purpose.
  const result = compile(p, { policies: 'off', ...options })
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`).join('\n'))
  return parseAllDocuments(result.files[0]!.content).map((d) => d.toJS() as Json)
}

function diagnostics(p: PipelineNode, options: CompileOptions = {}): readonly Diagnostic[] {
  // Placement, not policy, is under test: these GPU tasks have no memory limit on purpose.
  const result = compile(p, { policies: 'off', ...options })
  if (result.ok) throw new Error('expected the compile to fail')
  return result.diagnostics
}

const executors = (docs: Json[]): Json => docs[1]?.['platforms']['kubernetes']['deploymentSpec']['executors'] ?? {}
const gpuPipeline = (accelerator: object) =>
  pipeline({ name: 'gpu' }, (dag) => {
    dag.task(train, {}, { resources: { accelerator: accelerator as never } })
  })

describe('accelerator placement', () => {
  const model = { type: 'nvidia.com/gpu', count: 1, model: 'nvidia-tesla-t4' }

  it.each([
    ['gke', 'cloud.google.com/gke-accelerator'],
    ['nvidia-gfd', 'nvidia.com/gpu.product'],
    ['karpenter', 'karpenter.k8s.aws/instance-gpu-name'],
  ] as const)('the %s profile puts the model on its node label and tolerates the GPU taint', (kind, label) => {
    const docs = kfpDocuments(gpuPipeline(model), { cluster: kind })
    expect(executors(docs)['exec-train']).toEqual({
      nodeSelector: { labels: { [label]: 'nvidia-tesla-t4' } },
      tolerations: [{ effect: 'NoSchedule', key: 'nvidia.com/gpu', operator: 'Exists' }],
    })
    // The accelerator itself is unchanged: the model is placement, not a resource.
    expect(docs[0]!['deploymentSpec']['executors']['exec-train']['container']['resources']).toEqual({
      accelerator: { count: '1', resourceCount: '1', resourceType: 'nvidia.com/gpu', type: 'nvidia.com/gpu' },
    })
  })

  it('a custom profile names its label; models can be renamed; its tolerations replace the default', () => {
    const profile = { kind: 'custom', modelLabel: 'example.com/gpu', models: { 'nvidia-tesla-t4': 'T4' }, tolerations: [{ key: 'gpu-pool', operator: 'Exists' }], nodeSelector: { pool: 'gpu' } } as const
    const docs = kfpDocuments(gpuPipeline(model), { cluster: profile })
    expect(executors(docs)['exec-train']).toEqual({
      nodeSelector: { labels: { 'example.com/gpu': 'T4', pool: 'gpu' } },
      tolerations: [{ key: 'gpu-pool', operator: 'Exists' }],
    })
  })

  it('AMD and TPU accelerators get the taint of their own resource', () => {
    expect(executors(kfpDocuments(gpuPipeline({ type: 'amd.com/gpu', count: 2 }), { cluster: 'karpenter' }))['exec-train']).toEqual({
      tolerations: [{ effect: 'NoSchedule', key: 'amd.com/gpu', operator: 'Exists' }],
    })
    expect(executors(kfpDocuments(gpuPipeline({ type: 'tpu-v3' }), { cluster: 'gke' }))['exec-train']['tolerations']).toEqual([
      { effect: 'NoSchedule', key: 'google.com/tpu', operator: 'Exists' },
    ])
  })

  it('an accelerated task without a model on the gke profile reproduces the SDK golden with its explicit toleration', () => {
    const golden = path.join(goldenRoot, 'current/valid/gpu-scheduling/nvidia_gpu_scheduling_check.yaml')
    if (!existsSync(golden)) return
    const check = component({ name: 'verify-gpu-scheduled', image: 'python:3.11', command: ['sh', '-c'], args: ['echo "GPU scheduling check: PASS"'] })
    const p = pipeline({ name: 'nvidia-gpu-scheduling-check', caching: false }, (dag) => {
      dag.task(check, {}, { resources: { accelerator: { type: 'nvidia.com/gpu' } } })
    })
    const docs = kfpDocuments(p, { cluster: 'gke' })
    expect(docs[1]).toEqual(parseAllDocuments(readFileSync(golden, 'utf8'))[1]!.toJS())
  })

  it('keeps a toleration the task already has, once', () => {
    const p = pipeline({ name: 'gpu' }, (dag) => {
      dag.task(train, {}, { resources: { accelerator: model }, kubernetes: { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } })
    })
    expect(executors(kfpDocuments(p, { cluster: 'gke' }))['exec-train']['tolerations']).toHaveLength(1)
  })

  it('without a profile nothing is placed, and a model is reported', () => {
    expect(kfpDocuments(gpuPipeline({ type: 'nvidia.com/gpu' }))).toHaveLength(1)
    const found = diagnostics(gpuPipeline(model))
    expect(found.map((d) => [d.code, d.path.join('.')])).toEqual([['E_INVALID_CONSTANT', 'tasks.train.resources.accelerator']])
    expect(found[0]!.message).toContain('--cluster')
  })

  it('a node selector that contradicts the model is reported', () => {
    const p = pipeline({ name: 'gpu' }, (dag) => {
      dag.task(train, {}, { resources: { accelerator: model }, kubernetes: { nodeSelector: { 'cloud.google.com/gke-accelerator': 'nvidia-l4' } } })
    })
    expect(diagnostics(p, { cluster: 'gke' }).map((d) => d.code)).toEqual(['E_INVALID_CONSTANT'])
  })

  it('zero accelerators are not placed; nested pipelines and exit tasks are', () => {
    expect(kfpDocuments(gpuPipeline({ type: 'nvidia.com/gpu', count: 0 }), { cluster: 'gke' })).toHaveLength(1)
    const inner = pipeline({ name: 'inner' }, (dag) => {
      dag.task(train, {}, { resources: { accelerator: model } })
    })
    const outer = pipeline({ name: 'outer' }, (dag) => {
      dag.exitHandler(() => dag.task(train, {}, { name: 'cleanup', resources: { accelerator: model } }), () => {
        dag.task(inner)
      })
    })
    const { pipeline: placed, diagnostics: found } = applyPlacement(outer, { kind: 'nvidia-gfd' })
    expect(found).toEqual([])
    const nested = [...allTasks(placed.body)].find((t) => t.name === 'inner')!.component as PipelineNode
    const all: TaskNode[] = [...allTasks(placed.body), ...allTasks(nested.body)]
    for (const name of ['cleanup', 'train']) expect(all.find((t) => t.name === name)!.kubernetes?.nodeSelector).toEqual({ 'nvidia.com/gpu.product': 'nvidia-tesla-t4' })
    // Without accelerators the pipeline is the same object.
    const plain = pipeline({ name: 'plain' }, (dag) => void dag.task(train))
    expect(applyPlacement(plain, { kind: 'gke' }).pipeline).toBe(plain)
  })

  it('both targets see the placement (it runs before analysis)', () => {
    const result = compile(gpuPipeline(model), { cluster: 'gke', targets: ['kfp'], policies: 'off' })
    expect(result.ok && result.analysed.tasks.get('train')!.node.kubernetes?.nodeSelector).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' })
  })

  it('parses the command-line spellings of profiles', () => {
    expect(parseClusterProfile('gke')).toEqual({ kind: 'gke' })
    expect(parseClusterProfile(' nvidia-gfd ')).toEqual({ kind: 'nvidia-gfd' })
    expect(parseClusterProfile('custom:example.com/gpu-model')).toEqual({ kind: 'custom', modelLabel: 'example.com/gpu-model' })
    expect(parseClusterProfile('aks')).toBeUndefined()
  })
})

describe('resources from parameters', () => {
  it('pipeline inputs become placeholder strings plus the SDK\'s extra task inputs', () => {
    const p = pipeline({ name: 'p', inputs: { cpu: param.string({ default: '2' }), memory: param.string(), gpus: param.int({ default: 1 }) } }, (dag, p) => {
      dag.task(train, {}, { resources: { cpuRequest: p.cpu, cpuLimit: '4', memoryRequest: p.memory, memoryLimit: '16Gi', accelerator: { type: 'nvidia.com/gpu', count: p.gpus } } })
    })
    const [spec] = kfpDocuments(p)
    expect(spec!['deploymentSpec']['executors']['exec-train']['container']['resources']).toEqual({
      accelerator: { resourceCount: "{{$.inputs.parameters['pipelinechannel--gpus']}}", resourceType: 'nvidia.com/gpu', type: 'nvidia.com/gpu' },
      cpuLimit: 4,
      memoryLimit: 17.179869184,
      resourceCpuLimit: '4',
      resourceCpuRequest: "{{$.inputs.parameters['pipelinechannel--cpu']}}",
      resourceMemoryLimit: '16Gi',
      resourceMemoryRequest: "{{$.inputs.parameters['pipelinechannel--memory']}}",
    })
    expect(spec!['root']['dag']['tasks']['train']['inputs']['parameters']).toEqual({
      accelerator_count: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--gpus']}}" } },
      cpu_request: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--cpu']}}" } },
      memory_request: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--memory']}}" } },
      'pipelinechannel--cpu': { componentInputParameter: 'cpu' },
      'pipelinechannel--gpus': { componentInputParameter: 'gpus' },
      'pipelinechannel--memory': { componentInputParameter: 'memory' },
    })
    // The component's interface is untouched.
    expect(spec!['components']['comp-train']['inputDefinitions']['parameters']).toEqual({ epochs: { defaultValue: 1, isOptional: true, parameterType: 'NUMBER_INTEGER' } })
  })

  it('a loop item reaches the task through the loop component', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.forEach(['1', '2'], (cpu) => {
        dag.task(train, {}, { resources: { cpuLimit: cpu } })
      })
    })
    const [spec] = kfpDocuments(p)
    expect(spec!['components']['comp-for-loop-2']['dag']['tasks']['train']['inputs']['parameters']).toEqual({
      cpu_limit: { runtimeValue: { constant: "{{$.inputs.parameters['pipelinechannel--loop-item-param-1']}}" } },
      'pipelinechannel--loop-item-param-1': { componentInputParameter: 'pipelinechannel--loop-item-param-1' },
    })
  })

  it('a task output makes the task wait for its producer (left to the KFP backend in the IR, as the SDK does)', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      const sizes = dag.task(emit)
      dag.task(train, {}, { resources: { memoryLimit: sizes.outputs.name } })
    })
    const result = compile(p, { targets: ['kfp'], policies: 'off' })
    expect(result.ok && result.analysed.tasks.get('train')!.dependsOn).toEqual(['emit'])
    const task = kfpDocuments(p)[0]!['root']['dag']['tasks']['train']
    expect(task['dependentTasks']).toBeUndefined()
    expect(task['inputs']['parameters']['pipelinechannel--emit-name']).toEqual({ taskOutputParameter: { outputParameterKey: 'name', producerTask: 'emit' } })
  })

  it('a task output read from inside a group makes the group wait', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      const sizes = dag.task(emit)
      dag.forEach(['a'], () => {
        dag.task(train, {}, { resources: { accelerator: { type: 'nvidia.com/gpu', count: sizes.outputs.count } } })
      })
    })
    const root = kfpDocuments(p)[0]!['root']['dag']['tasks']
    expect(root['for-loop-2']['dependentTasks']).toEqual(['emit'])
    expect(root['for-loop-2']['inputs']['parameters']['pipelinechannel--emit-count']).toEqual({ taskOutputParameter: { outputParameterKey: 'count', producerTask: 'emit' } })
  })

  it('reports wrong types, text with embedded values, values set twice and invalid quantities', () => {
    const wrong = pipeline({ name: 'p', inputs: { n: param.int(), s: param.struct() } }, (dag, p) => {
      dag.task(train, {}, { resources: { cpuLimit: p.n as never, memoryLimit: fmt`${p.n}Gi`, accelerator: { type: p.s as never, count: p.n } } })
    })
    expect(diagnostics(wrong).map((d) => [d.code, d.path.join('.')])).toEqual([
      ['E_TYPE_MISMATCH', 'tasks.train.resources.cpuLimit'],
      ['E_TYPE_MISMATCH', 'tasks.train.resources.memoryLimit'],
      ['E_TYPE_MISMATCH', 'tasks.train.resources.accelerator.type'],
    ])
    const bad = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, { resources: { cpuLimit: 'two' as never, memoryLimit: '1.5Gi', accelerator: { type: 'nvidia.com/gpu', count: -1 } } })
    })
    expect(diagnostics(bad).map((d) => [d.code, d.path.join('.')])).toEqual([
      ['E_INVALID_CONSTANT', 'tasks.train.resources.cpuLimit'],
      ['E_INVALID_CONSTANT', 'tasks.train.resources.accelerator.count'],
    ])
  })

  it('reports values read from a task that is not visible', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      let inner: Task<typeof emit.outputs> | undefined
      dag.forEach(['a'], () => {
        inner = dag.task(emit)
      })
      dag.task(train, {}, { resources: { cpuLimit: inner!.outputs.name } })
    })
    expect(diagnostics(p).map((d) => [d.code, d.path.join('.')])).toEqual([['E_INVALID_REFERENCE', 'tasks.train.resources.cpuLimit']])
  })
})

describe('the KFP PlatformSpec', () => {
  it('writes every setting as kfp-kubernetes does and passes the PlatformSpec schema', () => {
    const p = pipeline({ name: 'p', inputs: { secret: param.string(), selector: param.struct({ optional: true }) } }, (dag, p) => {
      const names = dag.task(emit)
      dag.task(train, {}, {
        kubernetes: {
          nodeSelector: { pool: 'cpu' },
          tolerations: [{ key: 'dedicated', value: 'ml', effect: 'NoExecute', tolerationSeconds: 30 }, { operator: 'Exists' }],
          nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }], weight: 10 }],
          secretsAsEnv: [
            { secret: p.secret, env: { USER_NAME: 'username' } },
            { secret: 'fixed', env: { PASSWORD: 'password', TOKEN: 'token' }, optional: true },
            { secret: names.outputs.name, env: { OTHER: 'password' } },
          ],
          secretsAsVolume: [{ secret: 'certs', mountPath: '/certs' }],
          configMapsAsEnv: [{ configMap: p.secret, env: { MODE: 'mode' } }],
          configMapsAsVolume: [{ configMap: 'settings', mountPath: '/etc/settings', optional: true }],
          pvcMounts: [{ pvc: 'shared', mountPath: '/shared', subPath: 'run' }, { pvc: p.secret, mountPath: '/p' }, { pvc: names.outputs.name, mountPath: '/t' }],
          emptyDirs: [{ name: 'scratch', mountPath: '/scratch' }],
          ephemeralVolumes: [{ name: 'cache', mountPath: '/cache', size: '10Gi', storageClass: 'fast', labels: { a: 'b' } }],
          imagePullSecrets: ['registry', p.secret],
          imagePullPolicy: 'Always',
          fieldPathEnv: { NODE: 'spec.nodeName' },
          timeout: '1h',
          securityContext: { runAsUser: 1000, runAsNonRoot: true },
          podLabels: { team: 'ml' },
          podAnnotations: { note: 'x' },
        },
      })
    })
    const docs = kfpDocuments(p)
    expect(docs).toHaveLength(2)
    expect(docs[0]!['root']['dag']['tasks']['train']['dependentTasks']).toEqual(['emit'])
    const fromTask = { taskOutputParameter: { outputParameterKey: 'name', producerTask: 'emit' } }
    expect(executors(docs)).toEqual({
      'exec-train': {
        activeDeadlineSeconds: '3600',
        configMapAsEnv: [{ configMapNameParameter: { componentInputParameter: 'secret' }, keyToEnv: [{ configMapKey: 'mode', envVar: 'MODE' }], optional: false }],
        configMapAsVolume: [{ configMapName: 'settings', configMapNameParameter: { runtimeValue: { constant: 'settings' } }, mountPath: '/etc/settings', optional: true }],
        emptyDirMounts: [{ mountPath: '/scratch', volumeName: 'scratch' }],
        fieldPathAsEnv: [{ fieldPath: 'spec.nodeName', name: 'NODE' }],
        genericEphemeralVolume: [{ accessModes: ['ReadWriteOnce'], metadata: { labels: { a: 'b' } }, mountPath: '/cache', size: '10Gi', storageClassName: 'fast', volumeName: 'cache' }],
        imagePullPolicy: 'Always',
        imagePullSecret: [{ secretName: 'registry', secretNameParameter: { runtimeValue: { constant: 'registry' } } }, { secretNameParameter: { componentInputParameter: 'secret' } }],
        nodeAffinity: [
          { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] },
          { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }], weight: 10 },
        ],
        nodeSelector: { labels: { pool: 'cpu' } },
        podMetadata: { annotations: { note: 'x' }, labels: { team: 'ml' } },
        pvcMount: [
          { constant: 'shared', mountPath: '/shared', pvcNameParameter: { runtimeValue: { constant: 'shared' } }, subPath: 'run' },
          { componentInputParameter: 'secret', mountPath: '/p', pvcNameParameter: { componentInputParameter: 'secret' } },
          { ...fromTask, mountPath: '/t', pvcNameParameter: fromTask },
        ],
        secretAsEnv: [
          { keyToEnv: [{ envVar: 'USER_NAME', secretKey: 'username' }], optional: false, secretNameParameter: { componentInputParameter: 'secret' } },
          { keyToEnv: [{ envVar: 'PASSWORD', secretKey: 'password' }, { envVar: 'TOKEN', secretKey: 'token' }], optional: true, secretName: 'fixed', secretNameParameter: { runtimeValue: { constant: 'fixed' } } },
          { keyToEnv: [{ envVar: 'OTHER', secretKey: 'password' }], optional: false, secretNameParameter: fromTask },
        ],
        secretAsVolume: [{ mountPath: '/certs', optional: false, secretName: 'certs', secretNameParameter: { runtimeValue: { constant: 'certs' } } }],
        securityContext: { runAsNonRoot: true, runAsUser: '1000' },
        tolerations: [{ effect: 'NoExecute', key: 'dedicated', operator: 'Equal', tolerationSeconds: '30', value: 'ml' }, { operator: 'Exists' }],
      },
    })
  })

  it('the YAML writes int64 fields as strings and struct numbers as doubles', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, { kubernetes: { timeout: 20, nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }], weight: 50 }, { json: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }] } }] } })
    })
    const result = compile(p, { policies: 'off' })
    const text = result.ok ? result.files[0]!.content : ''
    expect(text).toContain("activeDeadlineSeconds: '20'")
    expect(text).toContain('weight: 50.0')
    expect(text).toContain('weight: 1.0')
  })

  it('names and JSON read inside a loop are punched through to the loop component', () => {
    const p = pipeline({ name: 'p', inputs: { selector: param.struct() } }, (dag, p) => {
      const names = dag.task(emit)
      dag.forEach(['a', 'b'], (item) => {
        dag.task(train, {}, { kubernetes: { secretsAsEnv: [{ secret: names.outputs.name, env: { A: 'a' } }], pvcMounts: [{ pvc: item, mountPath: '/d' }], nodeSelector: p.selector } })
      })
    })
    const docs = kfpDocuments(p)
    const loop = docs[0]!['components']['comp-for-loop-2']
    expect(Object.keys(loop['inputDefinitions']['parameters']).sort()).toEqual(['pipelinechannel--emit-name', 'pipelinechannel--loop-item-param-1', 'pipelinechannel--selector'])
    expect(docs[0]!['root']['dag']['tasks']['for-loop-2']['dependentTasks']).toEqual(['emit'])
    expect(executors(docs)['exec-train']).toEqual({
      nodeSelector: { nodeSelectorJson: { componentInputParameter: 'pipelinechannel--selector' } },
      pvcMount: [{ componentInputParameter: 'pipelinechannel--loop-item-param-1', mountPath: '/d', pvcNameParameter: { componentInputParameter: 'pipelinechannel--loop-item-param-1' } }],
      secretAsEnv: [{ keyToEnv: [{ envVar: 'A', secretKey: 'a' }], optional: false, secretNameParameter: { componentInputParameter: 'pipelinechannel--emit-name' } }],
    })
  })

  it('setKubernetes merges: lists append, maps merge, single values are replaced', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, { kubernetes: { nodeSelector: { a: '1' }, secretsAsEnv: [{ secret: 's1', env: { A: 'a' } }], timeout: 10 } })
        .setKubernetes({ nodeSelector: { b: '2' }, secretsAsEnv: [{ secret: 's2', env: { B: 'b' } }], timeout: 20 })
    })
    const node = [...allTasks(p.body)][0]!.kubernetes!
    expect(node.nodeSelector).toEqual({ a: '1', b: '2' })
    expect(node.secretsAsEnv?.map((s) => s.secret)).toEqual(['s1', 's2'])
    expect(node.timeoutSeconds).toBe(20)
  })

  it('a pipeline without Kubernetes settings has no second document', () => {
    const result = compile(pipeline({ name: 'p' }, (dag) => void dag.task(train)))
    expect(result.ok && parseAllDocuments(result.files[0]!.content)).toHaveLength(1)
    expect(() => parse(result.ok ? result.files[0]!.content : '')).not.toThrow()
  })

  it('createPvc / deletePvc are the components the KFP backend recognises', () => {
    const consumer = component({ name: 'consumer', image: 'img' })
    const p = pipeline({ name: 'p' }, (dag) => {
      const pvc = dag.task(createPvc, { access_modes: ['ReadWriteOnce'], size: '1Gi', pvc_name_suffix: '-x' })
      const use = dag.task(consumer, {}, { kubernetes: { pvcMounts: [{ pvc: pvc.outputs.name, mountPath: '/data' }] } })
      dag.task(deletePvc, { pvc_name: pvc.outputs.name }).after(use)
    })
    const [spec] = kfpDocuments(p)
    expect(spec!['deploymentSpec']['executors']['exec-createpvc']).toEqual({ container: { image: 'argostub/createpvc' } })
    expect(spec!['root']['dag']['tasks']['consumer']['dependentTasks']).toEqual(['createpvc'])
    expect(Object.keys(spec!['components']['comp-createpvc']['inputDefinitions']['parameters'])).toEqual([
      'access_modes', 'annotations', 'data_source', 'pvc_name', 'pvc_name_suffix', 'size', 'storage_class_name', 'volume_name',
    ])
  })
})

describe('Kubernetes diagnostics', () => {
  it('names must be string parameters visible to the task; JSON must be structs (tolerations: or lists)', () => {
    const p = pipeline({ name: 'p', inputs: { n: param.int(), s: param.string(), l: param.list() } }, (dag, p) => {
      let inner: Task<typeof emit.outputs> | undefined
      dag.forEach(['a'], () => {
        inner = dag.task(emit)
      })
      dag.task(train, {}, {
        kubernetes: {
          secretsAsEnv: [{ secret: p.n as never, env: { A: 'a' } }],
          pvcMounts: [{ pvc: inner!.outputs.name, mountPath: '/d' }],
          configMapsAsVolume: [{ configMap: fmt`${p.s}-config`, mountPath: '/c' }],
          nodeSelector: p.s as never,
          tolerations: [p.l],
          nodeAffinity: [p.l as never],
        },
      })
    })
    expect(diagnostics(p).map((d) => [d.code, d.path.join('.')])).toEqual([
      ['E_TYPE_MISMATCH', 'tasks.train.kubernetes.nodeSelector'],
      ['E_TYPE_MISMATCH', 'tasks.train.kubernetes.nodeAffinity.0'],
      ['E_TYPE_MISMATCH', 'tasks.train.kubernetes.secretsAsEnv.0.secret'],
      ['E_TYPE_MISMATCH', 'tasks.train.kubernetes.configMapsAsVolume.0.configMap'],
      ['E_INVALID_REFERENCE', 'tasks.train.kubernetes.pvcMounts.0.pvc'],
    ])
  })

  it('checks volumes, mounts, environment variables, tolerations, affinity, timeout and ids', () => {
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(train, {}, {
        env: { TOKEN: 'x' },
        kubernetes: {
          secretsAsEnv: [{ secret: 's', env: { TOKEN: 'token' } }],
          secretsAsVolume: [{ secret: 's', mountPath: '/data' }],
          emptyDirs: [{ name: 'data', mountPath: '/data' }, { name: 'Bad_Name', mountPath: '/x' }, { name: 'typeflow-mine', mountPath: '/y' }],
          initContainers: [{ name: 'init', image: 'busybox', volumeMounts: [{ volumeName: 'missing', mountPath: '/m' }] }],
          tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { key: 'k', effect: 'NoSchedule', tolerationSeconds: 5 }],
          nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In' }], weight: 500 }],
          timeout: 0,
          securityContext: { runAsUser: -1 },
        },
      })
    })
    expect(diagnostics(p).map((d) => d.path.slice(2).join('.'))).toEqual([
      'kubernetes.emptyDirs.1.name',
      'kubernetes.emptyDirs.2.name',
      'kubernetes.initContainers.0.volumeMounts.0',
      'kubernetes.emptyDirs.0.mountPath',
      'kubernetes.secretsAsEnv.0.env.TOKEN',
      'kubernetes.tolerations.0',
      'kubernetes.tolerations.1.tolerationSeconds',
      'kubernetes.nodeAffinity.0.weight',
      'kubernetes.nodeAffinity.0',
      'kubernetes.timeoutSeconds',
      'kubernetes.securityContext.runAsUser',
    ])
  })

  it('settings on a task running a pipeline are reported', () => {
    const inner = pipeline({ name: 'inner' }, (dag) => void dag.task(train))
    const p = pipeline({ name: 'p' }, (dag) => {
      dag.task(inner, {}, { kubernetes: { nodeSelector: { a: 'b' } } })
    })
    expect(diagnostics(p).map((d) => [d.code, d.path.join('.')])).toEqual([['E_INVALID_CONSTANT', 'tasks.inner.kubernetes']])
  })

  it('the DSL rejects a value that is neither a name nor a string parameter', () => {
    expect(() =>
      pipeline({ name: 'p' }, (dag) => {
        dag.task(train, {}, { kubernetes: { secretsAsEnv: [{ secret: 42 as never, env: { A: 'a' } }] } })
      }),
    ).toThrow(/E_INVALID_CONSTANT/)
  })
})
