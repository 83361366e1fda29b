/**
 * End to end: a function component packaged into `command`/`args`, run with `node` exactly as the
 * pod would (placeholders substituted by hand, as the KFP launcher / Argo would), in an empty
 * working directory with no node_modules.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IoSpecNode } from '@typeflow/dsl'
import type { ComponentInterface } from '../src/executor/execute.ts'
import {
  ARGO_IO_ROOT,
  BOOTSTRAP,
  checkPackagedArgs,
  executorBundle,
  executorBundleSync,
  packageFunctionComponent,
  packageFunctionComponentSync,
  packagedArgLimits,
} from '../src/executor/package.ts'
import type { PackagedFunctionComponent } from '../src/executor/package.ts'

const param = (type: Extract<IoSpecNode, { kind: 'parameter' }>['type'], optional = false, dflt?: number): IoSpecNode =>
  dflt === undefined ? { kind: 'parameter', type, optional } : { kind: 'parameter', type, optional: true, default: dflt }
const artifact = (schemaTitle: string): IoSpecNode => ({ kind: 'artifact', type: { schemaTitle, schemaVersion: '0.0.1' }, isList: false, optional: false })

const trainSpec: ComponentInterface = {
  inputs: { text: param('STRING'), n: param('NUMBER_INTEGER'), ratio: param('NUMBER_DOUBLE', true, 0.5), data: artifact('system.Dataset') },
  outputs: { count: param('NUMBER_INTEGER'), summary: param('STRING'), model: artifact('system.Model') },
}

const trainSource = `
import { readFileSync, writeFileSync } from 'node:fs'
export default async ({ text, n, ratio, data, model }) => {
  if (text === 'throw') throw new Error('the data is empty')
  if (text === 'bad-output') return { count: 'three', summary: 'x' }
  const rows = readFileSync(data.path, 'utf8').trim().split('\\n')
  writeFileSync(model.path, JSON.stringify({ text, n, ratio, rows: rows.length, producer: data.metadata.producer }))
  model.metadata.framework = 'x'
  console.log('trained on', rows.length, 'rows')
  return { count: rows.length, summary: text + ':' + n }
}
`

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'typeflow-pod-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

/** Runs the packaged command like a container runtime would: argv as given, empty cwd, clean env. */
function runPod(packaged: PackagedFunctionComponent, substitute: (arg: string) => string, env: Record<string, string> = {}) {
  const argv = [...packaged.command, ...packaged.args].map(substitute)
  const cwd = mkdtempSync(join(work, 'cwd-'))
  const podTmp = mkdtempSync(join(work, 'podtmp-'))
  expect(argv[0]).toBe('node')
  const run = spawnSync(process.execPath, argv.slice(1), {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', TMPDIR: podTmp, ...env },
    encoding: 'utf8',
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, podTmp }
}

describe('packaged function component, KFP', () => {
  let root: string
  let packaged: PackagedFunctionComponent
  const taskRoot = 'minio://mlpipeline/v2/artifacts/demo/run-1/train/uuid-1'
  const local = (uri: string) => join(root, uri.replace('minio://', 'minio/').replace('gs://', 'gcs/'))

  function executorInput(parameterValues: Record<string, unknown>): string {
    return JSON.stringify({
      inputs: {
        parameterValues,
        artifacts: {
          data: {
            artifacts: [
              {
                name: '42',
                type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' },
                uri: 'gs://bucket/demo/run-1/prep/uuid-0/data',
                metadata: { producer: 'prep' },
              },
            ],
          },
        },
      },
      outputs: {
        parameters: { count: { outputFile: join(root, 'tmp/kfp/outputs/count') }, summary: { outputFile: join(root, 'tmp/kfp/outputs/summary') } },
        artifacts: {
          model: { artifacts: [{ name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: `${taskRoot}/model`, metadata: {} }] },
          'executor-logs': { artifacts: [{ name: 'executor-logs', type: { schemaTitle: 'system.Artifact' }, uri: `${taskRoot}/executor-logs-0` }] },
        },
        outputFile: local(`${taskRoot}/output_metadata.json`),
      },
    })
  }

  beforeAll(async () => {
    packaged = await packageFunctionComponent({ name: 'train', interface: trainSpec, functionSource: trainSource })
  })

  function freshRoot(): void {
    root = mkdtempSync(join(work, 'store-'))
    mkdirSync(dirname(local('gs://bucket/demo/run-1/prep/uuid-0/data')), { recursive: true })
    writeFileSync(local('gs://bucket/demo/run-1/prep/uuid-0/data'), 'a\nb\nc\n')
  }
  const kfp = (values: Record<string, unknown>, env: Record<string, string> = {}) => {
    const json = executorInput(values)
    return runPod(packaged, (arg) => arg.replaceAll('{{$}}', json), { TYPEFLOW_LOCAL_ROOT: root, ...env })
  }
  const noOutputs = () => {
    expect(existsSync(join(root, 'tmp/kfp/outputs/count'))).toBe(false)
    expect(existsSync(join(root, 'tmp/kfp/outputs/summary'))).toBe(false)
    expect(existsSync(local(`${taskRoot}/output_metadata.json`))).toBe(false)
  }

  it('has the documented shape: node -e <bootstrap> -- <payload…> --component <name> --executor_input {{$}}', () => {
    expect(packaged.command.slice(0, 4)).toEqual(['node', '-e', BOOTSTRAP, '--'])
    expect(packaged.command.slice(4).every((a) => /^[efi]:[A-Za-z0-9+/=]+$/.test(a))).toBe(true)
    expect(packaged.args).toEqual(['--component', 'train', '--executor_input', '{{$}}'])
  })

  it('runs the function, writes output parameter files, the executor output with metadata, exit 0', () => {
    freshRoot()
    const run = kfp({ text: 'hello', n: 3 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('trained on 3 rows\n')
    expect(readFileSync(join(root, 'tmp/kfp/outputs/count'), 'utf8')).toBe('3')
    expect(readFileSync(join(root, 'tmp/kfp/outputs/summary'), 'utf8')).toBe('hello:3')
    expect(JSON.parse(readFileSync(local(`${taskRoot}/model`), 'utf8'))).toEqual({ text: 'hello', n: 3, ratio: 0.5, rows: 3, producer: 'prep' })
    expect(JSON.parse(readFileSync(local(`${taskRoot}/output_metadata.json`), 'utf8'))).toEqual({
      parameterValues: { count: 3, summary: 'hello:3' },
      artifacts: { model: { artifacts: [{ name: 'model', uri: `${taskRoot}/model`, metadata: { framework: 'x' } }] } },
    })
    // The bootstrap's temp directory is removed on exit.
    expect(readdirSync(run.podTmp)).toEqual([])
  })

  it('a string for NUMBER_INTEGER: exit 1, one readable line naming the input, nothing written', () => {
    freshRoot()
    const run = kfp({ text: 'hello', n: 'three' })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe('component "train": input "n" expects NUMBER_INTEGER (an integer), got "three" (a string)\n')
    noOutputs()
    expect(existsSync(local(`${taskRoot}/model`))).toBe(false)
  })

  it('the function throws: exit 1, `component "train" failed: …` with the user frames only', () => {
    freshRoot()
    const run = kfp({ text: 'throw', n: 1 })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^component "train" failed: the data is empty\n\s+at default \(file:\/\/\/.*\/train\.mjs:\d+:\d+\)\n$/)
    expect(run.stderr).not.toContain('typeflow-executor.mjs')
    noOutputs()
  })

  it('with TYPEFLOW_DEBUG=1 the executor frames are shown too', () => {
    freshRoot()
    const run = kfp({ text: 'throw', n: 1 }, { TYPEFLOW_DEBUG: '1' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('typeflow-executor.mjs')
  })

  it('a wrong output type: exit 1, nothing written', () => {
    freshRoot()
    const run = kfp({ text: 'bad-output', n: 1 })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe('component "train": output "count" expects NUMBER_INTEGER (an integer), got "three" (a string)\n')
    noOutputs()
  })

  it('a function whose promise never settles fails instead of exiting 0 without outputs', async () => {
    const spec: ComponentInterface = { inputs: {}, outputs: { Output: param('STRING') } }
    const stuck = await packageFunctionComponent({ name: 'stuck', interface: spec, functionSource: 'export default () => new Promise(() => {})' })
    const out = mkdtempSync(join(work, 'stuck-'))
    const json = JSON.stringify({ outputs: { parameters: { Output: { outputFile: join(out, 'Output') } } } })
    const run = runPod(stuck, (arg) => arg.replaceAll('{{$}}', json))
    expect(run.status).toBe(1)
    expect(run.stderr).toBe('component "stuck" failed: its function never finished (its promise was still pending with nothing left to wait on)\n')
    expect(existsSync(join(out, 'Output'))).toBe(false)
  })

  it('still runs when the temp directory is not writable (modules imported from data: URLs)', () => {
    freshRoot()
    const run = kfp({ text: 'hello', n: 3 }, { TMPDIR: join(work, 'does-not-exist') })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(join(root, 'tmp/kfp/outputs/count'), 'utf8')).toBe('3')
  })

  it('a damaged payload is reported, not executed', () => {
    freshRoot()
    const json = executorInput({ text: 'hello', n: 3 })
    const run = runPod(packaged, (arg) => (arg.startsWith('f:') ? arg.slice(0, -8) + 'AAAAAAAA' : arg.replaceAll('{{$}}', json)), { TYPEFLOW_LOCAL_ROOT: root })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^typeflow: the packaged component code is damaged or incomplete/)
    noOutputs()
  })
})

describe('packaged function component, Argo', () => {
  it('runs with --param/--input-artifact/--output-param/--output-artifact flags', async () => {
    const packaged = await packageFunctionComponent({ name: 'train', interface: trainSpec, functionSource: trainSource, target: 'argo' })
    expect(packaged.args).toEqual([
      '--component',
      'train',
      '--param',
      'text={{inputs.parameters.text}}',
      '--param',
      'n={{inputs.parameters.n}}',
      '--param',
      'ratio={{inputs.parameters.ratio}}',
      '--input-artifact',
      'data=/tmp/typeflow/inputs/artifacts/data',
      '--output-param',
      'count=/tmp/typeflow/outputs/parameters/count',
      '--output-param',
      'summary=/tmp/typeflow/outputs/parameters/summary',
      '--output-artifact',
      'model=/tmp/typeflow/outputs/artifacts/model',
      '--executor_output',
      '/tmp/typeflow/outputs/executor_output.json',
    ])
    expect(packaged.argo?.outputParameters).toEqual({ count: '/tmp/typeflow/outputs/parameters/count', summary: '/tmp/typeflow/outputs/parameters/summary' })

    const io = mkdtempSync(join(work, 'argo-'))
    mkdirSync(join(io, 'inputs/artifacts'), { recursive: true })
    writeFileSync(join(io, 'inputs/artifacts/data'), 'x\ny\n')
    const values: Record<string, string> = { text: 'hi {{not a template}} $(HOME)', n: '7', ratio: '0.25' }
    const run = runPod(packaged, (arg) => arg.replace(/\{\{inputs\.parameters\.(\w+)\}\}/g, (_, k: string) => values[k] ?? '').replaceAll(ARGO_IO_ROOT, io))
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(join(io, 'outputs/parameters/count'), 'utf8')).toBe('2')
    expect(readFileSync(join(io, 'outputs/parameters/summary'), 'utf8')).toBe('hi {{not a template}} $(HOME):7')
    expect(JSON.parse(readFileSync(join(io, 'outputs/artifacts/model'), 'utf8'))).toMatchObject({ ratio: 0.25, rows: 2 })
    expect(JSON.parse(readFileSync(join(io, 'outputs/executor_output.json'), 'utf8'))).toMatchObject({
      artifacts: { model: { artifacts: [{ metadata: { framework: 'x' } }] } },
    })

    values['n'] = '7.5'
    rmSync(join(io, 'outputs'), { recursive: true })
    const bad = runPod(packaged, (arg) => arg.replace(/\{\{inputs\.parameters\.(\w+)\}\}/g, (_, k: string) => values[k] ?? '').replaceAll(ARGO_IO_ROOT, io))
    expect(bad.status).toBe(1)
    expect(bad.stderr).toBe('component "train": input "n" expects NUMBER_INTEGER (an integer), got 7.5 (a non-integer number)\n')
    expect(existsSync(join(io, 'outputs/parameters/count'))).toBe(false)
  })
})

describe('packaged function component, Argo target speaking the KFP protocol', () => {
  it('runs with the ExecutorInput the Argo target renders (local paths as artifact URIs, /tmp/outputs files)', async () => {
    const packaged = await packageFunctionComponent({ name: 'train', interface: trainSpec, functionSource: trainSource })
    const io = mkdtempSync(join(work, 'argo-kfp-'))
    const at = (path: string) => path.replace('/tmp', io)
    mkdirSync(at('/tmp/inputs/data'), { recursive: true })
    mkdirSync(at('/tmp/outputs'), { recursive: true }) // an emptyDir in the pod
    writeFileSync(at('/tmp/inputs/data/data'), 'r1\nr2\n')
    const executorInput = {
      inputs: {
        parameterValues: { n: 4, text: 'argo' },
        artifacts: { data: { artifacts: [{ name: 'data', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, uri: at('/tmp/inputs/data/data'), metadata: {} }] } },
      },
      outputs: {
        parameters: { count: { outputFile: at('/tmp/outputs/count') }, summary: { outputFile: at('/tmp/outputs/summary') } },
        artifacts: { model: { artifacts: [{ name: 'model', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, uri: at('/tmp/outputs/model'), metadata: {} }] } },
        outputFile: at('/tmp/outputs/typeflow-executor-output'),
      },
    }
    const run = runPod(packaged, (arg) => arg.replaceAll('{{$}}', JSON.stringify(executorInput)))
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readdirSync(at('/tmp/outputs')).sort()).toEqual(['count', 'model', 'summary', 'typeflow-executor-output'])
    expect(JSON.parse(readFileSync(at('/tmp/outputs/typeflow-executor-output'), 'utf8'))).toEqual({
      parameterValues: { count: 2, summary: 'argo:4' },
      artifacts: { model: { artifacts: [{ name: 'model', uri: at('/tmp/outputs/model'), metadata: { framework: 'x' } }] } },
    })
  })
})

describe('packaged function component, Argo with parameters in files', () => {
  it('passes --param-file paths that a raw input artifact fills', async () => {
    const packaged = await packageFunctionComponent({ name: 'train', interface: trainSpec, functionSource: trainSource, target: 'argo', argoParameters: 'files' })
    expect(packaged.args.slice(0, 8)).toEqual([
      '--component',
      'train',
      '--param-file',
      'text=/tmp/typeflow/inputs/parameters/text',
      '--param-file',
      'n=/tmp/typeflow/inputs/parameters/n',
      '--param-file',
      'ratio=/tmp/typeflow/inputs/parameters/ratio',
    ])
    expect(packaged.argo?.inputParameters).toEqual({
      text: '/tmp/typeflow/inputs/parameters/text',
      n: '/tmp/typeflow/inputs/parameters/n',
      ratio: '/tmp/typeflow/inputs/parameters/ratio',
    })
    const io = mkdtempSync(join(work, 'argo-files-'))
    mkdirSync(join(io, 'inputs/artifacts'), { recursive: true })
    mkdirSync(join(io, 'inputs/parameters'), { recursive: true })
    writeFileSync(join(io, 'inputs/artifacts/data'), 'x\n')
    writeFileSync(join(io, 'inputs/parameters/text'), 'price: $$5')
    writeFileSync(join(io, 'inputs/parameters/n'), '2')
    writeFileSync(join(io, 'inputs/parameters/ratio'), '0.5')
    const run = runPod(packaged, (arg) => arg.replaceAll(ARGO_IO_ROOT, io))
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(join(io, 'outputs/parameters/summary'), 'utf8')).toBe('price: $$5:2')
  })
})

describe('argument limits and chunking', () => {
  /** Deterministic, barely compressible text. */
  function noise(bytes: number): string {
    let x = 123456789
    let out = ''
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
    while (out.length < bytes) {
      x ^= x << 13
      x ^= x >>> 17
      x ^= x << 5
      out += alphabet[(x >>> 0) % alphabet.length]
    }
    return out
  }

  it('keeps every argument < 131072 bytes with a 300 KB function body, and the chunks reassemble', async () => {
    const big = noise(300_000)
    const source = `const BIG = ${JSON.stringify(big)}\nexport default () => ({ Output: BIG.length + ':' + BIG.slice(0, 8) + BIG.slice(-8) })\n`
    const spec: ComponentInterface = { inputs: {}, outputs: { Output: param('STRING') } }
    const packaged = await packageFunctionComponent({ name: 'big', interface: spec, functionSource: source })
    const all = [...packaged.command, ...packaged.args]
    for (const arg of all) expect(Buffer.byteLength(arg) + 1).toBeLessThan(packagedArgLimits.maxArgStrlen)
    for (const arg of all) expect(Buffer.byteLength(arg)).toBeLessThanOrEqual(packagedArgLimits.chunkBytes)
    expect(packaged.command.filter((a) => a.startsWith('f:')).length).toBeGreaterThanOrEqual(3)
    expect(packaged.sizes.largestArgBytes).toBeLessThan(packagedArgLimits.maxArgStrlen)
    expect(() => checkPackagedArgs(all)).not.toThrow()

    const out = mkdtempSync(join(work, 'big-'))
    const json = JSON.stringify({ outputs: { parameters: { Output: { outputFile: join(out, 'Output') } } } })
    const run = runPod(packaged, (arg) => arg.replaceAll('{{$}}', json))
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(join(out, 'Output'), 'utf8')).toBe(`300000:${big.slice(0, 8)}${big.slice(-8)}`)
  })

  it('checkPackagedArgs rejects an argument at MAX_ARG_STRLEN and an oversized command line', () => {
    expect(() => checkPackagedArgs(['x'.repeat(131_071)])).not.toThrow()
    expect(() => checkPackagedArgs(['ok', 'x'.repeat(131_072)])).toThrow(/argument 1 .* is 131073 bytes with its NUL; Linux allows at most 131072/)
    expect(() => checkPackagedArgs(['é'.repeat(65_536)])).toThrow(/131073 bytes/)
    expect(() => checkPackagedArgs(Array.from({ length: 12 }, () => 'x'.repeat(100_000)))).toThrow(/packaged command line is \d+ bytes/)
  })

  it('no argument contains anything an orchestrator would rewrite ({{, $), except the {{$}} placeholder itself', async () => {
    expect(BOOTSTRAP).not.toMatch(/\{\{|\$/)
    const packaged = await packageFunctionComponent({ name: 'tricky', interface: trainSpec, functionSource: 'export default () => `{{$}} $(HOME) $$ {{workflow.name}}`' })
    for (const arg of packaged.command) expect(arg).not.toMatch(/\{\{|\$/)
  })

  it('is deterministic and the async and sync builds agree', async () => {
    const a = await packageFunctionComponent({ name: 'train', interface: trainSpec, functionSource: trainSource })
    const b = packageFunctionComponentSync({ name: 'train', interface: trainSpec, functionSource: trainSource })
    expect(b).toEqual(a)
    expect(executorBundleSync()).toBe(await executorBundle())
  })

  it('reports the executor bundle size (minified; compressed + base64 as shipped)', async () => {
    const bundle = await executorBundle()
    console.log(`executor bundle: ${bundle.bytes} bytes minified, ${bundle.packagedBytes} bytes packaged in ${bundle.chunks.length} argument(s)`)
    expect(bundle.bytes).toBeLessThan(100_000)
    expect(bundle.packagedBytes).toBeLessThan(bundle.bytes)
    const decoded = inflateSync(Buffer.from(bundle.chunks.map((c) => c.slice(2)).join(''), 'base64')).toString('utf8')
    expect(decoded).toBe(bundle.code)
    expect(bundle.code).not.toMatch(/from\s*["'](?!node:)[^"']+["']/) // only node: builtins are imported
  })

  it('rejects a function source that does not parse or has no default export', async () => {
    await expect(packageFunctionComponent({ name: 'x', interface: trainSpec, functionSource: 'export default (' })).rejects.toThrow(
      /the function source of component "x" is not valid JavaScript \(line 1, column \d+\)/,
    )
    await expect(packageFunctionComponent({ name: 'x', interface: trainSpec, functionSource: 'export const f = 1' })).rejects.toThrow(/has no default export/)
  })
})
