import { readFileSync } from 'node:fs'
import { allTasks, type BodyNode, type PipelineNode } from '@typeflow/dsl'
import { describe, expect, it } from 'vitest'
import { compile } from '../../packages/compiler/src/compile.ts'
import { SYNTHETIC_SHAPES, syntheticPipeline } from './synthetic.ts'
import { FIXTURE_PATH, pipelineSource } from './typecheck-fixture.ts'

const taskCount = (p: PipelineNode): number => [...allTasks(p.body)].length

/** Greatest number of loop and condition groups enclosing a task. */
function groupDepth(body: readonly BodyNode[]): number {
  let depth = 0
  for (const node of body) {
    if (node.kind === 'loop' || node.kind === 'condition') depth = Math.max(depth, 1 + groupDepth(node.body))
    else if (node.kind === 'branches') depth = Math.max(depth, 1 + Math.max(...node.branches.map((b) => groupDepth(b.body))))
  }
  return depth
}

function groups(body: readonly BodyNode[]): BodyNode[] {
  return body.flatMap((node) =>
    node.kind === 'loop' || node.kind === 'condition' ? [node, ...groups(node.body)] : node.kind === 'branches' ? [node, ...groups(node.branches)] : [],
  )
}

describe('synthetic benchmark pipelines', () => {
  it('declare exactly n tasks in every shape, including sizes that do not fill a block', () => {
    for (const shape of SYNTHETIC_SHAPES) for (const n of [1, 5, 6, 7, 12, 100, 1_001]) expect([shape, n, taskCount(syntheticPipeline(shape, n))]).toEqual([shape, n, n])
  })

  it('are deterministic', () => {
    expect(JSON.stringify(syntheticPipeline('nested', 500))).toBe(JSON.stringify(syntheticPipeline('nested', 500)))
  })

  it('nested: loops over static lists and list parameters, with parallelism, conditions and if/else inside, three groups deep, fan-in after', () => {
    const p = syntheticPipeline('nested', 1_000)
    const all = groups(p.body)
    const loops = all.filter((g) => g.kind === 'loop')
    expect(new Set(loops.map((l) => l.items.kind))).toEqual(new Set(['raw', 'values']))
    expect(loops.every((l) => l.parallelism !== undefined)).toBe(true)
    expect(all.some((g) => g.kind === 'branches')).toBe(true)
    expect(groupDepth(p.body)).toBe(3)
    const fanIn = [...allTasks(p.body)].filter((t) => Object.values(t.inputs).some((s) => s.kind === 'collected'))
    expect(fanIn.length).toBeGreaterThan(100)
  })

  it('dsl: built with the DSL, with if/else, loops over a list parameter with a condition inside, and source locations', () => {
    const p = syntheticPipeline('dsl', 1_000)
    expect(JSON.stringify(syntheticPipeline('dsl', 1_000))).toBe(JSON.stringify(p))
    const all = groups(p.body)
    expect(all.filter((g) => g.kind === 'branches').length).toBeGreaterThan(30)
    expect(all.filter((g) => g.kind === 'loop').every((l) => l.items.kind === 'values' && l.parallelism === 2)).toBe(true)
    expect(groupDepth(p.body)).toBe(2)
    const tasks = [...allTasks(p.body)]
    expect(tasks.every((t) => t.source?.file.endsWith('test/bench/dsl-shape.ts'))).toBe(true)
    // One component's tasks are named after it in order: ingest, ingest-2, …
    expect(tasks.filter((t) => t.component.name === 'ingest').map((t) => t.name).slice(0, 3)).toEqual(['ingest', 'ingest-2', 'ingest-3'])
  })

  it('nested at 1,000 tasks compiles to KFP and Argo without diagnostics or warnings', () => {
    const result = compile(syntheticPipeline('nested', 1_000), { targets: ['kfp', 'argo'] })
    if (!result.ok) expect.fail(JSON.stringify(result.diagnostics.slice(0, 3)))
    expect(result.warnings).toEqual([])
    expect(result.files.map((f) => f.path)).toEqual(['synthetic-nested-1000.kfp.yaml', 'synthetic-nested-1000.argo.yaml'])
    expect(result.analysed.tasks.size).toBe(1_000)
  })

  it('the other shapes compile to both targets without diagnostics or warnings', () => {
    for (const shape of SYNTHETIC_SHAPES.filter((s) => s !== 'nested')) {
      const result = compile(syntheticPipeline(shape, 200), { targets: ['kfp', 'argo'] })
      expect([shape, result.ok, result.ok ? result.warnings.length : result.diagnostics]).toEqual([shape, true, 0])
    }
  })
})

describe('type-checking fixture', () => {
  it('is up to date with its generator (pnpm tsx test/bench/typecheck-fixture.ts rewrites it)', () => {
    expect(readFileSync(FIXTURE_PATH, 'utf8')).toBe(pipelineSource(200))
  })

  it('declares 200 tasks and compiles to both targets', async () => {
    const { default: fixture } = (await import('./fixtures/pipeline-200.ts')) as { default: PipelineNode }
    expect(taskCount(fixture)).toBe(200)
    const result = compile(fixture, { targets: ['kfp', 'argo'] })
    if (!result.ok) expect.fail(JSON.stringify(result.diagnostics.slice(0, 3)))
    expect(result.warnings).toEqual([])
  })

  it('generates exactly the requested number of tasks', () => {
    for (const n of [6, 7, 24, 31, 200]) expect(pipelineSource(n).match(/dag\.task\(/g)?.length).toBe(n)
    expect(() => pipelineSource(5)).toThrow(RangeError)
  })
})
