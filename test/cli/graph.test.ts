import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { artifact, collected, component, Dataset, gt, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { compile, computeCacheKeys } from '@typeflow/compiler'
import fraudTraining from '../../examples/fraud-training/pipeline.ts'
import quickstart from '../../examples/quickstart/pipeline.ts'
import randomForest from '../../examples/random-forest/pipeline.ts'
import { typeflowInProcess } from './in-process.ts'
import { graphModel, type GraphModel, parseRunStatus, type RunStatusMap, toHtml, toMermaid, toSvg } from '../../packages/cli/src/graph/index.ts'
import { DETAILED_LAYOUT_SIZE } from '../../packages/cli/src/graph/svg.ts'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'packages/cli/bin/typeflow.mjs')

function typeflow(...args: string[]) {
  const run = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

function analyse(p: PipelineNode) {
  const result = compile(p)
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
  return result.analysed
}

function modelOf(p: PipelineNode, run?: RunStatusMap): GraphModel {
  const analysed = analyse(p)
  return graphModel(analysed, computeCacheKeys(analysed), run)
}

/**
 * A small XML well-formedness check for our output (no comments, CDATA or DTDs in it): tags
 * balance, attributes are quoted, and text holds no raw `<` or stray `&`.
 */
function expectWellFormed(xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '')
  const stack: string[] = []
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y
  let at = 0
  while (at < body.length) {
    const lt = body.indexOf('<', at)
    const text = body.slice(at, lt === -1 ? body.length : lt)
    expect(text, 'text with a stray &').not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/)
    if (lt === -1) break
    tag.lastIndex = lt
    const m = tag.exec(body)
    if (!m) throw new Error(`malformed markup at ${lt}: ${body.slice(lt, lt + 80)}`)
    expect(m[3] ?? '', 'attribute with a stray &').not.toMatch(/&(?!(amp|lt|gt|quot|#\d+);)/)
    if (m[1]) expect(stack.pop(), `closing </${m[2]}>`).toBe(m[2])
    else if (!m[4]) stack.push(m[2]!)
    at = tag.lastIndex
  }
  expect(stack).toEqual([])
}

/** Every `<g … transform="translate(x,y)">` with the given attribute, and the size of its first rect. */
function boxes(svg: string, attribute: 'data-task' | 'data-group'): Map<string, { x: number; y: number; w: number; h: number }> {
  const out = new Map<string, { x: number; y: number; w: number; h: number }>()
  const re = new RegExp(`<g class="(?:node|cluster) [^"]*"[^>]*? ${attribute}="([^"]+)"[^>]*transform="translate\\(([-\\d.]+),([-\\d.]+)\\)"[^>]*>(?:<title>[^<]*</title>)?(?:<rect x="5"[^>]*>)?<rect [^>]*?width="([\\d.]+)" height="([\\d.]+)"`, 'g')
  for (const m of svg.matchAll(re)) out.set(m[1]!, { x: Number(m[2]), y: Number(m[3]), w: Number(m[4]), h: Number(m[5]) })
  return out
}

const HOSTILE = `<script>alert("pwned & 'owned'")</script>`

const producer = component({ name: 'produce', image: 'ghcr.io/acme/tools:1.0', outputs: { n: param.int(), data: artifact(Dataset) } })
const consumer = component({ name: 'consume', image: 'ghcr.io/acme/tools:1.0', inputs: { n: param.int() }, outputs: { out: param.int() } })
const gather = component({ name: 'gather', image: 'ghcr.io/acme/tools:1.0', inputs: { ns: param.list<number>() } })
const useData = component({ name: 'use-data', image: 'ghcr.io/acme/tools:1.0', inputs: { data: artifact(Dataset) } })

/** A loop with a fan-in, an importer, a nested pipeline, an `after`, and hostile display names. */
const kitchenSink = (() => {
  const inner = pipeline({ name: 'inner', inputs: { n: param.int() } }, (dag, p) => {
    dag.task(consumer, { n: p.n })
  })
  return pipeline({ name: 'kitchen-sink', description: `Every kind of node ${HOSTILE}`, inputs: { uri: param.string({ default: 'gs://b/x' }) } }, (dag, p) => {
    const first = dag.task(producer).setDisplayName(HOSTILE)
    const imported = dag.importer({ uri: p.uri, type: Dataset })
    dag.task(useData, { data: imported.outputs.artifact }, { name: 'use-imported' })
    const outs = dag.forEach([1, 2, 3], (x) => dag.task(consumer, { n: x }).outputs.out, { parallelism: 2, displayName: `loop "${HOSTILE}"` })
    dag.task(gather, { ns: outs })
    dag.if(gt(first.outputs.n, 3), () => {
      dag.task(inner, { n: first.outputs.n }, { name: 'nested' })
    }, { displayName: `if ${HOSTILE}` })
    dag.task(consumer, { n: 1 }, { name: 'last' }).after(first)
  })
})()

describe('graph model', () => {
  it('fraud-training: tasks by kind, groups with parents, data and exit edges, GPU, cache keys', () => {
    const analysed = analyse(fraudTraining)
    const keys = computeCacheKeys(analysed)
    const model = graphModel(analysed, keys)
    expect(model.nodes.map((n) => n.id)).toEqual(['validate-schema', 'materialize-features', 'train-model', 'evaluate-holdout', 'register-model', 'notify-owner', 'report-status'])
    expect(Object.fromEntries(model.nodes.map((n) => [n.id, n.kind]))).toMatchObject({ 'train-model': 'container', 'report-status': 'exit-task' })
    expect(model.groups.map((g) => [g.id, g.kind, g.keyword, g.label, g.parent])).toEqual([
      ['exit-handler-1', 'exitHandler', 'exit handler', 'train and gate', null],
      ['condition-branches-2', 'branches', 'if / else', '2 branches', 'exit-handler-1'],
      ['condition-3', 'condition', 'if', 'evaluation passed', 'condition-branches-2'],
      ['condition-4', 'condition', 'else', 'evaluation failed', 'condition-branches-2'],
    ])
    expect(model.groups[2]!.detail).toBe('evaluate-holdout.auc ≥ minAuc and evaluate-holdout.fairnessGap ≤ maxFairnessGap')
    const register = model.nodes.find((n) => n.id === 'register-model')!
    expect(register).toMatchObject({ label: 'Register model', parent: 'condition-3', path: ['exit-handler-1', 'condition-branches-2', 'condition-3'] })
    expect(register.cache).toMatchObject({ cacheable: false, reason: 'caching is off for this task' })
    const train = model.nodes.find((n) => n.id === 'train-model')!
    expect(train.gpu).toEqual({ type: 'nvidia.com/gpu', count: 1 })
    expect(train.subtitle).toBe('container · fraud/train')
    expect(train.resourcesText).toBe('cpu 4 · memory 12Gi (limit 16Gi) · 1 × nvidia.com/gpu')
    for (const node of model.nodes) expect(node.cache.digest).toBe(keys.get(node.id)!.digest)
    expect(model.nodes.filter((n) => n.gpu).map((n) => n.id)).toEqual(['train-model'])
    expect(model.edges).toContainEqual({ from: 'evaluate-holdout', to: 'notify-owner', kind: 'data', outputs: ['auc', 'fairnessGap'], label: 'auc, fairnessGap' })
    expect(model.edges).toContainEqual({ from: 'exit-handler-1', to: 'report-status', kind: 'order', outputs: [], label: 'on exit' })
    expect(model.edges.filter((e) => e.kind === 'order')).toHaveLength(1)
    expect(model.run).toBeUndefined()
  })

  it('an else without a display name is labelled "otherwise", its detail the earlier conditions negated', () => {
    const score = component({ name: 'score', image: 'img', outputs: { auc: param.float() } })
    const step = component({ name: 'step', image: 'img' })
    const p = pipeline({ name: 'branches', inputs: { floor: param.float({ default: 0.5 }) } }, (dag, p) => {
      const s = dag.task(score)
      dag
        .if(gt(s.outputs.auc, 0.9), () => void dag.task(step, {}, { name: 'ship' }))
        .elif(gt(s.outputs.auc, p.floor), () => void dag.task(step, {}, { name: 'retry' }))
        .else(() => void dag.task(step, {}, { name: 'drop' }))
    })
    const conditions = graphModel(analyse(p), new Map()).groups.filter((g) => g.kind === 'condition')
    expect(conditions.map((g) => [g.keyword, g.label, g.detail])).toEqual([
      ['if', 'score.auc > 0.9', 'score.auc > 0.9'],
      ['elif', 'score.auc > floor', 'score.auc > floor'],
      ['else', 'otherwise', 'not (score.auc > 0.9) and not (score.auc > floor)'],
    ])
  })

  it('draws TypeScript function components apart from other containers', () => {
    const model = modelOf(quickstart)
    const say = model.nodes.find((n) => n.id === 'say')!
    expect(say.kind).toBe('function')
    expect(say.subtitle).toMatch(/^TypeScript function · /)
    expect(toMermaid(model)).toContain('t_say("')
    expect(modelOf(kitchenSink).nodes.find((n) => n.id === 'produce')!.kind).toBe('container')
  })

  it('loops, fan-in, importers, nested pipelines and `after` become nodes, groups and edges', () => {
    const model = modelOf(kitchenSink)
    const kinds = Object.fromEntries(model.nodes.map((n) => [n.id, n.kind]))
    expect(kinds).toMatchObject({ importer: 'importer', nested: 'nested-pipeline', produce: 'container', consume: 'container' })
    expect(model.nodes.find((n) => n.id === 'importer')!.subtitle).toBe('importer · system.Dataset')
    expect(model.nodes.find((n) => n.id === 'nested')!.subtitle).toBe('pipeline · 1 tasks')
    const loop = model.groups.find((g) => g.kind === 'loop')!
    expect(loop).toMatchObject({ keyword: 'for each', label: `loop "${HOSTILE}"`, detail: 'in [1, 2, 3] · 2 at a time' })
    expect(model.edges).toContainEqual({ from: 'consume', to: 'gather', kind: 'data', outputs: ['out[]'], label: 'out[]' })
    expect(model.edges).toContainEqual({ from: 'importer', to: 'use-imported', kind: 'data', outputs: ['artifact'], label: 'artifact' })
    expect(model.edges).toContainEqual({ from: 'produce', to: 'last', kind: 'order', outputs: [] })
    expect(model.nodes.find((n) => n.id === 'produce')!.label).toBe(HOSTILE)
  })

  it('folds a run: states and durations per task, loop iterations into one, unknown tasks reported', () => {
    const model = modelOf(kitchenSink, {
      produce: { state: 'done', durationMs: 1200 },
      'for-loop-2[0]/consume': { state: 'cached', durationMs: 5 },
      'for-loop-2[1]/consume': { state: 'done', durationMs: 900 },
      'for-loop-2[2]/consume': { state: 'failed', durationMs: 300 },
      nested: { state: 'skipped' },
      ghost: { state: 'done', durationMs: 1 },
    })
    const byId = Object.fromEntries(model.nodes.map((n) => [n.id, n.status]))
    expect(byId['produce']).toEqual({ state: 'done', durationMs: 1200, runs: 1 })
    expect(byId['consume']).toEqual({ state: 'failed', durationMs: 900, runs: 3 })
    expect(byId['nested']).toEqual({ state: 'skipped', runs: 1 })
    expect(byId['gather']).toBeUndefined()
    expect(model.run).toEqual({ counts: { done: 1, failed: 1, skipped: 1 }, totalMs: 2100, unknownTasks: ['ghost'] })
  })

  it('parses run files: a task map, or one under `tasks`; rejects bad states and durations', () => {
    expect(parseRunStatus({ a: { state: 'done', durationMs: 5 }, b: { state: 'waiting' } })).toEqual({ a: { state: 'done', durationMs: 5 }, b: { state: 'waiting' } })
    expect(parseRunStatus({ runId: 'x', tasks: { a: { state: 'cached', durationMs: 0 } } })).toEqual({ a: { state: 'cached', durationMs: 0 } })
    // A runner's run.json: tasks as records with their path.
    expect(parseRunStatus({ runId: 'x', tasks: [{ name: 'b', path: 'sub/b', state: 'succeeded', durationMs: 7 }, { name: 'a', path: 'a', state: 'cached', durationMs: 0 }] }))
      .toEqual({ 'sub/b': { state: 'done', durationMs: 7 }, a: { state: 'cached', durationMs: 0 } })
    expect(() => parseRunStatus([])).toThrow(/expected an object/)
    expect(() => parseRunStatus({ a: { state: 'exploded' } })).toThrow(/task "a": state must be one of done, cached/)
    expect(() => parseRunStatus({ a: { state: 'done', durationMs: -1 } })).toThrow(/durationMs must be a non-negative number/)
    expect(() => parseRunStatus({ a: 'done' })).toThrow(/expected \{ state, durationMs \}/)
  })
})

describe('graph as Mermaid', () => {
  it('fraud-training: nested subgraphs, one node per task, shapes and classes by kind', () => {
    const text = toMermaid(modelOf(fraudTraining))
    const lines = text.trimEnd().split('\n')
    expect(lines[1]).toBe('flowchart TD')
    expect(text).toContain('  subgraph g_exit_handler_1["exit handler: train and gate"]\n    direction TB\n    t_validate_schema["validate-schema<br/>container · fraud/validate"]')
    expect(text).toContain('      subgraph g_condition_3["if: evaluation passed"]\n        direction TB\n        t_register_model["Register model<br/>container · fraud/registry"]\n      end')
    expect(lines.filter((l) => /^\s*subgraph /.test(l))).toHaveLength(4)
    expect(lines.filter((l) => l.trim() === 'end')).toHaveLength(4)
    // The exit task comes after the exit handler it guards, as in the pipeline's order.
    expect(text.indexOf('t_report_status([')).toBeGreaterThan(text.indexOf('subgraph g_exit_handler_1'))
    expect(text).toContain('t_report_status(["report-status<br/>exit task · fraud/notify"])')
    expect(text).toContain('t_train_model["train-model<br/>container · fraud/train<br/>1 × nvidia.com/gpu"]')
    expect(text).toContain('  t_evaluate_holdout -->|"auc, fairnessGap"| t_notify_owner')
    expect(text).toContain('  g_exit_handler_1 -.->|"on exit"| t_report_status')
    expect(text).toContain('  class t_report_status exit_task')
    expect(text).toContain('  class t_train_model gpu')
    for (const id of ['validate_schema', 'materialize_features', 'train_model', 'evaluate_holdout', 'register_model', 'notify_owner', 'report_status']) {
      expect(lines.filter((l) => new RegExp(`^\\s*t_${id}[[(]`).test(l))).toHaveLength(1)
    }
  })

  it('other examples and shapes: importer, nested pipeline, loop, run states', () => {
    expect(toMermaid(modelOf(quickstart))).toContain('  t_say -->|"message"| t_repeat')
    expect(toMermaid(modelOf(randomForest))).toContain('  t_preprocess -->|"test"| t_evaluate')
    const text = toMermaid(modelOf(kitchenSink, { produce: { state: 'failed', durationMs: 2500 } }))
    expect(text).toMatch(/t_importer\[\/"importer<br\/>importer · system\.Dataset"\/\]/)
    expect(text).toMatch(/t_nested\[\["nested<br\/>pipeline · 1 tasks"\]\]/)
    expect(text).toContain('subgraph g_for_loop_2["for each: loop #34;')
    expect(text).toContain('failed · 2.5 s"]')
    expect(text).toContain('  class t_produce state_failed')
  })

  it('escapes hostile labels so none can close a quote, open a tag or inject a directive', () => {
    const text = toMermaid(modelOf(kitchenSink))
    expect(text).not.toContain('<script')
    expect(text).not.toMatch(/<(?!br\/>)/)
    expect(text).toContain('t_produce["#60;script#62;alert(#34;pwned #38; #39;owned#39;#34;)#60;/script#62;<br/>')
    // Every quoted label is closed on its own line: quotes come in pairs.
    for (const line of text.split('\n')) expect((line.match(/"/g) ?? []).length % 2, line).toBe(0)
    expect(text.split('\n').slice(1).some((l) => l.trimStart().startsWith('%%'))).toBe(false)
  })

  it('hostile task and group ids become safe, distinct Mermaid ids', () => {
    const model: GraphModel = {
      pipeline: { name: 'p', label: 'p' },
      nodes: [
        { id: 'a b', kind: 'container', label: 'x', component: 'c', subtitle: 's', cache: { digest: 'd', cacheable: true, runtimeInputs: [] }, path: [], parent: null },
        { id: 'a-b', kind: 'container', label: 'y', component: 'c', subtitle: 's', cache: { digest: 'd', cacheable: true, runtimeInputs: [] }, path: [], parent: null },
        { id: 'end', kind: 'container', label: 'z', component: 'c', subtitle: 's', cache: { digest: 'd', cacheable: true, runtimeInputs: [] }, path: [], parent: null },
      ],
      edges: [{ from: 'a b', to: 'a-b', kind: 'data', outputs: ['o'], label: 'o' }],
      groups: [],
    }
    const text = toMermaid(model)
    expect(text).toContain('  t_a_b["x<br/>s"]')
    expect(text).toContain('  t_a_b_2["y<br/>s"]')
    expect(text).toContain('  t_end["z<br/>s"]')
    expect(text).toContain('  t_a_b -->|"o"| t_a_b_2')
  })
})

describe('graph as SVG', () => {
  it('fraud-training: well-formed, one node per task, clusters around their members, one GPU badge', async () => {
    const svg = await toSvg(modelOf(fraudTraining))
    expectWellFormed(svg)
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true)
    const nodes = boxes(svg, 'data-task')
    const groups = boxes(svg, 'data-group')
    expect([...nodes.keys()]).toHaveLength(7)
    expect([...groups.keys()].sort()).toEqual(['condition-3', 'condition-4', 'condition-branches-2', 'exit-handler-1'])
    expect(svg.match(/class="gpu-badge"/g)).toHaveLength(1)
    expect(svg).toMatch(/<g class="node kind-container has-gpu" data-task="train-model"[^>]*>(?:(?!<\/g>).)*<g class="gpu-badge"[^>]*>.*?1× GPU/s)
    expect(svg).toMatch(/<g class="node kind-exit-task no-cache" data-task="report-status"/)
    expect(svg.match(/class="edge edge-data"/g)).toHaveLength(7)
    expect(svg.match(/class="edge edge-order"/g)).toHaveLength(1)
    // Every task in a group is drawn inside its cluster, and every cluster inside its parent.
    const model = modelOf(fraudTraining)
    const inside = (a: { x: number; y: number; w: number; h: number }, b: { x: number; y: number; w: number; h: number }) =>
      a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h
    for (const node of model.nodes) for (const g of node.path) expect(inside(nodes.get(node.id)!, groups.get(g)!), `${node.id} in ${g}`).toBe(true)
    for (const group of model.groups) if (group.parent) expect(inside(groups.get(group.id)!, groups.get(group.parent)!), `${group.id} in ${group.parent}`).toBe(true)
    expect(nodes.get('report-status')!.y).toBeGreaterThan(groups.get('exit-handler-1')!.y + groups.get('exit-handler-1')!.h)
    // A condition's cluster is wide enough for its title and some of its condition.
    expect(groups.get('condition-3')!.w).toBeGreaterThanOrEqual(250)
    // Top-down: each task is below the tasks it reads from.
    expect(nodes.get('materialize-features')!.y).toBeGreaterThan(nodes.get('validate-schema')!.y)
    expect(nodes.get('evaluate-holdout')!.y).toBeGreaterThan(nodes.get('train-model')!.y)
    // Standalone: every task carries its cache key in a native tooltip.
    const keys = computeCacheKeys(analyse(fraudTraining))
    expect(svg).toContain(`cache key: ${keys.get('train-model')!.digest}`)
  })

  it('is deterministic: same pipeline, same bytes (also for separately built models)', async () => {
    const a = await toSvg(modelOf(fraudTraining))
    const b = await toSvg(modelOf(fraudTraining))
    expect(b).toBe(a)
    const c = await toSvg(modelOf(kitchenSink, { produce: { state: 'done', durationMs: 3 } }))
    const d = await toSvg(modelOf(kitchenSink, { produce: { state: 'done', durationMs: 3 } }))
    expect(d).toBe(c)
    expect(await toHtml(modelOf(fraudTraining))).toBe(await toHtml(modelOf(fraudTraining)))
    for (const p of [quickstart, randomForest]) expectWellFormed(await toSvg(modelOf(p)))
  })

  it('shows a run: state classes, footers with durations, skipped tasks faded', async () => {
    const svg = await toSvg(modelOf(fraudTraining, { 'train-model': { state: 'done', durationMs: 93_000 }, 'notify-owner': { state: 'skipped' }, 'register-model': { state: 'failed', durationMs: 50 } }))
    expectWellFormed(svg)
    expect(svg).toMatch(/data-task="train-model"[^>]*data-state="done"[^>]*data-duration="1 m 33 s"/)
    expect(svg).toContain('<text class="status-duration"')
    expect(svg).toMatch(/<g class="node kind-container state-skipped" data-task="notify-owner"[^>]*opacity="0.6"/)
    expect(svg).toMatch(/class="node kind-container no-cache state-failed" data-task="register-model"/)
  })

  it('escapes hostile names, labels and descriptions for XML', async () => {
    const svg = await toSvg(modelOf(kitchenSink))
    expectWellFormed(svg)
    expect(svg).not.toContain('<script')
    expect(svg).toContain('&lt;script&gt;alert(&quot;pwned &amp; &#39;owned&#39;&quot;)&lt;/script&gt;')
    const model: GraphModel = {
      pipeline: { name: `p"><script>`, label: `p"><script>`, description: '</title><script>x</script>' },
      nodes: [
        {
          id: `t"><script>1</script>`,
          kind: 'container',
          label: `a & b <c> "d" 'e' \u0007`,
          component: `c"'<>`,
          subtitle: 'container · <img src=x>',
          image: `i"><script>`,
          cache: { digest: `"><script>`, cacheable: false, reason: `<b>no</b>`, runtimeInputs: [] },
          path: [`g"><x>`],
          parent: `g"><x>`,
          gpu: { type: `<gpu>`, count: 1 },
        },
      ],
      edges: [],
      groups: [{ id: `g"><x>`, kind: 'condition', keyword: 'if', label: `</text><script>`, detail: `a < b && c > "d"`, path: [], parent: null }],
    }
    for (const text of [await toSvg(model), await toHtml(model)]) {
      expect(text).not.toMatch(/<script>(?!\n\(function)/)
      expect(text).not.toContain('<img')
      expect(text).not.toContain('<x>')
      expect(text).not.toContain('\u0007')
      expect(text).toContain('data-task="t&quot;&gt;&lt;script&gt;1&lt;/script&gt;"')
    }
    expectWellFormed(await toSvg(model))
  })
})

describe('graph as HTML', () => {
  it('is one self-contained page: inline SVG, style and script, a CSP that forbids fetching', async () => {
    const html = await toHtml(modelOf(fraudTraining))
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true)
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[\w+/=]+'; script-src 'sha256-[\w+/=]+'; img-src data:;/)
    expect(html.match(/<svg /g)?.length).toBeGreaterThan(1) // the graph, and the legend's swatches
    expect(html.match(/<svg xmlns=/g)).toHaveLength(1)
    expect(html.match(/<script/g)).toHaveLength(1)
    expect(html.match(/<style/g)).toHaveLength(1)
    expect(html).not.toMatch(/\s(src|href)=|<link|@import|url\((?!#)/)
    expect(html).not.toContain('<?xml')
    expect(html).not.toMatch(/<title>[^<]*cache key/) // the page shows its own tooltips
    expect(html).toContain('<div id="tooltip" role="tooltip" hidden></div>')
    expect(html).toContain('<aside class="legend"')
    expect(html).toMatch(/<li><b>7<\/b> tasks<\/li><li><b>4<\/b> groups<\/li>/)
    expect(html).toContain('<li><b>1</b> GPU on 1 task</li>')
    expect(html).not.toContain('class="legend-state')
  })

  it('with a run: the summary, the run legend, and each task state and duration', async () => {
    const html = await toHtml(modelOf(fraudTraining, { 'validate-schema': { state: 'cached', durationMs: 12 }, 'train-model': { state: 'done', durationMs: 61_000 } }))
    expect(html).toContain('<b>1</b> done')
    expect(html).toContain('<b>1</b> cached')
    expect(html).toContain('<li class="run-total"><b>1 m 01 s</b> of task time</li>')
    expect(html.match(/class="legend-state/g)).toHaveLength(7) // six states, and "not run"
    expect(html).toMatch(/<g class="node kind-container not-run" data-task="materialize-features"/)
    expect(html).toMatch(/data-task="validate-schema"[^>]*data-state="cached"[^>]*data-duration="12 ms"/)
  })
})

describe('typeflow graph', () => {
  const inProcess = typeflowInProcess

  it('end to end: HTML by default to --out; Mermaid with a run overlay to stdout, warning about unknown tasks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'typeflow-graph-'))
    const out = join(dir, 'nested', 'g.html')
    const html = typeflow('graph', 'examples/fraud-training/pipeline.ts', '--out', out)
    expect(html.code).toBe(0)
    expect(html.stdout).toBe(`wrote ${out}\n`)
    expect(readFileSync(out, 'utf8')).toMatch(/^<!DOCTYPE html>/)
    const run = join(dir, 'run.json')
    writeFileSync(run, JSON.stringify({ 'train-model': { state: 'done', durationMs: 1500 }, ghost: { state: 'done' } }))
    const mermaid = typeflow('graph', 'examples/fraud-training/pipeline.ts', '--format', 'mermaid', '--run', run)
    expect(mermaid.code).toBe(0)
    expect(mermaid.stdout).toContain('flowchart TD')
    expect(mermaid.stdout).toContain('done · 1.5 s')
    expect(mermaid.stderr).toContain('warning: the run status names tasks this pipeline does not have: ghost')
  })

  it("draws the status of a real local run from the runner's own run.json", () => {
    const store = mkdtempSync(join(tmpdir(), 'typeflow-graph-run-'))
    const ran = typeflow('run', 'examples/quickstart/pipeline.ts', '--store', store)
    expect(ran.code, ran.stderr).toBe(0)
    const runs = readdirSync(join(store, 'runs'))
    expect(runs).toHaveLength(1)
    const drawn = typeflow('graph', 'examples/quickstart/pipeline.ts', '--format', 'mermaid', '--run', join(store, 'runs', runs[0]!, 'run.json'))
    expect(drawn.code, drawn.stderr).toBe(0)
    expect(drawn.stderr).toBe('')
    expect(drawn.stdout).toMatch(/class t_\w+(,t_\w+){2} state_done/)
  })

  it('SVG to stdout; bad input is exit code 1, bad usage exit code 2', async () => {
    expect((await inProcess('--help')).stdout).toMatch(/graph\s+draw the DAG/)
    expect((await inProcess('graph', '--help')).stdout).toContain('--run <status.json>')
    // In-process, tsImport'ed modules have no source maps, so function components (quickstart)
    // cannot be located in their file; the container-only example is used here.
    const svg = await inProcess('graph', 'examples/random-forest/pipeline.ts', '--format', 'svg')
    expect(svg.code, svg.stderr).toBe(0)
    expect(svg.stdout).toMatch(/^<\?xml/)
    const dir = mkdtempSync(join(tmpdir(), 'typeflow-graph-'))
    const run = join(dir, 'run.json')
    writeFileSync(run, JSON.stringify({ 'train-model': { state: 'bored' } }))
    const bad = await inProcess('graph', 'examples/fraud-training/pipeline.ts', '--run', run)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('state must be one of')
    expect((await inProcess('graph', 'examples/fraud-training/pipeline.ts', '--run', join(dir, 'missing.json'))).code).toBe(1)
    expect((await inProcess('graph', join(dir, 'no-such-pipeline.ts'))).code).toBe(1)
    const format = await inProcess('graph', 'examples/fraud-training/pipeline.ts', '--format', 'png')
    expect(format.code).toBe(2)
    expect(format.stderr).toContain('--format must be html, svg or mermaid (got "png")')
    expect((await inProcess('graph')).code).toBe(2)
    expect((await inProcess('graph', 'a.ts', 'b.ts')).code).toBe(2)
    expect((await inProcess('graph', 'examples/fraud-training/pipeline.ts', '--bogus')).code).toBe(2)
  })

  it('--max-tasks: HTML and SVG past it are refused with the reason and the way out; Mermaid is not limited', async () => {
    const tasks = modelOf(randomForest).nodes.length
    for (const format of ['html', 'svg']) {
      const refused = await inProcess('graph', 'examples/random-forest/pipeline.ts', '--format', format, '--max-tasks', String(tasks - 1))
      expect(refused.code, format).toBe(1)
      expect(refused.stdout).toBe('')
      expect(refused.stderr).toBe(
        `typeflow graph: examples/random-forest/pipeline.ts has ${tasks} tasks; ${format.toUpperCase()} drawings are laid out for up to ${tasks - 1} (--max-tasks), as the layout grows faster than the graph (6 to 14 s at 4,000 tasks). Use --format mermaid for text of any size, or raise --max-tasks.\n`,
      )
    }
    expect((await inProcess('graph', 'examples/random-forest/pipeline.ts', '--format', 'svg', '--max-tasks', String(tasks))).code).toBe(0)
    expect((await inProcess('graph', 'examples/random-forest/pipeline.ts', '--format', 'mermaid', '--max-tasks', '1')).code).toBe(0)
    for (const bad of ['0', '2.5', 'many']) {
      const usage = await inProcess('graph', 'examples/random-forest/pipeline.ts', '--max-tasks', bad)
      expect([bad, usage.code]).toEqual([bad, 2])
      expect(usage.stderr).toContain(`--max-tasks must be a positive whole number (got "${bad}")`)
    }
  })
})

describe('graph layout at scale', () => {
  // A one-layer fan-out of 300 tasks: with the careful settings (network-simplex placement,
  // declaration order kept) ELK took 6 s at 300 tasks and 5 minutes at 1,000. The size-dependent
  // settings draw it in well under a second; this checks the drawing, `pnpm bench` is not needed.
  it('a graph past the detailed size is drawn whole, with every task and edge, the same bytes twice', async () => {
    const wide = pipeline({ name: 'wide' }, (dag) => {
      const first = dag.task(producer, {}, { name: 'source' })
      for (let i = 0; i < 300; i++) dag.task(consumer, { n: first.outputs.n }, { name: `fan-${i}` })
    })
    const model = modelOf(wide)
    expect(model.nodes.length + model.edges.length).toBeGreaterThan(DETAILED_LAYOUT_SIZE)
    const svg = await toSvg(model)
    expectWellFormed(svg)
    const drawn = boxes(svg, 'data-task')
    expect(drawn.size).toBe(301)
    // Top-down: every consumer sits below the source.
    const source = drawn.get('source')!
    for (const [name, box] of drawn) if (name !== 'source') expect(box.y, name).toBeGreaterThan(source.y + source.h)
    expect(await toSvg(modelOf(wide))).toBe(svg)
  })

  it('the examples are small enough for the careful layout settings', () => {
    for (const [name, p] of [['fraud-training', fraudTraining], ['quickstart', quickstart], ['random-forest', randomForest], ['kitchen-sink', kitchenSink]] as const) {
      const model = modelOf(p)
      expect([name, model.nodes.length + model.edges.length <= DETAILED_LAYOUT_SIZE]).toEqual([name, true])
    }
  })
})
