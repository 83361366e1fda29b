import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { cleanup, tempDir } from './helpers.ts'

afterAll(cleanup)

const root = fileURLToPath(new URL('../../', import.meta.url))

function typeflow(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return typeflowWith({}, ...args)
}

function typeflowWith(extraEnv: NodeJS.ProcessEnv, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TYPEFLOW_BACKOFF_SCALE: '0.001', ...extraEnv }
  delete env['FORCE_COLOR']
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'packages/runtime/src/runner/cli.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 100_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const durations = (text: string) => text.replace(/\d+(?:\.\d+)?m?s\b/g, 'T')

describe('typeflow run', () => {
  it('runs a pipeline (exit 0), then runs it again from the cache and says so', () => {
    const store = tempDir()
    const first = typeflow('run', 'test/fixtures/runner/linear.ts', '--host', '--store', store, '--param', 'n=3', '--param', 'text=hi there')
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const lines = durations(first.stdout).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^▶ linear run \d{8}-\d{6}-[0-9a-f]{6} \(store: .+\)$/)
    expect(lines).toContain('done          make (T)')
    expect(lines.slice(-2)).toEqual(['output result = "hi there:6"', '3 tasks: 3 done in T'])

    const second = typeflow('run', 'test/fixtures/runner/linear.ts', '--host', '--store', store, '-p', 'n=3', '-p', 'text=hi there')
    expect(second.code).toBe(0)
    expect(durations(second.stdout).trimEnd().split('\n').slice(1)).toEqual([
      'cached        double',
      'cached        make',
      'cached        combine',
      'output result = "hi there:6"',
      '3 tasks: 3 cached in T (nothing executed: every result came from the cache)',
    ])
  })

  it('--caching off (or TYPEFLOW_CACHING=off) runs again every task that does not choose, as plan shows', () => {
    const store = tempDir()
    const args = ['run', 'test/fixtures/runner/linear.ts', '--host', '--store', store, '-p', 'n=2', '-p', 'text=x']
    expect(typeflow(...args).code).toBe(0)
    expect(durations(typeflow(...args, '--caching', 'off').stdout)).toContain('3 tasks: 3 done in T')
    const env = { TYPEFLOW_CACHING: 'off' }
    expect(durations(typeflow(...args).stdout)).toContain('3 tasks: 3 cached in T')
    expect(durations(typeflowWith(env, ...args).stdout)).toContain('3 tasks: 3 done in T')
    expect(typeflow(...args, '--caching', 'sometimes')).toMatchObject({ code: 2, stderr: 'error: --caching must be on or off (got "sometimes")\n' })
  })

  it('exits 1 when a task fails, naming it', () => {
    const result = typeflow('run', 'test/fixtures/runner/failing.ts', '--host', '--output', '--store', tempDir())
    expect(result.code).toBe(1)
    const lines = durations(result.stdout).split('\n')
    expect(lines).toContain('fail │ failing on purpose')
    expect(lines).toContain('failed        fail (T): exit code 3')
    expect(lines).toContain('skipped       after: upstream "fail" failed')
    expect(lines).toContain('3 tasks: 1 done, 1 failed, 1 skipped in T')
    expect(result.stderr).toMatch(/^run \S+ failed: fail: exit code 3\n$/)
  })

  it('exits 130 when Ctrl-C cancels the run, after stopping its running task', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/runtime/src/runner/cli.ts', 'run', 'test/fixtures/runner/sleeping.ts', '--host', '--store', tempDir()], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
    })
    let stdout = ''
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // Interrupted once the task runs (its progress line is out), as a user at a terminal would.
    const started = new Promise<void>((resolve) =>
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (/^running +sleep$/m.test(stdout)) resolve()
      }),
    )
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
    await started
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(stderr).toContain('cancelling: stopping running tasks')
    expect(stderr).toMatch(/run \S+ failed: the run was cancelled\n$/)
    expect(stdout).toMatch(/^failed +sleep \(.+\): the run was cancelled$/m)
  }, 60_000)

  it('exits 1 without docker and without --host, with a clear error', () => {
    const result = typeflow('run', 'test/fixtures/runner/failing.ts', '--store', tempDir(), '--container-runtime', 'none')
    expect(result.code).toBe(1)
    expect(durations(result.stdout)).toContain('failed        echo (T): cannot run image "alpine:3.20": no container runtime (container runtimes are turned off). Start docker or podman, or pass --host')
  })

  it('exits 2 on usage errors', () => {
    const unknownInput = typeflow('run', 'test/fixtures/runner/linear.ts', '--param', 'nope=1')
    expect(unknownInput).toMatchObject({ code: 2, stderr: 'error: pipeline "linear" has no input "nope"; its inputs: text, n\n' })
    const badValue = typeflow('run', 'test/fixtures/runner/linear.ts', '--param', 'n=three')
    expect(badValue.code).toBe(2)
    expect(badValue.stderr).toMatch(/^error: --param n expects NUMBER_INTEGER/)
    const missing = typeflow('run', 'test/fixtures/runner/loops.ts', '--store', tempDir())
    expect(missing).toMatchObject({ code: 2, stderr: 'error: missing value for required input dir (STRING); pass --param name=value\n' })
    expect(typeflow('run', 'test/fixtures/runner/nope.ts')).toMatchObject({ code: 2, stderr: 'error: no such file: test/fixtures/runner/nope.ts\n' })
    const option = typeflow('run', 'test/fixtures/runner/linear.ts', '--frobnicate')
    expect(option.code).toBe(2)
    expect(option.stderr).toMatch(/^error: unknown option --frobnicate\n\nUsage: typeflow run/)
    expect(typeflow('run', 'test/fixtures/runner/linear.ts', '--hots').stderr).toMatch(/^error: unknown option --hots \(did you mean --host\?\)\n/)
    expect(typeflow('run', 'test/fixtures/runner/linear.ts', '--concurrency', '0')).toMatchObject({ code: 2, stderr: 'error: --concurrency takes a positive integer, got "0"\n' })
    expect(typeflow('launch')).toMatchObject({ code: 2 })
  })
})
