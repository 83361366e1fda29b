import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { compile } from '@typeflow/compiler'
import { component, param, pipeline } from '@typeflow/dsl'
import { describe, expect, it } from 'vitest'
import { formatSeconds, parseDuration } from '../../packages/cli/src/durations.ts'
import { typeflowInProcess } from './in-process.ts'
import { type Plan, planPipeline, taskPathOfRunRecord } from '../../packages/cli/src/plan.ts'
import { fraudTraining } from '../../examples/fraud-training/pipeline.ts'

const root = resolve(import.meta.dirname, '../..')
const bin = join(root, 'packages/cli/bin/typeflow.mjs')
const fixtures = join(root, 'test/fixtures/cli')
const fraud = 'examples/fraud-training/pipeline.ts'

/** The CLI as a separate process (local runs, another working directory). */
function spawnTypeflow(args: readonly string[], cwd = root) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' }
  delete env['FORCE_COLOR']
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

const typeflow = typeflowInProcess

async function planJson(...args: string[]): Promise<Plan> {
  const run = await typeflow('plan', ...args, '--json')
  expect(run.code, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as Plan
}

const path = (plan: Plan) => plan.criticalPath.steps.map((s) => s.task)
const task = (plan: Plan, name: string) => plan.tasks.find((t) => t.name === name)!
const tmp = () => mkdtempSync(join(tmpdir(), 'typeflow-plan-'))

describe('typeflow plan on the fraud example, against numbers worked out by hand', () => {
  /*
   * examples/fraud-training/pipeline.ts, read task by task:
   *   validate-schema       no GPU; reads the pipeline input transactionsUri
   *   materialize-features  no GPU; ← validate-schema.transactions
   *   train-model           1 × nvidia.com/gpu (16Gi limit); ← materialize-features.train
   *   evaluate-holdout      no GPU; ← train-model.model and materialize-features.holdout
   *   if (auc ≥ minAuc and gap ≤ maxFairnessGap): register-model, no GPU
   *   else:                                       notify-owner, no GPU
   *   all of the above inside an exit handler; report-status (no GPU) runs after all of it.
   * What can run in parallel: nothing but the two branches, which exclude each other; the rest is
   * one chain. There is no loop. So the only GPU task is train-model: 1 GPU in total, 1 at most
   * at once (train-model alone).
   *
   * Critical path with test/fixtures/cli/fraud-durations.json (validate 10m, materialize 1800 s,
   * train 2h, evaluate 1200 s, register 5m, notify 15m, report 1m): the chain up to evaluate is
   * forced; of the branches the longer one counts, notify-owner (15m > 5m); then report-status.
   *   600 + 1800 + 7200 + 1200 + 900 + 60 = 11760 s = 3h 16m.
   * train-model starts at 600 + 1800 = 2400 s; report-status at 11760 - 60 = 11700 s.
   */
  it('with duration estimates: total and peak GPUs, the full critical path and its length', async () => {
    const plan = await planJson(fraud, '--durations', join(fixtures, 'fraud-durations.json'))
    expect(plan.unit).toBe('seconds')
    expect(plan.accelerators.total).toEqual({ 'nvidia.com/gpu': 1 })
    expect(plan.accelerators.peak).toEqual({ 'nvidia.com/gpu': 1 })
    expect(plan.accelerators.peakTasks).toEqual({ 'nvidia.com/gpu': ['train-model'] })
    expect(plan.accelerators.exact).toBe(true)
    expect(path(plan)).toEqual(['validate-schema', 'materialize-features', 'train-model', 'evaluate-holdout', 'notify-owner', 'report-status'])
    expect(plan.criticalPath.steps.map((s) => [s.duration, s.times])).toEqual([[600, 1], [1800, 1], [7200, 1], [1200, 1], [900, 1], [60, 1]])
    expect(plan.criticalPath.total).toBe(11760)
    expect(task(plan, 'train-model').start).toBe(2400)
    expect(task(plan, 'report-status').start).toBe(11700)
    expect(plan.estimates).toEqual({ from: [join(fixtures, 'fraud-durations.json')], missing: [] })

    const text = await typeflow('plan', fraud, '--durations', join(fixtures, 'fraud-durations.json'))
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('nvidia.com/gpu: 1 in total, at most 1 at once (train-model)')
    expect(text.stdout).toContain('Critical path: 3h 16m (estimates from')
    expect(text.stdout).toMatch(/^ {2}train-model +2h$/m)
  })

  it('without estimates every task counts 1 unit, and the output says so', async () => {
    const plan = await planJson(fraud)
    expect(plan.unit).toBe('tasks')
    expect(plan.estimates).toBeNull()
    // Six tasks in a row; the branches tie at 1 unit and the first group id (condition-3, which
    // holds register-model) wins the tie.
    expect(path(plan)).toEqual(['validate-schema', 'materialize-features', 'train-model', 'evaluate-holdout', 'register-model', 'report-status'])
    expect(plan.criticalPath.total).toBe(6)
    expect(plan.tasks.every((t) => t.duration === 1 && t.durationFrom === 'unit')).toBe(true)
    const text = await typeflow('plan', fraud)
    expect(text.stdout).toContain('Critical path: 6 units (no duration estimates: every task counts 1 unit')
  })

  it('tasks left out of the durations file count 0 s and are listed', async () => {
    const dir = tmp()
    const file = join(dir, 'partial.json')
    writeFileSync(file, JSON.stringify({ 'train-model': '1h30m', 'evaluate-holdout': '90s' }))
    const plan = await planJson(fraud, '--durations', file)
    expect(plan.criticalPath.total).toBe(5400 + 90)
    expect(plan.estimates!.missing).toEqual(['materialize-features', 'notify-owner', 'register-model', 'report-status', 'validate-schema'])
    expect((await typeflow('plan', fraud, '--durations', file)).stdout).toContain('No estimate (counted as 0s): materialize-features, notify-owner')
  })
})

describe('typeflow plan on a GPU loop with a parallelism limit (test/fixtures/cli/gpu-loop.ts)', () => {
  /*
   * prepare (no GPU) → for shard in [a, b, c, d, e], parallelism 2:
   *                        train-shard (3 GPUs) → score-shard (1 GPU)
   *                  → baseline (1 GPU), beside the loop
   * loop → pick (no GPU) → if best ≥ 0.9: deploy (4 GPUs) else: fallback (3 GPUs)
   *
   * Copies at once: the loop runs min(2, 5) = 2 iterations at a time, so train-shard weighs
   * 3 × 2 = 6 GPUs and score-shard 1 × 2 = 2. Sets of tasks that can all run together:
   *   {train-shard ×2, baseline} = 7      {score-shard ×2, baseline} = 3
   *   {deploy, baseline} = 5              {fallback, baseline} = 4
   * train-shard and score-shard of the same iteration are ordered; deploy and fallback never
   * run together (counting both with baseline would give 8, which cannot happen). Peak: 7.
   * Total over a run: train 3 × 5 + score 1 × 5 + baseline 1 + deploy 4 + fallback 3 = 28.
   *
   * Critical path with gpu-loop-durations.json (prepare 10m, train 30m, score 600 s, baseline 1h,
   * pick 5m, deploy 20m, fallback 15m): the loop body is 30m + 10m = 40m and runs
   * ceil(5 / 2) = 3 rounds = 2h; baseline ends at 10m + 1h, well before the loop. Path:
   * prepare 600 + train 1800 × 3 + score 600 × 3 + pick 300 + deploy 1200 (> fallback 900)
   *   = 600 + 5400 + 1800 + 300 + 1200 = 9300 s = 2h 35m.
   */
  const file = join(fixtures, 'gpu-loop.ts')

  it('counts the loop with its parallelism for the peak and its rounds on the critical path', async () => {
    const plan = await planJson(file, '--durations', join(fixtures, 'gpu-loop-durations.json'))
    expect(task(plan, 'train-shard')).toMatchObject({ copies: 2, executions: 5, accelerator: { resource: 'nvidia.com/gpu', count: 3 } })
    expect(plan.accelerators.total).toEqual({ 'nvidia.com/gpu': 28 })
    expect(plan.accelerators.peak).toEqual({ 'nvidia.com/gpu': 7 })
    expect(plan.accelerators.peakTasks['nvidia.com/gpu']).toEqual(['baseline', 'train-shard'])
    expect(path(plan)).toEqual(['prepare', 'train-shard', 'score-shard', 'pick', 'deploy'])
    expect(plan.criticalPath.steps.map((s) => [s.duration, s.times])).toEqual([[600, 1], [1800, 3], [600, 3], [300, 1], [1200, 1]])
    expect(plan.criticalPath.total).toBe(9300)
    expect(task(plan, 'pick').start).toBe(600 + 7200)
    const text = (await typeflow('plan', file, '--durations', join(fixtures, 'gpu-loop-durations.json'))).stdout
    expect(text).toContain('nvidia.com/gpu: 28 in total, at most 7 at once (baseline, train-shard)')
    expect(text).toMatch(/^ {2}train-shard +30m × 3 rounds = 1h 30m$/m)
    expect(text).toContain('Critical path: 2h 35m')
  })
})

/** Compiles an inline pipeline and plans it. */
function planOf(p: ReturnType<typeof pipeline>, options: Parameters<typeof planPipeline>[1] = {}): Plan {
  const result = compile(p)
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'))
  return planPipeline(result.analysed, options)
}

const gpuTask = component({ name: 'gpu-task', image: `x/gpu@sha256:${'2'.repeat(64)}`, inputs: { x: param.string() } })
const gpu = (count: number) => ({ resources: { memoryLimit: '8Gi' as const, accelerator: { type: 'nvidia.com/gpu', count } } })

describe('planPipeline: loops, list inputs and nested pipelines', () => {
  it('a loop without a parallelism limit runs all its items at once, in one round', async () => {
    const p = pipeline({ name: 'wide' }, (dag) => {
      dag.forEach(['a', 'b', 'c', 'd'], (x) => void dag.task(gpuTask, { x }, gpu(2)))
    })
    const plan = planOf(p)
    expect(plan.accelerators.peak).toEqual({ 'nvidia.com/gpu': 8 })
    expect(plan.criticalPath.steps).toEqual([{ task: 'gpu-task', duration: 1, times: 1 }])
  })

  it('a loop over a list input is sized by --param or the default; otherwise by its limit, flagged inexact', async () => {
    const p = pipeline({ name: 'by-input', inputs: { shards: param.list<string>() } }, (dag, i) => {
      dag.forEach(i.shards, (x) => void dag.task(gpuTask, { x }, gpu(1)), { parallelism: 2 })
    })
    const sized = planOf(p, { params: { shards: ['a', 'b', 'c'] } })
    expect(sized.tasks[0]).toMatchObject({ copies: 2, executions: 3 })
    expect(sized.criticalPath.steps[0]!.times).toBe(2)
    expect(sized.accelerators).toMatchObject({ total: { 'nvidia.com/gpu': 3 }, peak: { 'nvidia.com/gpu': 2 }, exact: true })
    const unknown = planOf(p)
    expect(unknown.tasks[0]).toMatchObject({ copies: 2, executions: null })
    expect(unknown.criticalPath).toMatchObject({ exact: false, total: 1 })
    expect(unknown.accelerators.exact).toBe(false)
  })

  it('tasks of a nested pipeline are planned as <pipeline task>/<task>, in parallel where they can be', async () => {
    const inner = pipeline({ name: 'inner', inputs: { x: param.string() } }, (dag, i) => {
      dag.task(gpuTask, { x: i.x }, { ...gpu(2), name: 'train' })
    })
    const outer = pipeline({ name: 'outer' }, (dag) => {
      const a = dag.task(inner, { x: 'a' }, { name: 'a' })
      dag.task(inner, { x: 'b' }, { name: 'b' })
      dag.task(gpuTask, { x: 'c' }, { name: 'after-a' }).after(a)
    })
    const durations = new Map([
      ['a/train', { seconds: 100, from: 'file' as const }],
      ['b/train', { seconds: 30, from: 'file' as const }],
      ['after-a', { seconds: 5, from: 'file' as const }],
    ])
    const plan = planOf(outer, { durations })
    expect(plan.tasks.map((t) => t.name)).toEqual(['a/train', 'after-a', 'b/train'])
    // a/train and b/train can run together (2 + 2); after-a has no GPU.
    expect(plan.accelerators.peak).toEqual({ 'nvidia.com/gpu': 4 })
    expect(path(plan)).toEqual(['a/train', 'after-a'])
    expect(plan.criticalPath.total).toBe(105)
    // The nested task's key is complete: its input is a constant passed by the outer task.
    expect(plan.tasks[0]!.cache.key).toMatch(/^[0-9a-f]{64}$/)
    expect(plan.tasks[0]!.cache.key).not.toBe(plan.tasks[2]!.cache.key)
  })

  it('maps the runner’s task paths to plan task paths', async () => {
    const result = compile(fraudTraining)
    if (!result.ok) throw new Error('fraud example does not compile')
    expect(taskPathOfRunRecord(result.analysed, 'exit-handler-1/condition-branches-2/condition-3/register-model')).toBe('register-model')
    expect(taskPathOfRunRecord(result.analysed, 'report-status')).toBe('report-status')
    expect(taskPathOfRunRecord(result.analysed, 'exit-handler-1/ghost')).toBeUndefined()
    expect(taskPathOfRunRecord(result.analysed, 'train-model/extra')).toBeUndefined()
  })
})

describe('duration text', () => {
  it('parses seconds and unit strings, and rejects the rest', async () => {
    expect(parseDuration(45)).toBe(45)
    expect(parseDuration('90')).toBe(90)
    expect(parseDuration('90s')).toBe(90)
    expect(parseDuration('45m')).toBe(2700)
    expect(parseDuration('1h30m')).toBe(5400)
    expect(parseDuration('1h 30m')).toBe(5400)
    expect(parseDuration('1d2h3m4s')).toBe(86400 + 7200 + 180 + 4)
    expect(parseDuration('250ms')).toBe(0.25)
    expect(parseDuration('1.5h')).toBe(5400)
    for (const bad of ['', 'soon', '30m1h', '1h1h', '1h30', '-5', -5, 'h', null, true, [60]]) expect(parseDuration(bad), String(bad)).toBeUndefined()
    expect(formatSeconds(11760)).toBe('3h 16m')
    expect(formatSeconds(90)).toBe('1m 30s')
    expect(formatSeconds(0.25)).toBe('0.25s')
  })
})

describe('typeflow plan: problems with estimates', () => {
  it('unknown task names are E_UNKNOWN_TASK at their line in the file (exit 1), with a suggestion', async () => {
    const dir = tmp()
    const file = join(dir, 'durations.json')
    writeFileSync(file, '{\n  "validate-schema": "10m",\n  "trian-model": "2h",\n  "ghost": 5,\n  "notify-owner": "soon"\n}\n')
    const json = await typeflow('plan', fraud, '--durations', file, '--format', 'json')
    expect(json.code).toBe(1)
    const diagnostics = JSON.parse(json.stdout).diagnostics as { code: string; path: string[]; message: string; source: { line: number; column: number } }[]
    expect(diagnostics.map((d) => [d.code, d.path.join('.'), d.source.line, d.source.column])).toEqual([
      ['E_UNKNOWN_TASK', 'durations.trian-model', 3, 3],
      ['E_UNKNOWN_TASK', 'durations.ghost', 4, 3],
      ['E_INVALID_DURATION', 'durations.notify-owner', 5, 3],
    ])
    expect(diagnostics[0]!.message).toContain('did you mean "train-model"?')
    const text = await typeflow('plan', fraud, '--durations', file)
    expect(text.code).toBe(1)
    expect(text.stdout).toBe('')
    expect(text.stderr).toContain(`error ${file}:3:3 - E_UNKNOWN_TASK at durations.trian-model: pipeline "fraud-training" has no task "trian-model"`)
    const github = await typeflow('plan', fraud, '--durations', file, '--format', 'github')
    expect(github.stderr).toMatch(/^::error file=.*durations\.json,line=4,col=3,title=E_UNKNOWN_TASK::/m)
  })

  it('malformed files are a clear error: not JSON, not an object, unreadable', async () => {
    const dir = tmp()
    writeFileSync(join(dir, 'broken.json'), '{\n  "train-model": "2h",,\n}\n')
    const broken = await typeflow('plan', fraud, '--durations', join(dir, 'broken.json'))
    expect(broken.code).toBe(1)
    expect(broken.stderr).toMatch(/broken\.json:2:\d+ - E_SCHEMA at durations: durations file .*broken\.json is not valid JSON/)
    writeFileSync(join(dir, 'list.json'), '[["train-model", 60]]')
    const list = await typeflow('plan', fraud, '--durations', join(dir, 'list.json'))
    expect(list.code).toBe(1)
    expect(list.stderr).toContain('must hold a JSON object from task name to duration')
    const missing = await typeflow('plan', fraud, '--durations', join(dir, 'missing.json'))
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain('E_IO at durations: cannot read durations file')
    writeFileSync(join(dir, 'twice.json'), '{ "train-model": 1, "train-model": 2 }')
    expect((await typeflow('plan', fraud, '--durations', join(dir, 'twice.json'))).stderr).toContain('task "train-model" is given twice')
  })
})

/** Writes a run record as the local runner does. */
function writeRun(store: string, runId: string, record: Record<string, unknown>): void {
  mkdirSync(join(store, 'runs', runId), { recursive: true })
  writeFileSync(join(store, 'runs', runId, 'run.json'), JSON.stringify({ runId, ...record }))
}

describe('typeflow plan --from-run', () => {
  it('takes durations from the last finished run of this pipeline; cached tasks from their cache entry', async () => {
    const store = tmp()
    const at = (path: string, state: string, durationMs: number, extra: Record<string, unknown> = {}) => ({ name: path.split('/').pop(), path, state, durationMs, ...extra })
    // Older run of the same pipeline: must not be used.
    writeRun(store, '20260101-080000-aaaaaa', { pipeline: 'fraud-training', status: 'succeeded', startedAt: '2026-01-01T08:00:00.000Z', tasks: [at('exit-handler-1/train-model', 'done', 999_000)] })
    // The run used.
    const cacheKey = 'c'.repeat(64)
    writeRun(store, '20260102-090000-bbbbbb', {
      pipeline: 'fraud-training',
      status: 'succeeded',
      startedAt: '2026-01-02T09:00:00.000Z',
      tasks: [
        at('exit-handler-1/validate-schema', 'cached', 0, { cacheKey }),
        at('exit-handler-1/materialize-features', 'done', 120_000),
        at('exit-handler-1/train-model', 'done', 3_600_000),
        at('exit-handler-1/evaluate-holdout', 'done', 60_000),
        at('exit-handler-1/condition-branches-2/condition-3/register-model', 'done', 30_000),
        at('exit-handler-1/condition-branches-2/condition-4/notify-owner', 'not-triggered', 0),
        at('report-status', 'done', 1_000),
        at('exit-handler-1/removed-since', 'done', 5_000),
      ],
    })
    mkdirSync(join(store, 'cache'))
    writeFileSync(join(store, 'cache', `${cacheKey}.json`), JSON.stringify({ version: 1, key: cacheKey, durationMs: 45_000 }))
    // Newer, but another pipeline, a run still going, and a failed run: all skipped.
    writeRun(store, '20260103-100000-cccccc', { pipeline: 'quickstart', status: 'succeeded', tasks: [] })
    writeRun(store, '20260104-100000-dddddd', { pipeline: 'fraud-training', status: 'running', tasks: [] })
    writeRun(store, '20260105-100000-eeeeee', { pipeline: 'fraud-training', status: 'failed', startedAt: '2026-01-05T10:00:00.000Z', tasks: [at('exit-handler-1/materialize-features', 'failed', 1_000)] })

    const plan = await planJson(fraud, '--from-run', store)
    expect(plan.estimates).toEqual({ from: ['run 20260102-090000-bbbbbb'], missing: ['notify-owner'] })
    expect(Object.fromEntries(plan.tasks.map((t) => [t.name, [t.duration, t.durationFrom]]))).toEqual({
      'validate-schema': [45, 'run'],
      'materialize-features': [120, 'run'],
      'train-model': [3600, 'run'],
      'evaluate-holdout': [60, 'run'],
      'register-model': [30, 'run'],
      'notify-owner': [0, 'missing'],
      'report-status': [1, 'run'],
    })
    expect(path(plan)).toEqual(['validate-schema', 'materialize-features', 'train-model', 'evaluate-holdout', 'register-model', 'report-status'])
    expect(plan.criticalPath.total).toBe(45 + 120 + 3600 + 60 + 30 + 1)

    // A durations file overrides what the run measured; the bare flag comes before the file.
    const file = join(store, 'override.json')
    writeFileSync(file, JSON.stringify({ 'notify-owner': '2m', 'train-model': '1h30m' }))
    const both = await planJson('--from-run', store, fraud, '--durations', file)
    expect(task(both, 'train-model')).toMatchObject({ duration: 5400, durationFrom: 'file' })
    expect(task(both, 'notify-owner')).toMatchObject({ duration: 120, durationFrom: 'file' })
    expect(both.estimates!.from).toEqual(['run 20260102-090000-bbbbbb', file])
    expect(path(both)).toContain('notify-owner')

    // A run directory or its run.json names the run directly.
    expect(task(await planJson(fraud, '--from-run', join(store, 'runs', '20260101-080000-aaaaaa')), 'train-model').duration).toBe(999)
  })

  it('takes a failed run only when no run succeeded, and says so', async () => {
    const store = tmp()
    const at = (path: string, state: string, durationMs: number) => ({ name: path.split('/').pop(), path, state, durationMs })
    writeRun(store, '20260105-100000-eeeeee', { pipeline: 'fraud-training', status: 'failed', startedAt: '2026-01-05T10:00:00.000Z', tasks: [at('exit-handler-1/train-model', 'done', 60_000), at('exit-handler-1/evaluate-holdout', 'failed', 1_000)] })
    const plan = await planJson(fraud, '--from-run', store)
    expect(plan.estimates!.from).toEqual(['run 20260105-100000-eeeeee (failed)'])
    expect(task(plan, 'train-model')).toMatchObject({ duration: 60, durationFrom: 'run' })
    expect(task(plan, 'evaluate-holdout').durationFrom).toBe('missing')
  })

  it('without a run of the pipeline: a clear error (exit 1); the default store is .typeflow', async () => {
    const store = tmp()
    writeRun(store, '20260103-100000-cccccc', { pipeline: 'quickstart', status: 'succeeded', tasks: [] })
    const none = await typeflow('plan', fraud, '--from-run', store)
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no finished run of pipeline "fraud-training"')
    const cwd = tmp()
    const bare = spawnTypeflow(['plan', join(root, fraud), '--from-run'], cwd)
    expect(bare.code).toBe(1)
    expect(bare.stderr).toContain('no local runs: .typeflow does not exist')
  })

  it('end to end: measured by a real local run, then served from the cache', async () => {
    const store = tmp()
    const fixture = join(fixtures, 'measured.ts')
    for (let i = 0; i < 2; i++) {
      const run = spawnTypeflow(['run', fixture, '--host', '--store', store])
      expect(run.code, run.stderr).toBe(0)
    }
    const records = readdirSync(join(store, 'runs')).map((id) => JSON.parse(readFileSync(join(store, 'runs', id, 'run.json'), 'utf8')) as { tasks: { path: string; state: string; durationMs: number }[] })
    const executed = records.find((r) => r.tasks.every((t) => t.state === 'done'))!
    expect(records.some((r) => r.tasks.every((t) => t.state === 'cached'))).toBe(true)
    // Expected per plan task: the slowest recorded execution (loop iterations share one task).
    const expected: Record<string, number> = {}
    for (const t of executed.tasks) {
      const name = t.path.replace(/^for-loop-\d+\[\d+\]\//, '')
      expected[name] = Math.max(expected[name] ?? 0, t.durationMs / 1000)
    }
    const plan = await planJson(fixture, '--from-run', store)
    expect(plan.tasks.map((t) => t.durationFrom)).toEqual(['run', 'run', 'run', 'run'])
    expect(Object.fromEntries(plan.tasks.map((t) => [t.name, t.duration]))).toEqual(expected)
    expect(Object.keys(expected).sort()).toEqual(['first', 'nested/again', 'nested/once', 'shift'])
    expect(task(plan, 'shift')).toMatchObject({ copies: 2, executions: 3 })
  })
})

describe('plan arguments a reviewer tripped over', () => {
  // Container components only: in-process, vitest's transform hides function components' source.
  const pipelineFile = join(resolve(import.meta.dirname, '../..'), 'examples/fraud-training/pipeline.ts')

  it('--from-run <a path that does not exist> is the run, and says there is none there', async () => {
    const run = await typeflowInProcess('plan', pipelineFile, '--from-run', '/nonexistent-typeflow-store')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('no local runs: /nonexistent-typeflow-store does not exist')
    // A pipeline file after the bare flag is still the pipeline.
    expect((await typeflowInProcess('plan', '--from-run', pipelineFile)).stderr).not.toContain('expected one pipeline file')
  })

  it('a duration too large for a number is named as it was read, not as null', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'typeflow-durations-')), 'd.json')
    writeFileSync(file, '{"validate-schema": 1e400}\n')
    const run = await typeflowInProcess('plan', pipelineFile, '--durations', file)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('E_INVALID_DURATION at durations.validate-schema: Infinity is not a duration')
  })
})
