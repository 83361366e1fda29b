/**
 * The pipeline as a WorkflowTemplate or a CronWorkflow (also split over library WorkflowTemplates),
 * with every per-workflow option set: valid against our schema, schema.json and the v4 CRDs.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { component, param, pipeline } from '@typeflow/dsl'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import type { ArgoOptions } from '../../packages/compiler/src/targets/argo/options.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { argoGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { analysed, argoYaml, compileArgo, examplePipelines, failures, runArgoValidate, sharedAvailable, warnings, writeTemp } from './helpers.ts'

/** argo-validate.mjs compiles the 2.7 MB CRDs on every run: give it room on a busy machine. */
const VALIDATOR_TIMEOUT = 300_000

type Json = Record<string, unknown>

const step = component({
  name: 'step',
  image: 'alpine:3.20',
  inputs: { x: param.string() },
  outputs: { y: param.string() },
  command: ({ inputs, outputs }) => ['sh', '-c', 'echo "$0" > "$1"', inputs.x.value, outputs.y.path],
})
const long = pipeline({ name: 'nightly-chain', inputs: { seed: param.string({ default: 's' }) } }, (dag, p) => {
  let previous = dag.task(step, { x: p.seed }, { name: 't0' })
  for (let i = 1; i < 4000; i++) previous = dag.task(step, { x: previous.outputs.y }, { name: `t${i}` })
})

const everything: ArgoOptions = {
  namespace: 'ml-pipelines',
  serviceAccountName: 'pipeline-runner',
  artifactRepositoryRef: { configMap: 'artifact-repositories', key: 'minio' },
  podGC: { strategy: 'OnPodCompletion', deleteDelayDuration: '30s' },
  ttlStrategy: { secondsAfterSuccess: 3600, secondsAfterFailure: 86400 },
  activeDeadlineSeconds: 7200,
  parallelism: 8,
  imagePullSecrets: ['registry-credentials'],
  securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
}

const examples = await examplePipelines()
const variants = [
  ...examples.flatMap((e) => [
    { name: `${e.name}-template`, pipeline: e.pipeline, options: { ...everything, kind: 'WorkflowTemplate' } as ArgoOptions },
    { name: `${e.name}-cron`, pipeline: e.pipeline, options: { ...everything, kind: 'CronWorkflow', schedules: ['0 3 * * *', '30 12 * * 1-5'], timezone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' } as ArgoOptions },
  ]),
  { name: 'nightly-chain-cron', pipeline: long, options: { kind: 'CronWorkflow', schedules: ['0 1 * * *'] } as ArgoOptions },
  { name: 'nightly-chain-template', pipeline: long, options: { kind: 'WorkflowTemplate', namespace: 'ml' } as ArgoOptions },
]

describe('WorkflowTemplate and CronWorkflow output', () => {
  const compiled = variants.map((v) => ({ ...v, documents: compileArgo(v.pipeline, v.options) }))
  let files: string[] = []
  beforeAll(() => {
    files = writeTemp(compiled.map((c) => ({ name: c.name, text: argoYaml(c.documents) })))
  })

  it('passes the strict schema and keeps the graph', () => {
    for (const c of compiled) {
      expect(validateArgoDocuments(c.documents), c.name).toEqual([])
      expect(argoGraphShape(c.documents).tasks.length, c.name).toBeGreaterThan(0)
    }
  })

  it.skipIf(!sharedAvailable).each(['schema', 'crd'] as const)('passes argo-validate.mjs --no-unknown-fields (%s)', (mode) => {
    const run = runArgoValidate(files, mode)
    const kinds = run.results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.kind ?? '?']: (acc[r.kind ?? '?'] ?? 0) + 1 }), {})
    console.log(`argo-validate (${mode === 'crd' ? '--crd-dir v4 CRDs' : 'schema.json'}) on WorkflowTemplate/CronWorkflow output: ${JSON.stringify(kinds)}, ${run.summary.pass} pass, ${run.summary.fail} fail`)
    expect(failures(run)).toEqual([])
    expect(warnings(run)).toEqual([])
  }, VALIDATOR_TIMEOUT)

  it('writes a CronWorkflow with schedules around the workflow spec', () => {
    const cron = compiled.find((c) => c.name === 'examples/quickstart-cron')!.documents
    expect(cron).toHaveLength(1)
    const doc = cron[0]!
    expect(doc['kind']).toBe('CronWorkflow')
    expect(doc['metadata']).toMatchObject({ name: 'quickstart', namespace: 'ml-pipelines' })
    const spec = doc['spec'] as Json
    expect(spec).toMatchObject({ schedules: ['0 3 * * *', '30 12 * * 1-5'], timezone: 'Europe/Berlin', concurrencyPolicy: 'Forbid' })
    expect(spec['workflowSpec']).toMatchObject({
      entrypoint: 'quickstart',
      arguments: { parameters: [{ name: 'greeting', value: 'Hello, Typeflow!' }, { name: 'times', value: '3' }] },
      serviceAccountName: 'pipeline-runner',
      artifactRepositoryRef: { configMap: 'artifact-repositories', key: 'minio' },
      imagePullSecrets: [{ name: 'registry-credentials' }],
      securityContext: { runAsNonRoot: true, runAsUser: 1000, fsGroup: 2000, seccompProfile: { type: 'RuntimeDefault' } },
      parallelism: 8,
      activeDeadlineSeconds: 7200,
      podGC: { strategy: 'OnPodCompletion', deleteDelayDuration: '30s' },
      ttlStrategy: { secondsAfterSuccess: 3600, secondsAfterFailure: 86400 },
    })
    expect(Object.keys(doc)).toEqual(['apiVersion', 'kind', 'metadata', 'spec'])
  })

  it('writes a WorkflowTemplate with a fixed name and the parameters with their defaults', () => {
    const doc = compiled.find((c) => c.name === 'examples/random-forest-template')!.documents[0]!
    expect(doc).toMatchObject({ kind: 'WorkflowTemplate', metadata: { name: 'random-forest' } })
    expect((doc['spec'] as Json)['arguments']).toEqual({
      parameters: [
        { name: 'nEstimators', value: '200' },
        { name: 'sourceUri', value: 'gs://typeflow-examples/iris.csv' },
      ],
    })
  })

  it('splits a large CronWorkflow into libraries applied first', () => {
    const docs = compiled.find((c) => c.name === 'nightly-chain-cron')!.documents
    expect(docs.length).toBeGreaterThan(1)
    expect(docs.slice(0, -1).every((d) => d['kind'] === 'WorkflowTemplate')).toBe(true)
    expect(docs.at(-1)!['kind']).toBe('CronWorkflow')
  })

  it('uses sensible defaults, and `null` turns them off', () => {
    const graph = analysed(examples[0]!.pipeline)
    const defaults = emitArgo(graph).documents[0]!['spec'] as Json
    expect(defaults['podGC']).toEqual({ strategy: 'OnPodSuccess' })
    expect(defaults['ttlStrategy']).toEqual({ secondsAfterCompletion: 604800 })
    expect(defaults).not.toHaveProperty('serviceAccountName')
    expect(defaults).not.toHaveProperty('artifactRepositoryRef')
    const off = emitArgo(graph, { podGC: null, ttlStrategy: null }).documents[0]!['spec'] as Json
    expect(off).not.toHaveProperty('podGC')
    expect(off).not.toHaveProperty('ttlStrategy')
  })

  it('refuses a CronWorkflow without schedules', () => {
    const result = emitArgo(analysed(examples[0]!.pipeline), { kind: 'CronWorkflow' })
    expect(result.documents).toEqual([])
    expect(result.diagnostics.map((d) => d.path)).toEqual([['argo', 'schedules']])
  })
})
