import { describe, expectTypeOf, test } from 'vitest'
import { component, createPvc, deletePvc, type KubernetesOptions, param, type ParamRef, pipeline, type TaskResources } from '@typeflow/dsl'

const train = component({ name: 'train', image: 'img', outputs: { name: param.string(), count: param.int(), config: param.struct() } })

describe('Kubernetes settings', () => {
  test('names are strings or string parameters', () => {
    pipeline({ name: 'p', inputs: { secret: param.string(), n: param.int(), selector: param.struct(), tolerations: param.list() } }, (dag, p) => {
      const t = dag.task(train)
      dag.task(train, {}, {
        kubernetes: {
          secretsAsEnv: [{ secret: p.secret, env: { TOKEN: 'token' } }, { secret: 'fixed', env: { A: 'a' }, optional: true }],
          pvcMounts: [{ pvc: t.outputs.name, mountPath: '/data' }],
          imagePullSecrets: ['registry', p.secret],
          nodeSelector: p.selector,
          tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }, p.tolerations, t.outputs.config],
          nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], weight: 10 }, { json: {} }, p.selector],
          timeout: '2h',
        },
      })
      // @ts-expect-error an integer parameter cannot name a secret
      dag.task(train, {}, { kubernetes: { secretsAsEnv: [{ secret: p.n, env: {} }] } })
      // @ts-expect-error a node selector from a parameter is a struct
      dag.task(train, {}, { kubernetes: { nodeSelector: p.secret } })
      // @ts-expect-error unknown pull policy
      dag.task(train, {}, { kubernetes: { imagePullPolicy: 'Sometimes' } })
      // @ts-expect-error a timeout is seconds or a duration with a unit
      dag.task(train, {}, { kubernetes: { timeout: '2 hours' } })
      // @ts-expect-error toleration effects are Kubernetes' three
      dag.task(train, {}, { kubernetes: { tolerations: [{ key: 'k', effect: 'NoRun' }] } })
      // @ts-expect-error empty dir sizes are memory quantities
      dag.task(train, {}, { kubernetes: { emptyDirs: [{ name: 'scratch', mountPath: '/s', sizeLimit: 'big' }] } })
    })
  })

  test('setKubernetes chains and takes the same options', () => {
    pipeline({ name: 'p' }, (dag) => {
      const t = dag.task(train).setKubernetes({ podLabels: { team: 'ml' } }).setCaching(false)
      expectTypeOf(t.outputs.name).toEqualTypeOf<ParamRef<string>>()
      expectTypeOf(t.setKubernetes).parameter(0).toEqualTypeOf<KubernetesOptions>()
    })
  })

  test('createPvc and deletePvc are typed components', () => {
    pipeline({ name: 'p' }, (dag) => {
      const pvc = dag.task(createPvc, { access_modes: ['ReadWriteOnce'], size: '1Gi', pvc_name_suffix: '-x' })
      expectTypeOf(pvc.outputs.name).toEqualTypeOf<ParamRef<string>>()
      dag.task(deletePvc, { pvc_name: pvc.outputs.name })
      // @ts-expect-error size is required
      dag.task(createPvc, { access_modes: ['ReadWriteOnce'] })
      // @ts-expect-error not an access mode
      dag.task(createPvc, { access_modes: ['ReadWriteAll'], size: '1Gi' })
    })
  })
})

describe('resources', () => {
  test('quantities are static or string parameters; accelerator counts numbers or parameters', () => {
    pipeline({ name: 'p', inputs: { cpu: param.string(), gpus: param.int(), gpuType: param.string(), big: param.float() } }, (dag, p) => {
      const t = dag.task(train)
      dag.task(train, {}, { resources: { cpuLimit: p.cpu, memoryLimit: t.outputs.name, accelerator: { type: 'nvidia.com/gpu', count: p.gpus, model: 'nvidia-tesla-t4' } } })
      dag.task(train, {}, { resources: { accelerator: { type: p.gpuType, count: t.outputs.count } } })
      dag.task(train).setResources({ cpuRequest: '500m', memoryRequest: '2Gi', accelerator: { type: 'amd.com/gpu' } })
      // @ts-expect-error a float parameter is not a quantity
      dag.task(train, {}, { resources: { cpuLimit: p.big } })
      // @ts-expect-error not a CPU quantity
      dag.task(train, {}, { resources: { cpuLimit: '2 cores' } })
      // @ts-expect-error the model is fixed text: placement is decided at compile time
      dag.task(train, {}, { resources: { accelerator: { type: 'nvidia.com/gpu', model: p.gpuType } } })
    })
    expectTypeOf<TaskResources['cpuLimit']>().toEqualTypeOf<`${number}` | `${number}m` | ParamRef<string> | undefined>()
  })
})
