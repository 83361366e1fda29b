/**
 * Control flow on the Argo target, checked by running the emitted Workflows symbolically (run.ts):
 * conditions pick the right branch (numbers compare as numbers, hostile strings stay literal),
 * loops fan out over every kind of list and fan back in with exactly the produced values, oneOf
 * takes the branch that ran, exit handlers run whatever happens and still fail the run, importers
 * turn URIs into artifact locations, f-strings and embedded JSON arrive exactly, and what Argo
 * cannot express is refused with a diagnostic.
 */
import { describe, expect, it } from 'vitest'
import type { PipelineNode, Task } from '@typeflow/dsl'
import { artifact, collected, component, Dataset, eq, fmt, gt, param, pipeline } from '@typeflow/dsl'
import { computeCacheKeys, runtimeCacheKey } from '../../packages/compiler/src/passes/cache-keys.ts'
import { emitArgo } from '../../packages/compiler/src/targets/argo/emit.ts'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { branches, combos, exits, formats, HOSTILE, importers, logic, loops, read } from './control-flow-pipelines.ts'
import { analysed, compileArgo } from './helpers.ts'
import { type ContainerRun, runWorkflow } from './run.ts'
import { argoSubstitute } from './simulate.ts'
import { exprTag, kubeletDecoded, kubeletEncodedJson } from '../../packages/compiler/src/targets/argo/expr.ts'

type Json = Record<string, any>

const templates = (docs: readonly Json[]): Json[] => docs.flatMap((d) => d['spec']['templates'] as Json[])
const template = (docs: readonly Json[], name: string): Json => templates(docs).find((t) => t['name'] === name)!
const tasksOf = (docs: readonly Json[], name: string): Json[] => template(docs, name)['dag']['tasks']
const ran = (runs: readonly ContainerRun[]) => runs.map((r) => r.task)

/** The value a container received for input `x` (the first command argument after the program). */
const argOf = (run: ContainerRun) => run.argv[1]

describe('conditions', () => {
  const docs = compileArgo(branches)

  it('is a DAG template per group, called with `when`; elif and else negate the earlier branches', () => {
    const inner = tasksOf(docs, 'condition-branches-1')
    expect(inner.map((t) => [t['name'], t['template']])).toEqual([['condition-2', 'condition-2'], ['condition-3', 'condition-3'], ['condition-4', 'condition-4']])
    const n = "int(inputs.parameters['produce-n'])"
    expect(inner.map((t) => t['when'])).toEqual([`{{=${n}>10}}`, `{{=!(${n}>10)&&${n}>5}}`, `{{=!(${n}>10)&&!(${n}>5)}}`])
    expect(template(docs, 'condition-2')['metadata']['annotations']['typeflow.dev/group']).toBe('{"id":"condition-2","kind":"condition"}')
  })

  it.each([
    ['12', 'big'],
    ['11', 'big'],
    ['10', 'medium'],
    ['9', 'medium'],
    ['5', 'small'],
    ['-3', 'small'],
  ])('n = %s runs exactly the %s branch (numbers compare as numbers), and oneOf takes its output', (n, branch) => {
    const result = runWorkflow(docs, {
      outputs: (run) => (run.task === 'produce' ? { n, x: '0', text: '', flag: 'false', items: '[]', rows: '[]' } : { y: `out of ${run.task}` }),
    })
    expect(result.phase).toBe('Succeeded')
    expect(ran(result.runs).filter((t) => ['big', 'medium', 'small'].includes(t))).toEqual([branch])
    expect(result.runs.find((r) => r.task === 'after')!.argv[1]).toBe(`out of ${branch}`)
    expect(result.outputs['chosen']).toBe(`out of ${branch}`)
  })

  const produced = (over: Partial<Record<'n' | 'x' | 'text' | 'flag', string>>) => (run: ContainerRun) =>
    run.task === 'produce' ? { n: '0', x: '0', text: '', flag: 'false', items: '[]', rows: '[]', ...over } : { y: run.task }
  const logicDocs = compileArgo(logic)

  it('keeps hostile string operands literal: no user text in a `when` is Argo syntax', () => {
    const whens = templates(logicDocs).flatMap((t) => (t['dag']?.['tasks'] ?? []) as Json[]).map((t) => t['when']).filter(Boolean) as string[]
    expect(whens.length).toBeGreaterThan(8)
    for (const when of whens) {
      expect(when.startsWith('{{=') && when.endsWith('}}')).toBe(true)
      const inner = when.slice(3, -2)
      expect(inner).not.toMatch(/\{\{|\}\}|\s|"/)
      // A tag with both `?` and `:` would be split by Argo as a ternary.
      expect(inner.includes('?') && inner.includes(':')).toBe(false)
    }
  })

  it.each(HOSTILE.map((text, i) => [i, text] as const))('a hostile output #%i compares equal to the same constant, and only to it', (i, text) => {
    const result = runWorkflow(logicDocs, { outputs: produced({ text }) })
    const hostile = ran(result.runs).filter((t) => t.startsWith('hostile-'))
    expect(hostile).toEqual([`hostile-${i}`])
    expect(ran(result.runs).includes('on-text')).toBe(text === HOSTILE[1])
  })

  it('compares struct fields and items of unknown type by the JSON value they hold, as KFP does: 10 > 3', () => {
    const show = component({ name: 'show', image: 'alpine:3.20', inputs: { v: param.float() }, command: ({ inputs }) => ['echo', inputs.v.value] })
    const gen = component({ name: 'gen', image: 'alpine:3.20', outputs: { xs: param.list<number>() } })
    const docs = compileArgo(
      pipeline({ name: 'untyped' }, (dag) => {
        dag.forEach([{ n: 1 }, { n: 10 }, { n: 2.5 }], (x) => void dag.if(gt(x.field('n'), 3), () => void dag.task(show, { v: x.field('n') }, { name: 'field' })))
        dag.forEach(dag.task(gen).outputs.xs, (x) => void dag.if(gt(x, 3), () => void dag.task(show, { v: x }, { name: 'item' })))
        dag.forEach([{ on: true }, { on: false }], (x) => void dag.if(eq(x.field('on'), true), () => void dag.task(show, { v: 1 }, { name: 'flag' })))
      }),
    )
    const result = runWorkflow(docs, { outputs: (run) => (run.task === 'gen' ? { xs: '[1, 10, 2.5, 30]' } : {}) })
    expect(result.runs.filter((r) => r.task !== 'gen').map((r) => `${r.task}:${argOf(r)}`).sort()).toEqual(['field:10', 'flag:1', 'item:10', 'item:30'])
  })

  it('a task after one inside a condition runs only if the condition held, as on KFP (Argo counts a skip as done)', () => {
    const step = component({ name: 'step', image: 'alpine:3.20', inputs: { v: param.string() }, command: ({ inputs }) => ['echo', inputs.v.value] })
    const docs = compileArgo(
      pipeline({ name: 'after-skip', inputs: { go: param.bool({ default: false }) } }, (dag, p) => {
        let deploy: Task | undefined
        dag.if(eq(p.go, true), () => void (deploy = dag.task(step, { v: 'deploy' }, { name: 'deploy' })))
        dag.task(step, { v: 'announce' }, { name: 'announce' }).after(deploy!)
      }),
    )
    expect(tasksOf(docs, 'after-skip').find((t) => t['name'] === 'announce')!['depends']).toBe('condition-1.Succeeded')
    expect(ran(runWorkflow(docs).runs)).toEqual([])
    expect(ran(runWorkflow(docs, { parameters: { go: 'true' } }).runs)).toEqual(['deploy', 'announce'])
  })

  it('compares floats with a float parameter, booleans as booleans, and a hostile default with its constant', () => {
    expect(ran(runWorkflow(logicDocs, { outputs: produced({ x: '0.75' }) }).runs)).toContain('on-number')
    expect(ran(runWorkflow(logicDocs, { outputs: produced({ x: '0.25' }) }).runs)).not.toContain('on-number')
    expect(ran(runWorkflow(logicDocs, { outputs: produced({ x: '0.25', flag: 'True' }) }).runs)).toContain('on-number')
    expect(ran(runWorkflow(logicDocs, { outputs: produced({ x: '0.01' }), parameters: { limit: '1e-3' } }).runs)).toContain('on-number')
    // The default of `mode` is hostile text; it equals the hostile constant.
    expect(ran(runWorkflow(logicDocs, { outputs: produced({}) }).runs)).toContain('on-mode')
    expect(ran(runWorkflow(logicDocs, { outputs: produced({}), parameters: { mode: 'other' } }).runs)).not.toContain('on-mode')
    expect(ran(runWorkflow(logicDocs, { outputs: produced({ n: '3' }) }).runs)).not.toContain('on-n')
    expect(ran(runWorkflow(logicDocs, { outputs: produced({ n: '30' }) }).runs)).toContain('on-n')
  })
})

describe('loops', () => {
  const docs = compileArgo(loops)
  const outputs = (run: ContainerRun) => {
    if (run.task === 'produce') return { n: '0', x: '0', text: '', flag: 'false', items: '["10", "x y", "{\\"k\\": 1}"]', rows: '[{"a": 1, "b": "r1"}, {"a": 2, "b": "r{{2"}]' }
    // Outputs are run-time values: Argo would substitute a `{{` in them like in any parameter, so
    // these are plain, and look like JSON to check that fan-in keeps strings strings.
    if (run.template === 'echo') return { y: run.task === 'each-static' ? String(argOf(run)!.length) : argOf(run)! }
    if (run.template === 'count') return { m: run.argv[1]! }
    return {}
  }
  const result = runWorkflow(docs, { outputs })

  it('iterates static lists with withItems (strings brace-encoded), struct items through {{item.<field>}}', () => {
    const root = tasksOf(docs, 'cf-loops')
    const rows = root.find((t) => t['name'] === 'for-loop-4')!
    expect(rows['withItems']).toEqual([{ a: 1, b: 'x$(TYPEFLOW_LBRACE){y' }, { a: 2, b: 'z' }])
    expect(rows['arguments']['parameters'].map((p: Json) => p['value'])).toEqual(['{{item}}', '{{item.a}}', '{{item.b}}'])
    expect(result.runs.filter((r) => r.task === 'each-row').map(argOf)).toEqual(['x{{y', 'z'])
    expect(result.runs.filter((r) => r.task === 'count-row').map((r) => r.argv[1])).toEqual(['1', '2'])
  })

  it('delivers hostile static items literally to the container', () => {
    expect(result.runs.filter((r) => r.task === 'each-static').map(argOf)).toEqual([...HOSTILE])
  })

  it('iterates a list parameter and a list output with withParam (struct items too)', () => {
    const root = tasksOf(docs, 'cf-loops')
    // A list parameter holds kubelet text (its default, or what `argo submit -p` gave): decoded,
    // then encoded as every list iterated, so that each item is a safe template input.
    expect(root.find((t) => t['name'] === 'for-loop-5')!['withParam']).toBe(exprTag(kubeletEncodedJson(kubeletDecoded("workflow.parameters['names']"))))
    // A list read at run time is encoded for the template inputs its items become, and stays JSON.
    expect(root.find((t) => t['name'] === 'for-loop-6')!['withParam']).toBe(exprTag(kubeletEncodedJson("tasks['produce'].outputs.parameters['items']")))
    expect(result.runs.filter((r) => r.task === 'each-name').map(argOf)).toEqual(['ann', 'bob'])
    expect(result.runs.filter((r) => r.task === 'each-item').map(argOf)).toEqual(['10', 'x y', '{"k": 1}'])
    expect(result.runs.filter((r) => r.task === 'each-output-row').map(argOf)).toEqual(['r1', 'r{{2'])
  })

  it('fans in exactly the produced values (strings stay strings), also across nested loops', () => {
    const gathered = (task: string) => JSON.parse(result.runs.find((r) => r.task === task)!.argv[1]!)
    expect(gathered('gather-static')).toEqual(HOSTILE.map((h) => String(h.length)))
    expect(gathered('gather-items')).toEqual(['10', 'x y', '{"k": 1}'])
    expect(gathered('gather-pairs')).toEqual([['1-p', '1-q'], ['2-p', '2-q']])
    expect(template(docs, 'for-loop-6')['outputs']['parameters']).toEqual([{ name: 'each-item-y', valueFrom: { expression: "toJson(tasks['each-item'].outputs.parameters['y'])" } }])
  })

  it('limits parallelism on the template holding the loop: a wrapper among siblings, the body of an outer loop otherwise', () => {
    expect(tasksOf(docs, 'cf-loops').find((t) => t['name'] === 'for-loop-2')!['template']).toBe('for-loop-2-parallelism')
    const wrapper = template(docs, 'for-loop-2-parallelism')
    expect(wrapper['parallelism']).toBe(2)
    expect(wrapper['dag']['tasks'].map((t: Json) => [t['name'], t['template']])).toEqual([['for-loop-2', 'for-loop-2']])
    expect(template(docs, 'for-loop-9')['parallelism']).toBe(1)
    expect(template(docs, 'cf-loops')['parallelism']).toBeUndefined()
    expect(result.limits).toEqual(new Map([['for-loop-2-parallelism', 2], ['for-loop-9', 1]]))
  })

  it('refuses loops over artifacts and fan-in of artifacts, with diagnostics', () => {
    const made = component({ name: 'made', image: 'alpine', outputs: { data: artifact(Dataset) }, command: ({ outputs }) => ['m', outputs.data.path] })
    const readAll = component({ name: 'read-all', image: 'alpine', inputs: { data: artifact.list(Dataset) }, command: ({ inputs }) => ['r', inputs.data.path] })
    const p = pipeline({ name: 'artifact-loops' }, (dag) => {
      let m: ReturnType<typeof dag.task<{}, typeof made.outputs>> | undefined
      dag.forEach([1, 2], () => void (m = dag.task(made)))
      dag.task(readAll, { data: collected(m!.outputs.data) })
    })
    const { diagnostics, documents } = emitArgo(analysed(p))
    expect(documents).toEqual([])
    expect(diagnostics.map((d) => d.code)).toEqual(['E_SCHEMA'])
    expect(diagnostics[0]!.message).toMatch(/cannot express a fan-in of artifacts/)
  })
})

describe('exit handlers and ignoreUpstreamFailure', () => {
  const docs = compileArgo(exits)
  const root = tasksOf(docs, 'cf-exits')
  const byName = (name: string) => root.find((t) => t['name'] === name)!
  const any = (t: string) => `(${t}.Succeeded || ${t}.Failed || ${t}.Errored || ${t}.Skipped || ${t}.Omitted)`

  it('runs the exit task after the guarded group whatever its outcome; the DAG does not fail fast and still fails', () => {
    expect(byName('report-ok')['depends']).toBe(any('exit-handler-1'))
    expect(byName('report-failed')['depends']).toBe(any('exit-handler-2'))
    expect(byName('cleanup')['depends']).toBe(any('flaky'))
    const dag = template(docs, 'cf-exits')['dag']
    expect(dag['failFast']).toBe(false)
    expect(dag['target'].split(' ').sort()).toEqual(['cleanup', 'exit-handler-1', 'exit-handler-2', 'flaky', 'report-failed', 'report-ok'])
    expect(template(docs, 'exit-handler-2')['annotations']).toEqual({ 'workflows.argoproj.io/display-name': 'guarded' })
  })

  it('passes the final status as KFP PipelineTaskFinalStatus JSON', () => {
    const result = runWorkflow(docs, { outputs: (run) => (run.template === 'fail' ? 'fail' : run.template === 'echo' ? { y: 'ok' } : {}) })
    expect(result.phase).toBe('Failed')
    expect(ran(result.runs).sort()).toEqual(['breaks', 'cleanup', 'flaky', 'report-failed', 'report-ok', 'works'])
    const status = (task: string) => JSON.parse(result.runs.find((r) => r.task === task)!.argv[1]!)
    expect(status('report-ok')).toEqual({ state: 'SUCCEEDED', pipelineJobResourceName: 'wf-run', pipelineTaskName: 'exit-handler-1', error: {} })
    expect(status('report-failed')).toEqual({ state: 'FAILED', pipelineJobResourceName: 'wf-run', pipelineTaskName: 'exit-handler-2', error: {} })
    expect(status('cleanup')['state']).toBe('FAILED')
    expect(result.runs.find((r) => r.task === 'report-failed')!.argv[2]).toBe('oncall@acme.dev')
  })

  it('succeeds when nothing fails', () => {
    const result = runWorkflow(docs, { outputs: (run) => (run.template === 'echo' ? { y: 'ok' } : {}) })
    expect(result.phase).toBe('Succeeded')
    expect(ran(result.runs)).toContain('never')
  })
})

describe('groups inside groups', () => {
  const docs = compileArgo(combos)

  it('runs an exit handler, an if/else with oneOf and a nested pipeline in each iteration, and fans in', () => {
    const result = runWorkflow(docs, {
      outputs: (run) => {
        if (run.task === 'produce') return { n: '1', x: '0', text: '', flag: 'false', items: '["x","y"]', rows: '[]' }
        if (run.template === 'echo') return { y: `${run.task}:${argOf(run)}` }
        return {}
      },
    })
    expect(result.phase).toBe('Succeeded')
    expect(ran(result.runs).sort()).toEqual(['each-picked', 'each-picked', 'each-report', 'each-report', 'each-yes', 'gather-all', 'inner-echo', 'produce'])
    expect(result.runs.filter((r) => r.task === 'each-picked').map(argOf)).toEqual(['each-yes:x', 'inner-echo:y'])
    expect(JSON.parse(result.runs.find((r) => r.task === 'gather-all')!.argv[1]!)).toEqual(['each-picked:each-yes:x', 'each-picked:inner-echo:y'])
    expect(result.runs.filter((r) => r.task === 'each-report').map((r) => JSON.parse(r.argv[1]!).state)).toEqual(['SUCCEEDED', 'SUCCEEDED'])
    expect([...result.limits]).toEqual([[expect.stringMatching(/^for-loop-\d+-parallelism$/), 3]])
  })

  it('writes an empty group as a zero-length suspend', () => {
    const empty = template(docs, 'condition-1')
    expect(empty).toEqual({ name: 'condition-1', metadata: { annotations: { 'typeflow.dev/group': '{"id":"condition-1","kind":"condition"}' } }, suspend: { duration: '0' } })
    expect(tasksOf(docs, 'cf-combos').find((t) => t['name'] === 'condition-1')!['when']).toBe("{{=int(workflow.parameters['n'])>100}}")
  })
})

describe('importers', () => {
  const docs = compileArgo(importers)
  const replace = (text: string, from: string, to: string) => `join(split(${text},'${from}'),'${to}')`
  const DECODED_URI = replace(replace(replace(replace(replace("inputs.parameters['uri']", '%', '%e'), '\\x24\\x24', '%d'), '\\x24\\x28TYPEFLOW_LBRACE\\x29', '\\x7b'), '%d', '\\x24'), '%e', '%')

  it('bring a URI in as an artifact location chosen by its scheme', () => {
    const locations = templates(docs).filter((t) => t['name'].startsWith('importer')).map((t) => t['inputs']['artifacts'][0])
    expect(locations).toEqual([
      { name: 'artifact', path: '/tmp/inputs/artifact/data', gcs: { bucket: 'ml-data', key: 'train.csv' } },
      {
        name: 'artifact',
        path: '/tmp/inputs/artifact/data',
        // The URI as the kubelet decodes it (`$$` → `$`, `$(TYPEFLOW_LBRACE)` → `{`), split into bucket and key.
        s3: { bucket: `{{=split(${DECODED_URI},'/')[2]}}`, key: `{{=join(split(${DECODED_URI},'/')[3:],'/')}}` },
      },
      { name: 'artifact', path: '/tmp/inputs/artifact/data', http: { url: 'https://example.com/data.csv' } },
    ])
    const result = runWorkflow(docs, { outputs: (run) => (run.task === 'produce' ? { n: '2', x: '0', text: '', flag: 'false', items: '[]', rows: '[]' } : {}) })
    expect(result.runs.find((r) => r.task === 'read-given')!.artifacts).toEqual({ data: 'importer-2/artifact' })
    expect(result.runs.find((r) => r.task === 'importer-2')!.argv.at(-1)).toBe('s3://bucket/path/to/data.csv')
  })

  it('imports the object a run-time URI names, although parameter values are written kubelet-encoded', () => {
    // `$` before `(` or at the end is written `$$`, a `{` before a value `$(TYPEFLOW_LBRACE)`: the
    // artifact location must decode both, as the kubelet does for the importer's own argv.
    for (const uri of ['gs://b/a$(HOME)/x$$y/z{', 'gs://b/$(TYPEFLOW_LBRACE)%e%d{', 's3://b/${k}$']) {
      const p = pipeline({ name: 'uri', inputs: { uri: param.string({ default: uri }) } }, (dag, q) => {
        dag.task(read, { data: dag.importer({ uri: q.uri, type: Dataset }).outputs.artifact })
      })
      const docs = compileArgo(p)
      const result = runWorkflow(docs)
      const importer = result.runs.find((r) => r.task === 'importer')!
      expect(importer.argv.at(-1), uri).toBe(uri)
      const location = template(docs, importer.template)['inputs']['artifacts'][0]
      const vars = new Map(Object.entries(importer.inputs).map(([k, v]) => [`inputs.parameters.${k}`, v]))
      const scheme = uri.startsWith('gs:') ? 'gcs' : 's3'
      for (const passes of [1, 3]) {
        expect(argoSubstitute(location[scheme], vars, passes), uri).toEqual({ bucket: 'b', key: uri.slice('gs://b/'.length) })
      }
    }
  })

  it('imports a URI built at run time when its text starts with the scheme (fmt`gs://b/${item}`); refuses one that does not, saying why', () => {
    const built = pipeline({ name: 'built' }, (dag) => {
      dag.forEach(['a.csv', 'b$(x).csv'], (it) => void dag.task(read, { data: dag.importer({ uri: fmt`gs://ml/models/${it}`, type: Dataset }).outputs.artifact }))
    })
    const docs = compileArgo(built)
    expect(validateArgoDocuments(docs)).toEqual([])
    const importers = runWorkflow(docs).runs.filter((r) => r.task === 'importer')
    expect(importers.map((r) => r.argv.at(-1))).toEqual(['gs://ml/models/a.csv', 'gs://ml/models/b$(x).csv'])
    for (const run of importers) {
      const location = template(docs, run.template)['inputs']['artifacts'][0]
      const vars = new Map(Object.entries(run.inputs).map(([k, v]) => [`inputs.parameters.${k}`, v]))
      expect(argoSubstitute(location['gcs'], vars, 3)).toEqual({ bucket: 'ml', key: `models/${run.argv.at(-1)!.split('/').at(-1)}` })
    }
    const unknown = pipeline({ name: 'built', inputs: { base: param.string() } }, (dag, q) => {
      dag.forEach(['a.csv'], (it) => void dag.importer({ uri: fmt`${q.base}/${it}`, type: Dataset }))
    })
    expect(emitArgo(analysed(unknown)).diagnostics.map((d) => d.message)).toEqual([expect.stringContaining('an importer URI read from text built at run time that does not start with its scheme')])
  })

  it('refuses a URI holding `{{`: Argo would substitute it in the artifact location', () => {
    for (const uri of ['gs://b/{{workflow.name}}', 'https://h/{{']) {
      const given = pipeline({ name: 'braces', inputs: { uri: param.string({ default: uri }) } }, (dag, q) => void dag.importer({ uri: q.uri, type: Dataset }))
      const fixed = pipeline({ name: 'braces', inputs: {} }, (dag) => void dag.importer({ uri, type: Dataset }))
      for (const p of [given, fixed]) {
        const { diagnostics } = emitArgo(analysed(p))
        expect(diagnostics.map((d) => [d.code, d.path.join('.')]), uri).toEqual([['E_INVALID_CONSTANT', 'tasks.importer.inputs.uri']])
      }
    }
  })

  it('refuses URIs Argo has no driver for', () => {
    const p = pipeline({ name: 'oci' }, (dag) => void dag.importer({ uri: 'oci://registry/model:1', type: Dataset }))
    const { diagnostics } = emitArgo(analysed(p))
    expect(diagnostics.map((d) => [d.code, d.path.join('.')])).toEqual([['E_INVALID_CONSTANT', 'tasks.importer.inputs.uri']])
  })
})

describe('f-strings and embedded values', () => {
  const docs = compileArgo(formats)
  const result = runWorkflow(docs, { outputs: (run) => (run.task === 'produce' ? { n: '7', x: '0', text: 'a{{b', flag: 'true', items: '[]', rows: '[]' } : run.template === 'echo' ? { y: '' } : {}) })

  it('build the text from literal pieces and values, hostile pieces staying literal', () => {
    expect(result.runs.find((r) => r.task === 'formatted')!.argv[1]).toBe(`${HOSTILE[0]}|ann {{x}}|{7}|${HOSTILE[2]}`)
    expect(result.runs.filter((r) => r.task === 'formatted-item').map((r) => r.argv[1])).toEqual(['{{i{{1}} of ann {{x}}', '{{j}} of ann {{x}}'])
  })

  it('embed values in JSON, strings quoted', () => {
    const run = result.runs.find((r) => r.task === 'embedded')!
    expect(JSON.parse(run.argv[1]!)).toEqual({ who: 'ann {{x}}', n: 7, text: '{a{{b}', fixed: HOSTILE[1] })
    expect(JSON.parse(run.argv[2]!)).toEqual(['ann {{x}}', 1, true])
  })

  it('writes no user `{{` anywhere in the manifest', () => {
    const text = JSON.stringify(docs)
    const tags = [...text.matchAll(/\{\{(.*?)\}\}/g)].map((m) => m[1]!)
    for (const tag of tags) expect(tag).toMatch(/^(?:workflow\.(?:parameters\.[-\w]+|name)|inputs\.parameters\.[-\w]+|tasks\.[-\w]+\.outputs\.parameters\.[-\w]+|item(?:\.[-\w]+)?|=[^{}\s"]+)$/)
  })
})

describe('memoize', () => {
  const step = component({ name: 'step', image: 'alpine', inputs: { x: param.string(), n: param.int({ default: 1 }) }, outputs: { y: param.string() }, command: ({ inputs, outputs }) => ['s', inputs.x.value, inputs.n.value, outputs.y.path] })
  const build = (first: string, second: string, caching = true) =>
    pipeline({ name: 'memo', inputs: { seed: param.string({ default: 's' }), other: param.string({ default: 'o' }) } }, (dag, p) => {
      const a = dag.task(step, { x: p.seed }, { name: first })
      dag.task(step, { x: a.outputs.y, n: 2 }, { name: second, caching })
      dag.task(step, { x: 'fixed' }, { name: 'fixed' })
      dag.forEach(['u', 'v'], (item) => void dag.task(step, { x: item }, { name: 'looped' }))
      dag.if(eq(p.other, 'o'), () => void dag.task(step, { x: p.other }, { name: 'guarded' }))
    })
  const structsStep = component({ name: 'structs-step', image: 'alpine', inputs: { cfg: param.struct() }, outputs: { y: param.string() }, command: ({ inputs, outputs }) => ['s', inputs.cfg.value, outputs.y.path] })
  const keysOf = (p: PipelineNode, parameters: Record<string, string> = {}) => {
    const docs = compileArgo(p)
    const runs = runWorkflow(docs, { parameters, outputs: () => ({ y: 'y' }) }).runs
    return Object.fromEntries(runs.map((r) => [`${r.task}${r.argv[1] === 'u' || r.argv[1] === 'v' ? `:${r.argv[1]}` : ''}`, r.memoizeKey]))
  }

  it('puts memoize on cacheable tasks, with valid ConfigMap keys', () => {
    const docs = compileArgo(build('first', 'second'))
    const memo = template(docs, 'step')['memoize']
    expect(memo).toEqual({ key: '{{inputs.parameters.typeflow-memoize-key}}', maxAge: '720h', cache: { configMap: { name: 'typeflow-cache' } } })
    const keys = keysOf(build('first', 'second'))
    for (const key of Object.values(keys)) expect(key).toMatch(/^[0-9a-f]{64}$/)
    expect(validateArgoDocuments(docs)).toEqual([])
  })

  it('gives renamed tasks the same keys', () => {
    const a = keysOf(build('first', 'second'))
    const b = keysOf(build('renamed-1', 'renamed-2'))
    expect(b['renamed-1']).toBe(a['first'])
    expect(b['renamed-2']).toBe(a['second'])
    expect(b['fixed']).toBe(a['fixed'])
  })

  it('changes the key when a pipeline input the task depends on changes, and only then', () => {
    const base = keysOf(build('first', 'second'))
    const changed = keysOf(build('first', 'second'), { seed: 'another seed' })
    expect(changed['first']).not.toBe(base['first'])
    expect(changed['second']).not.toBe(base['second'])
    expect(changed['fixed']).toBe(base['fixed'])
    expect(changed['guarded']).toBe(base['guarded'])
    const other = keysOf(build('first', 'second'), { other: 'o' })
    expect(other).toEqual(base)
  })

  it('is the key the local runner computes (runtimeCacheKey), from the same digest and run-time values', () => {
    const p = build('first', 'second')
    const keys = computeCacheKeys(analysed(p))
    const parameters = { seed: 'a "quoted" seed', other: 'o' }
    const argo = keysOf(p, parameters)
    expect(argo['first']).toBe(runtimeCacheKey(keys.get('first')!, parameters, {}))
    expect(argo['second']).toBe(runtimeCacheKey(keys.get('second')!, parameters, {}))
    expect(argo['fixed']).toBe(runtimeCacheKey(keys.get('fixed')!, parameters, {}))
    const loop = keys.get('looped')!.loopItems[0]!
    expect(argo['looped:u']).toBe(runtimeCacheKey(keys.get('looped')!, parameters, { [loop]: 'u' }))
    const counted = pipeline({ name: 'typed', inputs: { n: param.int({ default: 3 }), cfg: param.struct({ default: { b: 1, a: [true, 'x'] } }) } }, (dag, q) => {
      dag.task(step, { x: 'fixed', n: q.n }, { name: 'uses-n' })
      dag.forEach([{ k: 2, j: 'y' }], (row) => void dag.task(step, { x: row.field('j') }, { name: 'uses-row' }))
      dag.task(structsStep, { cfg: q.cfg }, { name: 'uses-cfg' })
    })
    const typedKeys = computeCacheKeys(analysed(counted))
    const got = keysOf(counted)
    expect(got['uses-n']).toBe(runtimeCacheKey(typedKeys.get('uses-n')!, { n: 3 }, {}))
    expect(got['uses-cfg']).toBe(runtimeCacheKey(typedKeys.get('uses-cfg')!, { cfg: { b: 1, a: [true, 'x'] } }, {}))
    const rowLoop = typedKeys.get('uses-row')!.loopItems[0]!
    expect(got['uses-row']).toBe(runtimeCacheKey(typedKeys.get('uses-row')!, {}, { [rowLoop]: { k: 2, j: 'y' } }))
  })

  it('keys loop iterations by their item', () => {
    const keys = keysOf(build('first', 'second'))
    expect(keys['looped:u']).not.toBe(keys['looped:v'])
  })

  it('leaves out tasks that are not cacheable, and can be turned off or configured', () => {
    const keys = keysOf(build('first', 'second', false))
    expect(keys['second']).toBeUndefined()
    expect(keys['first']).toBeDefined()
    const off = emitArgo(analysed(build('first', 'second')), { memoize: false }).documents
    expect(templates(off).some((t) => 'memoize' in t)).toBe(false)
    expect(template(off, 'step')['metadata']['annotations']['typeflow.dev/cache-key']).toBe('{{inputs.parameters.typeflow-cache-key}}')
    const configured = emitArgo(analysed(build('first', 'second')), { memoize: { configMap: 'team-cache', maxAge: '24h' } }).documents
    expect(template(configured, 'step')['memoize']).toEqual({ key: '{{inputs.parameters.typeflow-memoize-key}}', maxAge: '24h', cache: { configMap: { name: 'team-cache' } } })
    const wrong = emitArgo(analysed(build('first', 'second')), { memoize: { configMap: 'Team Cache', maxAge: '1 day' } }).diagnostics
    expect(wrong.map((d) => d.path.join('.'))).toEqual(['argo.memoize.maxAge', 'argo.memoize.configMap'])
  })

  it('annotates pods with the compile-time digest', () => {
    const docs = compileArgo(build('first', 'second'))
    const fixed = tasksOf(docs, 'memo').find((t) => t['name'] === 'fixed')!
    const digest = fixed['arguments']['parameters'].find((p: Json) => p['name'] === 'typeflow-cache-key')['value']
    expect(digest).toMatch(/^[0-9a-f]{64}$/)
    expect(keysOf(build('first', 'second'))['fixed']).toBe(digest)
  })
})
