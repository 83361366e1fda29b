import { afterAll, describe, expect, it } from 'vitest'
import { createProgress, formatDuration, formatSummary, type RunEvent, type RunResult, runPipeline } from '../../packages/runtime/src/runner/index.ts'
import linear from '../fixtures/runner/linear.ts'
import { cleanup, tempDir } from './helpers.ts'

afterAll(cleanup)

function fakeStream(tty: boolean) {
  const stream = { out: '', isTTY: tty, columns: 80, rows: 20, write: (chunk: string) => ((stream.out += chunk), true) }
  return stream
}

const task = (path: string, state: Extract<RunEvent, { type: 'task' }>['state'], extra: Partial<Extract<RunEvent, { type: 'task' }>> = {}): RunEvent => ({
  type: 'task',
  name: path.split('/').pop()!,
  path,
  state,
  ...extra,
})

describe('progress: plain lines when not a terminal', () => {
  it('prints one line per state change of a real run, and the summary', async () => {
    const stream = fakeStream(false)
    const progress = createProgress({ stream: stream as unknown as NodeJS.WritableStream, env: {} })
    const result = await runPipeline(linear, { hostCommands: true, storeDir: tempDir(), concurrency: 1, onEvent: progress.onEvent })
    progress.close()
    const lines = stream.out.replace(/\(\d+(?:\.\d+)?m?s\)/g, '(T)').trimEnd().split('\n')
    expect(lines[0]).toBe(`▶ linear run ${result.runId} (store: ${result.storeDir})`)
    expect(lines.slice(1)).toEqual([
      'running       double',
      'done          double (T)',
      'running       make',
      'done          make (T)',
      'running       combine',
      'done          combine (T)',
    ])
    expect(stream.out).not.toContain('\x1b[')
    expect(formatSummary(result)).toMatch(/^3 tasks: 3 done in \d/)
  })

  it('formats failures with their output, retries, skips and untriggered branches', () => {
    const stream = fakeStream(false)
    const progress = createProgress({ stream: stream as unknown as NodeJS.WritableStream, env: {} })
    const events: RunEvent[] = [
      task('a', 'waiting'),
      task('a', 'running', { attempt: 1 }),
      { type: 'output', name: 'a', path: 'a', stream: 'stderr', line: 'boom' },
      task('a', 'retrying', { attempt: 1, message: 'attempt 1 failed: exit code 1; retrying in 1.0s' }),
      task('a', 'running', { attempt: 2 }),
      task('a', 'failed', { durationMs: 1500, message: 'exit code 1\n    boom\n    (log: /x/a.log)' }),
      task('b', 'skipped', { message: 'upstream "a" failed' }),
      task('condition-1/c', 'not-triggered', { message: 'condition of "condition-1" is false' }),
      task('d', 'cached'),
    ]
    for (const event of events) progress.onEvent(event)
    progress.close()
    expect(stream.out.split('\n')).toEqual([
      'running       a',
      'a │ boom',
      'retrying      a: attempt 1 failed: exit code 1; retrying in 1.0s',
      'running       a (attempt 2)',
      'failed        a (1.5s): exit code 1',
      '      boom',
      '      (log: /x/a.log)',
      'skipped       b: upstream "a" failed',
      'not triggered condition-1/c: condition of "condition-1" is false',
      'cached        d',
      '',
    ])
  })

  it('colours states when asked to, never with NO_COLOR', () => {
    const coloured = fakeStream(false)
    const progress = createProgress({ stream: coloured as unknown as NodeJS.WritableStream, env: { FORCE_COLOR: '1' } })
    progress.onEvent(task('a', 'done', { durationMs: 5 }))
    expect(coloured.out).toBe('\x1b[32mdone         \x1b[0m a (5ms)\n')
    const plain = fakeStream(true)
    const noColour = createProgress({ stream: plain as unknown as NodeJS.WritableStream, env: { NO_COLOR: '1', FORCE_COLOR: '1' } })
    noColour.onEvent(task('a', 'done', { durationMs: 5 }))
    noColour.close()
    expect(plain.out).not.toContain('\x1b[3')
  })
})

describe('task output', () => {
  it('is reported line by line when asked for', async () => {
    const lines: string[] = []
    await runPipeline(linear, {
      hostCommands: true,
      storeDir: tempDir(),
      showOutput: true,
      params: { text: 'x' },
      onEvent: (event) => event.type === 'output' && lines.push(`${event.path} ${event.stream} ${event.line}`),
    })
    expect(lines).toEqual([])
    const failing = (await import('../fixtures/runner/failing.ts')).default
    await runPipeline(failing, { hostCommands: true, storeDir: tempDir(), showOutput: true, onEvent: (event) => event.type === 'output' && lines.push(`${event.path} ${event.stream} ${event.line}`) })
    expect(lines).toEqual(['fail stderr failing on purpose'])
  })
})

describe('progress: live table on a terminal', () => {
  it('redraws a table of tasks with state and duration, and shows failures at the end', () => {
    const stream = fakeStream(true)
    let clock = 1000
    const progress = createProgress({ stream: stream as unknown as NodeJS.WritableStream, env: { NO_COLOR: '1' }, now: () => clock })
    progress.onEvent(task('prepare', 'waiting'))
    progress.onEvent(task('for-loop-1[0]/train', 'waiting'))
    progress.onEvent(task('prepare', 'running'))
    clock += 1200
    progress.onEvent(task('prepare', 'done', { durationMs: 1200 }))
    progress.onEvent(task('for-loop-1[0]/train', 'running'))
    clock += 300
    progress.onEvent(task('for-loop-1[0]/train', 'failed', { durationMs: 300, message: 'exit code 2' }))
    progress.close()
    const frames = stream.out.split('\x1b[2A\x1b[J')
    expect(frames.at(-1)).toBe(['✓ prepare              done          1.2s', '✗ for-loop-1[0]/train  failed        300ms', '✗ for-loop-1[0]/train: exit code 2', ''].join('\n'))
  })
})

describe('progress: live table of a large run', () => {
  // Fixed bug PROGRESS-WIDE: the path column was Math.max(...rows), which throws past about
  // 120,000 rows (a nested pipeline of 20,000 tasks runs 98,000); the redraw also looked each row
  // up in the list of failed ones, quadratic when thousands fail.
  it('redraws 150,000 rows, 10,000 of them failed: failures first, the rest counted', () => {
    const stream = fakeStream(true)
    const progress = createProgress({ stream: stream as unknown as NodeJS.WritableStream, env: { NO_COLOR: '1' }, now: () => 1000 })
    for (let i = 0; i < 150_000; i++) progress.onEvent(task(`for-loop-1[${i}]/step`, i % 15 === 0 ? 'failed' : 'done', { durationMs: 5, message: 'exit code 1' }))
    progress.close()
    const frame = stream.out.split(/\x1b\[\d+A\x1b\[J/).at(-1)!.split('\n')
    // The path column is as wide as the longest path, for-loop-1[149999]/step.
    expect(frame[0]).toBe(`✗ ${'for-loop-1[0]/step'.padEnd(23)}  failed        5ms`)
    expect(frame[17]).toBe('  … 149983 more: 140000 done, 9983 failed')
  })
})

describe('formatting', () => {
  it('durations and summaries', () => {
    expect([5, 999, 1234, 12_345, 125_000].map(formatDuration)).toEqual(['5ms', '999ms', '1.2s', '12s', '2m05s'])
    const base = { pipeline: 'p', runId: 'r', storeDir: '/s', outputs: {}, diagnostics: [], tasks: [] } as const
    const result = (counts: RunResult['counts'], n: number): RunResult => ({ ...base, status: 'failed', durationMs: 800, counts, tasks: Array.from({ length: n }, () => ({ name: 't', path: 't', state: 'done', durationMs: 1 })) })
    expect(formatSummary(result({ done: 2, cached: 0, failed: 1, skipped: 2, 'not-triggered': 1 }, 6))).toBe('6 tasks: 2 done, 1 failed, 2 skipped, 1 not triggered in 800ms')
    expect(formatSummary(result({ done: 4, cached: 2, failed: 0, skipped: 0, 'not-triggered': 0 }, 6))).toBe('6 tasks: 4 done, 2 cached in 800ms')
  })
})
