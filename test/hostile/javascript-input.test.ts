/**
 * What plain JavaScript (or code that casts its way past the types) can hand the DSL and the
 * compiler: values that are not JSON, command lines that are not lists of strings, placeholders
 * that do not exist, options of the wrong shape. Each gets a diagnostic with a stable code, never
 * a TypeError or a stack overflow from deep inside the compiler.
 */
import { describe, expect, it } from 'vitest'
import { artifact, collected, component, Dataset, fmt, functionComponent, lt, param, pipeline, TypeflowError, type PipelineNode } from '@typeflow/dsl'
import { compile } from '../../packages/compiler/src/index.ts'

const image = `alpine@sha256:${'6'.repeat(64)}`
const step = component({ name: 'step', image, inputs: { x: param.float({ optional: true }) }, outputs: { f: param.float() }, command: ({ outputs }) => ['step', outputs.f.path] })

const codes = (p: PipelineNode) => {
  const result = compile(p, { targets: ['kfp', 'argo'], policies: 'off' })
  return result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)
}

/** The DSL's diagnostic, when building throws one. */
function thrown(build: () => unknown): string[] {
  try {
    build()
  } catch (error) {
    if (error instanceof TypeflowError) return error.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)
    throw error
  }
  return []
}

const cycle = (): Record<string, unknown> => {
  const o: Record<string, unknown> = { a: 1 }
  o['self'] = o
  return o
}

describe('defaults that are not JSON values', () => {
  it.each([
    ['undefined in a list', () => param.list({ default: [1, undefined, 2] as never }), 'undefined at [1]'],
    ['a hole in a list', () => param.list({ default: [1, , 2] as never }), 'a hole at [1]'],
    ['a Date', () => param.list({ default: [new Date(0)] as never }), 'a Date object at [0] (only plain objects, lists and scalars)'],
    ['a function', () => param.struct({ default: { f: () => 1 } as never }), 'a function at f'],
    ['a bigint', () => param.struct({ default: { n: 10n } as never }), 'a bigint at n'],
    ['a cycle', () => param.struct({ default: cycle() as never }), 'a cycle at self'],
    ['a __proto__ key', () => param.struct({ default: JSON.parse('{"__proto__": {"x": 1}, "a": 1}') }), 'a key named __proto__'],
    ['NaN', () => param.float({ default: Number.NaN }), 'NaN is not a finite number'],
    ['Infinity', () => param.float({ default: Number.POSITIVE_INFINITY }), 'Infinity is not a finite number'],
  ])('%s', (_name, spec, problem) => {
    const p = pipeline({ name: 'defaults', inputs: { v: spec() } }, (dag) => {
      dag.task(step)
    })
    expect(codes(p)).toEqual([`E_INVALID_CONSTANT inputs.v.default: the default of input "v" is not a JSON value: ${problem}`])
  })

  it('a component input default is checked the same way', () => {
    const odd = component({ name: 'odd', image, inputs: { n: param.float({ default: Number.NaN }) }, command: ['odd'] })
    expect(codes(pipeline({ name: 'defaults' }, (dag) => void dag.task(odd)))).toEqual([
      'E_INVALID_CONSTANT tasks.odd.component.inputs.n.default: the default of input "n" is not a JSON value: NaN is not a finite number',
    ])
  })
})

describe('constants that are not JSON values', () => {
  it('NaN and Infinity in a condition', () => {
    for (const bad of [Number.NaN, Number.NEGATIVE_INFINITY]) {
      const p = pipeline({ name: 'conditions' }, (dag) => {
        const t = dag.task(step)
        dag.if(lt(t.outputs.f, bad), () => void dag.task(step, {}, { name: 'then' }))
      })
      expect(codes(p)).toEqual([`E_INVALID_CONSTANT groups.condition-1: constant is not a JSON value: ${bad} is not a finite number`])
    }
  })

  it('a task argument: refused by the DSL, and by the compiler in a pipeline written as IR', () => {
    expect(thrown(() => pipeline({ name: 'args' }, (dag) => void dag.task(step, { x: Number.NaN })))).toEqual([
      'E_INVALID_CONSTANT tasks.step.inputs.x: argument is not a reference or a JSON value (NaN is not a finite number)',
    ])
    const ok = pipeline({ name: 'args' }, (dag) => void dag.task(step, { x: 1 }))
    const task = ok.body[0] as { inputs: Record<string, unknown> }
    const ir: PipelineNode = { ...ok, body: [{ ...(ok.body[0] as object), inputs: { ...task.inputs, x: { kind: 'constant', value: Number.NaN } } } as never] }
    expect(codes(ir)).toEqual(['E_INVALID_CONSTANT tasks.step.inputs.x: constant is not a JSON value: NaN is not a finite number'])
  })

  it('a literal loop list', () => {
    const ok = pipeline({ name: 'loops' }, (dag) => dag.forEach([1, 2], () => void dag.task(step)))
    const loop = ok.body[0] as { items: object }
    const ir: PipelineNode = { ...ok, body: [{ ...(ok.body[0] as object), items: { ...loop.items, values: [1, Number.NaN] } } as never] }
    const id = (ok.body[0] as { id: string }).id
    expect(codes(ir)).toEqual([`E_INVALID_CONSTANT groups.${id}.items: the loop's list is not a JSON value: NaN at [1] is not a finite number`])
  })
})

describe('command lines', () => {
  const build = (command: unknown) => () => component({ name: 'c', image, inputs: { a: param.string() }, outputs: { o: param.string() }, command: command as never })

  it('numbers become their text, as in KFP YAML components', () => {
    const sleeper = build(['sleep', 5])() as unknown as { command: { parts: string[] }[] }
    expect(sleeper.command.map((c) => c.parts.join(''))).toEqual(['sleep', '5'])
  })

  it.each([
    ['null', ['echo', null], 'E_INVALID_PLACEHOLDER components.c.command.1: command item 1 is null; items are strings (with placeholders in template literals), numbers, concat() or ifPresent()'],
    ['undefined', ['echo', undefined], 'E_INVALID_PLACEHOLDER components.c.command.1: command item 1 is undefined; items are strings (with placeholders in template literals), numbers, concat() or ifPresent()'],
    ['not a list', 'echo hi', 'E_INVALID_PLACEHOLDER components.c.command: command must be a list of strings (or a function returning one), got string'],
    ['a function returning text', () => 'echo hi', 'E_INVALID_PLACEHOLDER components.c.command: command must be a list of strings (or a function returning one), got string'],
    ['an input it does not declare', ({ inputs }: { inputs: Record<string, { value: string }> }) => ['echo', inputs['nope']!.value], 'E_INVALID_PLACEHOLDER components.c.command: the command reads inputs.nope, which component "c" does not declare (its inputs: a)'],
    ['.value of an output parameter', ({ outputs }: { outputs: Record<string, { value: string }> }) => ['echo', outputs['o']!.value], 'E_INVALID_PLACEHOLDER components.c.outputs.o: outputs.o is an output parameter: it has .path, not .value'],
  ])('%s', (_name, command, diagnostic) => {
    expect(thrown(build(command))).toEqual([diagnostic])
  })
})

describe('a failure no check catches yet', () => {
  it('is an E_INTERNAL diagnostic naming what failed, not an exception', () => {
    // A pipeline object that fails when read stands for any input no check foresaw.
    const p = pipeline({ name: 'options' }, (dag) => void dag.task(step))
    const hostile = Object.defineProperty({ ...p }, 'outputs', {
      get() {
        throw new Error('boom')
      },
    }) as PipelineNode
    const result = compile(hostile, { targets: ['kfp', 'argo'], policies: 'off' })
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.diagnostics).toHaveLength(1)
      expect(result.diagnostics[0]!.code).toBe('E_INTERNAL')
      expect(result.diagnostics[0]!.message).toMatch(/^the compiler failed: Error: boom \(at .+\); this input is not checked yet, or it is a Typeflow bug: please report it with the pipeline$/)
    }
  })
})

describe('task and Argo options a cluster would refuse: user mistakes, not "Typeflow bug" schema errors', () => {
  const task = component({ name: 'task', image, command: ['task'] })
  const withOptions = (options: unknown) => pipeline({ name: 'options' }, (dag) => void dag.task(task, {}, options as never))

  it.each([
    ['negative retries', { retry: { count: -1 } }, 'E_INVALID_CONSTANT tasks.task.retry.maxRetryCount: retries are a whole number of at least 0, got -1'],
    ['fractional retries', { retry: { count: 1.5 } }, 'E_INVALID_CONSTANT tasks.task.retry.maxRetryCount: retries are a whole number of at least 0, got 1.5'],
    ['a negative backoff factor', { retry: { count: 2, backoff: '1s', factor: -2 } }, 'E_INVALID_CONSTANT tasks.task.retry.backoffFactor: backoffFactor is a number of at least 0, got -2'],
    ['an env value that is not a string', { env: { A: 5 } }, 'E_INVALID_CONSTANT tasks.task.env.A: env var "A" is 5; environment values are strings'],
    ['an unknown imagePullPolicy', { kubernetes: { imagePullPolicy: 'Sometimes' } }, 'E_INVALID_CONSTANT tasks.task.kubernetes.imagePullPolicy: imagePullPolicy is Always, Never or IfNotPresent, got "Sometimes"'],
    ['an unknown toleration operator', { kubernetes: { tolerations: [{ key: 'k', operator: 'Maybe' }] } }, 'E_INVALID_CONSTANT tasks.task.kubernetes.tolerations.0.operator: a toleration\'s operator is Equal or Exists, got "Maybe"'],
    ['two init containers of one name', { kubernetes: { initContainers: [{ name: 'w', image: 'a' }, { name: 'w', image: 'b' }] } }, 'E_INVALID_CONSTANT tasks.task.kubernetes.initContainers.1.name: two init containers are named "w"'],
    ['an init container without an image', { kubernetes: { initContainers: [{ name: 'w', image: '' }] } }, 'E_INVALID_CONSTANT tasks.task.kubernetes.initContainers.0.image: init container "w" has image "", which is not an image reference'],
    ['an accelerator type with a space', { resources: { memoryLimit: '1Gi', accelerator: { type: 'GPU PLEASE' } } }, 'E_INVALID_CONSTANT tasks.task.resources.accelerator.type: accelerator type "GPU PLEASE" is neither a resource name (nvidia.com/gpu) nor an accelerator name (NVIDIA_TESLA_T4, tpu-v5e)'],
    ['an empty accelerator type', { resources: { memoryLimit: '1Gi', accelerator: { type: '' } } }, 'E_INVALID_CONSTANT tasks.task.resources.accelerator.type: accelerator type "" is neither a resource name (nvidia.com/gpu) nor an accelerator name (NVIDIA_TESLA_T4, tpu-v5e)'],
    ['a CPU request above its limit', { resources: { cpuRequest: '4', cpuLimit: '2' } }, 'E_INVALID_CONSTANT tasks.task.resources.cpuRequest: cpuRequest "4" is above cpuLimit "2"; Kubernetes refuses such a pod'],
    ['a memory request above its limit', { resources: { memoryRequest: '2G', memoryLimit: '1.5Gi' } }, 'E_INVALID_CONSTANT tasks.task.resources.memoryRequest: memoryRequest "2G" is above memoryLimit "1.5Gi"; Kubernetes refuses such a pod'],
    ['a node selector key with a space', { kubernetes: { nodeSelector: { 'bad key!': 'v' } } }, 'E_INVALID_CONSTANT tasks.task.kubernetes.nodeSelector.bad key!: "bad key!" is not a Kubernetes label key (an optional DNS prefix and /, then at most 63 letters, digits, -, _ and .)'],
    ['a pod label value of 100 characters', { kubernetes: { podLabels: { team: 'a'.repeat(100) } } }, 'E_INVALID_CONSTANT tasks.task.kubernetes.podMetadata.labels.team: the value of "team" is not a Kubernetes label value (at most 63 letters, digits, -, _ and ., starting and ending with a letter or digit)'],
  ])('%s', (_name, options, diagnostic) => {
    expect(codes(withOptions(options))).toEqual([diagnostic])
  })

  it('a request equal to its limit, in other units, passes', () => {
    expect(codes(withOptions({ resources: { cpuRequest: '500m', cpuLimit: '0.5', memoryRequest: '1024Mi', memoryLimit: '1Gi' } }))).toEqual([])
  })

  // The last three compiled before: Docker refuses a capital in the repository and a second tag.
  it.each(['', ' ', 'alpine:3\nfoo', 'alpine:3" x', 'GHCR.io/Acme/Train:1.0', 'alpine:3.20:extra', 'alpine@sha256:abc'])('image %j', (bad) => {
    const odd = component({ name: 'odd', image: bad, command: ['odd'] })
    expect(codes(pipeline({ name: 'images' }, (dag) => void dag.task(odd)))).toEqual([
      `E_INVALID_CONSTANT tasks.odd.component.image: image ${JSON.stringify(bad)} is not an image reference (registry/name:tag or @sha256:digest; the name in lowercase, without spaces or quotes)`,
    ])
  })

  it('image references Docker takes pass; a sha256 digest is 64 lowercase hex digits', () => {
    const images = ['img', 'python:3.11-slim', 'localhost:5000/team/a__b:v1.0', 'GHCR.io/acme/train:1.0', 'us-docker.pkg.dev/p/r/i@sha256:' + 'ab'.repeat(32), '[::1]:5000/x']
    for (const [i, image] of images.entries()) {
      expect(codes(pipeline({ name: 'images' }, (dag) => void dag.task(component({ name: `ok-${i}`, image, command: ['ok'] }))))).toEqual([])
    }
    const short = `alpine@sha256:${'a'.repeat(40)}`
    expect(codes(pipeline({ name: 'images' }, (dag) => void dag.task(component({ name: 'short', image: short, command: ['x'] }))))).toEqual([
      `E_INVALID_CONSTANT tasks.short.component.image: image "${short}" has a sha256 digest that is not 64 lowercase hex digits`,
    ])
  })

  it.each([
    [{ kind: 'Deployment', schedules: ['@daily'] }, 'argo.kind: kind is Workflow, WorkflowTemplate or CronWorkflow, got "Deployment"'],
    [{ namespace: 'Team A' }, 'argo.namespace: namespace "Team A" is not a Kubernetes namespace name (lowercase letters, digits and -, at most 63)'],
    [{ serviceAccountName: '' }, 'argo.serviceAccountName: serviceAccountName "" is not a Kubernetes service account name (lowercase letters, digits, - and ., at most 253)'],
    [{ activeDeadlineSeconds: -5 }, 'argo.activeDeadlineSeconds: activeDeadlineSeconds is a whole number of at least 1, got -5'],
    [{ parallelism: 0 }, 'argo.parallelism: parallelism is a whole number of at least 1, got 0'],
    [{ kind: 'CronWorkflow', schedules: ['0 3 * * *'], concurrencyPolicy: 'Sometimes' }, 'argo.concurrencyPolicy: concurrencyPolicy is Allow, Forbid or Replace, got "Sometimes"'],
    [{ kind: 'CronWorkflow', schedules: ['every day'] }, 'argo.schedules.0: schedule "every day" is not a cron expression (five fields such as "0 3 * * *", or @daily, @every 2h)'],
    [{ kind: 'CronWorkflow', schedules: ['@daily'], timezone: 'Mars/Olympus' }, 'argo.timezone: timezone "Mars/Olympus" is not an IANA time zone such as "Europe/Berlin"'],
    [{ cacheKeys: { x: 'abc' } }, 'argo.cacheKeys: cacheKeys is a Map from task name to cache key'],
    [{ schedules: ['0 3 * * *'] }, `argo.schedules: schedules applies to a CronWorkflow only, and kind is "Workflow": set kind: 'CronWorkflow', or leave schedules out`],
    [{ kind: 'WorkflowTemplate', timezone: 'Europe/Berlin' }, `argo.timezone: timezone applies to a CronWorkflow only, and kind is "WorkflowTemplate": set kind: 'CronWorkflow', or leave timezone out`],
    [{ maxDocumentBytes: 10_000 }, 'argo.maxDocumentBytes: maxDocumentBytes is a whole number from 50,000 to 1,000,000 (the etcd limit is 1 MiB; below, a single template may not fit), got 10000'],
    [{ maxDocumentBytes: 2 ** 20 }, 'argo.maxDocumentBytes: maxDocumentBytes is a whole number from 50,000 to 1,000,000 (the etcd limit is 1 MiB; below, a single template may not fit), got 1048576'],
    [{ maxDagTasks: 500 }, 'argo.maxDagTasks: maxDagTasks is a whole number from 2 to 200 (the v4 CRD cap), got 500'],
    [{ maxTemplates: 1.5 }, 'argo.maxTemplates: maxTemplates is a whole number from 2 to 200 (the v4 CRD cap), got 1.5'],
  ])('Argo option %j', (argo, diagnostic) => {
    const result = compile(withOptions({}), { targets: ['argo'], policies: 'off', argo: argo as never })
    expect(result.ok ? [] : result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`)).toEqual([`E_INVALID_CONSTANT ${diagnostic}`])
  })

  it('good Argo options pass', () => {
    const argo = { kind: 'CronWorkflow', schedules: ['0 3 * * *', '@every 2h', '*/5 * * * * *'], timezone: 'Europe/Berlin', concurrencyPolicy: 'Forbid', namespace: 'ml-team', serviceAccountName: 'pipeline-runner', activeDeadlineSeconds: 3600, parallelism: 4 } as const
    expect(compile(withOptions({}), { targets: ['argo'], policies: 'off', argo }).ok).toBe(true)
    const limits = { kind: 'WorkflowTemplate', schedules: [], maxDocumentBytes: 250_000, maxDagTasks: 50, maxTemplates: 100 } as const
    expect(compile(withOptions({}), { targets: ['argo'], policies: 'off', argo: limits }).ok).toBe(true)
  })
})

describe('DSL calls that were ignored in silence', () => {
  const task = component({ name: 'task', image, command: ['task'] })

  it('a misspelt task option', () => {
    expect(thrown(() => pipeline({ name: 'p' }, (dag) => void dag.task(task, {}, { resourcez: { cpuLimit: '1' } } as never)))).toEqual([
      'E_INVALID_CONSTANT tasks.task.resourcez: "resourcez" is not a task option (did you mean "resources"?); the options are name, displayName, after, caching, env, resources, kubernetes, retry, ignoreUpstreamFailure',
    ])
  })

  // Each compiled, without the setting, before: the default, the limit, the count were dropped.
  const typo = (options: Record<string, unknown>) => () => pipeline({ name: 'p' }, (dag) => void dag.task(task, {}, options as never))
  it.each([
    ['param.int({ defualt })', () => param.int({ defualt: 3 } as never), 'param.defualt: "defualt" is not a parameter option (did you mean "default"?); the options are default, optional, description'],
    ['artifact({ optinal })', () => artifact(Dataset, { optinal: true } as never), 'artifact.optinal: "optinal" is not an artifact option (did you mean "optional"?); the options are optional, description'],
    ['component({ comand })', () => component({ name: 'c', image, comand: ['x'] } as never), 'components.c.comand: "comand" is not a component option (did you mean "command"?); the options are name, description, image, inputs, outputs, command, args'],
    ['functionComponent({ pacakges })', () => functionComponent({ name: 'f', pacakges: ['left-pad'] } as never, () => {}), 'components.f.pacakges: "pacakges" is not a functionComponent option (did you mean "packages"?); the options are name, description, inputs, outputs, image, packages'],
    ['pipeline({ cachng })', () => pipeline({ name: 'p', cachng: false } as never, () => {}), 'cachng: "cachng" is not a pipeline option (did you mean "caching"?); the options are name, description, displayName, inputs, pipelineRoot, caching'],
    ['resources: { memoryLimt }', typo({ resources: { memoryLimt: '8Gi' } }), 'tasks.task.resources.memoryLimt: "memoryLimt" is not a resource option (did you mean "memoryLimit"?); the options are cpuRequest, cpuLimit, memoryRequest, memoryLimit, accelerator'],
    ['accelerator: { cont }', typo({ resources: { accelerator: { type: 'nvidia.com/gpu', cont: 2 } } }), 'tasks.task.resources.accelerator.cont: "cont" is not an accelerator option (did you mean "count"?); the options are type, count, model'],
    ['retry: { backof }', typo({ retry: { count: 2, backof: '1s' } }), 'tasks.task.retry.backof: "backof" is not a retry option (did you mean "backoff"?); the options are count, backoff, factor, maxBackoff'],
    ['kubernetes: { nodeSelectr }', typo({ kubernetes: { nodeSelectr: { pool: 'a' } } }), 'tasks.task.kubernetes.nodeSelectr: "nodeSelectr" is not a Kubernetes option (did you mean "nodeSelector"?); the options are nodeSelector, tolerations, nodeAffinity, secretsAsEnv, secretsAsVolume, configMapsAsEnv, configMapsAsVolume, pvcMounts, emptyDirs, ephemeralVolumes, imagePullSecrets, imagePullPolicy, fieldPathEnv, timeout, securityContext, podLabels, podAnnotations, initContainers'],
    ['a toleration { efect }', typo({ kubernetes: { tolerations: [{ key: 'gpu', efect: 'NoSchedule' }] } }), 'tasks.task.kubernetes.tolerations.0.efect: "efect" is not a toleration field (did you mean "effect"?); the options are key, operator, value, effect, tolerationSeconds'],
    ['tolerations given one parameter, not a list', () => pipeline({ name: 'p', inputs: { tol: param.struct() } }, (dag, p) => void dag.task(task, {}, { kubernetes: { tolerations: p.tol } } as never)), 'tasks.task.kubernetes.tolerations: tolerations is a list (a parameter holding JSON goes inside it: [p.value])'],
    ['forEach(…, { paralelism })', () => pipeline({ name: 'p' }, (dag) => dag.forEach([1], () => void dag.task(task), { paralelism: 1 } as never)), 'forEach.paralelism: "paralelism" is not a forEach() option (did you mean "parallelism"?); the options are displayName, parallelism, item'],
    ['if(…, { displayname })', () => pipeline({ name: 'p', inputs: { x: param.float() } }, (dag, p) => void dag.if(lt(p.x, 1), () => void dag.task(task), { displayname: 'small' } as never)), 'if.displayname: "displayname" is not an if() option (did you mean "displayName"?); the options are displayName'],
    ['an option nothing is close to', typo({ priority: 'high' }), 'tasks.task.priority: "priority" is not a task option; the options are name, displayName, after, caching, env, resources, kubernetes, retry, ignoreUpstreamFailure'],
  ])('%s', (_, build, message) => {
    expect(thrown(build)).toEqual([`E_INVALID_CONSTANT ${message}`])
  })

  it('values the DSL refuses while the pipeline is declared are placed in the user\'s file, with their path', () => {
    const step = component({ name: 'step', image, inputs: { v: param.string() }, outputs: { d: artifact(Dataset) } })
    const located = (build: () => unknown) => {
      try {
        build()
      } catch (error) {
        const d = (error as TypeflowError).diagnostics[0]!
        return `${d.code} ${d.path.join('.')} ${d.source?.file === import.meta.filename ? 'here' : 'elsewhere'}`
      }
    }
    expect(located(() => pipeline({ name: 'p' }, (dag) => void dag.task(step, { v: 'x' }, { retry: { count: 1, backoff: '1 minute' as never } })))).toBe('E_INVALID_DURATION tasks.step.retry.backoff here')
    expect(located(() => pipeline({ name: 'p', inputs: { n: param.string() } }, (dag, p) => void dag.forEach([1, 2], () => ({ n: p.n }) as never)))).toBe('E_INVALID_OUTPUT for-loop-2 here')
    expect(located(() => pipeline({ name: 'p' }, (dag) => void dag.if(lt(dag.task(step, { v: 'x' }).outputs.d as never, 1), () => {})))).toBe('E_TYPE_MISMATCH  here')
    expect(located(() => pipeline({ name: 'p' }, (dag) => void dag.task(step, { v: fmt`${dag.task(step, { v: 'x' }, { name: 'a' }).outputs.d as never}` })))).toBe('E_TYPE_MISMATCH  here')
    expect(located(() => pipeline({ name: 'p', inputs: { n: param.string() } }, (_, p) => void collected(p.n as never)))).toBe('E_INVALID_OUTPUT  here')
  })

  it('a misspelt option is placed at the call that has it, in the user\'s file', () => {
    const where = (build: () => unknown) => {
      try {
        build()
      } catch (error) {
        return (error as TypeflowError).diagnostics[0]!.source
      }
    }
    const param_ = where(() => param.int({ defualt: 3 } as never))
    const component_ = where(() => component({ name: 'c', image, comand: ['x'] } as never))
    expect(param_).toEqual(expect.objectContaining({ file: import.meta.filename }))
    expect(component_).toEqual(expect.objectContaining({ file: import.meta.filename, line: param_!.line + 1 }))
  })

  it('caching given as a string', () => {
    expect(thrown(() => pipeline({ name: 'p' }, (dag) => void dag.task(task, {}, { caching: 'false' } as never)))).toEqual([
      `E_INVALID_CONSTANT tasks.task.caching: caching is true, false or { key: '…' }, got "false"`,
    ])
  })

  it('a task declared after the pipeline was built (it was dropped)', () => {
    let late: (() => void) | undefined
    pipeline({ name: 'p' }, (dag) => {
      dag.task(task)
      late = () => void dag.task(task, {}, { name: 'late' })
    })
    expect(thrown(late!)).toEqual(['E_INVALID_OUTPUT : pipeline "p" is already built: declare its tasks and control flow inside its body (dag.… called after pipeline() returned)'])
  })
})
