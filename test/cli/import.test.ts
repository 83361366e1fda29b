/**
 * `typeflow import`: unit tests of the generator (identifiers, literals, placeholders, control
 * flow, determinism, diagnostics) and of the CLI command. Generated modules are written inside
 * the repository (`test/.tmp-import/`) so they resolve `@typeflow/dsl`, then typechecked and
 * loaded with tsx like user code.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import path, { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import ts from 'typescript'
import { tsImport } from 'tsx/esm/api'
import { afterAll, describe, expect, it } from 'vitest'
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import {
  and,
  artifact,
  artifactType,
  component,
  concat,
  Dataset,
  eq,
  gt,
  Model,
  not,
  or,
  param,
  pipeline,
  TypeflowError,
  type ComponentDef,
  type PipelineNode,
} from '@typeflow/dsl'
import { loadComponent } from '@typeflow/dsl/kfp'
import { compile } from '../../packages/compiler/src/compile.ts'
import { importComponent, importKfp, importPipeline } from '../../packages/cli/src/import/index.ts'
import { parseCel } from '../../packages/cli/src/import/cel.ts'
import { camelCase, NameScope } from '../../packages/cli/src/import/names.ts'

const root = resolve(import.meta.dirname, '../..')
const dir = join(root, 'test/.tmp-import', `unit-${process.pid}`)
mkdirSync(dir, { recursive: true })
afterAll(() => rmSync(dir, { recursive: true, force: true }))

let counter = 0
let previous: ts.Program | undefined
/** Writes a generated module, typechecks it (reusing the last program's library files) and loads it. */
async function load(code: string): Promise<{ module: Record<string, unknown>; typeErrors: string[] }> {
  const file = join(dir, `m${++counter}.ts`)
  writeFileSync(file, code)
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile)
  const options = { ...ts.parseJsonConfigFileContent(config.config, ts.sys, root).options, noEmit: true }
  const program = ts.createProgram([file], options, undefined, previous)
  previous = program
  const typeErrors = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file && path.resolve(d.file.fileName) === file)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '))
  const module = (await tsImport(pathToFileURL(file).href, import.meta.url)) as Record<string, unknown>
  return { module, typeErrors }
}

function kfp(p: PipelineNode): string {
  const result = compile(p)
  if (!result.ok) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`).join('\n'))
  return result.files[0]!.content
}

/** The YAML body without the header comment (which names no file, but keep the check on data). */
const body = (text: string) => text.replace(/^(#.*\n)+/, '')

describe('identifiers', () => {
  it('are camelCase, valid and never reserved', () => {
    expect(camelCase('print-op-2')).toBe('printOp2')
    expect(camelCase('Train model')).toBe('trainModel')
    expect(camelCase('int-0-to-9999')).toBe('int0To9999')
    expect(camelCase('0-to-9')).toBe('n0To9')
    expect(camelCase('---')).toBe('value')
    const scope = new NameScope()
    scope.reserve('pipeline')
    expect(scope.unique('default')).toBe('default_')
    expect(scope.unique('pipeline', 'Task')).toBe('pipelineTask')
    expect(scope.unique('add')).toBe('add')
    expect(scope.unique('add', 'Task')).toBe('addTask')
    expect(scope.unique('add', 'Task')).toBe('add2')
    expect(scope.child().unique('add')).toBe('add3')
  })
})

describe('conditions', () => {
  it('parses the CEL the SDK writes', () => {
    expect(parseCel("int(inputs.parameter_values['pipelinechannel--n']) > 3")).toEqual({
      kind: 'compare',
      op: '>',
      left: { kind: 'channel', name: 'pipelinechannel--n' },
      right: { kind: 'literal', value: 3 },
    })
    const nested = parseCel("!(inputs.parameter_values['a'] == 'it\\'s') && (inputs.parameter_values['b'] == true || inputs.parameter_values['c'] < -1.5)")
    expect(nested).toMatchObject({ kind: 'and', items: [{ kind: 'not', item: { right: { value: "it's" } } }, { kind: 'or', items: [{ right: { value: true } }, { right: { value: -1.5 } }] }] })
    expect(() => parseCel("inputs.parameter_values['a'] ==")).toThrow()
  })
})

describe('importComponent', () => {
  it('turns a v1 component into a typed component that compiles like loadComponent', async () => {
    const yaml = `
name: Train model
description: Trains.
inputs:
- {name: training-data, type: Dataset}
- {name: epochs, type: Integer, default: '10'}
- {name: tag, type: String, optional: true}
outputs:
- {name: model, type: Model}
- {name: accuracy, type: Float}
implementation:
  container:
    image: ghcr.io/acme/train:1.2
    command: [python, -m, train]
    args:
    - --data
    - {inputPath: training-data}
    - {concat: [--epochs=, {inputValue: epochs}]}
    - {if: {cond: {isPresent: tag}, then: [--tag, {inputValue: tag}], else: [--untagged]}}
    - {outputPath: model}
    - {outputPath: accuracy}
`
    const code = importComponent(yaml)
    expect(code).toContain('export const trainModel = component({')
    expect(code).toContain("training_data: artifact(Dataset)")
    expect(code).toContain('epochs: param.int({ default: 10 })')
    expect(code).toContain("ifPresent('tag', ['--tag', inputs.tag.value], ['--untagged'])")
    expect(code).toContain("concat('--epochs=', inputs.epochs.value)")
    expect(code).toContain('outputs.accuracy.path')
    const { module, typeErrors } = await load(code)
    expect(typeErrors).toEqual([])
    const ours = module['trainModel'] as ComponentDef
    const loaded = loadComponent(yaml)
    const mirror = (c: ComponentDef) => kfp(pipeline({ name: 'm', inputs: loaded.inputs }, (dag, p) => void dag.task(c, { ...p } as never)))
    expect(mirror(ours)).toEqual(mirror(loaded))
  })

  it('keeps scripts readable and exact: backticks, ${, backslashes, CR and control characters', async () => {
    const script = 'set -e\necho `date` "${HOME}" \\n done\r\nprintf "\\t%s\\n" \u0001 ok\n'
    const node = component({
      name: 'tricky',
      image: 'alpine',
      inputs: { who: param.string() },
      command: ({ inputs }) => ['sh', '-c', script, `--who=${inputs.who.value}\`\${x}`, 'it\'s "quoted"', 'naïve ✓'],
    })
    const yaml = kfp(pipeline({ name: 'tricky', inputs: { who: param.string() } }, (dag, p) => void dag.task(node, { who: p.who })))
    const code = importComponent(yaml)
    expect(code).toContain('`set -e\necho \\`date\\` "\\${HOME}"')
    const { module, typeErrors } = await load(code)
    expect(typeErrors).toEqual([])
    expect((module['tricky'] as ComponentDef).command).toEqual(node.command)
  })

  it('imports a compiled single component (v2 IR) as a component module with --kind component', async () => {
    const echo = component({ name: 'echo', image: 'alpine', inputs: { text: param.string({ default: 'hi' }) }, command: ({ inputs }) => ['echo', inputs.text.value] })
    const ir = kfp(pipeline({ name: 'echo', inputs: { text: param.string({ default: 'hi' }) } }, (dag, p) => void dag.task(echo, { text: p.text })))
    expect(importKfp(ir).kind).toBe('pipeline')
    const result = importKfp(ir, 'component')
    expect(result.detected).toBe('component')
    const { module, typeErrors } = await load(result.code)
    expect(typeErrors).toEqual([])
    expect((module['echo'] as ComponentDef).command).toEqual(echo.command)
  })
})

describe('importPipeline', () => {
  const producer = component({
    name: 'produce',
    image: 'python:3.12',
    outputs: { n: param.int(), rows: param.list<{ name: string; size: number }>(), data: artifact(Dataset), label: param.string() },
    command: ({ outputs }) => ['produce', outputs.n.path, outputs.rows.path, outputs.data.path, outputs.label.path],
  })
  const consume = component({
    name: 'consume',
    image: 'python:3.12',
    inputs: { n: param.int({ default: 1 }), text: param.string({ optional: true }), data: artifact(Dataset, { optional: true }) },
    outputs: { out: param.string(), model: artifact(Model) },
    command: ({ inputs, outputs, ifPresent }) => ['consume', inputs.n.value, ifPresent('text', ['--text', inputs.text.value]), outputs.out.path, outputs.model.path],
  })
  const gather = component({ name: 'gather', image: 'python:3.12', inputs: { values: param.list(), models: artifact.list(Model) }, command: ['gather'] })
  const report = component({ name: 'report', image: 'alpine', inputs: { status: param.finalStatus(), note: param.string() }, command: ['report'] })
  const Custom = artifactType('acme.Features', '1.2.0')
  const features = component({ name: 'features', image: 'alpine', inputs: { data: artifact(Custom) }, command: ['f'] })

  const original = pipeline(
    {
      name: 'everything',
      description: 'Every feature the importer reads back.',
      inputs: { mode: param.string({ default: 'fast' }), threshold: param.float({ default: 0.5 }), names: param.list<string>({ default: ['a', 'b'] }) },
    },
    (dag, p) => {
      const first = dag.task(producer, {}, { caching: false, retry: { count: 2, backoff: '30s' }, env: { LEVEL: 'debug' }, resources: { cpuLimit: '500m', memoryLimit: '2Gi' } })
      const plain = dag.task(consume, { n: first.outputs.n }, { displayName: 'Consume first' })
      let big: ReturnType<typeof dag.task<typeof consume.inputs, typeof consume.outputs>> | undefined
      let small: ReturnType<typeof dag.task<typeof consume.inputs, typeof consume.outputs>> | undefined
      dag
        .if(and(gt(first.outputs.n, 10), eq(p.mode, 'fast')), () => {
          big = dag.task(consume, { n: 10, text: p.mode })
        })
        .elif(or(not(eq(first.outputs.label, 'x')), eq(p.mode, 'slow')), () => {
          small = dag.task(consume, { n: 1, data: first.outputs.data })
        })
        .else(() => {
          dag.task(consume, { text: 'neither' }, { name: 'fallback' })
        })
      dag.task(consume, { text: dag.oneOf(big!.outputs.out, small!.outputs.out) }, { name: 'after-branches' }).after(plain)
      const each = dag.forEach(
        first.outputs.rows,
        (row) => {
          const inner = dag.task(consume, { text: row.field('name'), n: row.field('size') }, { name: 'per-row' })
          return { out: inner.outputs.out, model: inner.outputs.model }
        },
        { parallelism: 2 },
      )
      dag.forEach(p.names, (name) => void dag.task(consume, { text: name }, { name: 'per-name' }))
      dag.task(gather, { values: each.out, models: each.model })
      dag.exitHandler(
        (status) => dag.task(report, { status, note: 'done' }),
        () => {
          const imported = dag.importer({ uri: 'gs://bucket/features', type: Custom, reimport: true, metadata: { source: 'unit' } })
          dag.task(features, { data: imported.outputs.artifact })
        },
      )
      return { label: first.outputs.label, models: each.model }
    },
  )

  it('rebuilds a pipeline that compiles to the same KFP IR (control flow, options, importer, exit handler)', async () => {
    const yaml = kfp(original)
    const result = importKfp(yaml)
    expect(result.warnings).toEqual([])
    const { module, typeErrors } = await load(result.code)
    expect(typeErrors).toEqual([])
    expect(body(kfp(module['default'] as PipelineNode))).toEqual(body(yaml))
    // It reads like hand-written code.
    expect(result.code).toContain('dag.forEach(produceTask.outputs.rows, (item) => {')
    expect(result.code).toContain("text: item.field('name')")
    expect(result.code).toContain('rows: param.list<{ size: number; name: string }>()')
    expect(result.code).toContain('collected(perRow.outputs.model)')
    expect(result.code).toContain('.elif(or(not(eq(')
    expect(result.code).toContain('.else(() => {')
    expect(result.code).toContain("dag.exitHandler((status) => dag.task(report, { note: 'done', status }), () => {")
    expect(result.code).toContain("export const Features = artifactType('acme.Features', '1.2.0')")
    for (const option of ['caching: false,', "retry: { count: 2, backoff: '30s' },", "env: { LEVEL: 'debug' },", "resources: { cpuLimit: '500m', memoryLimit: '2Gi' },"]) {
      expect(result.code).toContain(`\n    ${option}\n`)
    }
    expect(result.code).toContain("{ name: 'after-branches' }).after(consumeTask)")
    expect(result.code).toMatch(/dag\.oneOf\(\w+\.outputs\.out, \w+\.outputs\.out\)/)
    expect(result.code).not.toMatch(/;\n/)
  })

  it('is deterministic', () => {
    const yaml = kfp(original)
    expect(importPipeline(yaml)).toBe(importPipeline(yaml))
  })

  it('reports what it cannot express and still writes a module', () => {
    const base = kfp(pipeline({ name: 'p' }, (dag) => void dag.task(consume, { text: 'x' }))).trimEnd()
    const withPlatform = `${base}\n---\nplatforms:\n  kubernetes:\n    pipelineConfig:\n      workspace: {size: 5Gi}\n    deploymentSpec:\n      executors:\n        exec-consume:\n          imagePullPolicy: Always\n          emptyDirMounts: [{volumeName: v, mountPath: /v, medium: HugePages}]\n          lifecycle: {}\n`
    const result = importKfp(withPlatform)
    expect(result.warnings).toEqual([
      'PlatformSpec pipelineConfig (workspace): pipeline-level Kubernetes settings such as a workspace have no DSL option',
      'task consume: Kubernetes setting "emptyDirMounts" cannot be expressed (medium "HugePages" (the DSL takes "Memory" or none)); it was left out',
      'task consume: Kubernetes setting "lifecycle" has no DSL option',
    ])
    expect(result.code).toMatch(/^\/\/ Not imported:\n\/\/ - PlatformSpec pipelineConfig \(workspace\)/m)
    // What can be carried over still is.
    expect(result.code).toContain("kubernetes: { imagePullPolicy: 'Always' }")
  })

  it('carries a PlatformSpec over as kubernetes task options, references included', async () => {
    const withK8s = pipeline({ name: 'k8s', inputs: { secret: param.string({ default: 's' }), selector: param.struct({ optional: true }) } }, (dag, p) => {
      const first = dag.task(producer, {}, {
        kubernetes: {
          secretsAsEnv: [{ secret: p.secret, env: { PASSWORD: 'password' }, optional: true }],
          configMapsAsVolume: [{ configMap: 'cm', mountPath: '/cm' }],
          nodeSelector: p.selector,
          tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }, { json: { key: 'a', operator: 'Equal', value: 'b' } }],
          nodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }], weight: 50 }],
          timeout: 20,
          securityContext: { runAsUser: 65534, runAsNonRoot: true },
          podLabels: { team: 'ml' },
          fieldPathEnv: { POD: 'metadata.name' },
          imagePullSecrets: ['registry'],
          imagePullPolicy: 'IfNotPresent',
        },
      })
      dag.task(consume, { n: 2 }, {
        kubernetes: {
          pvcMounts: [{ pvc: first.outputs.label, mountPath: '/data', subPath: 'x' }],
          emptyDirs: [{ name: 'scratch', mountPath: '/scratch', medium: 'Memory', sizeLimit: '1Gi' }],
          ephemeralVolumes: [{ name: 'eph', mountPath: '/eph', size: '5Gi', storageClass: 'fast', labels: { a: 'b' } }],
          initContainers: [{ name: 'init', image: 'alpine', command: ['sh'], env: { A: '1' }, volumeMounts: [{ volumeName: 'scratch', mountPath: '/s' }] }],
        },
      })
    })
    const yaml = kfp(withK8s)
    expect(yaml).toContain('\n---\nplatforms:')
    const result = importKfp(yaml)
    expect(result.warnings).toEqual([])
    expect(result.code).toContain('secret: p.secret')
    expect(result.code).toContain('nodeSelector: p.selector')
    expect(result.code).toMatch(/pvc: \w+\.outputs\.label/)
    const { module, typeErrors } = await load(result.code)
    expect(typeErrors).toEqual([])
    expect(body(kfp(module['default'] as PipelineNode))).toEqual(body(yaml))
  })

  it('rejects malformed input with E_COMPONENT_YAML diagnostics and locations', () => {
    const failure = (text: string) => {
      try {
        importKfp(text, undefined, { file: 'bad.yaml' })
      } catch (error) {
        expect(error).toBeInstanceOf(TypeflowError)
        return (error as TypeflowError).diagnostics[0]!
      }
      throw new Error('expected a failure')
    }
    expect(failure('')).toMatchObject({ code: 'E_COMPONENT_YAML', message: expect.stringMatching(/empty/) })
    expect(failure('a: [1\nb: 2')).toMatchObject({ code: 'E_COMPONENT_YAML', source: { file: 'bad.yaml', line: 2 } })
    expect(failure('- just\n- a list')).toMatchObject({ message: expect.stringMatching(/mapping/) })
    expect(failure('kind: Deployment')).toMatchObject({ message: expect.stringMatching(/not a KFP file/) })
    expect(failure('pipelineInfo: {name: p}\nroot: {dag: {tasks: {t: {componentRef: {name: comp-t}}}}}')).toMatchObject({
      path: ['root', 'dag', 'tasks', 't', 'componentRef'],
    })
    expect(failure('name: x\nimplementation: {container: {}}')).toMatchObject({ code: 'E_COMPONENT_YAML' })
  })
})

describe('damaged input', () => {
  const goldenRoot = resolve(root, '../shared/reference/kfp/golden')
  const goldens = [
    'legacy/pipelines/pipeline_with_condition.yaml',
    'legacy/pipelines/if_elif_else_complex.yaml',
    'legacy/pipelines/pipeline_with_exit_handler.yaml',
    'legacy/pipelines/parallelfor_fan_in/artifacts_complex.yaml',
    'legacy/pipelines/pipeline_with_importer.yaml',
    'legacy/v1_component_yaml/if_placeholder_component.yaml',
  ].filter((g) => existsSync(join(goldenRoot, g)))

  it.skipIf(goldens.length === 0)('never crashes: a module, or E_COMPONENT_YAML diagnostics', () => {
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const replacements: unknown[] = [undefined, null, 'x', 7, [], {}, ['y'], { z: 1 }]
    let imported = 0
    let rejected = 0
    for (const golden of goldens) {
      const original = parseYaml(readFileSync(join(goldenRoot, golden), 'utf8')) as unknown
      for (let n = 0; n < 60; n++) {
        const doc = structuredClone(original) as Record<string, unknown>
        // Walk to a random node and replace (or delete) one of its children.
        let node: unknown = doc
        for (let depth = 0; depth < 12; depth++) {
          const keys = node !== null && typeof node === 'object' ? Object.keys(node) : []
          if (keys.length === 0) break
          const key = keys[Math.floor(random() * keys.length)]!
          const child = (node as Record<string, unknown>)[key]
          if (random() < 0.25 || child === null || typeof child !== 'object') {
            const replacement = replacements[Math.floor(random() * replacements.length)]
            if (replacement === undefined && !Array.isArray(node)) delete (node as Record<string, unknown>)[key]
            else (node as Record<string, unknown>)[key] = replacement
            break
          }
          node = child
        }
        try {
          importKfp(stringifyYaml(doc))
          imported++
        } catch (error) {
          expect(error, String(error)).toBeInstanceOf(TypeflowError)
          expect((error as TypeflowError).diagnostics[0]!.code).toBe('E_COMPONENT_YAML')
          rejected++
        }
      }
    }
    expect(imported + rejected).toBe(goldens.length * 60)
  })
})

describe('typeflow import (CLI)', () => {
  const bin = join(root, 'packages/cli/bin/typeflow.mjs')
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  it('prints or writes the module; usage errors exit 2; malformed input exits 1 with a diagnostic', () => {
    const yamlFile = join(dir, 'add.yaml')
    writeFileSync(yamlFile, 'name: add\ninputs: [{name: a, type: Integer}]\nimplementation:\n  container: {image: alpine, command: [echo, {inputValue: a}]}\n')
    const printed = run('import', yamlFile)
    expect(printed.code).toBe(0)
    expect(printed.stdout).toContain("command: ({ inputs }) => ['echo', inputs.a.value]")
    const out = join(dir, 'out', 'add.ts')
    const written = run('import', yamlFile, '--out', out, '--kind', 'pipeline')
    expect(written.code).toBe(0)
    expect(written.stdout).toContain('wrote')
    expect(readFileSync(out, 'utf8')).toContain('export default pipeline(')
    expect(run('import').code).toBe(2)
    expect(run('import', yamlFile, '--kind', 'dag').code).toBe(2)
    expect(run('import', '--help').stdout).toContain('--kind component|pipeline')
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'name: [unclosed\n')
    const failed = run('import', bad)
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/bad\.yaml:\d+:\d+ - E_COMPONENT_YAML: malformed YAML/)
    const json = run('import', join(dir, 'missing.yaml'), '--format', 'json')
    expect(json.code).toBe(1)
    expect(JSON.parse(json.stdout).diagnostics[0].code).toBe('E_IO')
    expect(run('--help').stdout).toContain('import')
  })
})

describe('names a v1 component cannot keep', () => {
  it('a pipeline around a component is named as KFP compiles it, so the module compiles', async () => {
    const text = importKfp('name: Word count\ninputs: [{name: text, type: String}]\nimplementation:\n  container: {image: alpine, command: [wc, {inputValue: text}]}\n', 'pipeline', { file: 'wc.yaml' }).code
    const { module, typeErrors } = await load(text)
    expect(typeErrors).toEqual([])
    const result = compile(module['default'] as PipelineNode, { policies: 'off' })
    expect(result.ok && result.analysed.node.name).toBe('word-count')
    expect(result.ok && [...result.analysed.tasks.keys()]).toEqual(['word-count'])
  })

  it('two inputs whose names become one Python identifier are refused, not merged', () => {
    const yaml = 'name: c3\ninputs:\n- {name: "a b", type: String}\n- {name: "a-b", type: String}\nimplementation:\n  container: {image: alpine, command: [echo, {inputValue: "a b"}, {inputValue: "a-b"}]}\n'
    expect(() => loadComponent(yaml, 'c3.yaml')).toThrow('inputs "a b" and "a-b" both become "a_b" (KFP turns v1 names into Python identifiers); rename one of them')
  })
})
