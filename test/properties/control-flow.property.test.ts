/**
 * Property tests of control flow (conditions, loops, fan-in, oneOf, exit handlers …) on both
 * targets, on random typed pipelines from ./control-flow-arbitraries.ts.
 *
 * Fixed seed, bounded runs: 100 per property in CI, 2,000 with `TYPEFLOW_DEEP=1`
 * (`pnpm test:deep`). `TYPEFLOW_SEED=<n>` replays another seed. Each property prints
 * `property <name>: <N> generated pipelines` once it holds.
 *
 * Argo: the generator with `{ argo: true }` leaves out the two things the Argo target reports it
 * cannot express (ARGO_LIMITS: fan-in of artifacts, loops over lists of artifacts). Property (a)
 * checks, on the unrestricted generator, that those are the only diagnostics Argo gives.
 *
 * Bugs the properties found are pinned at the end of this file as `it.fails` tests (KNOWN BUG
 * 2, 3, 5-7; 1 and 4 are fixed: regression tests), each with its smallest pipeline; the generator
 * and the properties step around them (see
 * KNOWN_BUGS in the generator and the notes next to each property). `TYPEFLOW_KNOWN_BUGS=1` turns
 * the detours off, so the properties find them again.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BodyNode, ContainerComponentNode, Diagnostic, IoSpecNode, JsonValue, LoopNode, PipelineNode, PredicateNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { allTasks, formatDiagnostic } from '@typeflow/dsl'
import { analysePipeline, computeCacheKeys, type TaskCacheKey } from '../../packages/compiler/src/index.ts'
import { compile, type CompileResult, type Target } from '../../packages/compiler/src/compile.ts'
import { argoGraphShape, type GraphShape, kfpGraphShape } from '../../packages/compiler/src/targets/graph-shape.ts'
import { parseYamlPreservingFloats, YamlFloat } from '../../packages/compiler/src/writer/yaml.ts'
import {
  ARGO_LIMITS,
  applyCfMutation,
  type ControlFlowOptions,
  type CfInvalidCase,
  cfMutationArb,
  controlFlowInvalidArb,
  controlFlowPipelineArb,
  featuresOf,
  groupsOf,
  rebuildWithDsl,
  REQUIRED_FEATURES,
  renameTasks,
  renumberGroups,
  shuffleBodies,
  stripPresentation,
} from './control-flow-arbitraries.ts'

const DEEP = (process.env['TYPEFLOW_DEEP'] ?? '') !== '' && process.env['TYPEFLOW_DEEP'] !== '0'
const SEED = Number(process.env['TYPEFLOW_SEED'] ?? 20_250_611)
const RUNS = DEEP ? 2_000 : 100
const TIMEOUT = DEEP ? 3_600_000 : 180_000
/** `TYPEFLOW_KNOWN_BUGS=1` also generates what KNOWN_BUGS lists (the properties then fail until they are fixed). */
const KNOWN = (process.env['TYPEFLOW_KNOWN_BUGS'] ?? '') === '1'
const ALL: ControlFlowOptions = { knownBugs: KNOWN }
const ARGO: ControlFlowOptions = { argo: true, knownBugs: KNOWN }

const KNOWN_CODES = new Set([
  'E_DUPLICATE_TASK', 'E_DUPLICATE_NAME', 'E_CYCLE', 'E_UNKNOWN_TASK', 'E_UNKNOWN_PIPELINE_INPUT', 'E_UNKNOWN_OUTPUT',
  'E_UNKNOWN_INPUT', 'E_MISSING_INPUT', 'E_TYPE_MISMATCH', 'E_INVALID_NAME', 'E_INVALID_CONSTANT', 'E_INVALID_OUTPUT',
  'E_INVALID_REFERENCE', 'E_INVALID_DURATION', 'E_INVALID_PLACEHOLDER',
])

/** Runs a property with the fixed seed and prints how many pipelines it saw. */
function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns = RUNS): void {
  let generated = 0
  let failed = true
  try {
    fc.assert(
      fc.property(arb, (value) => {
        generated++
        predicate(value)
      }),
      { seed: SEED, numRuns },
    )
    failed = false
  } finally {
    console.log(`property ${name}: ${generated} generated pipelines${failed ? ' (FAILED, shrinking included)' : ''}`)
  }
}

function describeFailure(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n')
}

function compileSafely(p: PipelineNode, targets: readonly Target[]): CompileResult {
  try {
    return compile(p, { targets })
  } catch (error) {
    throw new Error(`compile threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
}

/** Compiles and insists on success; returns the text of each target's file. */
function compileOk(p: PipelineNode, targets: readonly Target[] = ['kfp', 'argo']): Partial<Record<Target, string>> {
  const result = compileSafely(p, targets)
  if (!result.ok) throw new Error(`expected ok:true, got diagnostics:\n${describeFailure(result.diagnostics)}`)
  expect(result.files.map((f) => f.path)).toEqual(targets.map((t) => `${p.name}.${t}.yaml`))
  return Object.fromEntries(targets.map((t, i) => [t, result.files[i]!.content]))
}

function plain(value: unknown): unknown {
  if (value instanceof YamlFloat) return value.value
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}

const documentsOf = (text: string): unknown[] => parseYamlPreservingFloats(text).map(plain)

// ---------------------------------------------------------------------------------------------
// The graph of the IR itself, in graph-shape.ts's target-neutral notation

const join = (scope: string, name: string): string => (scope === '' ? name : `${scope}/${name}`)
const sortNames = (xs: Iterable<string>) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

function joinBindings(bindings: Iterable<string>): string {
  const set = new Set<string>()
  for (const b of bindings) for (const part of b.split(' | ')) set.add(part)
  if (set.size > 1) set.delete('constant')
  if (set.size === 0) return 'constant'
  return sortNames(set).join(' | ')
}

function producersOf(source: ValueSourceNode): string[] {
  switch (source.kind) {
    case 'taskOutput':
    case 'collected':
      return [source.task]
    case 'oneOf':
      return source.sources.map((s) => s.task)
    default:
      return []
  }
}

function operands(p: PredicateNode | undefined, into: ValueSourceNode[] = []): ValueSourceNode[] {
  if (!p) return into
  if (p.kind === 'compare') into.push(p.left, p.right)
  else if (p.kind === 'not') operands(p.item, into)
  else for (const item of p.items) operands(item, into)
  return into
}

/**
 * The graph a pipeline's IR describes, written as graph-shape.ts reads it from the targets: task
 * and group paths, dependencies lifted to the scope where both ends are members, and where every
 * value comes from (followed through groups and fan-in). Written from the IR alone, independently
 * of the compiler's analysis.
 */
export function irGraphShape(root: PipelineNode): GraphShape {
  const tasks = new Set<string>()
  const groups = new Set<string>()
  const dependencies = new Set<string>()
  const dataEdges = new Set<string>()

  const walk = (q: PipelineNode, at: string, present: ReadonlySet<string>) => {
    // Group path (ids) of every task and group of this pipeline.
    const taskPaths = new Map<string, readonly string[]>()
    const exitOf = new Map<string, string>()
    const groupPaths = new Map<string, readonly string[]>()
    const groupNodes = new Map<string, Exclude<BodyNode, TaskNode>>()
    const visit = (body: readonly BodyNode[], path: readonly string[]) => {
      for (const node of body) {
        if (node.kind === 'task') {
          taskPaths.set(node.name, path)
          continue
        }
        groupPaths.set(node.id, path)
        groupNodes.set(node.id, node)
        if (node.kind === 'branches') {
          for (const br of node.branches) {
            groupPaths.set(br.id, [...path, node.id])
            groupNodes.set(br.id, br)
            visit(br.body, [...path, node.id, br.id])
          }
        } else visit(node.body, [...path, node.id])
        if (node.kind === 'exitHandler') {
          taskPaths.set(node.exitTask.name, path)
          exitOf.set(node.exitTask.name, node.id)
        }
      }
    }
    visit(q.body, [])
    const full = (path: readonly string[], name: string) => join(at, [...path, name].join('/'))
    const taskPath = (name: string) => full(taskPaths.get(name)!, name)
    const groupPath = (id: string) => full(groupPaths.get(id)!, id)

    // Dependencies, lifted; and each task's own dependencies (for the final status it reads).
    const own = new Map<string, Set<string>>()
    const link = (fromPath: readonly string[], toPath: readonly string[]) => {
      let k = 0
      while (k < fromPath.length && k < toPath.length && fromPath[k] === toPath[k]) k++
      if (k >= fromPath.length || k >= toPath.length) throw new Error(`containment dependency ${fromPath.join('/')} -> ${toPath.join('/')}`)
      const scope = fromPath.slice(0, k)
      dependencies.add(`${full(scope, fromPath[k]!)} after ${full(scope, toPath[k]!)}`)
      if (k === fromPath.length - 1) {
        const name = fromPath[k]!
        if (!own.has(name)) own.set(name, new Set())
        own.get(name)!.add(toPath[k]!)
      }
    }
    const locate = (task: string) => [...taskPaths.get(task)!, task]
    const everyTask = [...allTasks(q.body)]
    for (const t of everyTask) {
      const here = locate(t.name)
      for (const source of Object.values(t.inputs)) for (const producer of producersOf(source)) link(here, locate(producer))
      for (const dep of t.after) link(here, locate(dep))
      const handler = exitOf.get(t.name)
      if (handler) link(here, [...groupPaths.get(handler)!, handler])
    }
    for (const [id, g] of groupNodes) {
      const here = [...groupPaths.get(id)!, id]
      const sources = g.kind === 'condition' ? operands(g.predicate) : g.kind === 'loop' && g.items.kind !== 'raw' ? [g.items.from] : []
      for (const source of sources) for (const producer of producersOf(source)) link(here, locate(producer))
    }

    /** Where a value read at `consumer` (a group path) comes from; undefined when nothing is passed. */
    const binding = (source: ValueSourceNode, consumer: readonly string[], reader?: TaskNode): string | undefined => {
      switch (source.kind) {
        case 'constant':
          return 'constant'
        case 'pipelineInput':
          return present.has(source.name) ? `input ${at}:${source.name}` : undefined
        case 'taskOutput':
          return `${taskPath(source.task)}:${source.output}`
        case 'collected': {
          const producer = taskPaths.get(source.task)!
          let k = 0
          while (k < producer.length && k < consumer.length && producer[k] === consumer[k]) k++
          let out = `${taskPath(source.task)}:${source.output}`
          for (let i = k; i < producer.length; i++) out = `collected(${out})`
          return out
        }
        case 'loopItem':
          return `item ${groupPath(source.loop)}${(source.path ?? []).map((f) => `.${f}`).join('')}`
        case 'oneOf':
          return joinBindings(source.sources.map((s) => `${taskPath(s.task)}:${s.output}`))
        case 'taskFinalStatus': {
          const handler = exitOf.get(reader!.name)
          const scope = taskPaths.get(reader!.name)!
          if (handler) return `status ${full(scope, handler)}`
          const deps = sortNames(own.get(reader!.name) ?? [])
          const producer = deps.find((d) => !reader!.after.includes(d)) ?? deps[0]
          return `status ${full(scope, producer!)}`
        }
        default:
          throw new Error(`the generator does not make ${source.kind} sources`)
      }
    }

    for (const t of everyTask) {
      const path = taskPath(t.name)
      tasks.add(path)
      const given = new Set<string>()
      for (const [input, source] of Object.entries(t.inputs)) {
        const b = binding(source, taskPaths.get(t.name)!, t)
        if (b === undefined) continue
        given.add(input)
        dataEdges.add(`${path}:${input} <- ${b}`)
      }
      if (t.component.kind === 'pipeline') {
        const defaults = Object.entries(t.component.inputs).filter(([, s]) => s.kind === 'parameter' && s.default !== undefined).map(([n]) => n)
        walk(t.component, path, new Set([...given, ...defaults]))
      }
    }
    for (const [id, g] of groupNodes) {
      const path = groupPath(id)
      const kind = g.kind === 'loop' ? `loop${g.parallelism !== undefined ? ` parallelism=${g.parallelism}` : ''}` : g.kind
      groups.add(`${path} ${kind}`)
      const where = groupPaths.get(id)!
      if (g.kind === 'condition') {
        // A branch's condition also negates the branches before it.
        const parent = where.length > 0 ? groupNodes.get(where[where.length - 1]!) : undefined
        const predicates = parent?.kind === 'branches' ? parent.branches.slice(0, parent.branches.indexOf(g) + 1).map((b) => b.predicate) : [g.predicate]
        for (const predicate of predicates) {
          for (const side of operands(predicate)) {
            if (side.kind === 'constant') continue
            const b = binding(side, where)
            if (b !== undefined) dataEdges.add(`${path}#when <- ${b}`)
          }
        }
      }
      if (g.kind === 'loop') {
        const b = g.items.kind === 'raw' ? 'constant' : binding(g.items.from, where)
        if (b !== undefined) dataEdges.add(`${path}#items <- ${b}`)
      }
    }
    for (const [name, out] of Object.entries(q.outputs)) {
      const b = binding(out.from, [])
      if (b !== undefined) dataEdges.add(`${at}#outputs:${name} <- ${b}`)
    }
  }
  walk(root, '', new Set(Object.keys(root.inputs)))
  return { tasks: sortNames(tasks), groups: sortNames(groups), dependencies: sortNames(dependencies), dataEdges: sortNames(dataEdges) }
}

/** Shapes must be equal; the message lists what only one side has. */
function expectSameShape(actual: GraphShape, expected: GraphShape, actualName: string, expectedName: string): void {
  const lines: string[] = []
  for (const key of ['tasks', 'groups', 'dependencies', 'dataEdges'] as const) {
    const a = new Set(actual[key])
    const e = new Set(expected[key])
    for (const x of a) if (!e.has(x)) lines.push(`  ${key}: only in ${actualName}: ${x}`)
    for (const x of e) if (!a.has(x)) lines.push(`  ${key}: only in ${expectedName}: ${x}`)
  }
  if (lines.length > 0) throw new Error(`${actualName} and ${expectedName} describe different graphs:\n${lines.join('\n')}`)
}

// ---------------------------------------------------------------------------------------------
// Cache keys

function keysOf(p: PipelineNode): ReadonlyMap<string, TaskCacheKey> {
  const analysis = analysePipeline(p)
  if (!analysis.ok) throw new Error(`analysis failed:\n${describeFailure(analysis.diagnostics)}`)
  return computeCacheKeys(analysis.pipeline)
}

const essentials = (k: TaskCacheKey | undefined) => k && { digest: k.digest, cacheable: k.cacheable, pipelineInputs: k.pipelineInputs, loopItems: k.loopItems }
/** Everything but the `reason` text (which names the first non-cacheable dependency in `after` order, KNOWN BUG 5). */
const withoutReason = (k: TaskCacheKey | undefined) => k && { ...essentials(k), ingredients: k.ingredients }

/** Removes `source` locations (the DSL records them; generated IR has none). */
function withoutSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSources)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'source').map(([k, v]) => [k, withoutSources(v)]))
  return value
}

// ---------------------------------------------------------------------------------------------
// Invalid pipelines

/** The case must fail (not throw) with exactly its expected code. */
function expectOnlyCode(c: CfInvalidCase): void {
  const result = compileSafely(c.pipeline, ['kfp', 'argo'])
  if (result.ok) throw new Error(`expected ${c.expected}, but it compiled (${c.change})`)
  const codes = [...new Set(result.diagnostics.map((d) => d.code))]
  expect(codes, `${c.change}\n${describeFailure(result.diagnostics)}`).toEqual([c.expected])
}

/** Argo diagnostics for what it cannot express (ARGO_LIMITS), recognised by their messages. */
const ARGO_LIMIT_MESSAGES = [/cannot express a fan-in of artifacts/, /cannot loop over a list of artifacts/]

describe('control flow: properties on both targets', () => {
  it('the generator covers every feature (counted over the sample the properties see)', () => {
    const counts = new Map<string, number>()
    let generated = 0
    for (const [arb, options] of [[controlFlowPipelineArb(ALL), 'all'], [controlFlowPipelineArb(ARGO), 'argo']] as const) {
      // (Generating is cheap: a larger sample than the properties', so that rare features show for any seed.)
      for (const p of fc.sample(arb, { seed: SEED, numRuns: Math.max(RUNS, 500) })) {
        generated++
        for (const f of featuresOf(p)) counts.set(`${f}`, (counts.get(f) ?? 0) + 1)
        if (options === 'all') for (const f of featuresOf(p)) counts.set(`(all) ${f}`, (counts.get(`(all) ${f}`) ?? 0) + 1)
      }
    }
    console.log(`property cf-generator-coverage: ${generated} generated pipelines\n${sortNames(counts.keys()).filter((k) => !k.startsWith('(all)')).map((k) => `  ${k}: ${counts.get(k)}`).join('\n')}`)
    expect(REQUIRED_FEATURES.filter((f) => !counts.has(f)), 'features never generated').toEqual([])
    // Only the unrestricted generator makes what Argo cannot express.
    for (const f of ['loop over artifacts', 'task input: collected']) expect(counts.has(`(all) ${f}`), f).toBe(true)
  })

  it('(a) valid pipelines with groups compile to KFP and Argo, schema-valid (validation runs inside compile)', () => {
    check('cf-compiles-both-targets', controlFlowPipelineArb(ARGO), (p) => {
      compileOk(p, ['kfp', 'argo'])
    })
  }, TIMEOUT)

  it(`(a) with every feature, KFP compiles, and Argo reports only what it cannot express (${ARGO_LIMITS.join('; ')})`, () => {
    check('cf-compiles-kfp-all-features', controlFlowPipelineArb(ALL), (p) => {
      compileOk(p, ['kfp'])
      const argo = compileSafely(p, ['argo'])
      if (!argo.ok) {
        for (const d of argo.diagnostics) {
          expect(d.code, formatDiagnostic(d)).toBe('E_SCHEMA')
          expect(ARGO_LIMIT_MESSAGES.some((m) => m.test(d.message)), formatDiagnostic(d)).toBe(true)
        }
      }
    })
  }, TIMEOUT)

  it('(b) the IR, the KFP IR and the Argo DAG describe the same graph (groups, dependencies, data edges)', () => {
    check('cf-same-graph', controlFlowPipelineArb(ARGO), (p) => {
      const out = compileOk(p, ['kfp', 'argo'])
      const expected = irGraphShape(p)
      const kfp = kfpGraphShape(documentsOf(out.kfp!))
      expectSameShape(kfp, expected, 'KFP IR', 'pipeline IR')
      expectSameShape(argoGraphShape(documentsOf(out.argo!)), kfp, 'Argo', 'KFP IR')
    })
  }, TIMEOUT)

  it('(b) with every feature (artifact fan-in and loops), the KFP IR describes the graph of the pipeline IR', () => {
    check('cf-same-graph-kfp-all-features', controlFlowPipelineArb(ALL), (p) => {
      const out = compileOk(p, ['kfp'])
      expectSameShape(kfpGraphShape(documentsOf(out.kfp!)), irGraphShape(p), 'KFP IR', 'pipeline IR')
    })
  }, TIMEOUT)

  it('(c) byte-identical output on both targets when the members of every scope are declared in another order', () => {
    check('cf-shuffle-invariant', fc.tuple(controlFlowPipelineArb(ARGO), fc.integer()), ([p, seed]) => {
      const before = compileOk(p)
      // Nested pipelines are shuffled for KFP only: their digest, written into Argo's cache keys of
      // the tasks reading them, hashes their body in declaration order (KNOWN BUG 2).
      const after = compileOk(shuffleBodies(p, seed, { nested: KNOWN }))
      expect(after.kfp).toBe(before.kfp)
      expect(after.argo).toBe(before.argo)
      expect(compileOk(shuffleBodies(p, seed), ['kfp']).kfp).toBe(before.kfp)
      // And compiling twice, or a deep copy, gives the same bytes.
      expect(compileOk(structuredClone(p))).toEqual(before)
    })
  }, TIMEOUT)

  it('(d) cache keys: renaming tasks, renumbering groups, reordering and presentation never change a digest', () => {
    check('cf-cache-key-invariants', fc.tuple(controlFlowPipelineArb(ALL), fc.integer()), ([p, seed]) => {
      const keys = keysOf(p)
      const names = [...allTasks(p.body)].map((t) => t.name)
      expect(sortNames(keys.keys())).toEqual(sortNames(names))
      // Renamed tasks, mapped by position.
      const renamed = keysOf(renameTasks(p))
      names.forEach((name, i) => expect(essentials(renamed.get(`renamed-${i}`)), `task ${name} renamed renamed-${i}`).toEqual(essentials(keys.get(name))))
      // Renumbered groups: same digests; loop items follow the new ids.
      const renumbered = keysOf(renumberGroups(p))
      const shift = (id: string) => id.replace(/-(\d+)$/, (_, n: string) => `-${Number(n) + 100}`)
      for (const name of names) {
        const k = keys.get(name)!
        expect(essentials(renumbered.get(name)), `task ${name}, groups renumbered`).toEqual({ ...essentials(k), loopItems: k.loopItems.map(shift).sort() })
      }
      // Declaration order, display names, resources, retry policies.
      // (Root pipeline only: a nested pipeline's digest hashes its body in declaration order, see KNOWN BUG 2.)
      const shuffled = keysOf(shuffleBodies(p, seed, { nested: KNOWN }))
      const bare = keysOf(stripPresentation(p))
      for (const name of names) {
        expect(withoutReason(shuffled.get(name)), `task ${name}, shuffled`).toEqual(withoutReason(keys.get(name)))
        expect(essentials(bare.get(name)), `task ${name}, no presentation`).toEqual(essentials(keys.get(name)))
      }
    })
  }, TIMEOUT)

  it('(d) cache keys: a task is cacheable exactly when caching is on for it and everything it reads or waits for is cacheable', () => {
    check('cf-cache-key-cacheable', controlFlowPipelineArb(ALL), (p) => {
      const keys = keysOf(p)
      const byName = new Map([...allTasks(p.body)].map((t) => [t.name, t]))
      const taskPaths = new Map<string, readonly string[]>()
      const groups = new Map<string, { node: BodyNode; path: readonly string[] }>()
      for (const { node, path } of groupsOf(p.body)) groups.set(node.id, { node, path })
      for (const t of allTasks(p.body)) taskPaths.set(t.name, [])
      for (const { node, path } of groupsOf(p.body)) {
        if (node.kind === 'branches') continue
        for (const t of node.body) if (t.kind === 'task') taskPaths.set(t.name, [...path, node.id])
        if (node.kind === 'exitHandler') taskPaths.set(node.exitTask.name, path)
      }
      /** Tasks whose keys a value's key is made of: producers, the lists of fanned-in loops, the operands deciding a oneOf. */
      const implied = (source: ValueSourceNode, consumer: readonly string[]): string[] => {
        switch (source.kind) {
          case 'taskOutput':
            return [source.task]
          case 'collected': {
            const out = [source.task]
            for (const loop of taskPaths.get(source.task)!.filter((g) => !consumer.includes(g))) {
              const g = groups.get(loop)!
              if (g.node.kind === 'loop' && g.node.items.kind !== 'raw') out.push(...implied(g.node.items.from, g.path))
            }
            return out
          }
          case 'oneOf': {
            const chain = groups.get(source.branches)!.node
            const out = source.sources.map((s) => s.task)
            if (chain.kind === 'branches') for (const br of chain.branches) for (const side of operands(br.predicate)) out.push(...implied(side, consumer))
            return out
          }
          default:
            return []
        }
      }
      const memo = new Map<string, boolean>()
      const cacheable = (name: string): boolean => {
        const known = memo.get(name)
        if (known !== undefined) return known
        const t = byName.get(name)!
        let ok = (t.caching.enabled ?? p.caching ?? true) === true
        for (const source of Object.values(t.inputs)) {
          if (source.kind === 'taskFinalStatus') ok = false
          for (const producer of implied(source, taskPaths.get(name)!)) if (!cacheable(producer)) ok = false
        }
        for (const dep of t.after) if (!cacheable(dep)) ok = false
        memo.set(name, ok)
        return ok
      }
      for (const [name, key] of keys) expect(key.cacheable, `${name}: ${key.reason ?? 'cacheable'}`).toBe(cacheable(name))
    })
  }, TIMEOUT)

  it('(f) the same pipeline declared through the DSL (dag.if/elif/else, forEach, oneOf, exitHandler …) is the same IR and compiles to the same bytes', () => {
    check('cf-dsl-builder-equivalent', controlFlowPipelineArb(ALL), (p) => {
      const built = rebuildWithDsl(p)
      expect(withoutSources(built)).toEqual(withoutSources(p))
      expect(compileOk(built, ['kfp'])).toEqual(compileOk(p, ['kfp']))
    })
  }, TIMEOUT)

  it('(e) each control-flow mutation fails with exactly its expected code, without throwing', () => {
    check('cf-invalid-mutations', controlFlowInvalidArb(ALL), expectOnlyCode)
  }, TIMEOUT)

  it('(e) compile never throws, even with several control-flow mutations stacked', () => {
    check('cf-never-throws', fc.tuple(controlFlowPipelineArb(ALL), fc.array(cfMutationArb, { minLength: 1, maxLength: 4 })), ([p, mutations]) => {
      const mutated = mutations.reduce((q, m) => applyCfMutation(q, m).pipeline, p)
      const result = compileSafely(mutated, ['kfp', 'argo'])
      expect(result.ok).toBe(false)
      if (!result.ok) {
        for (const d of result.diagnostics) {
          expect(KNOWN_CODES.has(d.code), formatDiagnostic(d)).toBe(true)
          expect(d.message.length).toBeGreaterThan(0)
          expect(Array.isArray(d.path)).toBe(true)
        }
      }
    })
  }, TIMEOUT)
})

// ---------------------------------------------------------------------------------------------
// Bugs these properties found, each as its smallest pipeline. `it.fails`: each asserts the
// correct behaviour and currently fails; when one starts passing, the bug is fixed — make it an
// `it` (a regression test), and drop its detour (KNOWN_BUGS in the generator, the notes above).
// Fixed while this suite was written: 1a, 1b (graph-shape.ts's Argo reader reported
// `#when <- constant` / `#items <- constant` where nothing is read) and 4 (Argo ordered a loop's
// outputs by the declaration order of the pipeline outputs).

const STRING_SPEC = { kind: 'parameter', type: 'STRING', optional: false } as const
const INT_SPEC = { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } as const
const LIST_SPEC = { kind: 'parameter', type: 'LIST', optional: false } as const
const STATUS_SPEC = { kind: 'parameter', type: 'TASK_FINAL_STATUS', optional: false } as const

function step(name: string, inputs: Readonly<Record<string, IoSpecNode>> = {}, outputs: Readonly<Record<string, IoSpecNode>> = {}): ContainerComponentNode {
  return { kind: 'container', name, inputs, outputs, image: 'alpine:3.20' }
}
function run(name: string, component: TaskNode['component'], inputs: Record<string, ValueSourceNode> = {}, after: string[] = []): TaskNode {
  return { kind: 'task', name, component, inputs, after, caching: {}, env: [] }
}
function staticLoop(n: number, values: JsonValue[], body: BodyNode[]): LoopNode {
  return { kind: 'loop', id: `for-loop-${n + 1}`, items: { kind: 'raw', values, itemId: `loop-item-param-${n}` }, itemSpec: INT_SPEC, body }
}
const flow = (body: BodyNode[], extra: Partial<PipelineNode> = {}): PipelineNode => ({ kind: 'pipeline', name: 'flow', inputs: {}, outputs: {}, body, ...extra })
const shapes = (p: PipelineNode) => {
  const out = compileOk(p)
  return { ir: irGraphShape(p), kfp: kfpGraphShape(documentsOf(out.kfp!)), argo: argoGraphShape(documentsOf(out.argo!)), out }
}

describe('control flow: bugs found by the properties (it.fails until fixed)', () => {
  it('FIXED BUG 1a (graph-shape.ts): a condition on constants only reads nothing, on both targets (Argo gave `#when <- constant`)', () => {
    const { kfp, argo } = shapes(flow([{ kind: 'condition', id: 'condition-1', predicate: { kind: 'compare', op: '==', left: { kind: 'constant', value: 1 }, right: { kind: 'constant', value: 1 } }, body: [run('a', step('a'))] }]))
    expectSameShape(argo, kfp, 'Argo', 'KFP IR')
  })

  it('FIXED BUG 1b (graph-shape.ts): a loop over an optional nested-pipeline input the caller leaves out reads nothing, on both targets (Argo gave `#items <- constant`)', () => {
    const sub: PipelineNode = {
      kind: 'pipeline', name: 'sub', inputs: { xs: { kind: 'parameter', type: 'LIST', optional: true } }, outputs: {},
      body: [{ kind: 'loop', id: 'for-loop-1', items: { kind: 'values', from: { kind: 'pipelineInput', name: 'xs' } }, itemSpec: STRING_SPEC, body: [] }],
    }
    const { kfp, argo } = shapes(flow([run('sub', sub)]))
    expectSameShape(argo, kfp, 'Argo', 'KFP IR')
  })

  it.fails('KNOWN BUG 2 (cache keys): a nested pipeline\'s digest depends on the declaration order of its body, and so do Argo\'s bytes', () => {
    const produce = step('produce', {}, { y: STRING_SPEC })
    const sub = (order: 'xy' | 'yx'): PipelineNode => {
      const [x, y] = [run('x', produce), run('y', produce)]
      return { kind: 'pipeline', name: 'sub', inputs: {}, outputs: { res: { spec: STRING_SPEC, from: { kind: 'taskOutput', task: 'y', output: 'y' } } }, body: order === 'xy' ? [x, y] : [y, x] }
    }
    const p = (order: 'xy' | 'yx') => flow([run('sub', sub(order)), run('reader', step('reader', { v: STRING_SPEC }), { v: { kind: 'taskOutput', task: 'sub', output: 'res' } })])
    expect(keysOf(p('yx')).get('sub')!.digest).toBe(keysOf(p('xy')).get('sub')!.digest)
    expect(compileOk(p('yx')).argo).toBe(compileOk(p('xy')).argo)
  })

  it('KNOWN BUG 3a, fixed (KFP): a loop over a fan-in list reads a loop output that the loop producing it does not declare', () => {
    const { ir, kfp } = shapes(flow([
      staticLoop(1, [1, 2], [run('produce', step('produce', {}, { y: STRING_SPEC }))]),
      { kind: 'loop', id: 'for-loop-3', items: { kind: 'values', from: { kind: 'collected', task: 'produce', output: 'y' } }, itemSpec: STRING_SPEC, body: [run('use', step('use', { v: STRING_SPEC }), { v: { kind: 'loopItem', loop: 'for-loop-3' } })] },
    ]))
    // KFP IR: for-loop-3 reads `pipelinechannel--produce-y` from for-loop-1, whose component has no outputs.
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
  })

  it('KNOWN BUG 3b, fixed (KFP): a condition on a oneOf reads an output that the if/elif/else group does not declare', () => {
    const pickOne = step('pick', {}, { y: INT_SPEC })
    const { ir, kfp } = shapes(flow([
      {
        kind: 'branches', id: 'condition-branches-1', branches: [
          { kind: 'condition', id: 'condition-2', predicate: { kind: 'compare', op: '==', left: { kind: 'pipelineInput', name: 'flag' }, right: { kind: 'constant', value: true } }, body: [run('pick-a', pickOne)] },
          { kind: 'condition', id: 'condition-3', body: [run('pick-b', pickOne)] },
        ],
      },
      {
        kind: 'condition', id: 'condition-4',
        predicate: { kind: 'compare', op: '>', left: { kind: 'oneOf', branches: 'condition-branches-1', sources: [{ kind: 'taskOutput', task: 'pick-a', output: 'y' }, { kind: 'taskOutput', task: 'pick-b', output: 'y' }] }, right: { kind: 'constant', value: 1 } },
        body: [run('big', step('big'))],
      },
    ], { inputs: { flag: { kind: 'parameter', type: 'BOOLEAN', optional: false } } }))
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
  })

  it('FIXED BUG 4 (Argo): the order of a loop template\'s outputs does not follow the declaration order of the pipeline outputs', () => {
    const produce = step('produce', {}, { y: STRING_SPEC })
    const collectedOf = (task: string) => ({ spec: LIST_SPEC, from: { kind: 'collected', task, output: 'y' } as const })
    const body = [staticLoop(1, [0], [run('a', produce), run('b', produce)])]
    const one = compileOk(flow(body, { outputs: { first: collectedOf('b'), second: collectedOf('a') } }))
    const two = compileOk(flow(body, { outputs: { second: collectedOf('a'), first: collectedOf('b') } }))
    expect(two.kfp).toBe(one.kfp)
    expect(two.argo).toBe(one.argo)
  })

  it('KNOWN BUG 5, fixed (cache keys): why a task is not cacheable (`typeflow plan`) depends on the order of its `after` list', () => {
    const off = (name: string): TaskNode => ({ ...run(name, step('s')), caching: { enabled: false } })
    const p = (after: string[]) => flow([off('a'), off('b'), run('c', step('s'), {}, after)])
    expect(keysOf(p(['b', 'a'])).get('c')!.reason).toBe(keysOf(p(['a', 'b'])).get('c')!.reason)
  })

  it.fails('KNOWN BUG 6 (KFP): in nested loops over the same list, the outer item reads as the inner one (one channel name for both)', () => {
    const values = (id: string, body: BodyNode[]): LoopNode => ({ kind: 'loop', id, items: { kind: 'values', from: { kind: 'pipelineInput', name: 'xs' } }, itemSpec: STRING_SPEC, body })
    const { ir, kfp } = shapes(flow(
      [values('for-loop-1', [values('for-loop-2', [run('use', step('use', { v: STRING_SPEC }), { v: { kind: 'loopItem', loop: 'for-loop-1' } })])])],
      { inputs: { xs: LIST_SPEC } },
    ))
    expectSameShape(kfp, ir, 'KFP IR', 'pipeline IR')
  })

  it('KNOWN BUG 7, fixed (KFP and Argo): an exit task that also waits for a task of an earlier exit handler receives that handler\'s status', () => {
    const notify = step('notify', { status: STATUS_SPEC })
    const status = { status: { kind: 'taskFinalStatus' } as const }
    const { ir, kfp, argo } = shapes(flow([
      { kind: 'exitHandler', id: 'exit-handler-1', exitTask: run('notify', notify, status), body: [run('prep', step('prep'))] },
      { kind: 'exitHandler', id: 'exit-handler-2', exitTask: run('notify-2', notify, status, ['prep']), body: [run('train', step('train'))] },
    ]))
    // Expected: notify-2:status <- status exit-handler-2 (the handler it guards), on both targets.
    const failures: string[] = []
    for (const [name, shape] of [['KFP IR', kfp], ['Argo', argo]] as const) {
      try {
        expectSameShape(shape, ir, name, 'pipeline IR')
      } catch (error) {
        failures.push((error as Error).message)
      }
    }
    expect(failures).toEqual([])
  })
})
