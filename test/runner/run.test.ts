import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { component, pipeline } from '@typeflow/dsl'
import { formatSummary, RunInputError, runPipeline, type TaskEvent } from '../../packages/runtime/src/runner/index.ts'
import conditions from '../fixtures/runner/conditions.ts'
import exitHandler from '../fixtures/runner/exit-handler.ts'
import { numbers as fnNumbers, padded as fnPadded } from '../fixtures/runner/fn-components.ts'
import functions from '../fixtures/runner/functions.ts'
import loopConditions from '../fixtures/runner/loop-conditions.ts'
import linear from '../fixtures/runner/linear.ts'
import loops from '../fixtures/runner/loops.ts'
import nested from '../fixtures/runner/nested.ts'
import retries from '../fixtures/runner/retries.ts'
import { cleanup, recorder, states, task, tempDir } from './helpers.ts'

afterAll(cleanup)

const host = { hostCommands: true } as const

describe('runner: caching', () => {
  it('runs a linear pipeline, and a second identical run executes nothing and says so', async () => {
    const storeDir = tempDir()
    const first = await runPipeline(linear, { ...host, storeDir })
    expect(first.status).toBe('succeeded')
    expect(states(first)).toEqual({ make: 'done', double: 'done', combine: 'done' })
    expect(first.outputs).toEqual({ result: 'hello:4' })
    expect(formatSummary(first)).toMatch(/^3 tasks: 3 done in \S+$/)

    const second = await runPipeline(linear, { ...host, storeDir })
    expect(second.status).toBe('succeeded')
    expect(states(second)).toEqual({ make: 'cached', double: 'cached', combine: 'cached' })
    expect(second.outputs).toEqual({ result: 'hello:4' })
    expect(second.counts).toMatchObject({ done: 0, cached: 3 })
    expect(formatSummary(second)).toMatch(/^3 tasks: 3 cached in \S+ \(nothing executed: every result came from the cache\)$/)
    // Cached artifacts are the first run's, still on disk.
    const made = task(second, 'make').outputs!.artifacts['data']![0]!
    expect(made.uri).toMatch(new RegExp(`^minio://typeflow/linear/${first.runId}/make/[0-9a-f-]+/data$`))
    expect(readFileSync(join(storeDir, 'artifacts', made.uri.replace('minio://', 'minio/')), 'utf8')).toBe('hello')
  })

  it('changing one pipeline parameter re-runs exactly the tasks that depend on it', async () => {
    const storeDir = tempDir()
    await runPipeline(linear, { ...host, storeDir })
    const changed = await runPipeline(linear, { ...host, storeDir, params: { n: 5 } })
    expect(states(changed)).toEqual({ make: 'cached', double: 'done', combine: 'done' })
    expect(changed.outputs).toEqual({ result: 'hello:10' })
    const text = await runPipeline(linear, { ...host, storeDir, params: { n: 5, text: 'bye' } })
    expect(states(text)).toEqual({ make: 'done', double: 'cached', combine: 'done' })
    expect(text.outputs).toEqual({ result: 'bye:10' })
  })

  it('cache: false executes everything and records nothing', async () => {
    const storeDir = tempDir()
    await runPipeline(linear, { ...host, storeDir, cache: false })
    expect(readdirSync(storeDir)).not.toContain('cache')
    const again = await runPipeline(linear, { ...host, storeDir, cache: false })
    expect(again.counts.done).toBe(3)
  })

  it('a cache entry whose artifact was deleted is a miss', async () => {
    const storeDir = tempDir()
    const first = await runPipeline(linear, { ...host, storeDir })
    const uri = task(first, 'make').outputs!.artifacts['data']![0]!.uri
    rmSync(join(storeDir, 'artifacts', uri.replace('minio://', 'minio/')))
    const second = await runPipeline(linear, { ...host, storeDir })
    expect(states(second)).toEqual({ make: 'done', double: 'cached', combine: 'done' })
  })
})

describe('runner: control flow', () => {
  it('if / elif / else run one branch, and oneOf reads it', async () => {
    const storeDir = tempDir()
    const big = await runPipeline(conditions, { ...host, storeDir, params: { n: 6 } })
    expect(big.status).toBe('succeeded')
    expect(big.outputs).toEqual({ size: 'big' })
    expect(states(big)).toEqual({
      double: 'done',
      'condition-branches-1/condition-2/big': 'done',
      'condition-branches-1/condition-3/medium': 'not-triggered',
      'condition-branches-1/condition-4/small': 'not-triggered',
      'condition-5/shout': 'not-triggered',
      report: 'done',
    })
    const medium = await runPipeline(conditions, { ...host, storeDir, params: { n: 3 } })
    expect(medium.outputs).toEqual({ size: 'medium' })
    expect(task(medium, 'condition-branches-1/condition-3/medium').state).toBe('done')
    // The consumer of a oneOf is not served from the cache of another branch.
    const small = await runPipeline(conditions, { ...host, storeDir, params: { n: 1, mode: 'loud' } })
    expect(small.outputs).toEqual({ size: 'small' })
    expect(states(small)).toMatchObject({ 'condition-branches-1/condition-4/small': 'done', 'condition-5/shout': 'done', report: 'done' })
    const quiet = await runPipeline(conditions, { ...host, storeDir, params: { n: 60, mode: 'quiet' } })
    expect(task(quiet, 'condition-5/shout').state).toBe('not-triggered')
    const loud = await runPipeline(conditions, { ...host, storeDir, params: { n: 60 } })
    // Triggered again: the same echo as in the "small" run, so it comes from the cache.
    expect(task(loud, 'condition-5/shout').state).toBe('cached')
  })

  it('a loop respects its parallelism limit; nested loops and fan-in of parameters and artifacts', async () => {
    const storeDir = tempDir()
    const dir = tempDir('typeflow-stamps-')
    const result = await runPipeline(loops, { ...host, storeDir, concurrency: 8, params: { dir } })
    expect(result.status).toBe('succeeded')
    expect(result.outputs).toEqual({ doubled: [2, 4, 6, 8, 10, 12], doubledSum: 42, joined: 'a|b|c', pairs: 66 })
    // Every iteration of the limited loop ran; at most 2 overlapped.
    const intervals = readdirSync(dir).map((file) => {
      const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n')
      const at = (word: string) => Number(lines.find((l) => l.startsWith(word))!.split(' ')[1])
      return [at('start'), at('end')] as const
    })
    expect(intervals).toHaveLength(6)
    const points = intervals.flatMap(([s, e]) => [[s, 1] as const, [e, -1] as const]).sort((a, b) => a[0] - b[0] || a[1] - b[1])
    let running = 0
    let most = 0
    for (const [, delta] of points) most = Math.max(most, (running += delta))
    expect(most).toBeGreaterThanOrEqual(1)
    expect(most).toBeLessThanOrEqual(2)
    // Nested loop iterations have their own paths.
    expect(Object.keys(states(result)).filter((p) => p.endsWith('/inner')).sort()).toEqual([
      'for-loop-6[0]/for-loop-8[0]/inner',
      'for-loop-6[0]/for-loop-8[1]/inner',
      'for-loop-6[1]/for-loop-8[0]/inner',
      'for-loop-6[1]/for-loop-8[1]/inner',
    ])
    const pairs = task(result, 'sum-pairs')
    expect(pairs.outputs?.parameters).toEqual({ Output: 66 })

    // Fan-in consumers re-run when the loop's items change, and only the new iteration runs.
    const more = await runPipeline(loops, { ...host, storeDir, concurrency: 8, params: { dir: tempDir('typeflow-stamps-'), xs: [1, 2, 3, 4, 5, 6, 7] } })
    expect(more.outputs).toMatchObject({ doubledSum: 56 })
    expect(states(more)).toMatchObject({ 'for-loop-2[6]/double': 'done', 'for-loop-2[0]/double': 'cached', 'sum-doubled': 'done', 'sum-pairs': 'cached' })
  })

  it('conditions on loop items, struct items by field, fan-in from inside a condition; caching off re-runs', async () => {
    const storeDir = tempDir()
    const result = await runPipeline(loopConditions, { ...host, storeDir })
    expect(result.outputs).toEqual({ bigs: [6, 8], names: ['ada', 'bob'] })
    expect(states(result)).toMatchObject({
      'for-loop-2[0]/condition-3/big': 'not-triggered',
      'for-loop-2[1]/condition-3/big': 'not-triggered',
      'for-loop-2[2]/condition-3/big': 'done',
      'for-loop-2[3]/condition-3/big': 'done',
      'for-loop-5[0]/greet': 'done',
      uncached: 'done',
    })
    const again = await runPipeline(loopConditions, { ...host, storeDir, params: { limit: 3 } })
    expect(again.outputs).toEqual({ bigs: [8], names: ['ada', 'bob'] })
    expect(states(again)).toMatchObject({ 'for-loop-2[2]/condition-3/big': 'not-triggered', 'for-loop-2[3]/condition-3/big': 'cached', 'for-loop-5[1]/greet': 'cached', uncached: 'done' })
  })

  it('cancelling a run stops running tasks and starts nothing new', async () => {
    const sleeper = component({ name: 'sleeper', image: 'alpine:3.20', command: ['sh', '-c', 'sleep 30; echo never'] })
    const p = pipeline({ name: 'cancel' }, (dag) => {
      const slow = dag.task(sleeper)
      dag.task(sleeper, {}, { name: 'next', after: [slow] })
    })
    const controller = new AbortController()
    const result = await runPipeline(p, {
      ...host,
      storeDir: tempDir(),
      signal: controller.signal,
      onEvent: (event) => event.type === 'task' && event.state === 'running' && controller.abort(),
    })
    expect(result.status).toBe('failed')
    expect(result.error).toBe('the run was cancelled')
    expect(result.tasks.map((t) => [t.path, t.state, t.error])).toEqual([
      ['next', 'skipped', 'upstream "sleeper" failed'],
      ['sleeper', 'failed', 'the run was cancelled'],
    ])
  })

  it('an exit handler runs after a failure and receives FAILED; ignoreUpstreamFailure runs, plain dependents are skipped', async () => {
    const storeDir = tempDir()
    const result = await runPipeline(exitHandler, { ...host, storeDir })
    expect(result.status).toBe('failed')
    expect(states(result)).toEqual({
      'exit-handler-1/cleanup': 'done',
      'exit-handler-1/fail': 'failed',
      'exit-handler-1/first': 'done',
      'exit-handler-1/never': 'skipped',
      'record-status': 'done',
    })
    expect(task(result, 'record-status').outputs?.parameters).toEqual({ state: 'FAILED', task: 'exit-handler-1' })
    expect(task(result, 'exit-handler-1/fail').error).toMatch(/^exit code 3\n.*failing on purpose/s)
    expect(task(result, 'exit-handler-1/never').error).toBe('upstream "fail" failed')
    expect(result.error).toContain('exit code 3')

    const fine = await runPipeline(exitHandler, { ...host, storeDir, params: { code: 0 } })
    expect(fine.status).toBe('succeeded')
    expect(task(fine, 'record-status').outputs?.parameters).toEqual({ state: 'SUCCEEDED', task: 'exit-handler-1' })
    expect(task(fine, 'record-status').state).toBe('done')
  })

  it('retries with backoff: a task failing twice then succeeding, and one running out of retries', async () => {
    const storeDir = tempDir()
    const { events, onEvent } = recorder()
    const result = await runPipeline(retries, { ...host, storeDir, backoffScale: 0.001, params: { dir: tempDir(), otherDir: tempDir() }, onEvent })
    expect(result.status).toBe('failed')
    expect(task(result, 'third-time-lucky')).toMatchObject({ state: 'done', attempts: 3, outputs: { parameters: { attempts: 3 } } })
    expect(task(result, 'gives-up')).toMatchObject({ state: 'failed', attempts: 2 })
    const retrying = events.filter((e): e is TaskEvent => e.type === 'task' && e.state === 'retrying' && e.path === 'third-time-lucky')
    // backoff 2s, factor 3, capped at 5s: 2s then 5s, scaled by 0.001.
    expect(retrying.map((e) => e.message)).toEqual(['attempt 1 failed: exit code 1; retrying in 2ms', 'attempt 2 failed: exit code 1; retrying in 5ms'])
  })
})

describe('runner: where tasks run', () => {
  it('a container component without docker and without hostCommands fails with a clear error', async () => {
    const result = await runPipeline(linear, { storeDir: tempDir(), containerRuntime: 'none' })
    expect(result.status).toBe('failed')
    expect(states(result)).toEqual({ make: 'failed', double: 'failed', combine: 'skipped' })
    expect(task(result, 'make').error).toBe(
      'cannot run image "alpine:3.20": no container runtime (container runtimes are turned off). Start docker or podman, or pass --host (hostCommands: true) to run its command (sh …) on this machine',
    )
  })

  it('function components run as subprocesses without any container runtime', async () => {
    const storeDir = tempDir()
    const result = await runPipeline(functions, { storeDir, containerRuntime: 'none' })
    expect(result.status).toBe('succeeded')
    expect(result.outputs).toEqual({ total: 14 })
    expect(result.tasks.map((t) => t.mode)).toEqual(['function', 'function', 'function', 'function'])
    const again = await runPipeline(functions, { storeDir, containerRuntime: 'none', params: { xs: [1, 2, 3, 4] } })
    expect(again.outputs).toEqual({ total: 30 })
    expect(states(again)).toEqual({ 'for-loop-1[0]/square': 'cached', 'for-loop-1[1]/square': 'cached', 'for-loop-1[2]/square': 'cached', 'for-loop-1[3]/square': 'done', sum: 'done' })
  })

  it('components written with functionComponent() run as the compiler packaged them, declared packages included', async () => {
    const storeDir = tempDir()
    const result = await runPipeline(fnNumbers, { storeDir, containerRuntime: 'none', params: { count: 5 } })
    expect(result.status).toBe('succeeded')
    expect(result.outputs).toEqual({ sum: 15, count: 5 })
    expect(task(result, 'generate').outputs?.artifacts['numbers']?.[0]?.metadata).toEqual({ count: 5 })

    // The wrapper runs `npm install` into a dependency directory of the store, then this Node.
    const bin = tempDir()
    const npmLog = join(bin, 'npm.log')
    writeFileSync(
      join(bin, 'npm'),
      [
        '#!/bin/sh',
        `echo "$@" >> "${npmLog}"`,
        'prefix=""; specs=""',
        'while [ $# -gt 0 ]; do case "$1" in --prefix) prefix="$2"; shift 2;; -*|install) shift;; *) specs="$specs $1"; shift;; esac; done',
        'for spec in $specs; do name="${spec%@*}"; mkdir -p "$prefix/node_modules/$name"',
        '  printf \'{"name":"%s","type":"module","main":"index.js"}\' "$name" > "$prefix/node_modules/$name/package.json"',
        '  echo \'export default (s, n) => String(s).padStart(n, "*")\' > "$prefix/node_modules/$name/index.js"; done',
      ].join('\n'),
      { mode: 0o755 },
    )
    const withPackages = await runPipeline(fnPadded, { storeDir, containerRuntime: 'none', env: { PATH: `${bin}:${process.env['PATH']}` } })
    expect(withPackages.status).toBe('succeeded')
    expect(withPackages.outputs).toEqual({ padded: ['*****a', '****bb', '***ccc'] })
    expect(readFileSync(npmLog, 'utf8')).toMatch(new RegExp(`^install .* --prefix ${storeDir}/deps/[0-9a-f]{16} typeflow-fake-pad@1.0.0\n`))
  })

  it('nested pipelines run as DAGs with their own cache scope; importers register local files', async () => {
    const storeDir = tempDir()
    const data = join(tempDir(), 'data.txt')
    writeFileSync(data, 'imported')
    const result = await runPipeline(nested, { ...host, storeDir, params: { file: data } })
    expect(result.status).toBe('succeeded')
    expect(result.outputs).toEqual({ second: 'one:2:10', read: 'imported' })
    expect(Object.keys(states(result)).sort()).toEqual(['first/combine', 'first/double', 'first/make', 'importer', 'read-text', 'second/combine', 'second/double', 'second/make'])
    const again = await runPipeline(nested, { ...host, storeDir, params: { file: data, n: 2 } })
    expect(states(again)).toMatchObject({ 'first/make': 'cached', 'first/double': 'done', 'first/combine': 'done', 'second/make': 'done', 'second/double': 'cached', importer: 'cached', 'read-text': 'cached' })
    expect(again.outputs).toEqual({ second: 'one:4:10', read: 'imported' })
  })

  it('an importer of a URI that is not in the local store fails and says where to put it', async () => {
    const result = await runPipeline(nested, { ...host, storeDir: tempDir(), params: { file: 'gs://bucket/data.txt' } })
    expect(task(result, 'importer').error).toMatch(/^importer "importer": gs:\/\/bucket\/data.txt is not in the local store \(expected at .*\/artifacts\/gcs\/bucket\/data.txt\)/)
    expect(task(result, 'read-text').state).toBe('skipped')
  })
})

describe('runner: inputs', () => {
  it('rejects unknown, ill-typed and missing pipeline inputs', async () => {
    await expect(runPipeline(linear, { storeDir: tempDir(), params: { nope: 1 } })).rejects.toThrow(new RunInputError('pipeline "linear" has no input parameter "nope" (its inputs: n, text)'))
    await expect(runPipeline(linear, { storeDir: tempDir(), params: { n: 'x' } })).rejects.toThrow(/input "n" expects NUMBER_INTEGER/)
    await expect(runPipeline(loops, { storeDir: tempDir() })).rejects.toThrow('missing value for required input dir (STRING); pass --param name=value')
  })

  it('writes a run record', async () => {
    const storeDir = tempDir()
    const result = await runPipeline(linear, { ...host, storeDir })
    const record = JSON.parse(readFileSync(join(storeDir, 'runs', result.runId, 'run.json'), 'utf8'))
    expect(record).toMatchObject({ status: 'succeeded', pipeline: 'linear', params: { n: 2, text: 'hello' } })
  })
})
