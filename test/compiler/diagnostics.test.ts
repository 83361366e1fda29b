import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { ComponentNode, ContainerComponentNode, Diagnostic, PipelineNode, TaskNode } from '@typeflow/dsl'
import { artifact, component, Dataset, Model, param, pipeline, TypeflowError } from '@typeflow/dsl'
import { loadComponent } from '@typeflow/dsl/kfp'
import { compile } from '@typeflow/compiler'

const producer: ContainerComponentNode = {
  kind: 'container',
  name: 'produce',
  image: 'img',
  inputs: {},
  outputs: {
    model: { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false },
    count: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false },
  },
}
const consumer: ContainerComponentNode = {
  kind: 'container',
  name: 'consume',
  image: 'img',
  inputs: {
    data: { kind: 'artifact', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isList: false, optional: false },
    n: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: true, default: 1 },
  },
  outputs: {},
}

function task(name: string, component: ComponentNode, inputs: TaskNode['inputs'] = {}, after: string[] = []): TaskNode {
  return { kind: 'task', name, component, inputs, after, caching: { enabled: true }, env: [] }
}

function pipelineOf(body: TaskNode[], extra: Partial<PipelineNode> = {}): PipelineNode {
  return { kind: 'pipeline', name: 'p', inputs: {}, outputs: {}, body, ...extra }
}

function diagnosticsOf(p: PipelineNode): readonly Diagnostic[] {
  const result = compile(p)
  expect(result.ok).toBe(false)
  return result.ok ? [] : result.diagnostics
}

const datasetFrom = (task: string, output = 'dataset') => ({ kind: 'taskOutput' as const, task, output })

describe('compiler diagnostics (hand-written IR, as a JavaScript user could pass)', () => {
  it('reports duplicate task names', () => {
    const d = diagnosticsOf(pipelineOf([task('a', producer), task('a', producer)]))
    expect(d.map((x) => [x.code, x.path])).toEqual([['E_DUPLICATE_TASK', ['tasks', 'a']]])
  })

  it('reports a cycle with the path through it', () => {
    const d = diagnosticsOf(pipelineOf([task('a', producer, {}, ['c']), task('b', producer, {}, ['a']), task('c', producer, {}, ['b'])]))
    expect(d).toHaveLength(1)
    expect(d[0]!.code).toBe('E_CYCLE')
    expect(d[0]!.message).toContain('a -> b -> c -> a')
  })

  it('reports dangling references: unknown task, output, pipeline input and after()', () => {
    const d = diagnosticsOf(
      pipelineOf([
        task('a', producer),
        task('b', consumer, { data: datasetFrom('ghost'), n: { kind: 'pipelineInput', name: 'missing' } }, ['nobody']),
        task('c', consumer, { data: datasetFrom('a', 'nothing') }),
      ]),
    )
    expect(d.map((x) => `${x.code} ${x.path.join('.')}`).sort()).toEqual([
      'E_UNKNOWN_OUTPUT tasks.c.inputs.data',
      'E_UNKNOWN_PIPELINE_INPUT tasks.b.inputs.n',
      'E_UNKNOWN_TASK tasks.b.after',
      'E_UNKNOWN_TASK tasks.b.inputs.data',
    ])
  })

  it('re-checks types at compile time: artifact titles, parameter types, constants, kinds', () => {
    const d = diagnosticsOf(
      pipelineOf([
        task('a', producer),
        task('b', consumer, { data: datasetFrom('a', 'model') }),
        task('c', consumer, { data: datasetFrom('a', 'count') }),
        task('d', consumer, { data: { kind: 'constant', value: 'gs://x' } }),
        task('e', producer, {}),
        task('f', consumer, { data: datasetFrom('a', 'model'), n: { kind: 'constant', value: 1.5 } }),
      ]),
    )
    const codes = d.map((x) => `${x.code} ${x.path.join('.')}`).sort()
    expect(codes).toEqual([
      'E_TYPE_MISMATCH tasks.b.inputs.data',
      'E_TYPE_MISMATCH tasks.c.inputs.data',
      'E_TYPE_MISMATCH tasks.d.inputs.data',
      'E_TYPE_MISMATCH tasks.f.inputs.data',
      'E_TYPE_MISMATCH tasks.f.inputs.n',
    ])
    expect(d.find((x) => x.path[1] === 'b')!.message).toBe(
      'argument type system.Model@0.0.1 is incompatible with input "data" of type system.Dataset@0.0.1',
    )
  })

  it('reports unknown and missing inputs', () => {
    const d = diagnosticsOf(pipelineOf([task('b', consumer, { dta: { kind: 'constant', value: 1 } })]))
    expect(d.map((x) => `${x.code} ${x.path.join('.')}`).sort()).toEqual(['E_MISSING_INPUT tasks.b.inputs.data', 'E_UNKNOWN_INPUT tasks.b.inputs.dta'])
  })

  it('reports names Kubernetes would reject, with a suggestion', () => {
    const d = diagnosticsOf(pipelineOf([task('Train_Model', producer)], { name: 'My Pipeline' }))
    expect(d.map((x) => x.code)).toEqual(['E_INVALID_NAME', 'E_INVALID_NAME'])
    expect(d[0]!.message).toContain('try "my-pipeline"')
    expect(d[1]!.message).toContain('try "train-model"')
    const long = diagnosticsOf(pipelineOf([task('x'.repeat(129), producer)]))
    expect(long[0]!.code).toBe('E_INVALID_NAME')
  })

  it('reports placeholders that name missing or wrong-kind inputs', () => {
    const broken: ContainerComponentNode = {
      ...producer,
      command: [{ kind: 'text', parts: [{ kind: 'placeholder', ref: 'inputPath', name: 'nope' }] }, { kind: 'text', parts: [{ kind: 'placeholder', ref: 'outputPath', name: 'count' }] }],
    }
    const d = diagnosticsOf(pipelineOf([task('a', broken)]))
    expect(d.map((x) => x.code)).toEqual(['E_INVALID_PLACEHOLDER', 'E_INVALID_PLACEHOLDER'])
  })

  it('env and resources on a task that runs a nested pipeline are refused, not dropped', () => {
    const sub = pipelineOf([task('inner', producer)], { name: 'sub' })
    const d = diagnosticsOf(pipelineOf([{ ...task('sub', sub), env: [{ name: 'MODE', value: 'fast' }], resources: { cpuLimit: '2' } }]))
    expect(d.map((x) => [x.code, x.path.join('.')])).toEqual([
      ['E_INVALID_CONSTANT', 'tasks.sub.env'],
      ['E_INVALID_CONSTANT', 'tasks.sub.resources'],
    ])
    expect(d[0]!.message).toContain('set it on its tasks')
  })

  it('collects every problem before failing, and never throws on nonsense', () => {
    const d = diagnosticsOf(pipelineOf([task('A', producer), task('A', consumer, { zzz: { kind: 'constant', value: null } })]))
    expect(new Set(d.map((x) => x.code))).toEqual(new Set(['E_INVALID_NAME', 'E_DUPLICATE_TASK']))
  })
})

describe('diagnostics carry the user source location', () => {
  it('points at the dag.task call of the offending task', () => {
    const make = component({ name: 'make', image: 'img', outputs: { model: artifact(Model) } })
    const use = component({ name: 'use', image: 'img', inputs: { data: artifact(Dataset) } })
    const p = pipeline({ name: 'p' }, (dag) => {
      const made = dag.task(make)
      dag.task(use, { data: made.outputs.model as never }) // line marker: wrong-type
    })
    const d = diagnosticsOf(p)
    expect(d[0]!.code).toBe('E_TYPE_MISMATCH')
    expect(d[0]!.source?.file).toMatch(/diagnostics\.test\.ts$/)
    expect(d[0]!.source?.line).toBeGreaterThan(0)
    expect(d[0]!.source?.column).toBeGreaterThan(0)
  })

  it('tasks declared at one place in a loop all point at it; each place at its own line and column', () => {
    const step = component({ name: 'step', image: 'img' })
    const p = pipeline({ name: 'p' }, (dag) => {
      for (let i = 0; i < 3; i++) dag.task(step) // place: loop
      dag.task(step) // place: single
    })
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
    // V8 puts a call at its property name: the column of `task` in `dag.task(`.
    const place = (marker: string) => {
      const index = lines.findIndex((l) => l.endsWith(`// place: ${marker}`))
      return { file: fileURLToPath(import.meta.url), line: index + 1, column: lines[index]!.indexOf('dag.task(') + 5 }
    }
    expect((p.body as readonly TaskNode[]).map((t) => t.source)).toEqual([place('loop'), place('loop'), place('loop'), place('single')])
  })

  it('without a stack formatter installed, a location is the position V8 reports in the running file', () => {
    const step = component({ name: 'step', image: 'img' })
    const installed = Error.prepareStackTrace
    ;(Error as { prepareStackTrace?: unknown }).prepareStackTrace = undefined
    let p: PipelineNode
    try {
      p = pipeline({ name: 'p' }, (dag) => void dag.task(step))
    } finally {
      Error.prepareStackTrace = installed
    }
    const source = (p.body as readonly TaskNode[])[0]!.source
    expect(source?.file).toBe(fileURLToPath(import.meta.url))
    expect(source!.line).toBeGreaterThan(0)
    expect(source!.column).toBeGreaterThan(0)
  })

  it('the DSL rejects values it cannot represent, with a code', () => {
    const use = component({ name: 'use', image: 'img', inputs: { n: param.int() } })
    expect(() =>
      pipeline({ name: 'p' }, (dag) => {
        dag.task(use, { n: (() => 1) as never })
      }),
    ).toThrowError(TypeflowError)
  })
})

describe('loaded components', () => {
  it('malformed YAML gives E_COMPONENT_YAML with line and column', () => {
    try {
      loadComponent('name: x\nimplementation: [unclosed\n', 'bad.yaml')
      expect.unreachable()
    } catch (error) {
      const d = (error as TypeflowError).diagnostics[0]!
      expect(d.code).toBe('E_COMPONENT_YAML')
      expect(d.source).toMatchObject({ file: 'bad.yaml' })
      expect(d.source!.line).toBeGreaterThanOrEqual(2)
    }
  })

  it('unknown fields are rejected with their path', () => {
    try {
      loadComponent('name: x\nimplementation:\n  container:\n    image: alpine\n    comand: [echo]\n', 'typo.yaml')
      expect.unreachable()
    } catch (error) {
      const d = (error as TypeflowError).diagnostics
      expect(d[0]!.code).toBe('E_COMPONENT_YAML')
      expect(d[0]!.path).toEqual(['implementation', 'container'])
      expect(d[0]!.message).toContain('comand')
    }
  })

  it('wiring of loaded components is checked when compiling', () => {
    const add = loadComponent(
      'name: add\ninputs: [{name: a, type: Integer}]\noutputs: [{name: sum, type: Integer}]\nimplementation:\n  container:\n    image: alpine\n    command: [sh, -c, echo, {inputValue: a}, {outputPath: sum}]\n',
    )
    const d = diagnosticsOf(pipeline({ name: 'p' }, (dag) => void dag.task(add, { a: 'not a number', b: 2 })))
    expect(d.map((x) => x.code).sort()).toEqual(['E_TYPE_MISMATCH', 'E_UNKNOWN_INPUT'])
  })
})
