/**
 * The test vectors of the KFP executor protocol (../shared/reference/kfp/executor-protocol.md):
 * URI ↔ local path mapping, output provisioning, output parameter text, ExecutorInput/Output
 * shapes. The vectors are written out here; a second suite re-reads them from the reference
 * document itself when it is present.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ParameterType } from '@typeflow/dsl'
import { checkParameter, parseParameterText, serializeParameter } from '../src/executor/params.ts'
import {
  ExecutorInputSchema,
  ExecutorOutputSchema,
  PipelineTaskFinalStatusSchema,
  RuntimeArtifactSchema,
} from '../src/executor/protocol.ts'
import {
  FALLBACK_OUTPUT_METADATA_FILE,
  artifactLocalPath,
  localPathForUri,
  outputArtifactUri,
  outputMetadataFile,
  outputParameterFile,
  runRootUri,
  taskRootUri,
  uriForLocalPath,
} from '../src/executor/uri.ts'

const here = dirname(fileURLToPath(import.meta.url))
const protocolDoc = resolve(here, '../../../../shared/reference/kfp/executor-protocol.md')

describe('URI ↔ local path (executor-protocol.md §3)', () => {
  it.each([
    ['gs://b/k', '/gcs/b/k'],
    ['s3://b/k', '/s3/b/k'],
    ['minio://b/k', '/minio/b/k'],
    ['minio://mlpipeline/v2/artifacts/my-pipeline/run/producer/uuid/dataset', '/minio/mlpipeline/v2/artifacts/my-pipeline/run/producer/uuid/dataset'],
    [
      's3://aviflow-stage-kfp-artifacts/debug-component-pipeline/ae02034e/sayhello/c98ac032/dataset',
      '/s3/aviflow-stage-kfp-artifacts/debug-component-pipeline/ae02034e/sayhello/c98ac032/dataset',
    ],
    ['oci://reg/img:tag', '/oci/reg_img:tag/models'],
    ['oci://registry.io/org/model:v1', '/oci/registry.io_org_model:v1/models'],
  ])('%s → %s', (uri, path) => {
    expect(localPathForUri(uri)).toBe(path)
  })

  it('reverses /gcs, /s3 and /minio paths (Python Artifact.path setter) and nothing else', () => {
    expect(uriForLocalPath('/gcs/b/k')).toBe('gs://b/k')
    expect(uriForLocalPath('/s3/b/k')).toBe('s3://b/k')
    expect(uriForLocalPath('/minio/b/k')).toBe('minio://b/k')
    expect(uriForLocalPath('/oci/reg_img:tag/models')).toBeUndefined()
    expect(uriForLocalPath('/home/me/x')).toBeUndefined()
    expect(uriForLocalPath('/gcsx/b')).toBeUndefined()
  })

  it('round-trips every gs/s3/minio URI', () => {
    fc.assert(
      fc.property(fc.constantFrom('gs://', 's3://', 'minio://'), fc.webPath(), (scheme, rest) => {
        const uri = scheme + 'bucket' + rest
        expect(uriForLocalPath(localPathForUri(uri) ?? '')).toBe(uri)
        expect(uriForLocalPath(localPathForUri(uri, '/tmp/root/') ?? '', '/tmp/root')).toBe(uri)
      }),
    )
  })

  it('puts everything under a local root when one is given (tests, local runner)', () => {
    expect(localPathForUri('gs://b/k', '/tmp/x')).toBe('/tmp/x/gcs/b/k')
    expect(localPathForUri('gs://b/k', '/tmp/x/')).toBe('/tmp/x/gcs/b/k')
    expect(uriForLocalPath('/tmp/x/minio/b/k', '/tmp/x')).toBe('minio://b/k')
    expect(uriForLocalPath('/minio/b/k', '/tmp/x')).toBeUndefined()
  })

  it('unsupported schemes have no local path', () => {
    expect(localPathForUri('https://example.com/x')).toBeUndefined()
    expect(localPathForUri('/abs/path')).toBeUndefined()
    expect(localPathForUri('')).toBeUndefined()
  })

  it('customPath wins, for inputs and outputs', () => {
    expect(artifactLocalPath({ uri: 'gs://b/k', customPath: '/data/in' }, 'input')).toBe('/data/in')
    expect(artifactLocalPath({ uri: 'gs://b/k', customPath: '/data/out' }, 'output', '/root')).toBe('/data/out')
    expect(artifactLocalPath({ uri: 'gs://b/k', customPath: '' }, 'input')).toBe('/gcs/b/k')
  })

  it('input artifacts on the workspace PVC (metadata._kfp_workspace) live under /kfp-workspace/.artifacts', () => {
    expect(artifactLocalPath({ uri: 'gs://b/k', metadata: { _kfp_workspace: true } }, 'input')).toBe('/kfp-workspace/.artifacts/gcs/b/k')
    expect(artifactLocalPath({ uri: 'minio://b/k', metadata: { _kfp_workspace: true } }, 'input', '/r')).toBe('/r/kfp-workspace/.artifacts/minio/b/k')
    // Only `true` counts, and only for inputs.
    expect(artifactLocalPath({ uri: 'gs://b/k', metadata: { _kfp_workspace: 'true' } }, 'input')).toBe('/gcs/b/k')
    expect(artifactLocalPath({ uri: 'gs://b/k', metadata: { _kfp_workspace: true } }, 'output')).toBe('/gcs/b/k')
  })

  it('unknown schemes: inputs use the URI as the path (Python), outputs have none (the launcher errors)', () => {
    expect(artifactLocalPath({ uri: 'https://x/y' }, 'input')).toBe('https://x/y')
    expect(artifactLocalPath({ uri: 'https://x/y' }, 'output')).toBeUndefined()
    expect(artifactLocalPath({}, 'input')).toBeUndefined()
  })

  it('an absolute local path as URI (our Argo target, local runs) is its own path, both ways, root or not', () => {
    expect(artifactLocalPath({ uri: '/tmp/inputs/data/data' }, 'input', '/root')).toBe('/tmp/inputs/data/data')
    expect(artifactLocalPath({ uri: '/tmp/outputs/model' }, 'output', '/root')).toBe('/tmp/outputs/model')
  })
})

describe('output provisioning (executor-protocol.md §2)', () => {
  it('outputs.outputFile: root gs://my-bucket/pipeline-root, task my-task, salt salt-123', () => {
    const taskRoot = taskRootUri('gs://my-bucket/pipeline-root', 'my-task', 'salt-123')
    expect(taskRoot).toBe('gs://my-bucket/pipeline-root/my-task/salt-123')
    expect(outputMetadataFile(taskRoot)).toBe('/gcs/my-bucket/pipeline-root/my-task/salt-123/output_metadata.json')
  })

  it('run root, task root (query string dropped), artifact URIs, parameter files, fallback', () => {
    const runRoot = runRootUri('minio://mlpipeline/v2/artifacts', 'my-pipeline', 'run-1')
    expect(runRoot).toBe('minio://mlpipeline/v2/artifacts/my-pipeline/run-1')
    const taskRoot = taskRootUri('s3://b/root/p/r?region=eu-west-1', 'train', 'uuid')
    expect(taskRoot).toBe('s3://b/root/p/r/train/uuid')
    expect(outputArtifactUri(taskRoot, 'model')).toBe('s3://b/root/p/r/train/uuid/model')
    expect(outputParameterFile('Output')).toBe('/tmp/kfp/outputs/Output')
    expect(outputMetadataFile('https://x/y')).toBe(FALLBACK_OUTPUT_METADATA_FILE)
    expect(FALLBACK_OUTPUT_METADATA_FILE).toBe('/tmp/kfp_outputs/output_metadata.json')
    expect(runRootUri('gs://b/', 'p', 'r')).toBe('gs://b/p/r')
  })
})

describe('output parameter files (executor-protocol.md §5, TextToPbValue)', () => {
  it.each<[ParameterType, unknown, string]>([
    ['STRING', 'hi', 'hi'],
    ['STRING', ' raw "text"\n', ' raw "text"\n'],
    ['STRING', '', ''],
    ['NUMBER_INTEGER', 42, '42'],
    ['NUMBER_INTEGER', -7, '-7'],
    ['NUMBER_DOUBLE', 0.5, '0.5'],
    ['NUMBER_DOUBLE', 3, '3'],
    ['NUMBER_DOUBLE', 1e21, '1e+21'],
    ['BOOLEAN', true, 'true'],
    ['BOOLEAN', false, 'false'],
    ['LIST', [1, 'a', { b: null }], '[1,"a",{"b":null}]'],
    ['STRUCT', { a: 1, b: [true] }, '{"a":1,"b":[true]}'],
  ])('%s %j is written as %j', (type, value, text) => {
    expect(serializeParameter(type, checkParameter(type, value, 'output "x"'))).toBe(text)
  })

  it('parses like the launcher: STRING raw, numbers and booleans trimmed, Go ParseBool spellings', () => {
    expect(parseParameterText('STRING', '  hi \n', 'input "s"')).toBe('  hi \n')
    expect(parseParameterText('NUMBER_INTEGER', ' 42\n', 'input "n"')).toBe(42)
    expect(parseParameterText('NUMBER_INTEGER', '+5', 'input "n"')).toBe(5)
    expect(parseParameterText('NUMBER_DOUBLE', '\t1e3 ', 'input "r"')).toBe(1000)
    expect(parseParameterText('NUMBER_DOUBLE', '.5', 'input "r"')).toBe(0.5)
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True', ' true\n']) expect(parseParameterText('BOOLEAN', t, 'input "b"')).toBe(true)
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseParameterText('BOOLEAN', f, 'input "b"')).toBe(false)
    expect(parseParameterText('LIST', '[1, 2]', 'input "l"')).toEqual([1, 2])
    expect(parseParameterText('STRUCT', '{"a": {"b": 1}}', 'input "s"')).toEqual({ a: { b: 1 } })
  })

  it.each<[ParameterType, string, RegExp]>([
    ['NUMBER_INTEGER', '3.5', /input "x" expects NUMBER_INTEGER \(an integer\), got 3\.5 \(a non-integer number\)/],
    ['NUMBER_INTEGER', 'three', /input "x" expects NUMBER_INTEGER \(an integer\), got "three" \(a string\)/],
    ['NUMBER_INTEGER', '', /got "" \(a string\)/],
    ['NUMBER_DOUBLE', '0x10', /expects NUMBER_DOUBLE/],
    ['BOOLEAN', 'yes', /expects BOOLEAN \(a boolean\), got "yes"/],
    ['LIST', '{"a":1}', /expects LIST \(a JSON array\), got \{"a":1\} \(an object\)/],
    ['STRUCT', '[1]', /expects STRUCT \(a JSON object\), got \[1\] \(an array\)/],
    ['STRUCT', 'not json', /expects STRUCT/],
  ])('rejects %s %j with a readable message', (type, text, message) => {
    expect(() => parseParameterText(type, text, 'input "x"')).toThrow(message)
  })

  it('every serialized value parses back to itself', () => {
    const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown)
    const cases = fc.oneof(
      fc.tuple(fc.constant<ParameterType>('STRING'), fc.string()),
      fc.tuple(fc.constant<ParameterType>('NUMBER_INTEGER'), fc.maxSafeInteger()),
      fc.tuple(fc.constant<ParameterType>('NUMBER_DOUBLE'), fc.double({ noNaN: true, noDefaultInfinity: true })),
      fc.tuple(fc.constant<ParameterType>('BOOLEAN'), fc.boolean()),
      fc.tuple(fc.constant<ParameterType>('LIST'), fc.array(json)),
      fc.tuple(fc.constant<ParameterType>('STRUCT'), fc.dictionary(fc.string(), json)),
    )
    fc.assert(
      fc.property(cases, ([type, value]) => {
        const text = serializeParameter(type, checkParameter(type, value, 'output "x"'))
        const back = parseParameterText(type, text, 'input "x"')
        // -0 is written as "0", like Go's FormatFloat of a JSON number.
        expect(back).toEqual(Object.is(value, -0) ? 0 : value)
      }),
    )
  })

  it('keeps a key named "__proto__" (JSON allows it), and checks what it holds', () => {
    // Found by the property above: zod's copy of the value dropped the key.
    const value = JSON.parse('{"": [{"__proto__": false}], "__proto__": {"x": 1}}') as Record<string, unknown>
    const text = serializeParameter('STRUCT', checkParameter('STRUCT', value, 'output "x"'))
    expect(text).toBe('{"":[{"__proto__":false}],"__proto__":{"x":1}}')
    const back = parseParameterText('STRUCT', text, 'input "x"') as Record<string, unknown>
    expect(Object.keys(back)).toEqual(['', '__proto__'])
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(() => checkParameter('STRUCT', { ['__proto__']: () => 1 }, 'output "x"')).toThrow(/\.__proto__ is .*function.*which JSON cannot carry/)
  })

  it('integers beyond 2^53 are rejected: a JSON number cannot carry them exactly', () => {
    expect(() => checkParameter('NUMBER_INTEGER', 2 ** 53, 'output "n"')).toThrow(/±\(2\^53 - 1\)/)
  })

  it('LIST/STRUCT values must be pure JSON: the message says where they are not', () => {
    expect(() => checkParameter('STRUCT', { a: { b: [1, () => 2] } }, 'output "cfg"')).toThrow(
      /output "cfg" expects STRUCT \(a JSON object\), got .*; \.a\.b\[1\] is \[function anonymous\] \(a function\)/,
    )
    expect(() => checkParameter('LIST', [new Date(0)], 'output "l"')).toThrow(/\[0\] is .* \(a Date\)/)
    expect(() => checkParameter('STRUCT', { x: Number.NaN }, 'output "s"')).toThrow(/\.x is NaN/)
  })
})

describe('ExecutorInput / ExecutorOutput / PipelineTaskFinalStatus (executor-protocol.md §2, §5, §6)', () => {
  const sample = {
    inputs: {
      parameterValues: {
        text: 'hello',
        n: 3,
        ratio: 0.5,
        flag: true,
        items: [1, 2],
        cfg: { a: 1 },
        status: { state: 'FAILED', pipelineJobResourceName: 'projects/p/jobs/j', pipelineTaskName: 'train', error: {} },
      },
      artifacts: {
        dataset: {
          artifacts: [
            {
              name: '123',
              type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
              uri: 'minio://mlpipeline/v2/artifacts/my-pipeline/run/producer/uuid/dataset',
              metadata: { anything: 'from producer' },
            },
          ],
        },
      },
    },
    outputs: {
      parameters: { Output: { outputFile: '/tmp/kfp/outputs/Output' } },
      artifacts: {
        model: {
          artifacts: [
            {
              name: 'model',
              type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' },
              uri: 'minio://mlpipeline/v2/artifacts/my-pipeline/run/train/uuid/model',
              metadata: {},
            },
          ],
        },
        'executor-logs': {
          artifacts: [{ name: 'executor-logs', type: { schemaTitle: 'system.Artifact' }, uri: 'minio://x/train/uuid/executor-logs-0' }],
        },
      },
      outputFile: '/minio/mlpipeline/v2/artifacts/my-pipeline/run/train/uuid/output_metadata.json',
    },
  }

  it('parses the documented ExecutorInput, tolerating unknown keys', () => {
    const parsed = ExecutorInputSchema.parse({ ...sample, somethingNew: { x: 1 } })
    expect(parsed.inputs?.parameterValues?.['n']).toBe(3)
    expect(parsed.inputs?.artifacts?.['dataset']?.artifacts?.[0]?.uri).toContain('minio://')
    expect(parsed.outputs?.outputFile).toMatch(/output_metadata\.json$/)
    expect(RuntimeArtifactSchema.parse({ uri: 'gs://b/k', customPath: '/x', extra: 1 }).customPath).toBe('/x')
  })

  it('ExecutorOutput is strict: only parameterValues and artifacts[*].artifacts[*].{name,uri,metadata}', () => {
    const ok = {
      parameterValues: { Output: 42, msg: 'hi' },
      artifacts: { model: { artifacts: [{ name: 'model', uri: 'minio://x/model', metadata: { accuracy: 0.9 } }] } },
    }
    expect(ExecutorOutputSchema.parse(ok)).toEqual(ok)
    // Backends before KFP 2.15 reject customPath; the deprecated `parameters` must not be used.
    expect(ExecutorOutputSchema.safeParse({ artifacts: { m: { artifacts: [{ uri: 'x', customPath: '/p' }] } } }).success).toBe(false)
    expect(ExecutorOutputSchema.safeParse({ parameters: {} }).success).toBe(false)
  })

  it('keeps keys named "__proto__" in parameter values and artifact metadata, and says where a non-JSON value sits', () => {
    // zod's own record and JSON schemas build copies that leave such a key out without checking it.
    const input = JSON.parse(
      '{"inputs": {"parameterValues": {"__proto__": {"__proto__": 1}}, "artifacts": {"d": {"artifacts": [{"uri": "gs://b/k", "metadata": {"__proto__": [2]}}]}}}}',
    ) as unknown
    const parsed = ExecutorInputSchema.parse(input)
    expect(JSON.stringify(parsed.inputs?.parameterValues)).toBe('{"__proto__":{"__proto__":1}}')
    expect(JSON.stringify(parsed.inputs?.artifacts?.['d']?.artifacts?.[0]?.metadata)).toBe('{"__proto__":[2]}')
    const output = JSON.parse('{"parameterValues": {"__proto__": 3}, "artifacts": {"m": {"artifacts": [{"metadata": {"__proto__": {"a": null}}}]}}}') as unknown
    expect(JSON.stringify(ExecutorOutputSchema.parse(output))).toBe(JSON.stringify(output))

    const hidden = { parameterValues: { cfg: { ['__proto__']: { n: Number.NaN } } } }
    const result = ExecutorOutputSchema.safeParse(hidden)
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(['parameterValues', 'cfg', '__proto__', 'n'])
    expect(ExecutorInputSchema.safeParse({ inputs: { parameterValues: { x: () => 1 } } }).error?.issues[0]?.path).toEqual(['inputs', 'parameterValues', 'x'])
    expect(RuntimeArtifactSchema.safeParse({ metadata: [1] }).error?.issues[0]?.message).toBe('expected a JSON object')
  })

  it('TASK_FINAL_STATUS: camelCase or snake_case keys, normalized', () => {
    expect(PipelineTaskFinalStatusSchema.parse(sample.inputs.parameterValues.status)).toEqual({
      state: 'FAILED',
      pipelineJobResourceName: 'projects/p/jobs/j',
      pipelineTaskName: 'train',
      error: {},
    })
    expect(
      PipelineTaskFinalStatusSchema.parse({ state: 'SUCCEEDED', pipeline_job_resource_name: 'j', pipeline_task_name: 't', error: { code: 2, message: 'x' } }),
    ).toEqual({ state: 'SUCCEEDED', pipelineJobResourceName: 'j', pipelineTaskName: 't', error: { code: 2, message: 'x' } })
    expect(() => checkParameter('TASK_FINAL_STATUS', { pipelineTaskName: 't' }, 'input "status"')).toThrow(
      /input "status" expects TASK_FINAL_STATUS \(an object with a string "state"\)/,
    )
  })
})

// The same vectors, read from the reference document itself.
const haveDoc = existsSync(protocolDoc)
if (!haveDoc) {
  console.warn(`executor-protocol.md vectors skipped: ${protocolDoc} is absent (it comes from the read-only reference folder ../shared beside the repository).`)
}

describe.skipIf(!haveDoc)('vectors read from ../shared/reference/kfp/executor-protocol.md', () => {
  const doc = haveDoc ? readFileSync(protocolDoc, 'utf8') : ''

  it('the URI table rows for gs, s3 and minio', () => {
    const rows = [...doc.matchAll(/^\| `([a-z0-9]+:\/\/b\/k)` \| `([^`]+)` \|$/gm)]
    expect(rows.length).toBe(3)
    for (const [, uri, path] of rows) expect(localPathForUri(uri ?? '')).toBe(path)
  })

  it('the oci rule: `/` → `_` after the scheme, then /models', () => {
    expect(doc).toMatch(/`oci:\/\/reg\/img:tag` \| Go: `\/oci\/` \+ URI-without-scheme with every `\/` → `_` \+ `\/models`/)
    expect(localPathForUri('oci://reg/img:tag')).toBe('/oci/' + 'reg/img:tag'.replaceAll('/', '_') + '/models')
  })

  it('the outputs.outputFile provisioning vector', () => {
    const m = /root `([^`]+)`, task `([^`]+)`, salt `([^`]+)` → `([^`]+)`/.exec(doc)
    expect(m).not.toBeNull()
    const [, root, task, salt, expected] = m as unknown as [string, string, string, string, string]
    expect(outputMetadataFile(taskRootUri(root, task, salt))).toBe(expected)
  })

  it('the output parameter files and the fallback metadata path', () => {
    expect(doc).toContain('each output parameter file = `/tmp/kfp/outputs/<name>`')
    expect(outputParameterFile('<name>')).toBe('/tmp/kfp/outputs/<name>')
    expect(doc).toContain(`fallback \`${FALLBACK_OUTPUT_METADATA_FILE}\``)
  })

  it('the ParseBool spellings the launcher accepts for BOOLEAN', () => {
    const m = /ParseBool\(TrimSpace\)` \(accepts `([^`]+)`\)/.exec(doc)
    expect(m).not.toBeNull()
    const spellings = (m?.[1] ?? '').split(',')
    expect(spellings).toHaveLength(12)
    for (const [i, s] of spellings.entries()) expect(parseParameterText('BOOLEAN', s, 'input "b"')).toBe(i < 6)
  })
})
