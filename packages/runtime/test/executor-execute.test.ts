/**
 * `execute()` in process: input resolution and checking, the function's argument object, return
 * conventions, output files, and what is (not) written on failure. KFP inputs use a temporary
 * local root, so `gs://b/k` lives at `<root>/gcs/b/k`.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { IoSpecNode } from '@typeflow/dsl'
import { ComponentFailedError, ExecutorError } from '../src/executor/errors.ts'
import { execute } from '../src/executor/execute.ts'
import type { ComponentInterface, InputArtifact, OutputArtifact } from '../src/executor/execute.ts'
import { formatFailure, parseExecutorArgs, runComponent } from '../src/executor/main.ts'

const p = (type: Extract<IoSpecNode, { kind: 'parameter' }>['type'], extra: { optional?: boolean; default?: string | number | boolean } = {}): IoSpecNode => ({
  kind: 'parameter',
  type,
  optional: extra.optional ?? extra.default !== undefined,
  ...(extra.default === undefined ? {} : { default: extra.default }),
})
const a = (schemaTitle: string, extra: { isList?: boolean; optional?: boolean } = {}): IoSpecNode => ({
  kind: 'artifact',
  type: { schemaTitle, schemaVersion: '0.0.1' },
  isList: extra.isList ?? false,
  optional: extra.optional ?? false,
})

let root: string
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'typeflow-exec-'))
})
afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

function put(uri: string, content: string): void {
  const path = join(root, uri.replace(/^gs:\/\//, 'gcs/').replace(/^minio:\/\//, 'minio/').replace(/^s3:\/\//, 's3/'))
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, content)
}

/** An ExecutorInput as the KFP driver builds it, for `spec`. */
function executorInput(spec: ComponentInterface, parameterValues: Record<string, unknown>, inputArtifacts: Record<string, { uri: string; metadata?: object }[]> = {}) {
  const taskRoot = 'minio://mlpipeline/v2/artifacts/p/run-1/task/uuid-1'
  return JSON.stringify({
    inputs: {
      parameterValues,
      artifacts: Object.fromEntries(
        Object.entries(inputArtifacts).map(([k, list]) => [
          k,
          { artifacts: list.map((x, i) => ({ name: String(100 + i), type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, metadata: {}, ...x })) },
        ]),
      ),
    },
    outputs: {
      parameters: Object.fromEntries(
        Object.entries(spec.outputs)
          .filter(([, io]) => io.kind === 'parameter')
          .map(([k]) => [k, { outputFile: join(root, 'tmp/kfp/outputs', k) }]),
      ),
      artifacts: {
        ...Object.fromEntries(
          Object.entries(spec.outputs)
            .filter(([, io]) => io.kind === 'artifact')
            .map(([k, io]) => [k, { artifacts: [{ name: k, type: io.type, uri: `${taskRoot}/${k}`, metadata: {} }] }]),
        ),
        'executor-logs': { artifacts: [{ name: 'executor-logs', type: { schemaTitle: 'system.Artifact' }, uri: `${taskRoot}/executor-logs-0` }] },
      },
      outputFile: join(root, 'minio/mlpipeline/v2/artifacts/p/run-1/task/uuid-1/output_metadata.json'),
    },
  })
}

const outputFile = () => join(root, 'minio/mlpipeline/v2/artifacts/p/run-1/task/uuid-1/output_metadata.json')
const paramFile = (name: string) => join(root, 'tmp/kfp/outputs', name)

describe('execute (KFP)', () => {
  const spec: ComponentInterface = {
    inputs: {
      text: p('STRING'),
      n: p('NUMBER_INTEGER'),
      ratio: p('NUMBER_DOUBLE', { default: 0.25 }),
      note: p('STRING', { optional: true }),
      flag: p('BOOLEAN', { default: false }),
      items: p('LIST'),
      cfg: p('STRUCT'),
      data: a('system.Dataset'),
      parts: a('system.Dataset', { isList: true }),
    },
    outputs: { count: p('NUMBER_INTEGER'), summary: p('STRING'), tags: p('LIST'), model: a('system.Model'), metrics: a('system.Metrics') },
  }

  it('passes typed values and artifacts in one object and writes every output', async () => {
    put('gs://b/in/data', 'a\nb\nc\n')
    put('gs://b/in/p0', 'x')
    put('gs://b/in/p1', 'y')
    let seen: Record<string, unknown> = {}
    const result = await execute(
      async (args: {
        text: string
        n: number
        ratio: number
        flag: boolean
        items: unknown[]
        cfg: object
        data: InputArtifact
        parts: InputArtifact[]
        model: OutputArtifact
        metrics: OutputArtifact
      }) => {
        seen = { ...args }
        const rows = readFileSync(args.data.path, 'utf8').trim().split('\n')
        writeFileSync(args.model.path, 'weights')
        args.model.metadata['framework'] = 'x'
        args.metrics.metadata['accuracy'] = 0.9
        return { count: rows.length, summary: `${args.text}:${args.n}:${args.parts.length}`, tags: ['a'] }
      },
      spec,
      {
        mode: 'kfp',
        executorInput: executorInput(
          spec,
          { text: 'hi', n: 3, items: [1, 'two'], cfg: { k: { nested: true } }, flag: true, note: null },
          { data: [{ uri: 'gs://b/in/data', metadata: { rows: 3 } }], parts: [{ uri: 'gs://b/in/p0' }, { uri: 'gs://b/in/p1' }] },
        ),
      },
      { name: 'train', localRoot: root },
    )

    expect(seen['text']).toBe('hi')
    expect(seen['n']).toBe(3)
    expect(seen['ratio']).toBe(0.25) // default applied
    expect('note' in seen).toBe(false) // optional, null → absent
    expect(seen['flag']).toBe(true)
    expect(seen['items']).toEqual([1, 'two'])
    expect(seen['data']).toEqual({ name: '100', uri: 'gs://b/in/data', path: join(root, 'gcs/b/in/data'), metadata: { rows: 3 }, schemaTitle: 'system.Dataset' })
    expect((seen['parts'] as InputArtifact[]).map((x) => x.path)).toEqual([join(root, 'gcs/b/in/p0'), join(root, 'gcs/b/in/p1')])
    expect(seen['model']).toMatchObject({ name: 'model', uri: 'minio://mlpipeline/v2/artifacts/p/run-1/task/uuid-1/model', schemaTitle: 'system.Model' })

    expect(readFileSync(paramFile('count'), 'utf8')).toBe('3')
    expect(readFileSync(paramFile('summary'), 'utf8')).toBe('hi:3:2')
    expect(readFileSync(paramFile('tags'), 'utf8')).toBe('["a"]')
    const written = JSON.parse(readFileSync(outputFile(), 'utf8')) as unknown
    expect(written).toEqual({
      parameterValues: { count: 3, summary: 'hi:3:2', tags: ['a'] },
      artifacts: {
        model: { artifacts: [{ name: 'model', uri: 'minio://mlpipeline/v2/artifacts/p/run-1/task/uuid-1/model', metadata: { framework: 'x' } }] },
        metrics: { artifacts: [{ name: 'metrics', uri: 'minio://mlpipeline/v2/artifacts/p/run-1/task/uuid-1/metrics', metadata: { accuracy: 0.9 } }] },
      },
    })
    expect(result.executorOutput).toEqual(written)
    // A Metrics artifact the function did not write gets its metadata as content (like the Python SDK).
    expect(JSON.parse(readFileSync(join(root, 'minio/mlpipeline/v2/artifacts/p/run-1/task/uuid-1/metrics'), 'utf8'))).toEqual({ accuracy: 0.9 })
    // No temp files left behind.
    expect(readdirSync(join(root, 'tmp/kfp/outputs')).sort()).toEqual(['count', 'summary', 'tags'])
  })

  const small: ComponentInterface = { inputs: { n: p('NUMBER_INTEGER') }, outputs: { Output: p('NUMBER_INTEGER') } }
  const runSmall = (fn: (args: { n: number }) => unknown, values: Record<string, unknown> = { n: 2 }) =>
    execute(fn, small, { mode: 'kfp', executorInput: executorInput(small, values) }, { name: 'small', localRoot: root })

  it('a single output named Output may be returned bare or as { Output }', async () => {
    await runSmall(({ n }) => n + 1)
    expect(readFileSync(paramFile('Output'), 'utf8')).toBe('3')
    await runSmall(({ n }) => ({ Output: n * 10 }))
    expect(readFileSync(paramFile('Output'), 'utf8')).toBe('20')
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a string for NUMBER_INTEGER', { n: '3' }, /^input "n" expects NUMBER_INTEGER \(an integer\), got "3" \(a string\)$/],
    ['a fraction for NUMBER_INTEGER', { n: 2.5 }, /input "n" expects NUMBER_INTEGER \(an integer\), got 2\.5 \(a non-integer number\)/],
    ['a missing required input', {}, /^input "n" \(NUMBER_INTEGER\) is required but was not given$/],
  ])('rejects %s before calling the function, writing nothing', async (_what, values, message) => {
    let called = false
    const run = runSmall(() => {
      called = true
      return 1
    }, values)
    await expect(run).rejects.toThrow(ExecutorError)
    await expect(run).rejects.toThrow(message)
    expect(called).toBe(false)
    expect(existsSync(paramFile('Output'))).toBe(false)
    expect(existsSync(outputFile())).toBe(false)
  })

  it.each<[string, unknown, RegExp]>([
    ['a wrong output type', 'three', /^output "Output" expects NUMBER_INTEGER \(an integer\), got "three" \(a string\)$/],
    ['nothing for a required output', undefined, /did not return output parameter "Output" \(NUMBER_INTEGER\)/],
  ])('fails on %s, writing nothing', async (_what, value, message) => {
    await expect(runSmall(() => value)).rejects.toThrow(message)
    expect(existsSync(paramFile('Output'))).toBe(false)
    expect(existsSync(outputFile())).toBe(false)
  })

  it('a thrown error becomes ComponentFailedError with the cause, writing nothing', async () => {
    const boom = new Error('no data')
    const run = runSmall(() => {
      throw boom
    })
    await expect(run).rejects.toBeInstanceOf(ComponentFailedError)
    await expect(run).rejects.toThrow('component "small" failed: no data')
    await run.catch((e: unknown) => expect((e as Error).cause).toBe(boom))
    expect(existsSync(outputFile())).toBe(false)
  })

  it('checks the returned object: unknown names, artifacts returned as values, non-objects', async () => {
    const two: ComponentInterface = { inputs: {}, outputs: { a: p('STRING'), b: p('NUMBER_DOUBLE'), m: a('system.Model') } }
    const run = (value: unknown) => execute(() => value, two, { mode: 'kfp', executorInput: executorInput(two, {}) }, { localRoot: root })
    await expect(run({ a: 'x', b: 1, c: 2 })).rejects.toThrow(/returned "c", but it declares no output parameter "c" \(output parameters: a, b\)/)
    await expect(run({ a: 'x', b: 1, m: {} })).rejects.toThrow(/"m" is an output artifact: write it at m\.path instead of returning it/)
    await expect(run(42)).rejects.toThrow(/must return an object with the output parameters "a", "b", got 42 \(an integer\)/)
    await expect(run({ a: 'x', b: Number.POSITIVE_INFINITY })).rejects.toThrow(/output "b" expects NUMBER_DOUBLE \(a finite number\), got Infinity/)
  })

  it('an output artifact that was not written fails the step (the launcher could not upload it)', async () => {
    const spec1: ComponentInterface = { inputs: {}, outputs: { model: a('system.Model'), maybe: a('system.Model', { optional: true }) } }
    await expect(execute(() => undefined, spec1, { mode: 'kfp', executorInput: executorInput(spec1, {}) }, { localRoot: root })).rejects.toThrow(
      /output artifact "model" \(system\.Model\) was not written: expected a file or directory at .*\/model$/,
    )
  })

  it('output artifacts: parent dirs exist, only metadata is mutable, metadata must be JSON', async () => {
    const spec1: ComponentInterface = { inputs: {}, outputs: { model: a('system.Model') } }
    const input = { mode: 'kfp', executorInput: executorInput(spec1, {}) } as const
    await execute(
      ({ model }: { model: OutputArtifact }) => {
        expect(existsSync(dirname(model.path))).toBe(true)
        expect(() => {
          ;(model as { path: string }).path = '/elsewhere'
        }).toThrow(TypeError)
        mkdirSync(model.path)
        writeFileSync(join(model.path, 'saved_model.pb'), 'x')
        model.metadata = { replaced: true }
      },
      spec1,
      input,
      { localRoot: root },
    )
    expect(JSON.parse(readFileSync(outputFile(), 'utf8'))).toMatchObject({ artifacts: { model: { artifacts: [{ metadata: { replaced: true } }] } } })
    await expect(
      execute(
        ({ model }: { model: OutputArtifact }) => {
          model.metadata['when'] = new Date(0) as never
        },
        spec1,
        input,
        { localRoot: root },
      ),
    ).rejects.toThrow(/output artifact "model": metadata must be a JSON object, but metadata\.when is .* \(a Date\)/)
  })

  it('TASK_FINAL_STATUS inputs arrive as a normalized struct', async () => {
    const spec1: ComponentInterface = { inputs: { status: p('TASK_FINAL_STATUS') }, outputs: {} }
    let got: unknown
    await execute(
      ({ status }: { status: unknown }) => {
        got = status
      },
      spec1,
      { mode: 'kfp', executorInput: executorInput(spec1, { status: { state: 'FAILED', pipelineTaskName: 'exit', error: { code: 9, message: 'x' } } }) },
      { localRoot: root },
    )
    expect(got).toEqual({ state: 'FAILED', pipelineJobResourceName: '', pipelineTaskName: 'exit', error: { code: 9, message: 'x' } })
  })

  it('optional and list input artifacts', async () => {
    const spec1: ComponentInterface = { inputs: { maybe: a('system.Dataset', { optional: true }), many: a('system.Dataset', { isList: true }) }, outputs: {} }
    let got: Record<string, unknown> = {}
    await execute((args: Record<string, unknown>) => void (got = args), spec1, { mode: 'kfp', executorInput: executorInput(spec1, {}) }, { localRoot: root })
    expect(got).toEqual({ many: [] })
    const required: ComponentInterface = { inputs: { data: a('system.Dataset') }, outputs: {} }
    await expect(execute(() => undefined, required, { mode: 'kfp', executorInput: executorInput(required, {}) }, { localRoot: root })).rejects.toThrow(
      'input artifact "data" (system.Dataset) is missing from the executor input',
    )
  })

  it('customPath and workspace artifacts', async () => {
    const spec1: ComponentInterface = { inputs: { x: a('system.Dataset'), w: a('system.Dataset') }, outputs: {} }
    let got: Record<string, InputArtifact> = {}
    await execute(
      (args: Record<string, InputArtifact>) => void (got = args),
      spec1,
      { mode: 'kfp', executorInput: executorInput(spec1, {}, { x: [{ uri: 'gs://b/x', customPath: '/mnt/data/x' } as never], w: [{ uri: 'gs://b/w', metadata: { _kfp_workspace: true } }] }) },
      { localRoot: root },
    )
    expect(got['x']?.path).toBe('/mnt/data/x')
    expect(got['w']?.path).toBe(join(root, 'kfp-workspace/.artifacts/gcs/b/w'))
  })

  it('rejects a malformed executor input readably', async () => {
    await expect(execute(() => undefined, small, { mode: 'kfp', executorInput: '{{$}}' })).rejects.toThrow(
      /--executor_input is not valid JSON \(the \{\{\$\}\} placeholder was not substituted/,
    )
    await expect(execute(() => undefined, small, { mode: 'kfp', executorInput: '{"inputs":{"parameterValues":[]}}' })).rejects.toThrow(
      /--executor_input is not a KFP ExecutorInput: at inputs\.parameterValues/,
    )
  })
})

describe('execute (Argo)', () => {
  const spec: ComponentInterface = {
    inputs: { n: p('NUMBER_INTEGER'), flag: p('BOOLEAN'), cfg: p('STRUCT'), name: p('STRING', { default: 'anon' }), data: a('system.Dataset'), more: a('system.Dataset', { isList: true }) },
    outputs: { total: p('NUMBER_DOUBLE'), model: a('system.Model') },
  }

  it('parses raw strings by declared type and writes output files', async () => {
    writeFileSync(join(root, 'data'), '1,2')
    let seen: Record<string, unknown> = {}
    await execute(
      (args: Record<string, unknown> & { model: OutputArtifact }) => {
        seen = args
        writeFileSync(args.model.path, 'm')
        args.model.metadata['k'] = 1
        return { total: 1.5 }
      },
      spec,
      {
        mode: 'argo',
        parameters: { n: ' 7', flag: 'True', cfg: '{"a":[1]}' },
        inputArtifacts: { data: join(root, 'data'), more: [join(root, 'm1'), join(root, 'm2')] },
        outputParameters: { total: join(root, 'out/total') },
        outputArtifacts: { model: join(root, 'out/model') },
        executorOutputFile: join(root, 'out/executor_output.json'),
      },
    )
    expect(seen).toMatchObject({ n: 7, flag: true, cfg: { a: [1] }, name: 'anon', data: { name: 'data', path: join(root, 'data'), uri: join(root, 'data'), metadata: {} } })
    expect((seen['more'] as InputArtifact[]).length).toBe(2)
    expect(readFileSync(join(root, 'out/total'), 'utf8')).toBe('1.5')
    expect(JSON.parse(readFileSync(join(root, 'out/executor_output.json'), 'utf8'))).toEqual({
      parameterValues: { total: 1.5 },
      artifacts: { model: { artifacts: [{ name: 'model', uri: join(root, 'out/model'), metadata: { k: 1 } }] } },
    })
  })

  it('reads --param-file values raw (no $(VAR)/$$ rewriting on the way) and rejects a doubly given input', async () => {
    const spec1: ComponentInterface = { inputs: { s: p('STRING'), n: p('NUMBER_INTEGER') }, outputs: {} }
    writeFileSync(join(root, 's'), 'cost: $$5 $(HOME) {{x}}\n')
    writeFileSync(join(root, 'n'), '12\n')
    let seen: Record<string, unknown> = {}
    const base = { parameters: {}, inputArtifacts: {}, outputParameters: {}, outputArtifacts: {} }
    await execute((args: Record<string, unknown>) => void (seen = args), spec1, { mode: 'argo', ...base, parameterFiles: { s: join(root, 's'), n: join(root, 'n') } })
    expect(seen).toEqual({ s: 'cost: $$5 $(HOME) {{x}}\n', n: 12 })
    await expect(
      execute(() => undefined, spec1, { mode: 'argo', ...base, parameters: { s: 'a', n: '1' }, parameterFiles: { s: join(root, 's') } }),
    ).rejects.toThrow('input "s" is given both by --param and --param-file')
    await expect(execute(() => undefined, spec1, { mode: 'argo', ...base, parameterFiles: { s: join(root, 'missing'), n: join(root, 'n') } })).rejects.toThrow(
      /input "s": cannot read its parameter file: ENOENT/,
    )
  })

  it('names unknown and missing flags', async () => {
    const base = { parameters: {}, inputArtifacts: {}, outputParameters: {}, outputArtifacts: {} }
    const run = (inv: Partial<typeof base>) => execute(() => undefined, spec, { mode: 'argo', ...base, ...inv })
    await expect(run({ parameters: { nn: '1' } })).rejects.toThrow(/--param nn: the component has no parameter input "nn" \(declared: n, flag, cfg, name, data, more\)/)
    await expect(run({ parameters: { n: 'x' } })).rejects.toThrow(/input "n" expects NUMBER_INTEGER \(an integer\), got "x" \(a string\)/)
    await expect(run({ parameters: { n: '1', flag: '1', cfg: '{}' } })).rejects.toThrow(/input artifact "data" \(system\.Dataset\) is missing: pass --input-artifact data=<path>/)
  })
})

describe('interface checks', () => {
  it('rejects an output artifact named like an input, and unknown types', async () => {
    const clash: ComponentInterface = { inputs: { m: a('system.Model') }, outputs: { m: a('system.Model') } }
    await expect(execute(() => undefined, clash, { mode: 'kfp', executorInput: '{}' })).rejects.toThrow(/"m" is both an input and an output artifact/)
    const unknown = { inputs: { x: { kind: 'parameter', type: 'FLOAT', optional: false } }, outputs: {} } as unknown as ComponentInterface
    await expect(execute(() => undefined, unknown, { mode: 'kfp', executorInput: '{}' })).rejects.toThrow(/input "x" has an unknown type/)
  })
})

describe('command line and failure text', () => {
  it('parses KFP and Argo flags', () => {
    expect(parseExecutorArgs(['--component', 'x', '--executor_input', '{}'])).toEqual({ component: 'x', invocation: { mode: 'kfp', executorInput: '{}' } })
    expect(
      parseExecutorArgs([
        '--component=x',
        '--param',
        'n=a=b',
        '--param',
        'empty=',
        '--param-file',
        'f=/f',
        '--input-artifact',
        'd=/p1',
        '--input-artifact',
        'd=/p2',
        '--output-param',
        'o=/o',
        '--output-artifact=m=/m',
        '--executor_output',
        '/e.json',
      ]),
    ).toEqual({
      component: 'x',
      invocation: {
        mode: 'argo',
        parameters: { n: 'a=b', empty: '' },
        parameterFiles: { f: '/f' },
        inputArtifacts: { d: ['/p1', '/p2'] },
        outputParameters: { o: '/o' },
        outputArtifacts: { m: '/m' },
        executorOutputFile: '/e.json',
      },
    })
    expect(() => parseExecutorArgs(['--nope', '1'])).toThrow(/unknown flag --nope; usage:/)
    expect(() => parseExecutorArgs(['--param', 'novalue'])).toThrow(/--param expects name=value, got "novalue"/)
    expect(() => parseExecutorArgs(['--executor_input'])).toThrow(/--executor_input needs a value/)
    expect(() => parseExecutorArgs(['--param', 'a=1', '--param', 'a=2'])).toThrow(/--param a is given twice/)
  })

  it('prints an ExecutorError as one line, a user failure with its own frames, full stacks only with TYPEFLOW_DEBUG', async () => {
    let out = ''
    const stderr = { write: (t: string) => (out += t) }
    const component = { name: 'x', inputs: {}, outputs: {} }
    const code = await runComponent({
      argv: ['--executor_input', '{}'],
      component,
      load: async () => ({
        default: function userFn() {
          throw new Error('outer', { cause: new Error('inner') })
        },
      }),
      stderr,
      env: {},
    })
    expect(code).toBe(1)
    expect(out).toMatch(/^component "x" failed: outer\n\s+at userFn .*executor-execute\.test\.ts/)
    expect(out).toContain('caused by: inner')
    expect(out).not.toMatch(/node:internal|execute\.ts:\d+/)

    out = ''
    expect(await runComponent({ argv: ['--executor_input', 'nope'], component, load: async () => ({ default: () => 1 }), stderr, env: {} })).toBe(1)
    expect(out).toMatch(/^component "x": --executor_input is not valid JSON: .*\n$/)
    out = ''
    await runComponent({ argv: ['--executor_input', 'nope'], component, load: async () => ({ default: () => 1 }), stderr, env: { TYPEFLOW_DEBUG: '1' } })
    expect(out).toMatch(/\n\s+at /)

    out = ''
    expect(await runComponent({ argv: ['--executor_input', '{}'], component, load: async () => ({ nothing: 1 }), stderr, env: {} })).toBe(1)
    expect(out).toBe('component "x": the code of component "x" has no default-exported function (got undefined)\n')
    out = ''
    expect(
      await runComponent({
        argv: ['--executor_input', '{}'],
        component,
        load: () => Promise.reject(new SyntaxError('Unexpected token')),
        stderr,
        env: {},
      }),
    ).toBe(1)
    expect(out).toMatch(/^component "x" failed to load: Unexpected token/)
    expect(await runComponent({ argv: ['--executor_input', '{}'], component, load: async () => ({ default: () => undefined }), stderr, env: {} })).toBe(0)
  })

  it('formats non-Error throws', () => {
    expect(formatFailure(new ComponentFailedError('c', 'plain text'), 'c', false)).toBe('component "c" failed: plain text')
    expect(formatFailure(new ComponentFailedError('c', { code: 3 }), 'c', false)).toBe('component "c" failed: {"code":3} (an object)')
    expect(formatFailure(new TypeError('bug'), 'c', false)).toBe('component "c": internal error in the Typeflow executor: bug')
  })
})
