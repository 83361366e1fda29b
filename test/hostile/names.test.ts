/**
 * Hostile names. A name the user gives (task, pipeline) is kept when Kubernetes accepts it and
 * otherwise refused with E_INVALID_NAME and a suggestion that works; a name Typeflow derives
 * (task names from component names, Argo task/template/parameter names) is made valid, and two
 * names that clean up to the same text never collide: every task still runs its own component
 * and every value reaches its own input.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { ComponentDef, Diagnostic, PipelineNode, TaskNode } from '@typeflow/dsl'
import { component, KUBERNETES_NAME, param, pipeline, sanitizeName, TypeflowError } from '@typeflow/dsl'
import { compile, type Target } from '@typeflow/compiler'
import { parseAllDocuments } from 'yaml'
import { parseYamlPreservingFloats } from '../../packages/compiler/src/writer/yaml.ts'
import { runWorkflow } from '../argo/run.ts'
import { CORPUS } from './corpus.ts'

type Json = Record<string, any>

/** DNS-1123 label rules Argo applies to DAG task and template names (v4 CRDs: at most 128). */
const ARGO_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/

function compileBoth(p: PipelineNode): { kfp: Json; argo: Json[] } | { diagnostics: readonly Diagnostic[] } {
  const out: Partial<Record<Target, unknown>> = {}
  for (const target of ['kfp', 'argo'] as const) {
    const result = compile(p, { targets: [target], policies: 'off' })
    if (!result.ok) return { diagnostics: result.diagnostics }
    // Read as the target's own readers do (PyYAML for KFP, YAML 1.1 for Argo): how plain scalars
    // such as `1e3` read elsewhere is the table's concern (KFP-AMBIGUOUS-SCALARS), not this file's.
    const text = result.files[0]!.content
    if (target === 'kfp') out[target] = parseYamlPreservingFloats(text)
    else {
      const docs = parseAllDocuments(text, { version: '1.1' })
      out[target] = (Array.isArray(docs) ? docs : []).map((d) => d.toJS() as unknown)
    }
  }
  return { kfp: (out.kfp as Json[])[0]!, argo: out.argo as Json[] }
}

function compiled(p: PipelineNode): { kfp: Json; argo: Json[] } {
  const result = compileBoth(p)
  if ('diagnostics' in result) throw new Error(result.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'))
  return result
}

function argoTemplates(docs: readonly Json[]): Map<string, Json> {
  return new Map(docs.flatMap((d) => d['spec']['templates'] as Json[]).map((t) => [t['name'] as string, t]))
}

/** DSL task name → the Argo DAG task running it (found by the `typeflow-task` argument). */
function argoTasksByTypeflowName(docs: readonly Json[]): Map<string, Json> {
  const out = new Map<string, Json>()
  for (const t of argoTemplates(docs).values()) {
    for (const task of (t['dag']?.['tasks'] ?? []) as Json[]) {
      const name = ((task['arguments']?.['parameters'] ?? []) as Json[]).find((p) => p['name'] === 'typeflow-task')?.['value']
      if (typeof name === 'string') out.set(name, task)
    }
  }
  return out
}

const echo = (name: string, image: string): ComponentDef => component({ name, image, command: ['echo', image] })

describe('user-given task and pipeline names', () => {
  const candidates = [
    ...CORPUS.map((e) => e.value),
    'Train_Model',
    'UPPER',
    '-leading',
    'trailing-',
    'double--dash',
    '123',
    'a',
    'x'.repeat(128),
    'x'.repeat(129),
  ]

  it.each(candidates.map((name) => [JSON.stringify(name).slice(0, 60), name]))('task name %s: kept if valid, else E_INVALID_NAME with a suggestion that compiles', (_, name) => {
    checkTaskName(name)
  })

  it('the candidates include names whose first 128 sanitized characters end with "-" (the suggestion must not)', () => {
    expect(candidates.filter((name) => /-$/.test(sanitizeName(name).slice(0, 128))).length).toBeGreaterThan(0)
  })

  function checkTaskName(name: string): void {
    const valid = KUBERNETES_NAME.test(name) && name.length <= 128
    const build = (taskName: string) => pipeline({ name: 'names' }, (dag) => {
      dag.task(echo('echo', 'img'), {}, { name: taskName })
    })
    const result = compileBoth(build(name))
    if (valid) {
      expect('diagnostics' in result ? result.diagnostics : []).toEqual([])
      const { kfp, argo } = result as { kfp: Json; argo: Json[] }
      expect(Object.keys(kfp['root']['dag']['tasks'])).toEqual([name])
      const argoTask = argoTasksByTypeflowName(argo).get(name)
      expect(argoTask?.['name']).toMatch(ARGO_NAME)
      return
    }
    expect('diagnostics' in result).toBe(true)
    const diagnostics = (result as { diagnostics: readonly Diagnostic[] }).diagnostics
    expect(diagnostics.map((d) => d.code)).toEqual(['E_INVALID_NAME'])
    expect(diagnostics[0]!.path).toEqual(['tasks', name])
    const suggestion = /; try "([^"]*)"$/.exec(diagnostics[0]!.message)?.[1]
    if (sanitizeName(name) === '') {
      expect(suggestion).toBeUndefined()
      return
    }
    expect(suggestion).toBeDefined()
    expect(KUBERNETES_NAME.test(suggestion!) && suggestion!.length <= 128).toBe(true)
    expect('diagnostics' in compileBoth(build(suggestion!))).toBe(false)
  }

  it.each(candidates.map((name) => [JSON.stringify(name).slice(0, 60), name]))('pipeline name %s: kept if valid, else E_INVALID_NAME', (_, name) => {
    const valid = KUBERNETES_NAME.test(name) && name.length <= 128
    const result = compileBoth(pipeline({ name }, (dag) => {
      dag.task(echo('echo', 'img'))
    }))
    if (!valid) {
      expect('diagnostics' in result && result.diagnostics.map((d) => d.code)).toEqual(['E_INVALID_NAME'])
      return
    }
    const { kfp, argo } = result as { kfp: Json; argo: Json[] }
    expect(kfp['pipelineInfo']['name']).toBe(name)
    // Argo object names are shorter (63, generateName 57 + suffix): cut, with a hash of the whole name.
    const meta = argo[0]!['metadata'] as Json
    const objectName = (meta['generateName'] ?? meta['name']) as string
    expect(objectName.replace(/-$/, '')).toMatch(ARGO_NAME)
    expect(objectName.length).toBeLessThanOrEqual(63)
  })

  it('two long pipeline names sharing their first 100 characters get different Argo object names', () => {
    const prefix = 'p'.repeat(100)
    const names = [`${prefix}-first`, `${prefix}-second`].map((name) => {
      const { argo } = compiled(pipeline({ name }, (dag) => {
        dag.task(echo('echo', 'img'))
      }))
      return argo[0]!['metadata']['generateName'] as string
    })
    expect(new Set(names).size).toBe(2)
  })
})

describe('sanitizeName', () => {
  // The rule as KFP's maybe_rename_for_k8s writes it; sanitizeName returns most names unchanged
  // without running it, and must agree with it on every string.
  const rule = (name: string) => name.toLowerCase().replace(/[^-0-9a-z]+/g, '-').replace(/-+/g, '-').replace(/^-+|-+$/g, '')

  it('gives what the rule gives, for names already clean and for any text', () => {
    const units = fc.constantFrom('a', 'z', '0', '9', '-', 'A', 'Z', '_', ' ', '.', 'é', 'İ', 'ſ', 'K', '😀', '\u0000')
    const names = fc.oneof(fc.string({ unit: units }), fc.string({ unit: 'binary' }), fc.stringMatching(/^[a-z0-9]+(-[a-z0-9]+)*$/))
    fc.assert(
      fc.property(names, (name) => {
        expect(sanitizeName(name)).toBe(rule(name))
      }),
      { seed: 20261124, numRuns: 3000 },
    )
    for (const name of ['', '-', 'a-', '-a', 'a--b', 'a-b', 'task-10', 'İstanbul', 'ſ', 'K']) expect(sanitizeName(name), name).toBe(rule(name))
  })
})

describe('derived names never collide', () => {
  // Names that differ for people but clean up to the same Kubernetes name, plus every corpus
  // string that has letters or digits left (several of those collide too: `{{inputs.parameters.v}}`
  // and `{{$.inputs.parameters['v']}}` both become `inputs-parameters-v`).
  const names = ['Train Model', 'train_model', 'TRAIN--MODEL', ' train model ', 'train.model', ...CORPUS.map((e) => e.value).filter((n) => sanitizeName(n) !== '' && n.length < 1000)]

  it('components named alike get distinct task names, KFP components and Argo templates, each running its own image', () => {
    expect(new Set(names.map(sanitizeName)).size).toBeLessThan(names.length)
    const p = pipeline({ name: 'alike' }, (dag) => {
      names.forEach((name, i) => dag.task(echo(name, `img-${i}`)))
    })
    const tasks = p.body as readonly TaskNode[]
    const imageOf = new Map(tasks.map((t, i) => [t.name, `img-${i}`]))
    expect(imageOf.size).toBe(names.length)
    for (const name of imageOf.keys()) expect(KUBERNETES_NAME.test(name) && name.length <= 128, name).toBe(true)

    const { kfp, argo } = compiled(p)
    const kfpTasks = kfp['root']['dag']['tasks'] as Json
    expect(Object.keys(kfpTasks).sort()).toEqual([...imageOf.keys()].sort())
    const componentKeys = Object.values(kfpTasks).map((t) => t['componentRef']['name'] as string)
    expect(new Set(componentKeys).size).toBe(names.length)
    for (const [taskName, task] of Object.entries(kfpTasks)) {
      const executor = kfp['components'][task['componentRef']['name']]['executorLabel'] as string
      expect(kfp['deploymentSpec']['executors'][executor]['container']['image'], taskName).toBe(imageOf.get(taskName))
    }

    const templates = argoTemplates(argo)
    const byName = argoTasksByTypeflowName(argo)
    expect([...byName.keys()].sort()).toEqual([...imageOf.keys()].sort())
    const argoNames = [...byName.values()].map((t) => t['name'] as string)
    expect(new Set(argoNames).size).toBe(names.length)
    for (const [taskName, task] of byName) {
      expect(task['name']).toMatch(ARGO_NAME)
      expect((task['name'] as string).length).toBeLessThanOrEqual(128)
      expect(templates.get(task['template'])?.['container']?.['image'], taskName).toBe(imageOf.get(taskName))
    }
    for (const name of templates.keys()) expect(name).toMatch(ARGO_NAME)
  })

  it('Argo renames a task name starting with a digit without taking the name of another task, and keeps the dependencies', () => {
    const p = pipeline({ name: 'digits' }, (dag) => {
      const first = dag.task(echo('x', 'img-x'), {}, { name: '1a' })
      dag.task(echo('y', 'img-y'), {}, { name: 'task-1a' }).after(first)
      const third = dag.task(echo('z', 'img-z'), {}, { name: 'task-1a-2' }).after(first)
      dag.task(echo('w', 'img-w'), {}, { name: '2b' }).after(third)
    })
    const { argo } = compiled(p)
    const byName = argoTasksByTypeflowName(argo)
    const argoName = (n: string) => byName.get(n)!['name'] as string
    expect(new Set(['1a', 'task-1a', 'task-1a-2', '2b'].map(argoName)).size).toBe(4)
    for (const n of ['1a', 'task-1a', 'task-1a-2', '2b']) expect(argoName(n)).toMatch(/^[a-z]/)
    expect(byName.get('task-1a')!['depends']).toBe(argoName('1a'))
    expect(byName.get('task-1a-2')!['depends']).toBe(argoName('1a'))
    expect(byName.get('2b')!['depends']).toBe(argoName('task-1a-2'))
    // Run order follows the DSL's edges, whatever the names became.
    const order = runWorkflow(argo).runs.map((r) => r.task)
    expect(order.indexOf('1a')).toBeLessThan(order.indexOf('task-1a'))
    expect(order.indexOf('task-1a-2')).toBeLessThan(order.indexOf('2b'))
  })

  it('long task names sharing a prefix stay distinct in Argo', () => {
    const prefix = 't'.repeat(120)
    const taskNames = [`${prefix}-one`, `${prefix}-two`, `${prefix}-333`]
    const { argo } = compiled(pipeline({ name: 'long-names' }, (dag) => {
      taskNames.forEach((name, i) => dag.task(echo(`c${i}`, `img-${i}`), {}, { name }))
    }))
    const byName = argoTasksByTypeflowName(argo)
    const argoNames = taskNames.map((n) => byName.get(n)!['name'] as string)
    expect(new Set(argoNames).size).toBe(3)
    for (const n of argoNames) expect(n.length).toBeLessThanOrEqual(128)
  })

  it('inputs named alike (and like reserved inputs) reach their own placeholders in both targets', () => {
    const inputNames = ['a-b', 'a_b', 'a b', 'A_B', 'a.b', 'typeflow-task', 'typeflow-cache-key', 'ab', `a_b-${'0'.repeat(8)}`]
    const inputs = Object.fromEntries(inputNames.map((n) => [n, param.string()]))
    const show = component({
      name: 'show',
      image: 'img',
      inputs,
      command: ({ inputs: placeholders }) => ['echo', ...inputNames.map((n) => `${n}=${(placeholders as Record<string, { value: string }>)[n]!.value}`)],
    })
    const args = Object.fromEntries(inputNames.map((n, i) => [n, `value-${i}`]))
    const { kfp, argo } = compiled(pipeline({ name: 'inputs-alike' }, (dag) => {
      dag.task(show, args as never)
    }))
    const kfpArgs = kfp['root']['dag']['tasks']['show']['inputs']['parameters'] as Json
    for (const [name, value] of Object.entries(args)) expect(kfpArgs[name]['runtimeValue']['constant'], name).toBe(value)
    const echoRun = runWorkflow(argo).runs.find((r) => r.argv[0] === 'echo')!
    expect(echoRun.task).toBe('show')
    expect(echoRun.argv.slice(1)).toEqual(inputNames.map((n, i) => `${n}=value-${i}`))
    const template = argoTemplates(argo).get(echoRun.template)!
    const declared = (template['inputs']['parameters'] as Json[]).map((p) => p['name'] as string)
    expect(new Set(declared).size).toBe(declared.length)
    for (const name of declared) expect(name).toMatch(/^[-a-zA-Z0-9_]+$/)
  })

  // Fixed bug DSL-AUTO-NAME-LENGTH: a task named after its component was `sanitizeName(component.name)`
  // uncut, so a component name longer than 128 characters failed with E_INVALID_NAME for a name the
  // user never wrote. Names are now cut to 128 (no '-' at the cut), suffixes included.
  it('a component name longer than 128 characters still gives a valid task name', () => {
    const long = `${'Very Long Component Name '.repeat(8)}`
    const p = pipeline({ name: 'long-component' }, (dag) => {
      dag.task(echo(long, 'img-a'))
      dag.task(echo(`${long}!`, 'img-b'))
    })
    const names = (p.body as readonly TaskNode[]).map((t) => t.name)
    for (const name of names) expect(KUBERNETES_NAME.test(name) && name.length <= 128, name).toBe(true)
    expect(new Set(names).size).toBe(2)
    compiled(p)
  })

  // Fixed bug DSL-AUTO-NAME-QUADRATIC: the n-th task of one component tried `-2`, `-3`, … up to `-n`
  // before finding a free name, so a pipeline built in a loop spent O(n²) in naming (1,600 loop
  // rounds: 1.3 s of a 2 s DSL build). Each component now resumes at its last suffix.
  it('automatic names are the first free suffix, also after explicit names and at scale', () => {
    const c = echo('step', 'img')
    const other = echo('Step', 'img-b')
    const p = pipeline({ name: 'many-steps' }, (dag) => {
      dag.task(c, {}, { name: 'step-3' })
      for (let i = 0; i < 2_000; i++) {
        if (i === 700) dag.task(c, {}, { name: 'step-1500' })
        dag.task(i % 500 === 0 ? other : c)
      }
    })
    // The rule, written the slow way: the first of `step`, `step-2`, `step-3`, … no task has yet.
    const taken = new Set<string>()
    const expected: string[] = []
    const declare = (name: string | undefined) => {
      let chosen = name ?? 'step'
      for (let i = 2; name === undefined && taken.has(chosen); i++) chosen = `step-${i}`
      taken.add(chosen)
      expected.push(chosen)
    }
    declare('step-3')
    for (let i = 0; i < 2_000; i++) {
      if (i === 700) declare('step-1500')
      declare(undefined)
    }
    expect((p.body as readonly TaskNode[]).map((t) => t.name)).toEqual(expected)
  })

  it('a component name without letters or digits is refused (E_INVALID_NAME), not turned into an empty name', () => {
    for (const name of ['', '{{', '$$$', '\u6a21\u578b']) {
      let diagnostics: readonly Diagnostic[]
      try {
        const result = compileBoth(pipeline({ name: 'empty-names' }, (dag) => {
          dag.task(echo(name, 'img'), {}, { name: 'task' })
        }))
        diagnostics = 'diagnostics' in result ? result.diagnostics : []
      } catch (error) {
        if (!(error instanceof TypeflowError)) throw error
        diagnostics = error.diagnostics
      }
      expect(diagnostics.map((d) => d.code), JSON.stringify(name)).toEqual(['E_INVALID_NAME'])
    }
  })

  it('sanitizeName gives a valid name or nothing, and is idempotent, for every corpus string', () => {
    for (const { id, value } of CORPUS) {
      const name = sanitizeName(value)
      expect(name === '' || KUBERNETES_NAME.test(name), id).toBe(true)
      expect(sanitizeName(name), id).toBe(name)
    }
  })
})
