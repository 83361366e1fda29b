import { describe, expect, it } from 'vitest'
import { type LeafTask, LocalStore, Scheduler, type PipelineSpec, type TaskEnvironment } from '../../packages/runtime/src/runner/index.ts'

/** Hand-written IR: conditions on leaf tasks, upstream propagation, final status, a raw loop with fan-in. */
const leaf = { executorLabel: 'exec-echo', inputDefinitions: { parameters: { x: { parameterType: 'NUMBER_INTEGER' } } }, outputDefinitions: { parameters: { y: { parameterType: 'NUMBER_INTEGER' } } } }
const spec: PipelineSpec = {
  pipelineInfo: { name: 'hand-written' },
  deploymentSpec: { executors: { 'exec-echo': { container: { image: 'none' } }, 'exec-status': { container: { image: 'none' } } } },
  components: {
    'comp-echo': leaf,
    'comp-status': { executorLabel: 'exec-status', inputDefinitions: { parameters: { status: { parameterType: 'TASK_FINAL_STATUS' } } }, outputDefinitions: { parameters: { y: { parameterType: 'STRUCT' } } } },
    'comp-for-loop-1': {
      inputDefinitions: { parameters: { 'pipelinechannel--loop-item-param-1': { parameterType: 'STRUCT' } } },
      outputDefinitions: { parameters: { 'pipelinechannel--inner-y': { parameterType: 'LIST' } } },
      dag: {
        outputs: { parameters: { 'pipelinechannel--inner-y': { valueFromParameter: { producerSubtask: 'inner', outputParameterKey: 'y' } } } },
        tasks: {
          inner: {
            componentRef: { name: 'comp-echo' },
            inputs: { parameters: { x: { componentInputParameter: 'pipelinechannel--loop-item-param-1', parameterExpressionSelector: 'parseJson(string_value)["v"]' } } },
          },
        },
      },
    },
  },
  root: {
    dag: {
      outputs: { parameters: { ys: { valueFromParameter: { producerSubtask: 'for-loop-1', outputParameterKey: 'pipelinechannel--inner-y' } } } },
      tasks: {
        a: { componentRef: { name: 'comp-echo' }, inputs: { parameters: { x: { runtimeValue: { constant: 5 } } } }, triggerPolicy: { condition: "inputs.parameter_values['x'] > 3" } },
        b: { componentRef: { name: 'comp-echo' }, inputs: { parameters: { x: { runtimeValue: { constant: 5 } } } }, triggerPolicy: { condition: "inputs.parameter_values['x'] > 10" } },
        c: { componentRef: { name: 'comp-echo' }, inputs: { parameters: { x: { runtimeValue: { constant: 5 } } } }, triggerPolicy: { condition: "inputs.parameter_values['nope'] == 1" } },
        d: { componentRef: { name: 'comp-echo' }, dependentTasks: ['b'], inputs: { parameters: { x: { taskOutputParameter: { producerTask: 'a', outputParameterKey: 'y' } } } } },
        e: {
          componentRef: { name: 'comp-status' },
          dependentTasks: ['c'],
          inputs: { parameters: { status: { taskFinalStatus: { producerTask: 'c' } } } },
          triggerPolicy: { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' },
        },
        'for-loop-1': {
          componentRef: { name: 'comp-for-loop-1' },
          parameterIterator: { itemInput: 'pipelinechannel--loop-item-param-1', items: { raw: '[{"v": 1}, {"v": 2}, {"v": 3}]' } },
          iteratorPolicy: { parallelismLimit: 1 },
        },
      },
    },
  },
}

describe('scheduler on hand-written IR', () => {
  it('evaluates conditions on leaves, propagates upstream states, passes final status and collects loop outputs', async () => {
    const seen: LeafTask[] = []
    const environment: TaskEnvironment = {
      store: new LocalStore('/nonexistent'),
      runId: 'run-1',
      pipelineName: 'hand-written',
      pipelineRoot: 'minio://typeflow',
      hostCommands: false,
      containerRuntime: () => ({ kind: 'none', reason: 'test' }),
    }
    const scheduler = new Scheduler({
      spec,
      environment,
      concurrency: 4,
      cache: undefined,
      executeLeaf: async (task) => {
        seen.push(task)
        const x = task.parameters['x']
        return { ok: true, mode: 'host', outputs: { parameters: { y: typeof x === 'number' ? x * 10 : (task.parameters['status'] ?? null) }, artifacts: {} } }
      },
    })
    const outcome = await scheduler.run({ parameters: {}, artifacts: {} }, undefined)
    expect(outcome.state).toBe('failed')
    expect(Object.fromEntries(scheduler.records().map((r) => [r.path, [r.state, r.error]]))).toEqual({
      a: ['done', undefined],
      b: ['not-triggered', 'condition of "b" is false'],
      c: ['failed', 'condition of "c" cannot be evaluated: no such key: "nope" at position 23 of CEL expression "inputs.parameter_values[\'nope\'] == 1"'],
      d: ['skipped', 'upstream "b" was not triggered'],
      e: ['done', undefined],
      'for-loop-1[0]/inner': ['done', undefined],
      'for-loop-1[1]/inner': ['done', undefined],
      'for-loop-1[2]/inner': ['done', undefined],
    })
    const status = seen.find((t) => t.name === 'e')!.parameters['status']
    expect(status).toEqual({ state: 'FAILED', pipelineJobResourceName: 'run-1', pipelineTaskName: 'c', error: { message: expect.stringContaining('cannot be evaluated') } })
    // Parallelism 1: the iterations run in order; their outputs are collected in item order.
    expect(seen.filter((t) => t.name === 'inner').map((t) => t.parameters['x'])).toEqual([1, 2, 3])
    expect(outcome.parameters.get('ys')).toEqual([10, 20, 30])
  })
})

describe('scheduler at scale', () => {
  const environment: TaskEnvironment = {
    store: new LocalStore('/nonexistent'),
    runId: 'run-1',
    pipelineName: 'generated',
    pipelineRoot: 'minio://typeflow',
    hostCommands: false,
    containerRuntime: () => ({ kind: 'none', reason: 'test' }),
  }
  const passOn = { executorLabel: 'exec-echo', inputDefinitions: { parameters: { x: { parameterType: 'NUMBER_INTEGER' } } }, outputDefinitions: { parameters: { y: { parameterType: 'NUMBER_INTEGER' } } } }
  const specOf = (tasks: Record<string, unknown>): PipelineSpec =>
    ({ pipelineInfo: { name: 'generated' }, deploymentSpec: { executors: { 'exec-echo': { container: { image: 'none' } } } }, components: { 'comp-echo': passOn }, root: { dag: { tasks } } }) as unknown as PipelineSpec
  const constant = (x: number) => ({ componentRef: { name: 'comp-echo' }, inputs: { parameters: { x: { runtimeValue: { constant: x } } } } })
  const after = (task: string) => ({ componentRef: { name: 'comp-echo' }, inputs: { parameters: { x: { taskOutputParameter: { producerTask: task, outputParameterKey: 'y' } } } } })
  const plusOne = (seen: string[]) => async (task: LeafTask) => {
    seen.push(task.name)
    return { ok: true as const, mode: 'host' as const, outputs: { parameters: { y: (task.parameters['x'] as number) + 1 }, artifacts: {} } }
  }

  // Fixed bug RUNNER-CHAIN-STACK: a task started its upstream itself, before its first await, so a
  // chain recursed once per task; 12,000 chained tasks overflowed the stack. Dependencies are now
  // started first. Task names sort out of chain order (t-10 before t-9), as they did.
  it('runs a chain of 15,000 tasks in order, each reading the one before', async () => {
    const n = 15_000
    const tasks: Record<string, unknown> = { 't-0': constant(0) }
    for (let i = 1; i < n; i++) tasks[`t-${i}`] = after(`t-${i - 1}`)
    const seen: string[] = []
    const scheduler = new Scheduler({ spec: specOf(tasks), environment, concurrency: 4, cache: undefined, executeLeaf: plusOne(seen) })
    const outcome = await scheduler.run({ parameters: {}, artifacts: {} }, undefined)
    expect(outcome.state).toBe('succeeded')
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => `t-${i}`))
    expect(scheduler.records().filter((r) => r.state === 'done')).toHaveLength(n)
  })

  // The concurrency queue serves waiters by an index and drops served ones in one copy now and
  // then (Array#shift copied the whole queue each time): the order must stay first come, first served.
  it('serves 3,000 tasks waiting for 2 slots first come, first served', async () => {
    const tasks: Record<string, unknown> = { source: constant(1) }
    const fans = Array.from({ length: 3_000 }, (_, i) => `fan-${String(i).padStart(4, '0')}`)
    for (const name of fans) tasks[name] = after('source')
    const seen: string[] = []
    let running = 0
    let most = 0
    const execute = plusOne(seen)
    const scheduler = new Scheduler({
      spec: specOf(tasks),
      environment,
      concurrency: 2,
      cache: undefined,
      executeLeaf: async (task) => {
        most = Math.max(most, ++running)
        await new Promise((resolve) => setImmediate(resolve))
        running--
        return execute(task)
      },
    })
    expect((await scheduler.run({ parameters: {}, artifacts: {} }, undefined)).state).toBe('succeeded')
    expect(most).toBe(2)
    expect(seen).toEqual(['source', ...fans])
  })
})
