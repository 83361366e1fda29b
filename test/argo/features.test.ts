/**
 * What the Argo target writes for each feature: template sharing, parameters and artifacts, IfPresent,
 * nested pipelines, task settings (env, resources, accelerators, retries, display names), labels and
 * annotations, the cache-key hook, the KFP executor protocol, names, and determinism.
 */
import { describe, expect, it } from 'vitest'
import type { PipelineNode } from '@typeflow/dsl'
import { artifact, component, Dataset, Model, param, pipeline } from '@typeflow/dsl'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import { exprTag, kubeletEncoded } from '../../packages/compiler/src/targets/argo/expr.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { analysed, argoYaml, compileArgo as compileDocuments, examplePipelines } from './helpers.ts'
import { runWorkflow } from './run.ts'

type Json = Record<string, any>

const compileArgo = (p: PipelineNode): Json[] => compileDocuments(p)

const templates = (docs: readonly Json[]): Json[] => docs.flatMap((d) => (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['templates'] as Json[])
const template = (docs: readonly Json[], name: string): Json => templates(docs).find((t) => t['name'] === name)!
const rootTasks = (docs: readonly Json[]): Json[] => templates(docs)[0]!['dag']['tasks']
const anyTask = (docs: readonly Json[], name: string): Json => templates(docs).flatMap((t) => (t['dag']?.['tasks'] ?? []) as Json[]).find((t) => t['name'] === name)!
/** Arguments without the cache-key and memoize-key parameters (checked on their own in control-flow.test.ts). */
const withoutCache = (args: Json): Json => ({ ...args, parameters: (args['parameters'] as Json[]).filter((p) => p['name'] !== 'typeflow-cache-key' && p['name'] !== 'typeflow-memoize-key') })
const CACHE_INPUTS = [{ name: 'typeflow-cache-key' }, { name: 'typeflow-memoize-key' }]
const sameGraph = (p: PipelineNode) => {
  const graph = analysed(p)
  expect(argoGraphShape(compileArgo(p))).toEqual(kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(graph)))))
}

const train = component({
  name: 'train',
  image: 'ghcr.io/acme/train:1.2',
  inputs: { data: artifact(Dataset), epochs: param.int({ default: 10 }), depth: param.int({ optional: true }), tags: param.list({ default: ['a'] }) },
  outputs: { model: artifact(Model), score: param.float() },
  command: ({ inputs, outputs, ifPresent }) => [
    'train',
    inputs.data.path,
    `--epochs=${inputs.epochs.value}`,
    ifPresent('depth', ['--depth', inputs.depth.value], ['--no-depth']),
    '--tags',
    inputs.tags.value,
    '--model',
    outputs.model.uri,
    '--score',
    outputs.score.path,
  ],
})
const prep = component({
  name: 'prep',
  image: 'ghcr.io/acme/prep:1.0',
  inputs: { uri: param.string() },
  outputs: { data: artifact(Dataset) },
  command: ({ inputs, outputs }) => ['prep', inputs.uri.value, outputs.data.path],
})

describe('templates', () => {
  const p = pipeline({ name: 'sharing', inputs: { uri: param.string({ default: 'gs://b/x' }) } }, (dag, i) => {
    const data = dag.task(prep, { uri: i.uri })
    dag.task(train, { data: data.outputs.data }, { name: 'a' })
    dag.task(train, { data: data.outputs.data, epochs: 3 }, { name: 'b' })
    dag.task(train, { data: data.outputs.data, depth: 5 }, { name: 'c' })
    dag.task(train, { data: data.outputs.data }, { name: 'd', env: { SEED: '1' } })
    dag.task(train, { data: data.outputs.data, depth: 7 }, { name: 'e' })
  })
  const docs = compileArgo(p)

  it('shares one template between tasks of the same component and settings', () => {
    const byTask = Object.fromEntries(rootTasks(docs).map((t) => [t['name'], t['template']]))
    expect(byTask['a']).toBe(byTask['b'])
    expect(byTask['c']).toBe(byTask['e'])
    expect(new Set([byTask['a'], byTask['c'], byTask['d']]).size).toBe(3)
    expect(templates(docs).map((t) => t['name'])).toEqual(['sharing', 'prep', 'train', 'train-2', 'train-3'])
    expect(validateArgoDocuments(docs)).toEqual([])
  })

  it('decides IfPresent per task at compile time', () => {
    expect(template(docs, 'train')['container']['command']).toContain('--no-depth')
    expect(template(docs, 'train')['inputs']['parameters'].map((x: Json) => x['name'])).not.toContain('depth')
    expect(template(docs, 'train-2')['container']['command']).toEqual(expect.arrayContaining(['--depth', '{{inputs.parameters.depth}}']))
  })

  it('maps placeholders to the paths Argo provides', () => {
    const t = template(docs, 'train')
    expect(t['inputs']['artifacts']).toEqual([{ name: 'data', path: '/tmp/inputs/data/data' }])
    expect(t['inputs']['parameters']).toEqual([{ name: 'epochs', default: '10' }, { name: 'tags', default: '["a"]' }, { name: 'typeflow-task' }, ...CACHE_INPUTS])
    expect(t['outputs']).toEqual({
      parameters: [{ name: 'score', valueFrom: { path: '/tmp/outputs/score' } }],
      artifacts: [{ name: 'model', path: '/tmp/outputs/model' }],
    })
    expect(t['container']['command']).toEqual([
      'train', '/tmp/inputs/data/data', '--epochs={{inputs.parameters.epochs}}', '--no-depth', '--tags', '{{inputs.parameters.tags}}', '--model', '/tmp/outputs/model', '--score', '/tmp/outputs/score',
    ])
    expect(t['volumes']).toEqual([{ name: 'typeflow-outputs', emptyDir: {} }])
    expect(t['container']['volumeMounts']).toEqual([{ name: 'typeflow-outputs', mountPath: '/tmp/outputs' }])
  })

  it('passes parameters as strings and artifacts with from', () => {
    const b = rootTasks(docs).find((t) => t['name'] === 'b')!
    expect(b['depends']).toBe('prep')
    expect(withoutCache(b['arguments'])).toEqual({
      parameters: [{ name: 'epochs', value: '3' }, { name: 'typeflow-task', value: 'b' }],
      artifacts: [{ name: 'data', from: '{{tasks.prep.outputs.artifacts.data}}' }],
    })
    expect(rootTasks(docs)[0]!['arguments']['parameters'][0]).toEqual({ name: 'uri', value: '{{workflow.parameters.uri}}' })
  })

  it('ties pods back to their pipeline, component and task', () => {
    const t = template(docs, 'prep')
    expect(t['metadata']).toEqual({
      annotations: { 'typeflow.dev/task': '{{inputs.parameters.typeflow-task}}', 'typeflow.dev/cache-key': '{{inputs.parameters.typeflow-cache-key}}' },
      labels: { 'typeflow.dev/component': 'prep' },
    })
    expect(docs[0]!['spec']['podMetadata']).toEqual({ labels: { 'typeflow.dev/pipeline': 'sharing' } })
    expect(docs[0]!['metadata']['labels']).toEqual({ 'typeflow.dev/pipeline': 'sharing' })
  })

  it('describes the same graph as the KFP IR', () => sameGraph(p))
})

describe('task settings', () => {
  it('writes env, resources, accelerators, retries and display names', async () => {
    const fraud = (await examplePipelines()).find((e) => e.name === 'examples/fraud-training')!
    const docs = compileArgo(fraud.pipeline)
    const t = template(docs, 'train-model')
    // Values passed at run time may hold the brace reference (see dag.ts).
    expect(t['container']['env']).toEqual([{ name: 'TYPEFLOW_LBRACE', value: '{' }, { name: 'PYTHONUNBUFFERED', value: '1' }])
    expect(t['container']['resources']).toEqual({ limits: { memory: '16Gi', 'nvidia.com/gpu': '1' }, requests: { cpu: '4', memory: '12Gi' } })
    expect(t['retryStrategy']).toEqual({ limit: '1', retryPolicy: 'Always', backoff: { duration: '30s', factor: '2', cap: '3600s' } })
    const register = template(docs, 'register-model')
    expect(register['annotations']).toEqual({ 'workflows.argoproj.io/display-name': '{{inputs.parameters.typeflow-display-name}}' })
    const task = anyTask(docs, 'register-model')
    expect(task['arguments']['parameters']).toContainEqual({ name: 'typeflow-display-name', value: 'Register model' })
    expect(docs[0]!['metadata']['annotations']['workflows.argoproj.io/description']).toBe('Trains, evaluates and registers the card-fraud model.')
  })

  it('maps KFP accelerator names to Kubernetes resources', () => {
    const p = pipeline({ name: 'gpus' }, (dag) => {
      dag.task(prep, { uri: 'x' }, { name: 't4', resources: { accelerator: { type: 'NVIDIA_TESLA_T4', count: 2 } } })
      dag.task(prep, { uri: 'x' }, { name: 'tpu', resources: { accelerator: { type: 'tpu-v3' } } })
      dag.task(prep, { uri: 'x' }, { name: 'amd', resources: { accelerator: { type: 'amd.com/gpu' } } })
    })
    const docs = compileArgo(p)
    const limits = Object.fromEntries(rootTasks(docs).map((t) => [t['name'], template(docs, t['template'])['container']['resources']['limits']]))
    expect(limits).toEqual({ t4: { 'nvidia.com/gpu': '2' }, tpu: { 'google.com/tpu': '1' }, amd: { 'amd.com/gpu': '1' } })
  })

  it('annotates pods with their cache key: the compile-time digest, or the key given by the hook', () => {
    const p = pipeline({ name: 'cached' }, (dag) => {
      dag.task(prep, { uri: 'x' }, { name: 'one' })
      dag.task(prep, { uri: 'y' }, { name: 'two' })
      dag.task(prep, { uri: 'z' }, { name: 'three', caching: false })
    })
    const docs = emitArgo(analysed(p), { cacheKeys: new Map([['one', 'sha256:abc']]) }).documents
    const task = (name: string) => rootTasks(docs).find((t) => t['name'] === name)!
    expect(task('one')['arguments']['parameters']).toContainEqual({ name: 'typeflow-cache-key', value: 'sha256:abc' })
    expect(template(docs, task('one')['template'])['metadata']['annotations']['typeflow.dev/cache-key']).toBe('{{inputs.parameters.typeflow-cache-key}}')
    expect(task('two')['arguments']['parameters']).toContainEqual({ name: 'typeflow-cache-key', value: expect.stringMatching(/^[0-9a-f]{64}$/) })
    expect(template(docs, task('three')['template'])['metadata']['annotations']).not.toHaveProperty('typeflow.dev/cache-key')
  })
})

describe('env values that differ between tasks of one component', () => {
  // A shard number in env, and a name parameter names cannot hold ('.'); `odd` has a value that
  // needs escaping, which stays written in its template; LOG_LEVEL is the same everywhere.
  const p = pipeline({ name: 'shards' }, (dag) => {
    for (const shard of [0, 1, 2]) dag.task(prep, { uri: 'x' }, { name: `shard-${shard}`, env: { LOG_LEVEL: 'debug', SHARD: String(shard), 'app.mode': `m${shard}` } })
    dag.task(prep, { uri: 'x' }, { name: 'odd', env: { LOG_LEVEL: 'debug', SHARD: '$(HOME){{x}}', 'app.mode': 'm9' } })
  })
  const docs = compileArgo(p)
  const templateOf = Object.fromEntries(rootTasks(docs).map((t) => [t['name'], t['template']]))

  it('are template inputs, so the tasks share one template', () => {
    expect(new Set(['shard-0', 'shard-1', 'shard-2'].map((t) => templateOf[t])).size).toBe(1)
    expect(templateOf['odd']).not.toBe(templateOf['shard-0'])
    expect(template(docs, templateOf['shard-0'])['container']['env']).toEqual([
      { name: 'LOG_LEVEL', value: 'debug' },
      { name: 'SHARD', value: '{{inputs.parameters.typeflow-env-SHARD}}' },
      { name: 'app.mode', value: '{{inputs.parameters.typeflow-env-2}}' },
    ])
    expect(template(docs, templateOf['shard-0'])['inputs']['parameters']).toEqual(expect.arrayContaining([{ name: 'typeflow-env-SHARD' }, { name: 'typeflow-env-2' }]))
    expect(anyTask(docs, 'shard-1')['arguments']['parameters']).toEqual(expect.arrayContaining([{ name: 'typeflow-env-SHARD', value: '1' }, { name: 'typeflow-env-2', value: 'm1' }]))
    expect(validateArgoDocuments(docs)).toEqual([])
  })

  it('reach each container as that task wrote them', () => {
    const env = Object.fromEntries(runWorkflow(docs).runs.map((r) => [r.task, r.env]))
    for (const shard of [0, 1, 2]) expect(env[`shard-${shard}`]).toEqual({ LOG_LEVEL: 'debug', SHARD: String(shard), 'app.mode': `m${shard}` })
    expect(env['odd']).toMatchObject({ LOG_LEVEL: 'debug', SHARD: '$(HOME){{x}}', 'app.mode': 'm9' })
  })

  it('describes the same graph as the KFP IR', () => sameGraph(p))
})

const report = component({
  name: 'report',
  image: 'alpine',
  inputs: { model: artifact(Model), score: param.float() },
  command: ({ inputs }) => ['report', inputs.model.path, inputs.score.value],
})

describe('nested pipelines', () => {
  const inner = pipeline({ name: 'inner', inputs: { uri: param.string(), epochs: param.int({ default: 2 }), depth: param.int({ optional: true }) } }, (dag, p) => {
    const data = dag.task(prep, { uri: p.uri })
    const fit = dag.task(train, { data: data.outputs.data, epochs: p.epochs, depth: p.depth })
    return { model: fit.outputs.model, score: fit.outputs.score }
  })
  const outer = pipeline({ name: 'outer' }, (dag) => {
    const a = dag.task(inner, { uri: 'gs://a' }, { name: 'a' })
    const b = dag.task(inner, { uri: 'gs://b', depth: 4 }, { name: 'b' }).setDisplayName('Second')
    dag.task(report, { model: a.outputs.model, score: b.outputs.score }, { name: 'final' })
  })
  const docs = compileArgo(outer)

  it('becomes a DAG template with inputs and outputs, one variant per presence of optional inputs', () => {
    const byTask = Object.fromEntries(rootTasks(docs).map((t) => [t['name'], t['template']]))
    const a = template(docs, byTask['a'])
    expect(a['inputs']['parameters'].map((x: Json) => x['name'])).toEqual(['epochs', 'uri', 'typeflow-task'])
    expect(a['outputs']).toEqual({
      parameters: [{ name: 'score', valueFrom: { parameter: '{{tasks.train.outputs.parameters.score}}' } }],
      artifacts: [{ name: 'model', from: '{{tasks.train.outputs.artifacts.model}}' }],
    })
    const b = template(docs, byTask['b'])
    expect(b['inputs']['parameters'].map((x: Json) => x['name'])).toEqual(['depth', 'epochs', 'uri', 'typeflow-task', 'typeflow-display-name'])
    expect(b['annotations']).toEqual({ 'workflows.argoproj.io/display-name': '{{inputs.parameters.typeflow-display-name}}' })
    const final = rootTasks(docs).find((t) => t['name'] === 'final')!
    expect(withoutCache(final['arguments'])).toEqual({
      parameters: [{ name: 'score', value: exprTag(kubeletEncoded("tasks['b'].outputs.parameters['score']")) }, { name: 'typeflow-task', value: 'final' }],
      artifacts: [{ name: 'model', from: '{{tasks.a.outputs.artifacts.model}}' }],
    })
    expect(validateArgoDocuments(docs)).toEqual([])
  })

  it('describes the same graph as the KFP IR', () => sameGraph(outer))

  it('retries the whole nested pipeline when its task has retry, as KFP writes retryPolicy on that task', () => {
    const retried = pipeline({ name: 'retried' }, (dag) => {
      dag.task(inner, { uri: 'gs://a' }, { name: 'again', retry: { count: 2, backoff: '10s' } })
      dag.task(inner, { uri: 'gs://a' }, { name: 'once' })
    })
    const docs = compileArgo(retried)
    const byTask = Object.fromEntries(rootTasks(docs).map((t) => [t['name'], template(docs, t['template'])]))
    expect(byTask['again']!['retryStrategy']).toEqual({ limit: '2', retryPolicy: 'Always', backoff: { duration: '10s', factor: '2', cap: '3600s' } })
    expect(byTask['once']!['retryStrategy']).toBeUndefined()
    expect(validateArgoDocuments(docs)).toEqual([])
  })
})

describe('the KFP executor protocol', () => {
  const returns = component({
    name: 'returns',
    image: 'python:3.12',
    inputs: { text: param.string(), n: param.int() },
    outputs: { Output: param.int(), flag: param.bool(), model: artifact(Model) },
    command: ['python', '-m', 'kfp.dsl.executor_main'],
    args: ({ executorInput }) => ['--executor_input', executorInput, '--function_to_execute', 'f'],
  })
  const p = pipeline({ name: 'protocol' }, (dag) => {
    const r = dag.task(returns, { text: 'say "hi"', n: 3 })
    dag.task(returns, { text: 'x', n: r.outputs.Output }, { name: 'next' })
    return { out: r.outputs.flag }
  })
  const docs = compileArgo(p)

  it('passes an ExecutorInput with local paths as URIs', () => {
    const args = template(docs, 'returns')['container']['args'] as string[]
    expect(args[1]).toBe(
      '{"inputs":{"parameterValues":{"n":{{inputs.parameters.n}},"text":{{=toJson(inputs.parameters[\'text\'])}}},"artifacts":{}},' +
        '"outputs":{"parameters":{"Output":{"outputFile":"/tmp/outputs/Output"},"flag":{"outputFile":"/tmp/outputs/flag"}},' +
        '"artifacts":{"model":{"artifacts":[{"name":"model","type":{"schemaTitle":"system.Model","schemaVersion":"0.0.1"},"uri":"/tmp/outputs/model","metadata":{}}]}},' +
        '"outputFile":"/tmp/outputs/typeflow-executor-output"}}',
    )
    expect(template(docs, 'returns')['outputs']['parameters']).toContainEqual({ name: 'typeflow-executor-output', valueFrom: { path: '/tmp/outputs/typeflow-executor-output', default: '{}' } })
  })

  it('reads returned values from the ExecutorOutput, on one line', () => {
    const next = rootTasks(docs).find((t) => t['name'] === 'next')!
    const n = next['arguments']['parameters'].find((x: Json) => x['name'] === 'n')
    expect(n['value']).toBe(
      exprTag(
        kubeletEncoded(
          "(toJson(get(get(fromJSON(tasks['returns'].outputs.parameters['typeflow-executor-output']),'parameterValues')??{},'Output')??int(trim(tasks['returns'].outputs.parameters['Output']))))",
        ),
      ),
    )
    expect(templates(docs)[0]!['outputs']['parameters'][0]['valueFrom']['expression']).toContain("'flag'")
    expect(argoYaml(docs)).not.toMatch(/\{\{[^}\n]*\n/)
  })

  it('describes the same graph as the KFP IR', () => sameGraph(p))
})

describe('names', () => {
  const odd = component({
    name: 'Odd Component!',
    image: 'alpine',
    inputs: { 'in$put': param.string(), 'typeflow-task': param.string() },
    outputs: { 'out put': param.string() },
    command: ({ inputs, outputs }) => ['x', inputs['in$put'].value, inputs['typeflow-task'].value, outputs['out put'].path],
  })
  const wrapped = pipeline({ name: 'wrapped', inputs: { 'in put': param.string() } }, (dag, i) => {
    const inner = dag.task(odd, { 'in$put': i['in put'], 'typeflow-task': 'inner' })
    return { 'result!': inner.outputs['out put'] }
  })
  const p = pipeline({ name: 'names', inputs: { 'odd$in': param.string({ default: 'v' }) } }, (dag, i) => {
    const first = dag.task(odd, { 'in$put': i['odd$in'], 'typeflow-task': 'user value' }, { name: '1st' })
    const nested = dag.task(wrapped, { 'in put': first.outputs['out put'] }, { name: 'nested' })
    dag.task(odd, { 'in$put': nested.outputs['result!'], 'typeflow-task': 'x' }, { name: `9${'n'.repeat(127)}` })
  })
  const docs = compileArgo(p)

  it('writes valid, unique names and records the originals', () => {
    expect(validateArgoDocuments(docs)).toEqual([])
    const tasks = rootTasks(docs)
    expect(tasks.map((t) => t['name'])).toEqual(['task-1st', 'nested', expect.stringMatching(/^task-9n{100,}-[0-9a-f]{8}$/)])
    expect(tasks[2]!['name'].length).toBeLessThanOrEqual(128)
    const t = template(docs, tasks[0]!['template'])
    expect(t['name']).toBe('odd-component')
    const io = JSON.parse(t['metadata']['annotations']['typeflow.dev/io-names'])
    expect(Object.values(io).sort()).toEqual(['in$put', 'out put', 'typeflow-task'])
    expect(t['inputs']['parameters'].map((x: Json) => x['name'])).toContain('typeflow-task')
    expect(t['inputs']['parameters']).toHaveLength(3 + CACHE_INPUTS.length)
  })

  it('describes the same graph as the KFP IR', () => sameGraph(p))
})

describe('determinism', () => {
  it('does not depend on declaration order', () => {
    const build = (reverse: boolean) =>
      pipeline({ name: 'order' }, (dag) => {
        const names = ['x', 'y', 'z']
        for (const name of reverse ? [...names].reverse() : names) dag.task(prep, { uri: name }, { name })
      })
    expect(argoYaml(compileArgo(build(true)))).toBe(argoYaml(compileArgo(build(false))))
  })

  it('quotes strings go-yaml would read as something else', () => {
    const p = pipeline({ name: 'yaml11', inputs: { y: param.string({ default: 'n' }), e: param.string({ default: '1e3' }) } }, (dag, i) => {
      dag.task(prep, { uri: i.y })
      dag.task(prep, { uri: i.e }, { name: 'e' })
    })
    const text = argoYaml(compileArgo(p))
    expect(text).toContain("- name: 'y'\n      value: 'n'")
    expect(text).toContain("value: '1e3'")
  })
})
