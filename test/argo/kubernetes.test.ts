/**
 * Kubernetes pod settings and GPUs on the Argo target, end to end: from the DSL through `compile()`
 * to templates that pass our schema and `argo-validate.mjs` against the v4 CRDs. The fragments
 * themselves are unit-tested in test/compiler/argo-kubernetes.test.ts; here they must land in the
 * right template, with values known only at run time passed from the DAG task.
 */
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { component, createPvc, deletePvc, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { compile } from '../../packages/compiler/src/compile.ts'
import gpuFinetune from '../../examples/gpu-finetune/pipeline.ts'
import { failures, runArgoValidate, sharedAvailable, writeTemp } from './helpers.ts'
import { argoSubstitute } from './simulate.ts'

type Json = Record<string, any>

function compiled(p: PipelineNode, options: Parameters<typeof compile>[1] = {}): { kfp: Json; platform: Json; argo: Json[]; argoText: string } {
  const result = compile(p, { targets: ['kfp', 'argo'], ...options })
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'))
  const kfpFile = result.files.find((f) => f.path.endsWith('.kfp.yaml'))!
  const argoFile = result.files.find((f) => f.path.endsWith('.argo.yaml'))!
  const [kfp, platform] = parseAllDocuments(kfpFile.content).map((d) => d.toJS() as Json)
  return { kfp: kfp!, platform: platform ?? {}, argo: parseAllDocuments(argoFile.content).map((d) => d.toJS() as Json), argoText: argoFile.content }
}

const templates = (docs: Json[]): Json[] => docs.flatMap((d) => (d['spec']['workflowSpec'] ?? d['spec'])['templates'] as Json[])
const template = (docs: Json[], name: string): Json => templates(docs).find((t) => t['name'] === name)!
const dagTasks = (docs: Json[]): Json[] => templates(docs).flatMap((t) => (t['dag']?.['tasks'] ?? []) as Json[])

describe.skipIf(!sharedAvailable)('Argo manifests with pod settings pass argo-validate against the v4 CRDs', () => {
  it('the GPU example and the run-time settings pipeline', () => {
    const files = writeTemp([
      { name: 'gpu-finetune', text: compiled(gpuFinetune, { cluster: 'gke' }).argoText },
      { name: 'pod-from-values', text: compiled(podFromValues).argoText },
    ])
    expect(failures(runArgoValidate(files, 'crd'))).toEqual([])
  })
})

describe('the GPU example (examples/gpu-finetune) on both targets', () => {
  const out = compiled(gpuFinetune, { cluster: 'gke' })

  it('KFP: accelerator.resourceType/resourceCount plus the legacy type/count, and GKE placement in the PlatformSpec', () => {
    const exec = out.kfp['deploymentSpec']['executors']['exec-finetune']['container']
    expect(exec['resources']['accelerator']).toEqual({ count: '4', resourceCount: '4', resourceType: 'nvidia.com/gpu', type: 'nvidia.com/gpu' })
    expect(exec['resources']['resourceMemoryLimit']).toBe('320Gi')
    const platform = out.platform['platforms']['kubernetes']['deploymentSpec']['executors']['exec-finetune']
    expect(platform['nodeSelector']).toEqual({ labels: { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' } })
    expect(platform['tolerations']).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }])
  })

  it('Argo: resources.limits with the GPU count, node selector and toleration on the template', () => {
    const finetune = template(out.argo, 'finetune')
    expect(finetune['container']['resources']).toEqual({ limits: { memory: '320Gi', 'nvidia.com/gpu': '4' }, requests: { cpu: '32' } })
    expect(finetune['nodeSelector']).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-tesla-a100' })
    expect(finetune['tolerations']).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }])
    expect(finetune['activeDeadlineSeconds']).toBe('43200')
    const trial = template(out.argo, 'trial')
    expect(trial['container']['resources']['limits']['nvidia.com/gpu']).toBe('1')
    expect(trial['nodeSelector']).toEqual({ 'cloud.google.com/gke-accelerator': 'nvidia-l4' })
  })

  it('Argo: the secret arrives as env and the shared-memory volume is mounted next to the outputs volume', () => {
    const finetune = template(out.argo, 'finetune')
    expect(finetune['container']['env']).toContainEqual({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } })
    expect(finetune['volumes']).toEqual([{ name: 'typeflow-outputs', emptyDir: {} }, { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } }])
    expect(finetune['container']['volumeMounts']).toContainEqual({ name: 'dshm', mountPath: '/dev/shm' })
  })

  it('without a cluster profile, a GPU model cannot be placed: a diagnostic names the flag', () => {
    const plain = compile(gpuFinetune, { targets: ['argo'] })
    expect(plain.ok ? [] : plain.diagnostics.map((d) => d.code)).toEqual(['E_INVALID_CONSTANT', 'E_INVALID_CONSTANT'])
    expect(plain.ok ? '' : plain.diagnostics[0]!.message).toContain('--cluster')
  })

  it('on a cluster with GPU feature discovery the same pipeline selects nvidia.com/gpu.product', () => {
    const gfd = compiled(gpuFinetune, { cluster: { kind: 'nvidia-gfd', models: { 'nvidia-tesla-a100': 'NVIDIA-A100-SXM4-40GB', 'nvidia-l4': 'NVIDIA-L4' } } })
    expect(template(gfd.argo, 'finetune')['nodeSelector']).toEqual({ 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' })
    expect(gfd.platform['platforms']['kubernetes']['deploymentSpec']['executors']['exec-trial']['nodeSelector']).toEqual({ labels: { 'nvidia.com/gpu.product': 'NVIDIA-L4' } })
  })
})

const producer = component({ name: 'make-name', image: 'alpine:3.20', outputs: { name: param.string() }, command: ({ outputs }) => ['sh', '-c', `echo claim-1 > ${outputs.name.path}`] })
const worker = component({ name: 'worker', image: 'alpine:3.20', command: () => ['true'] })

/** Every kind of value known only at run time: a secret, a PVC from a task output, tolerations and resources from parameters. */
const podFromValues = pipeline(
  {
    name: 'pod-from-values',
    inputs: {
      secret: param.string({ default: 'db-creds' }),
      cpu: param.string({ default: '2' }),
      memory: param.string({ default: '4Gi' }),
      gpus: param.int({ default: 1 }),
      toleration: param.struct({ default: { key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' } }),
    },
  },
  (dag, p) => {
    const made = dag.task(producer, {})
    dag.task(worker, {}, {
      resources: { cpuLimit: p.cpu, memoryLimit: p.memory, accelerator: { type: 'nvidia.com/gpu', count: p.gpus } },
      kubernetes: {
        secretsAsEnv: [{ secret: p.secret, env: { DB_PASSWORD: 'password' } }],
        pvcMounts: [{ pvc: made.outputs.name, mountPath: '/data' }],
        tolerations: [p.toleration, { key: 'spot', operator: 'Exists' }],
        podLabels: { team: 'ml' },
      },
    })
  },
)

describe('pod settings known only at run time', () => {
  const out = compiled(podFromValues)
  const workerTemplate = template(out.argo, 'worker')
  const call = dagTasks(out.argo).find((t) => t['name'] === 'worker')!
  const args = Object.fromEntries((call['arguments']['parameters'] as Json[]).map((a) => [a['name'], a['value']]))

  it('become typeflow-pod-<i> inputs, one per distinct value, passed from the DAG task', () => {
    const declared = (workerTemplate['inputs']['parameters'] as Json[]).map((i) => i['name']).filter((n: string) => n.startsWith('typeflow-pod-'))
    expect(declared).toEqual(['typeflow-pod-0', 'typeflow-pod-1', 'typeflow-pod-2', 'typeflow-pod-3', 'typeflow-pod-4', 'typeflow-pod-5'])
    const passed = declared.map((n: string) => args[n])
    expect(passed).toEqual(expect.arrayContaining([
      '{{workflow.parameters.secret}}',
      '{{tasks.make-name.outputs.parameters.name}}',
      '{{workflow.parameters.toleration}}',
      '{{workflow.parameters.cpu}}',
      '{{workflow.parameters.memory}}',
      '{{workflow.parameters.gpus}}',
    ]))
    expect(call['depends']).toContain('make-name')
  })

  it('strings go where Argo substitutes them; quantities and JSON go into podSpecPatch', () => {
    const input = (source: string) => `{{inputs.parameters.${Object.keys(args).find((k) => k.startsWith('typeflow-pod-') && args[k] === source)}}}`
    expect(workerTemplate['container']['env']).toContainEqual({ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: input('{{workflow.parameters.secret}}'), key: 'password' } } })
    expect(workerTemplate['volumes']).toContainEqual({ name: 'typeflow-pvc-0', persistentVolumeClaim: { claimName: input('{{tasks.make-name.outputs.parameters.name}}') } })
    // A toleration from a parameter puts every toleration in the patch (a patch replaces the list).
    expect(workerTemplate['tolerations']).toBeUndefined()
    const patchText = workerTemplate['podSpecPatch'] as string
    const toleration = input('{{workflow.parameters.toleration}}')
    expect(patchText).toContain(`"tolerations":[${toleration},{"key":"spot","operator":"Exists"}]`)
    // Once Argo substitutes the inputs, the patch is JSON with the parameter values in place.
    const substituted = patchText
      .replace(toleration, JSON.stringify({ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }))
      .replace(input('{{workflow.parameters.cpu}}'), '2')
      .replace(input('{{workflow.parameters.memory}}'), '4Gi')
      .replace(input('{{workflow.parameters.gpus}}'), '1')
    expect(JSON.parse(substituted)).toEqual({
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'ml', effect: 'NoSchedule' }, { key: 'spot', operator: 'Exists' }],
      containers: [{ name: 'main', resources: { limits: { cpu: '2', memory: '4Gi', 'nvidia.com/gpu': '1' } } }],
    })
  })

  it("the user's pod labels join Typeflow's own", () => {
    expect(workerTemplate['metadata']['labels']).toEqual({ team: 'ml', 'typeflow.dev/component': 'worker' })
  })

  it('two tasks with different settings get different templates; the same settings share one', () => {
    const twice = pipeline({ name: 'twice' }, (dag) => {
      dag.task(worker, {}, { kubernetes: { podLabels: { team: 'a' } } }).setDisplayName('a')
      dag.task(worker, {}, { kubernetes: { podLabels: { team: 'b' } } })
      dag.task(worker, {}, { kubernetes: { podLabels: { team: 'b' } } })
    })
    const names = templates(compiled(twice).argo).filter((t) => t['container']).map((t) => t['metadata']['labels']['team'])
    expect(names.sort()).toEqual(['a', 'b'])
  })
})

describe('pod settings Argo cannot express get a diagnostic, never a manifest', () => {
  const codes = (p: PipelineNode) => {
    const result = compile(p, { targets: ['argo'] })
    return result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}`)
  }

  it('two node affinity objects from parameters', () => {
    const p = pipeline({ name: 'affinity', inputs: { a: param.struct(), b: param.struct() } }, (dag, i) => {
      dag.task(worker, {}, { kubernetes: { nodeAffinity: [i.a, i.b] } })
    })
    expect(codes(p)).toEqual(['E_SCHEMA tasks.worker.kubernetes'])
  })

  it('a node affinity object from a parameter with other terms (the pod spec patch would replace them)', () => {
    const p = pipeline({ name: 'affinity', inputs: { a: param.struct() } }, (dag, i) => {
      dag.task(worker, {}, { kubernetes: { nodeAffinity: [i.a, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } })
    })
    const result = compile(p, { targets: ['argo'] })
    expect(result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([
      expect.stringMatching(/^E_SCHEMA tasks\.worker\.kubernetes: .*nodeAffinity: a node affinity object from a parameter together with other terms/),
    ])
    expect(compile(p, { targets: ['kfp'] }).ok).toBe(true)
  })

  it('"{{" in a pod annotation (Argo would read it as a tag and has no escape there)', () => {
    const p = pipeline({ name: 'braces' }, (dag) => {
      dag.task(worker, {}, { kubernetes: { podAnnotations: { note: 'see {{workflow.name}}' } } })
    })
    expect(codes(p)).toEqual(['E_INVALID_CONSTANT tasks.worker.kubernetes'])
    // The KFP target passes it through: only Argo substitutes.
    expect(compile(p, { targets: ['kfp'] }).ok).toBe(true)
  })

  it('the same pipelines are fine for KFP', () => {
    const p = pipeline({ name: 'affinity', inputs: { a: param.struct(), b: param.struct() } }, (dag, i) => {
      dag.task(worker, {}, { kubernetes: { nodeAffinity: [i.a, i.b] } })
    })
    expect(compile(p, { targets: ['kfp'] }).ok).toBe(true)
  })
})

describe('createPvc / deletePvc become Argo resource templates', () => {
  const claimed = pipeline({ name: 'claimed', inputs: { size: param.string({ default: '5Gi' }) } }, (dag, p) => {
    const volume = dag.task(createPvc, {
      access_modes: ['ReadWriteOnce'],
      size: p.size,
      pvc_name_suffix: '-scratch',
      annotations: { 'acme.dev/owner': 'ml "platform"' },
    })
    const used = dag.task(worker, {}, { kubernetes: { pvcMounts: [{ pvc: volume.outputs.name, mountPath: '/scratch' }] } })
    dag.task(deletePvc, { pvc_name: volume.outputs.name }).after(used)
  })
  const out = compiled(claimed)
  const create = template(out.argo, 'createpvc')
  const remove = template(out.argo, 'deletepvc')

  it('create: a PersistentVolumeClaim manifest; after Argo substitutes the inputs it is the claim KFP would make', () => {
    expect(create['resource']['action']).toBe('create')
    expect(create['outputs']).toEqual({ parameters: [{ name: 'name', valueFrom: { jsonPath: '{.metadata.name}' } }] })
    expect(create['memoize']).toBeUndefined()
    const vars = new Map([
      ['workflow.name', 'claimed-x7k2p'],
      ['inputs.parameters.access_modes', '["ReadWriteOnce"]'],
      ['inputs.parameters.annotations', '{"acme.dev/owner":"ml \\"platform\\""}'],
      ['inputs.parameters.pvc_name_suffix', '-scratch'],
      ['inputs.parameters.size', '5Gi'],
      ['inputs.parameters.storage_class_name', ''],
    ])
    const manifest = argoSubstitute(create['resource'], vars, 2)['manifest'] as string
    expect(JSON.parse(manifest)).toEqual({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'claimed-x7k2p-scratch', annotations: { 'acme.dev/owner': 'ml "platform"' } },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } }, storageClassName: '' },
    })
  })

  it('delete: the claim named by the create task, after its users', () => {
    expect(remove['resource']['action']).toBe('delete')
    const manifest = argoSubstitute(remove['resource'], new Map([['inputs.parameters.pvc_name', 'claimed-x7k2p-scratch']]), 2)['manifest'] as string
    expect(JSON.parse(manifest)).toEqual({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claimed-x7k2p-scratch' } })
    const call = dagTasks(out.argo).find((t) => t['template'] === 'deletepvc')!
    expect(call['depends']).toBe('createpvc && worker')
    expect(call['arguments']['parameters']).toContainEqual({ name: 'pvc_name', value: '{{tasks.createpvc.outputs.parameters.name}}' })
  })

  it('giving both or neither of pvc_name and pvc_name_suffix is a diagnostic', () => {
    const neither = pipeline({ name: 'neither' }, (dag) => void dag.task(createPvc, { access_modes: ['ReadWriteOnce'], size: '1Gi' }))
    const result = compile(neither, { targets: ['argo'] })
    expect(result.ok ? [] : result.diagnostics.map((d) => d.code)).toEqual(['E_MISSING_INPUT'])
  })
})
