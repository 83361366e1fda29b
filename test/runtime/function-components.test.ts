/**
 * Function components end to end: the DSL records the function, the compiler checks what it
 * uses, bundles its imports and packages it into the container command, and that command runs
 * with plain `node` exactly as the pod would run it.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { inflateSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parse as parseYaml } from 'yaml'
import type { ContainerComponentNode, Diagnostic, PipelineNode, TaskNode } from '@typeflow/dsl'
import { allTasks, DEFAULT_FUNCTION_IMAGE, functionComponent, gt, param, pipeline, TypeflowError } from '@typeflow/dsl'
import { compile } from '@typeflow/compiler'
import { DEFAULT_FUNCTION_IMAGE as RUNTIME_DEFAULT_IMAGE } from '@typeflow/runtime'
import { packageFunctionComponents } from '../../packages/compiler/src/passes/function-components.ts'
import { generate, numbersPipeline } from '../fixtures/functions/pipeline.ts'

const fixtures = resolve(import.meta.dirname, '../fixtures/functions')
const MAX_ARG_STRLEN = 131_072

interface Container {
  readonly image: string
  readonly command: readonly string[]
  readonly args: readonly string[]
}

function compileOk(p: PipelineNode): string {
  const result = compile(p)
  if (!result.ok) throw new TypeflowError(result.diagnostics)
  return result.files[0]!.content
}

function containers(yamlText: string): Record<string, Container> {
  const doc = parseYaml(yamlText) as { deploymentSpec: { executors: Record<string, { container: Container }> } }
  return Object.fromEntries(Object.entries(doc.deploymentSpec.executors).map(([name, e]) => [name, e.container]))
}

function diagnosticsOf(p: PipelineNode): readonly Diagnostic[] {
  const result = compile(p)
  expect(result.ok).toBe(false)
  return result.ok ? [] : result.diagnostics
}

/** The function module a packaged command carries (its `f:` chunks, inflated). */
function shippedModule(container: Container): string {
  const payload = container.command.filter((a) => a.startsWith('f:')).map((a) => a.slice(2)).join('')
  return inflateSync(Buffer.from(payload, 'base64')).toString('utf8')
}

let work: string
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'typeflow-fn-'))
})
afterAll(() => {
  rmSync(work, { recursive: true, force: true })
})

/** Runs a container's command + args like a container runtime: argv as given, empty cwd, clean env. */
function runPod(container: Container, executorInput: unknown, env: Record<string, string> = {}) {
  const json = JSON.stringify(executorInput)
  const argv = [...container.command, ...container.args].map((arg) => arg.replaceAll('{{$}}', json))
  const cwd = mkdtempSync(join(work, 'cwd-'))
  const program = argv[0] === 'node' ? process.execPath : argv[0]!
  const run = spawnSync(program, argv.slice(1), {
    cwd,
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, TMPDIR: mkdtempSync(join(work, 'podtmp-')), ...env },
    encoding: 'utf8',
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('functionComponent() in the DSL', () => {
  it('is a container component on the Node image whose command the compiler fills in later', () => {
    expect(generate.kind).toBe('container')
    expect(generate.image).toBe(DEFAULT_FUNCTION_IMAGE)
    expect(DEFAULT_FUNCTION_IMAGE).toBe(RUNTIME_DEFAULT_IMAGE)
    expect(generate.command).toBeUndefined()
    expect(generate.args).toBeUndefined()
    expect(generate.function?.packages).toEqual([])
    expect(generate.function?.source).toContain('numbers')
    expect(generate.function?.location).toMatchObject({ file: join(fixtures, 'pipeline.ts'), line: 11 })
    expect(Object.isFrozen(generate) && Object.isFrozen(generate.function)).toBe(true)
  })

  it('rejects package specs that are not plain registry specs, and inputs named like output artifacts', () => {
    const bad = () => functionComponent({ name: 'x', packages: ["lodash'; rm -rf /"] }, () => {})
    expect(bad).toThrow(TypeflowError)
    expect(bad).toThrow(/not an npm registry package spec/)
    expect(() =>
      functionComponent({ name: 'x', inputs: { m: param.string() }, outputs: { m: { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false } } }, () => {}),
    ).toThrow(/"m" is both an input and an output artifact/)
  })
})

describe('compiling function components', () => {
  let yamlText: string
  beforeAll(() => {
    yamlText = compileOk(numbersPipeline)
  })

  it('packages each into node -e <bootstrap> -- <payload…> with every argument under 128 KiB', () => {
    const all = containers(yamlText)
    expect(Object.keys(all).sort()).toEqual(['exec-generate', 'exec-summarize'])
    for (const container of Object.values(all)) {
      expect(container.image).toBe('node:22-slim')
      expect(container.command.slice(0, 2)).toEqual(['node', '-e'])
      expect(container.args).toEqual(['--component', expect.any(String), '--executor_input', '{{$}}'])
      const sizes = [...container.command, ...container.args].map((a) => Buffer.byteLength(a, 'utf8') + 1)
      for (const size of sizes) expect(size).toBeLessThan(MAX_ARG_STRLEN)
      // Measured: the executor chunk dominates (≈18 KB); the whole command line is ≈20 KB.
      expect(Math.max(...sizes)).toBeLessThan(40_000)
      expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThan(60_000)
    }
  })

  it('bundles the local helper module and leaves node: builtins as imports', () => {
    const { 'exec-generate': gen, 'exec-summarize': sum } = containers(yamlText)
    const generated = shippedModule(gen!)
    expect(generated).toContain('function range(from, count)')
    expect(generated).toContain('function describe(n)')
    expect(generated).toContain('import { writeFileSync } from "node:fs"')
    expect(generated).not.toMatch(/from "\.\/helpers/)
    // Type annotations are gone; only what the function reads came along.
    const summarized = shippedModule(sum!)
    expect(summarized).toContain('function mean(values)')
    expect(summarized).not.toContain('function range(')
    expect(summarized).not.toContain('as number[]')
    expect(summarized).toContain('import { createHash } from "node:crypto"')
  })

  it('is deterministic: the same bytes from freshly evaluated components', async () => {
    vi.resetModules()
    const again = (await import('../fixtures/functions/pipeline.ts')) as typeof import('../fixtures/functions/pipeline.ts')
    expect(again.generate).not.toBe(generate)
    expect(compileOk(again.numbersPipeline)).toBe(yamlText)
  })

  it('packages a component once per object: tasks sharing it share the packaged node', () => {
    const twice = pipeline({ name: 'twice' }, (dag) => {
      dag.task(generate, { count: 1 })
      dag.task(generate, { count: 2 })
    })
    const first = packageFunctionComponents(twice)
    const second = packageFunctionComponents(twice)
    expect(first.diagnostics).toEqual([])
    const [a, b] = first.pipeline.body as TaskNode[]
    expect(a!.component).not.toBe(generate)
    expect(a!.component).toBe(b!.component)
    expect((second.pipeline.body[0] as TaskNode).component).toBe(a!.component)
    expect(Object.isFrozen(a!.component)).toBe(true)
    expect((a!.component as ContainerComponentNode).function).toBe(generate.function)
  })

  it('packages them everywhere: loops, conditions, exit handlers and nested pipelines', () => {
    const inner = pipeline({ name: 'inner', inputs: { n: param.int() } }, (dag, p) => {
      dag.task(generate, { count: p.n })
    })
    const nested = pipeline({ name: 'nested' }, (dag) => {
      dag.exitHandler(
        () => dag.task(generate, { count: 1 }, { name: 'cleanup' }),
        () => {
          const first = dag.task(generate, { count: 3 }, { name: 'first' })
          dag.if(gt(first.outputs.total, 2), () => {
            dag.forEach([1, 2], (n) => {
              dag.task(generate, { count: n }, { name: 'looped' })
            })
          })
          dag.task(inner, { n: 2 })
        },
      )
    })
    const all = containers(compileOk(nested))
    const executors = Object.values(all)
    expect(executors.length).toBeGreaterThan(0)
    for (const e of executors) expect(e.command).toEqual(executors[0]!.command)
    expect(executors[0]!.command.slice(0, 2)).toEqual(['node', '-e'])
    const tasks: TaskNode[] = []
    const collect = (p: PipelineNode) => {
      for (const t of allTasks(p.body)) {
        tasks.push(t)
        if (t.component.kind === 'pipeline') collect(t.component)
      }
    }
    collect(packageFunctionComponents(nested).pipeline)
    expect(tasks.map((t) => t.name).sort()).toEqual(['cleanup', 'first', 'generate', 'inner', 'looped'])
    for (const t of tasks) if (t.component.kind === 'container') expect(t.component.command).toBeDefined()
  })

  it('leaves a pipeline without function components untouched', () => {
    const plain = pipeline({ name: 'plain' }, (dag) => {
      dag.task({ kind: 'container', name: 'c', image: 'alpine', inputs: {}, outputs: {}, command: [{ kind: 'text', parts: ['true'] }] } as never)
    })
    expect(packageFunctionComponents(plain).pipeline).toBe(plain)
  })

  it('compiles the example pipeline to the same bytes in another process (tsx examples/fn-components/pipeline.ts)', async () => {
    const example = (await import('../../examples/fn-components/pipeline.ts')) as { default: PipelineNode }
    const out = mkdtempSync(join(work, 'example-'))
    const root = resolve(import.meta.dirname, '../..')
    const run = spawnSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), 'examples/fn-components/pipeline.ts', '--out-dir', out], {
      cwd: root,
      encoding: 'utf8',
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(join(out, `${example.default.name}.kfp.yaml`), 'utf8')).toBe(compileOk(example.default))
  })
})

describe('running the packaged command as the pod would', () => {
  const runRoot = 'minio://mlpipeline/v2/artifacts/fn-numbers/run-1'
  let store: string
  const local = (uri: string) => join(store, uri.replace('minio://', 'minio/'))
  let all: Record<string, Container>

  beforeAll(() => {
    store = mkdtempSync(join(work, 'store-'))
    all = containers(compileOk(numbersPipeline))
  })

  it('generate → summarize: parameters, artifacts in and out, metadata and a struct output', () => {
    const numbersUri = `${runRoot}/generate/uuid-1/numbers`
    const generated = runPod(
      all['exec-generate']!,
      {
        inputs: { parameterValues: { count: 4 } },
        outputs: {
          parameters: { total: { outputFile: join(store, 'generate/total') } },
          artifacts: { numbers: { artifacts: [{ name: 'numbers', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, uri: numbersUri, metadata: {} }] } },
          outputFile: local(`${runRoot}/generate/uuid-1/output_metadata.json`),
        },
      },
      { TYPEFLOW_LOCAL_ROOT: store },
    )
    expect(generated.stderr).toBe('')
    expect(generated.status).toBe(0)
    expect(readFileSync(join(store, 'generate/total'), 'utf8')).toBe('10')
    expect(JSON.parse(readFileSync(local(numbersUri), 'utf8'))).toEqual([1, 2, 3, 4])
    const generateOutput = JSON.parse(readFileSync(local(`${runRoot}/generate/uuid-1/output_metadata.json`), 'utf8'))
    const numbersMetadata = generateOutput.artifacts.numbers.artifacts[0].metadata
    expect(numbersMetadata).toEqual({ count: 4, description: '4 numbers' })

    const reportUri = `${runRoot}/summarize/uuid-2/report`
    const summarized = runPod(
      all['exec-summarize']!,
      {
        inputs: {
          parameterValues: { label: 'four' },
          artifacts: { numbers: { artifacts: [{ name: '7', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, uri: numbersUri, metadata: numbersMetadata }] } },
        },
        outputs: {
          parameters: { summary: { outputFile: join(store, 'summarize/summary') }, mean: { outputFile: join(store, 'summarize/mean') } },
          artifacts: { report: { artifacts: [{ name: 'report', type: { schemaTitle: 'system.Markdown', schemaVersion: '0.0.1' }, uri: reportUri, metadata: {} }] } },
          outputFile: local(`${runRoot}/summarize/uuid-2/output_metadata.json`),
        },
      },
      { TYPEFLOW_LOCAL_ROOT: store },
    )
    expect(summarized.stderr).toBe('')
    expect(summarized.status).toBe(0)
    const summary = JSON.parse(readFileSync(join(store, 'summarize/summary'), 'utf8'))
    expect(summary).toEqual({ label: 'four', mean: 2.5, count: 4, digest: expect.stringMatching(/^[0-9a-f]{12}$/) })
    expect(readFileSync(join(store, 'summarize/mean'), 'utf8')).toBe('2.5')
    expect(readFileSync(local(reportUri), 'utf8')).toBe('# four\n\nmean 2.5 of 4\n')
    const summarizeOutput = JSON.parse(readFileSync(local(`${runRoot}/summarize/uuid-2/output_metadata.json`), 'utf8'))
    expect(summarizeOutput.artifacts.report.artifacts[0].metadata).toEqual({ digest: summary.digest })
  })

  it('syntax that only looks like outside variables compiles and runs (shorthands, labels, classes, enums, types, arguments)', async () => {
    const { trickyPipeline } = await import('../fixtures/functions/tricky.ts')
    const all = containers(compileOk(trickyPipeline))
    const container = all['exec-tricky']!
    expect(shippedModule(all['exec-double']!)).toMatch(/^function double\(\{ x \}\) \{$/m)
    expect(shippedModule(all['exec-triple']!)).toMatch(/var \w+_default = async \(\{ x \}\) => \(\{ y: x \* 3 \}\)/)
    const out = join(store, 'tricky/result')
    const run = runPod(container, { inputs: { parameterValues: { n: 5 } }, outputs: { parameters: { result: { outputFile: out } } } })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual({ total: 10, items: 1, v: 2, color: 1, caught: 'SyntaxError', count: 10, typed: 5, again: 'tricky', url: 'string' })
  })

  it('declared packages are installed when the pod starts (npm faked on the PATH) and resolved by the function', async () => {
    const { packagesPipeline } = await import('../fixtures/functions/packages.ts')
    const container = containers(compileOk(packagesPipeline))['exec-pad']!
    expect(container.command.slice(0, 2)).toEqual(['sh', '-c'])
    expect(container.command[2]).toContain("'typeflow-fake-pad@1.0.0'")
    expect(container.command.slice(3, 6)).toEqual(['typeflow', 'node', '-e'])
    expect(shippedModule(container)).toContain('import("typeflow-fake-pad")')
    // Nothing KFP, Argo or Kubernetes would rewrite.
    expect(container.command[2]).not.toMatch(/\{\{|\$\(|\$\$/)

    const bin = mkdtempSync(join(work, 'bin-'))
    writeFileSync(
      join(bin, 'npm'),
      [
        '#!/bin/sh',
        'echo "$@" > "$TYPEFLOW_NPM_LOG"',
        'prefix=""; specs=""',
        'while [ $# -gt 0 ]; do case "$1" in --prefix) prefix="$2"; shift 2;; -*|install) shift;; *) specs="$specs $1"; shift;; esac; done',
        'for spec in $specs; do name="${spec%@*}"; mkdir -p "$prefix/node_modules/$name"',
        '  printf \'{"name":"%s","type":"module","main":"index.js"}\' "$name" > "$prefix/node_modules/$name/package.json"',
        '  echo \'export default (s, n) => String(s).padStart(n, "*")\' > "$prefix/node_modules/$name/index.js"; done',
      ].join('\n'),
    )
    chmodSync(join(bin, 'npm'), 0o755)
    const deps = join(work, 'deps')
    const log = join(work, 'npm.log')
    const out = join(store, 'pad/padded')
    const run = runPod(container, { inputs: { parameterValues: { text: 'abc' } }, outputs: { parameters: { padded: { outputFile: out } } } }, {
      PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`,
      TYPEFLOW_DEPS_DIR: deps,
      TYPEFLOW_NPM_LOG: log,
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe('*****abc')
    expect(readFileSync(log, 'utf8')).toBe(`install --no-save --no-package-lock --no-audit --no-fund --loglevel=error --prefix ${deps} typeflow-fake-pad@1.0.0\n`)
  })

  it('a failing function: exit 1, and the stack trace names the user\'s own file and line (inline source map)', async () => {
    const { throwsPipeline } = await import('../fixtures/functions/throws.ts')
    const container = containers(compileOk(throwsPipeline))['exec-explode']!
    const run = runPod(container, { inputs: { parameterValues: { why: 'on purpose' } } })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^component "explode" failed: exploded: on purpose\n\s+at .*\/throws\.ts:5:29\)?\n/)
  })

  it('hand-written IR without a location: the function text alone is checked, shipped and run (tsx `__name` helper included)', () => {
    const add: ContainerComponentNode = {
      kind: 'container',
      name: 'add',
      image: DEFAULT_FUNCTION_IMAGE,
      inputs: { a: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false }, b: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
      outputs: { sum: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } },
      // What fn.toString() looks like under tsx, which compiles with esbuild's keepNames.
      function: { source: '({a,b})=>{function twice(x){return x*2}__name(twice,"twice");return{sum:twice(a)+b+twice.name.length}}', packages: [] },
    }
    const p: PipelineNode = { kind: 'pipeline', name: 'hand', inputs: {}, outputs: {}, body: [{ kind: 'task', name: 'add', component: add, inputs: { a: { kind: 'constant', value: 2 }, b: { kind: 'constant', value: 3 } }, after: [], caching: {}, env: [] }] }
    const container = containers(compileOk(p))['exec-add']!
    const out = join(store, 'add/sum')
    const run = runPod(container, { inputs: { parameterValues: { a: 2, b: 3 } }, outputs: { parameters: { sum: { outputFile: out } } } })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe('12')
  })
})

describe('what cannot travel does not compile', () => {
  it('a module-level const: E_FUNCTION_CAPTURE naming it, where it is used', async () => {
    const { capturePipeline } = await import('../fixtures/functions/capture-module-const.ts')
    const [d, ...rest] = diagnosticsOf(capturePipeline)
    expect(rest).toEqual([])
    expect(d!.code).toBe('E_FUNCTION_CAPTURE')
    expect(d!.message).toContain('"threshold"')
    expect(d!.message).toContain('declared outside the function (line 3)')
    expect(d!.source).toEqual({ file: join(fixtures, 'capture-module-const.ts'), line: 8, column: 32 })
    expect(d!.path).toEqual(['tasks', 'classify', 'component', 'classify'])
  })

  it('a shorthand property reads the variable too', async () => {
    const { shorthandPipeline } = await import('../fixtures/functions/capture-module-const.ts')
    const d = diagnosticsOf(shorthandPipeline)
    expect(d.map((x) => [x.code, x.source?.line, x.source?.column])).toEqual([['E_FUNCTION_CAPTURE', 19, 22]])
    expect(d[0]!.message).toContain('"threshold"')
  })

  it('a variable of an enclosing function: same', async () => {
    const { enclosingPipeline } = await import('../fixtures/functions/capture-enclosing.ts')
    const d = diagnosticsOf(enclosingPipeline)
    expect(d).toHaveLength(1)
    expect(d[0]!.code).toBe('E_FUNCTION_CAPTURE')
    expect(d[0]!.message).toContain('"factor"')
    expect(d[0]!.source).toEqual({ file: join(fixtures, 'capture-enclosing.ts'), line: 6, column: 26 })
  })

  it('CommonJS globals (require, __dirname) are not globals of the ES module the pod runs', async () => {
    const { globalsPipeline } = await import('../fixtures/functions/capture-globals.ts')
    const d = diagnosticsOf(globalsPipeline)
    expect(d.map((x) => [x.code, x.message.match(/uses "(\w+)"/)?.[1], x.source?.line])).toEqual([
      ['E_FUNCTION_CAPTURE', 'require', 5],
      ['E_FUNCTION_CAPTURE', '__dirname', 5],
    ])
    expect(d[0]!.message).toContain('ReferenceError')
    expect(d[1]!.message).toContain('(used 2 times)')
  })

  it('an import that cannot be bundled (not installed, not declared in packages)', async () => {
    const { unbundlablePipeline } = await import('../fixtures/functions/packages.ts')
    const d = diagnosticsOf(unbundlablePipeline)
    expect(d).toHaveLength(1)
    expect(d[0]!.code).toBe('E_FUNCTION_CAPTURE')
    expect(d[0]!.message).toContain('typeflow-not-installed')
    expect(d[0]!.source).toEqual({ file: join(fixtures, 'packages.ts'), line: 20, column: 16 })
  })

  it('without the file, every free identifier that is not a Node global is reported', () => {
    const scale: ContainerComponentNode = {
      kind: 'container',
      name: 'scale',
      image: DEFAULT_FUNCTION_IMAGE,
      inputs: {},
      outputs: {},
      function: { source: '() => { console.log(Math.max(factor, 1)) }', packages: [], location: { file: join(work, 'gone.ts'), line: 1, column: 1 } },
    }
    const p: PipelineNode = { kind: 'pipeline', name: 'gone', inputs: {}, outputs: {}, body: [{ kind: 'task', name: 'scale', component: scale, inputs: {}, after: [], caching: {}, env: [] }] }
    const d = diagnosticsOf(p)
    expect(d).toHaveLength(1)
    expect(d[0]!.message).toContain('"factor"')
    expect(d[0]!.message).toContain('checked the function\'s text alone')
    expect(d[0]!.source).toEqual({ file: join(work, 'gone.ts'), line: 1, column: 1 })
  })

  it('capture errors are reported together with the analysis diagnostics', async () => {
    const { classify } = await import('../fixtures/functions/capture-module-const.ts')
    const p = pipeline({ name: 'both' }, (dag) => {
      dag.task(classify, { score: 'high' as never })
    })
    expect(diagnosticsOf(p).map((x) => x.code).sort()).toEqual(['E_FUNCTION_CAPTURE', 'E_TYPE_MISMATCH'])
  })
})
