import { describe, expect, it } from 'vitest'
import { packageFunctionComponentSync } from '@typeflow/runtime'
import { driverText } from '@typeflow/dsl/kfp'
import { detectContainerRuntime, isFunctionComponent, type PlaceholderContext, resolveCommandLine, retryDelayMs, withDefaults } from '../../packages/runtime/src/runner/index.ts'

const data = { name: 'data', uri: 'minio://typeflow/p/r/make/u/data', type: { schemaTitle: 'system.Dataset' }, metadata: { rows: 3 }, path: '/store/minio/typeflow/p/r/make/u/data' }

const ctx: PlaceholderContext = {
  executorInput: '{"inputs":{}}',
  parameters: { n: 3, ratio: 0.5, flag: true, name: 'x y', items: [1, 2], given: 'g' },
  present: new Set(['n', 'given', 'data']),
  inputArtifacts: { data: [data], shards: [data, { ...data, path: '/store/b' }] },
  outputArtifacts: { model: { name: 'model', uri: 'minio://typeflow/p/r/t/u/model', type: {}, metadata: {}, path: '/store/minio/typeflow/p/r/t/u/model' } },
  outputParameterFiles: { count: '/work/outputs/count' },
  outputFile: '/store/minio/typeflow/p/r/t/u/output_metadata.json',
  runtime: { pipeline_job_name: 'run-1', pipeline_task_name: 't' },
}

describe('command-line placeholders', () => {
  it('substitutes parameters, artifacts, output files, the executor input and runtime values', () => {
    expect(
      resolveCommandLine(
        [
          "{{$.inputs.parameters['n']}}",
          "--ratio={{$.inputs.parameters['ratio']}}",
          "{{$.inputs.parameters['flag']}}",
          "{{$.inputs.parameters['items']}}",
          "{{$.inputs.parameters['name']}}",
          "{{$.inputs.artifacts['data'].path}}",
          "{{$.inputs.artifacts['data'].uri}}",
          "{{$.inputs.artifacts['data'].metadata}}",
          "{{$.inputs.artifacts['data'].metadata['rows']}}",
          "{{$.inputs.artifacts['shards']}}",
          "{{$.outputs.artifacts['model'].path}}",
          "{{$.outputs.parameters['count'].output_file}}",
          '{{$.outputs.output_file}}',
          '{{$}}',
          'job={{$.pipeline_job_name}}',
          '{{$.unknown_thing}}',
        ],
        ctx,
      ),
    ).toEqual([
      '3',
      '--ratio=0.5',
      'true',
      '[1,2]',
      'x y',
      '/store/minio/typeflow/p/r/make/u/data',
      'minio://typeflow/p/r/make/u/data',
      '{"rows":3}',
      '3',
      '["/store/minio/typeflow/p/r/make/u/data","/store/b"]',
      '/store/minio/typeflow/p/r/t/u/model',
      '/work/outputs/count',
      '/store/minio/typeflow/p/r/t/u/output_metadata.json',
      '{"inputs":{}}',
      'job=run-1',
      '{{$.unknown_thing}}',
    ])
  })

  it('expands IfPresent on wired inputs and Concat into one argument', () => {
    expect(
      resolveCommandLine(
        [
          'cmd',
          '{"IfPresent": {"InputName": "given", "Then": ["--given", "{{$.inputs.parameters[\'given\']}}"]}}',
          '{"IfPresent": {"InputName": "ratio", "Then": ["--ratio"], "Else": ["--no-ratio"]}}',
          '{"Concat": ["n=", "{{$.inputs.parameters[\'n\']}}", {"IfPresent": {"InputName": "data", "Then": ["+data"]}}]}',
        ],
        ctx,
      ),
    ).toEqual(['cmd', '--given', 'g', '--no-ratio', 'n=3+data'])
  })

  it('does not rescan the executor input JSON for placeholders', () => {
    const tricky = { ...ctx, executorInput: "{\"x\":\"{{$.inputs.parameters['n']}}\"}" }
    expect(resolveCommandLine(['{{$}}'], tricky)).toEqual(["{\"x\":\"{{$.inputs.parameters['n']}}\"}"])
  })
})

describe('numbers as text, as the KFP driver writes them (Go FormatFloat f, -1): the local runner, and driverText, which the Argo target writes them with', () => {
  it.each([
    [38480533480331290, '38480533480331290'],
    [2 ** 53 + 2, '9007199254740994'],
    [1e21, '1000000000000000000000'],
    [1.23456789e23, '123456789000000000000000'],
    [1e-7, '0.0000001'],
    [-1.5e-7, '-0.00000015'],
    [0.1, '0.1'],
    [12, '12'],
    [-0, '-0'],
  ])('%d is %s', (value, text) => {
    expect(resolveCommandLine(["{{$.inputs.parameters['x']}}"], { ...ctx, parameters: { x: value } })).toEqual([text])
    expect(driverText(value)).toBe(text)
  })
})

describe('inputs and retries', () => {
  it('applies defaults of omitted inputs and coerces loop items to the declared types', () => {
    const component = {
      inputDefinitions: {
        parameters: {
          n: { parameterType: 'NUMBER_INTEGER' },
          s: { parameterType: 'STRING' },
          cfg: { parameterType: 'STRUCT' },
          d: { parameterType: 'NUMBER_DOUBLE', defaultValue: 0.1, isOptional: true },
          o: { parameterType: 'STRING', isOptional: true },
        },
      },
    }
    expect(withDefaults(component, { n: '4', s: 7, cfg: '{"a":1}' })).toEqual({ n: 4, s: '7', cfg: { a: 1 }, d: 0.1 })
    // A struct or list item given to a string input is written as the driver writes it: keys in code
    // point order, numbers as JSON has them (the random differential, seed 19: Argo had it so, the runner not).
    expect(withDefaults(component, { n: 1, s: { b: 2, a: 's{', xs: [{ z: 1, y: 1e21 }] }, cfg: {} })['s']).toBe('{"a":"s{","b":2,"xs":[{"y":1e+21,"z":1}]}')
  })

  it('computes backoff as duration × factor^n capped at the maximum', () => {
    const policy = { maxRetryCount: 5, backoffDuration: '1s', backoffFactor: 2, backoffMaxDuration: '5s' }
    expect([0, 1, 2, 3, 4].map((n) => retryDelayMs(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000])
    expect(retryDelayMs({ maxRetryCount: 1, backoffDuration: '0s', backoffFactor: 0 }, 3)).toBe(0)
  })
})

describe('where a task runs', () => {
  it('recognizes packaged function components', () => {
    const packaged = packageFunctionComponentSync({ name: 'f', interface: { inputs: {}, outputs: {} }, functionSource: 'export default () => {}' })
    expect(isFunctionComponent({ image: 'node:22-slim', command: packaged.command, args: packaged.args })).toBe(true)
    expect(isFunctionComponent({ image: 'node:22-slim', command: ['node', '-e', 'console.log(1)'] })).toBe(false)
    expect(isFunctionComponent({ image: 'alpine', command: ['sh', '-c', 'echo hi'] })).toBe(false)
  })

  it('says why no container runtime is usable', () => {
    expect(detectContainerRuntime('auto', '')).toEqual({ kind: 'none', reason: 'docker is not on the PATH; podman is not on the PATH' })
    expect(detectContainerRuntime('none')).toEqual({ kind: 'none', reason: 'container runtimes are turned off' })
  })
})
