/**
 * Any size: large DAGs are split into nested DAG templates, and over several WorkflowTemplates
 * when one object would be too big, so every object stays within the v4 CRD caps (≤200 templates,
 * ≤200 tasks per DAG, ≤500 input parameters, names ≤128) and under 1 MiB — and still validates
 * and still describes the same graph as the KFP IR.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import type { PipelineNode } from '@typeflow/dsl'
import { artifact, component, Dataset, eq, MAX_NAME_LENGTH, param, pipeline } from '@typeflow/dsl'
import { emitKfp } from '../../packages/compiler/src/compile.ts'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import { syntheticPipeline } from '../bench/synthetic.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { argoGraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { analysed, argoYaml, compileArgo, failures, runArgoValidate, sharedAvailable, warnings, writeTemp } from './helpers.ts'

/** argo-validate.mjs compiles the 2.7 MB CRDs on every run: give it room on a busy machine. */
const VALIDATOR_TIMEOUT = 300_000

const MIB = 1024 * 1024

const link = component({
  name: 'link',
  image: 'alpine:3.20',
  inputs: { x: param.string(), data: artifact(Dataset, { optional: true }) },
  outputs: { y: param.string(), out: artifact(Dataset) },
  command: ({ inputs, outputs }) => ['sh', '-c', 'echo "$0" | tee "$1" > "$2"', inputs.x.value, outputs.y.path, outputs.out.path],
})

const report = component({ name: 'report', image: 'alpine:3.20', inputs: { status: param.finalStatus() }, command: ({ inputs }) => ['report', inputs.status.value] })

/** t0 → t1 → … → tN-1, each passing a parameter and an artifact on. */
function chain(n: number): PipelineNode {
  return pipeline({ name: `chain-${n}`, inputs: { seed: param.string({ default: 'seed' }) } }, (dag, p) => {
    let previous = dag.task(link, { x: p.seed }, { name: 't0' })
    for (let i = 1; i < n; i++) previous = dag.task(link, { x: previous.outputs.y, data: previous.outputs.out }, { name: `t${i}` })
    return { last: previous.outputs.y, data: previous.outputs.out }
  })
}

/** One root feeding n - 1 leaves. */
function fanOut(n: number): PipelineNode {
  return pipeline({ name: `fan-out-${n}`, inputs: { seed: param.string({ default: 'seed' }) } }, (dag, p) => {
    const root = dag.task(link, { x: p.seed }, { name: 'root' })
    for (let i = 1; i < n; i++) dag.task(link, { x: root.outputs.y, data: root.outputs.out }, { name: `leaf-${i}` })
    return { root: root.outputs.y }
  })
}

/** A deterministic pseudo-random DAG with data and ordering-only edges, inside a nested pipeline. */
function tangled(n: number): PipelineNode {
  let state = 42
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648)
  const inner = pipeline({ name: 'tangle', inputs: { seed: param.string(), data: artifact(Dataset) } }, (dag, p) => {
    const tasks = [dag.task(link, { x: p.seed, data: p.data }, { name: 'n0' })]
    for (let i = 1; i < n; i++) {
      const from = tasks[Math.floor(random() * tasks.length)]!
      const dataFrom = random() < 0.3 ? p.data : tasks[Math.floor(random() * tasks.length)]!.outputs.out
      const task = dag.task(link, { x: random() < 0.2 ? p.seed : from.outputs.y, data: dataFrom }, { name: `n${i}` })
      if (random() < 0.3) task.after(tasks[Math.floor(random() * tasks.length)]!)
      tasks.push(task)
    }
    return { y: tasks[tasks.length - 1]!.outputs.y, out: tasks[Math.floor(tasks.length / 2)]!.outputs.out }
  })
  return pipeline({ name: `tangled-${n}`, inputs: { seed: param.string({ default: 's' }) } }, (dag, p) => {
    const start = dag.task(link, { x: p.seed }, { name: 'start' })
    const sub = dag.task(inner, { seed: start.outputs.y, data: start.outputs.out }, { name: 'sub' })
    dag.task(link, { x: sub.outputs.y, data: sub.outputs.out }, { name: 'end' })
  })
}

/** A long chain inside an exit handler, with a loop and conditions: groups inside a partitioned scope. */
function guarded(n: number): PipelineNode {
  return pipeline({ name: `guarded-${n}`, inputs: { seed: param.string({ default: 'seed' }) } }, (dag, p) => {
    dag.exitHandler(
      (status) => dag.task(report, { status }, { name: 'report' }),
      () => {
        let previous = dag.task(link, { x: p.seed }, { name: 't0' })
        for (let i = 1; i < n; i++) {
          const current = dag.task(link, { x: previous.outputs.y, data: previous.outputs.out }, { name: `t${i}` })
          if (i % 50 === 0) {
            const from = current
            dag.if(eq(from.outputs.y, 'stop'), () => void dag.task(link, { x: from.outputs.y }, { name: `stop-${i}` }))
            dag.forEach(['a', 'b'], (x) => void dag.task(link, { x, data: from.outputs.out }, { name: `each-${i}` }), { parallelism: 1 })
          }
          previous = current
        }
      },
    )
  })
}

/** Many conditions side by side: more groups than one DAG may hold. */
function manyConditions(n: number): PipelineNode {
  return pipeline({ name: `conditions-${n}`, inputs: { seed: param.string({ default: 'seed' }) } }, (dag, p) => {
    const root = dag.task(link, { x: p.seed }, { name: 'root' })
    for (let i = 0; i < n; i++) dag.if(eq(root.outputs.y, `v${i}`), () => void dag.task(link, { x: root.outputs.y, data: root.outputs.out }, { name: `when-${i}` }))
  })
}

/** n tasks of n different components: more templates than one object may hold. */
function distinct(n: number): PipelineNode {
  return pipeline({ name: `distinct-${n}` }, (dag) => {
    for (let i = 0; i < n; i++) dag.task(component({ name: `c${i}`, image: `registry.example/c${i}:1`, command: ['true'] }), {}, { name: `t${i}` })
  })
}

/**
 * n components, each echoing a line of `length` characters or more, in a pipeline whose name
 * takes the full 128 characters: templates about as large in YAML as in JSON, so libraries fill
 * up to the budget, and library metadata of several hundred bytes (the name, the namespace).
 */
function longNamed(n: number, length: number): PipelineNode {
  return pipeline({ name: 'a'.repeat(MAX_NAME_LENGTH) }, (dag) => {
    for (let i = 0; i < n; i++) dag.task(component({ name: `c${i}`, image: `registry.example/c${i}:1`, command: ['echo', 'x'.repeat(length + i)] }), {}, { name: `t${i}` })
  })
}

type Json = Record<string, unknown>

const cases: { name: string; pipeline: PipelineNode }[] = [
  ...[250, 1000, 10_000].flatMap((n) => [
    { name: `chain-${n}`, pipeline: chain(n) },
    { name: `fan-out-${n}`, pipeline: fanOut(n) },
  ]),
  { name: 'tangled-1200', pipeline: tangled(1200) },
  { name: 'guarded-1000', pipeline: guarded(1000) },
  { name: 'conditions-450', pipeline: manyConditions(450) },
  { name: 'distinct-450', pipeline: distinct(450) },
]

function templatesOf(doc: Json): Json[] {
  const spec = (doc['kind'] === 'CronWorkflow' ? (doc['spec'] as Json)['workflowSpec'] : doc['spec']) as Json
  return spec['templates'] as Json[]
}

describe('partitioning large pipelines', () => {
  const compiled = cases.map((c) => {
    const started = performance.now()
    const documents = compileArgo(c.pipeline)
    return { ...c, documents, ms: performance.now() - started, yaml: argoYaml(documents) }
  })
  let files: string[] = []
  beforeAll(() => {
    files = writeTemp(compiled.map((c) => ({ name: c.name, text: c.yaml })))
  })

  it.each(compiled.map((c) => [c.name, c] as const))('%s stays within the v4 CRD caps and under 1 MiB per object', (_name, c) => {
    for (const doc of c.documents) {
      const templates = templatesOf(doc)
      expect(templates.length).toBeLessThanOrEqual(200)
      expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThan(MIB)
      expect(Buffer.byteLength(argoYaml([doc]))).toBeLessThan(MIB)
      for (const t of templates) {
        expect(String(t['name'])).toMatch(/^[a-z]([-a-z0-9]{0,126}[a-z0-9])?$/)
        const tasks = ((t['dag'] as Json | undefined)?.['tasks'] ?? []) as Json[]
        expect(tasks.length).toBeLessThanOrEqual(200)
        for (const task of tasks) expect(String(task['name']).length).toBeLessThanOrEqual(128)
        expect((((t['inputs'] as Json | undefined)?.['parameters'] ?? []) as Json[]).length).toBeLessThanOrEqual(500)
      }
    }
    expect(validateArgoDocuments(c.documents)).toEqual([])
  })

  it.each(compiled.map((c) => [c.name, c] as const))('%s: the partitioned Argo DAG describes the same graph as the KFP IR', (_name, c) => {
    const kfp = kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(analysed(c.pipeline)))) as unknown[])
    expect(argoGraphShape(c.documents)).toEqual(kfp)
  })

  it('applies libraries before the object that uses them', () => {
    for (const c of compiled) {
      const defined = new Set<string>()
      for (const doc of c.documents) {
        for (const t of templatesOf(doc)) {
          for (const task of ((t['dag'] as Json | undefined)?.['tasks'] ?? []) as Json[]) {
            const ref = task['templateRef'] as Json | undefined
            if (ref) expect(defined.has(String(ref['name'])), `${c.name}: ${String(ref['name'])}`).toBe(true)
          }
        }
        defined.add(String((doc['metadata'] as Json)['name']))
      }
      expect(c.documents.at(-1)!['kind']).toBe('Workflow')
    }
  })

  it('runs a fan-out level in parallel: the root gets a partition of its own', () => {
    const fan = compiled.find((c) => c.name === 'fan-out-10000')!
    const main = fan.documents.at(-1)!
    const entry = templatesOf(main)[0]!
    const tasks = (entry['dag'] as Json)['tasks'] as Json[]
    expect(tasks.slice(1).every((t) => t['depends'] === tasks[0]!['name'])).toBe(true)
  })

  it('reports the sizes for 10,000 tasks', () => {
    for (const c of compiled.filter((x) => x.name.endsWith('-10000'))) {
      const sizes = c.documents.map((d) => `${String(d['kind'])} ${templatesOf(d).length} templates ${(Buffer.byteLength(argoYaml([d])) / 1024).toFixed(0)} KiB`)
      console.log(`${c.name}: ${c.documents.length} objects in ${c.ms.toFixed(0)} ms, ${(Buffer.byteLength(c.yaml) / 1024).toFixed(0)} KiB of YAML: ${sizes.join('; ')}`)
      expect(c.documents.length).toBeGreaterThan(1)
    }
  })

  it.skipIf(!sharedAvailable).each(['schema', 'crd'] as const)('passes argo-validate.mjs --no-unknown-fields (%s)', (mode) => {
    const run = runArgoValidate(files, mode)
    console.log(`argo-validate (${mode === 'crd' ? '--crd-dir v4 CRDs' : 'schema.json'}) on ${files.length} large pipelines: ${run.summary.documents} documents, ${run.summary.pass} pass, ${run.summary.fail} fail`)
    expect(failures(run)).toEqual([])
    expect(warnings(run)).toEqual([])
  }, VALIDATOR_TIMEOUT)

  it('keeps small pipelines in one object', () => {
    expect(compileArgo(chain(150))).toHaveLength(1)
  })
})

describe('packing under a small object budget', () => {
  // Sizes are measured exactly (each template written once, its JSON size known), so objects
  // fill up to the budget and never over it, in YAML and in JSON, for every kind of object.
  const budgets = [
    { name: 'a tangled DAG of 1,500 in 120 kB objects', pipeline: tangled(1500), options: { maxDocumentBytes: 120_000 } },
    { name: 'a chain of 1,200 as a CronWorkflow in 90 kB objects', pipeline: chain(1200), options: { kind: 'CronWorkflow', schedules: ['0 * * * *'], maxDocumentBytes: 90_000 } },
    { name: '600 components as a WorkflowTemplate in 50 kB objects', pipeline: distinct(600), options: { kind: 'WorkflowTemplate', maxDocumentBytes: 50_000 } },
    // A binary tree of loops, conditions and fan-ins: packed level by level, its partitions would
    // hand hundreds of values to the next level (over 60 kB each); packed by sub-tree, a few.
    { name: 'the nested shape of 3,000 in 60 kB objects', pipeline: syntheticPipeline('nested', 3000), options: { maxDocumentBytes: 60_000 } },
    // Libraries filled to within 200 bytes of the budget, each carrying about 550 bytes of metadata
    // (once counted as 400, which made them 4 to 130 bytes too large).
    ...[3515, 3520, 3530].map((length) => ({
      name: `long commands (${length}+ characters) under a 128-character pipeline name in a 63-character namespace, in 50 kB objects`,
      pipeline: longNamed(60, length),
      options: { kind: 'WorkflowTemplate' as const, namespace: 'n'.repeat(63), maxDocumentBytes: 50_000 },
    })),
  ] as const
  it.each(budgets.map((b) => [b.name, b] as const))('%s: every object within the budget, the written YAML that of the objects', (_name, b) => {
    const { documents, yaml, diagnostics } = emitArgo(analysed(b.pipeline), b.options)
    expect(diagnostics).toEqual([])
    expect(documents.length).toBeGreaterThan(3)
    const texts = documents.map((doc) => argoYaml([doc]))
    expect(yaml).toBe(texts.join('---\n'))
    for (const [i, doc] of documents.entries()) {
      expect(Buffer.byteLength(texts[i]!)).toBeLessThanOrEqual(b.options.maxDocumentBytes)
      expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThanOrEqual(b.options.maxDocumentBytes)
    }
    // Packed, not scattered: at most half again as many objects as the bytes need. (Not tighter:
    // a DAG template is packed as if each of its tasks needed a `templateRef`.)
    const total = texts.reduce((sum, t) => sum + Buffer.byteLength(t), 0)
    expect(documents.length).toBeLessThanOrEqual(Math.ceil((1.5 * total) / b.options.maxDocumentBytes))
    expect(validateArgoDocuments(documents)).toEqual([])
    expect(argoGraphShape(documents)).toEqual(kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(analysed(b.pipeline)))) as unknown[]))
  })

  it('packs a deep tree by sub-tree: each partition hands out a few values, not a level of the tree', () => {
    const { documents } = emitArgo(analysed(syntheticPipeline('nested', 3000)), { maxDocumentBytes: 60_000 })
    const parts = documents.flatMap(templatesOf).filter((t) => /-part-\d+$/.test(String(t['name'])))
    expect(parts.length).toBeGreaterThan(10)
    const handed = parts.map((t) => (((t['outputs'] as Json | undefined)?.['parameters'] ?? []) as unknown[]).length + (((t['outputs'] as Json | undefined)?.['artifacts'] ?? []) as unknown[]).length)
    // Level by level, the largest partition handed out 640 values.
    expect(Math.max(...handed)).toBeLessThanOrEqual(40)
  })
})

describe('a scope too densely connected for the caps', () => {
  it('gets a diagnostic naming the scope and the caps in bounded time, instead of grouping until out of memory', () => {
    // 12,000 tasks in ~110 layers of ~110, each reading 2-3 tasks of the layer before, in 60 kB
    // objects (20 kB templates): groups of partitions barely merge under the input-parameter cap.
    const { documents, diagnostics } = emitArgo(analysed(syntheticPipeline('lattice', 12_000)), { maxDocumentBytes: 60_000 })
    expect(documents).toEqual([])
    expect(diagnostics).toEqual([
      expect.objectContaining({
        code: 'E_SCHEMA',
        path: ['argo', 'synthetic-lattice-12000'],
        message: expect.stringMatching(/could not group its 12000 tasks into DAG templates of at most 200 tasks and 20000 bytes that each take at most 500 input parameters/),
      }),
    ])
  }, 120_000)
})

describe('a dense lattice of 60,000 tasks', () => {
  it('compiles: the input-parameter cap does not count input artifacts, which the v4 CRDs leave uncapped', () => {
    // ~245 layers of ~245 tasks, each reading parameters and artifacts of 2-3 tasks of the layer
    // before: a partition takes up to ~245 parameters and as many artifacts (counted together,
    // more than the cap allows, so this pipeline was refused).
    const lattice = syntheticPipeline('lattice', 60_000)
    const { documents, diagnostics } = emitArgo(analysed(lattice))
    expect(diagnostics).toEqual([])
    const inputs = documents.flatMap(templatesOf).map((t) => t['inputs'] as { parameters?: unknown[]; artifacts?: unknown[] } | undefined)
    const parameters = Math.max(...inputs.map((i) => i?.parameters?.length ?? 0))
    const together = Math.max(...inputs.map((i) => (i?.parameters?.length ?? 0) + (i?.artifacts?.length ?? 0)))
    expect(parameters).toBeLessThanOrEqual(450)
    expect(together).toBeGreaterThan(450)
    expect(validateArgoDocuments(documents)).toEqual([])
    expect(argoGraphShape(documents)).toEqual(kfpGraphShape(JSON.parse(JSON.stringify(emitKfp(analysed(lattice)))) as unknown[]))
  }, 300_000)
})

describe('a template larger than any object', () => {
  it('gets a diagnostic naming it, before packing and writing', () => {
    const huge = component({ name: 'huge', image: 'alpine:3.20', command: ['echo', 'x'.repeat(70_000)] })
    const { documents, yaml, diagnostics } = emitArgo(analysed(pipeline({ name: 'huge-command' }, (dag) => void dag.task(huge))), { maxDocumentBytes: 60_000 })
    expect(documents).toEqual([])
    expect(yaml).toBe('')
    expect(diagnostics).toEqual([
      {
        code: 'E_SCHEMA',
        path: ['argo', 'huge'],
        message: expect.stringMatching(/^template "huge" is 7\d{4} bytes as JSON, over the object limit of 60000, so it fits no object: its own fields are too large; move large constants \(a script, a long command line, a manifest\) into the image or pass them as artifacts$/),
      },
    ])
  })
})
