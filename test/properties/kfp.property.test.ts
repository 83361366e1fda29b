/**
 * Property tests of the KFP target on random pipelines (see ./arbitraries.ts).
 *
 * Fixed seed, bounded runs: 200 per main property in CI, 5,000 with `TYPEFLOW_DEEP=1`
 * (`pnpm test:deep`). `TYPEFLOW_SEED=<n>` replays another seed. Each property prints
 * `property <name>: <N> generated pipelines` once it holds.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import type { ComponentNode, Diagnostic, IoSpecNode, PipelineNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { formatDiagnostic } from '@typeflow/dsl'
import { compile, type CompileResult } from '../../packages/compiler/src/compile.ts'
import { parseKfpYaml, validateKfpDocuments } from '../../packages/compiler/src/targets/kfp/schema/validate.ts'
import { parseYamlPreservingFloats, YamlFloat } from '../../packages/compiler/src/writer/yaml.ts'
import {
  applyMutation,
  type InvalidCase,
  invalidPipelineArb,
  mutationArb,
  prototypeNameCaseArb,
  rebuildWithDsl,
  shuffleDeclarations,
  validPipelineArb,
} from './arbitraries.ts'

const DEEP = (process.env['TYPEFLOW_DEEP'] ?? '') !== '' && process.env['TYPEFLOW_DEEP'] !== '0'
const SEED = Number(process.env['TYPEFLOW_SEED'] ?? 20_250_611)
const RUNS = DEEP ? 5_000 : 200
/** Properties that compile several variants per run get a smaller budget. */
const RUNS_HEAVY = DEEP ? 2_000 : 100
const TIMEOUT = DEEP ? 1_800_000 : 120_000

const KNOWN_CODES = new Set([
  'E_DUPLICATE_TASK', 'E_DUPLICATE_NAME', 'E_CYCLE', 'E_UNKNOWN_TASK', 'E_UNKNOWN_PIPELINE_INPUT', 'E_UNKNOWN_OUTPUT',
  'E_UNKNOWN_INPUT', 'E_MISSING_INPUT', 'E_TYPE_MISMATCH', 'E_INVALID_NAME', 'E_INVALID_CONSTANT', 'E_INVALID_OUTPUT',
  'E_INVALID_DURATION', 'E_INVALID_PLACEHOLDER', 'E_COMPONENT_YAML', 'E_SCHEMA', 'E_IO',
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

async function checkAsync<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, numRuns = RUNS): Promise<void> {
  let generated = 0
  await fc.assert(
    fc.asyncProperty(arb, async (value) => {
      generated++
      await predicate(value)
    }),
    { seed: SEED, numRuns },
  )
  console.log(`property ${name}: ${generated} generated pipelines`)
}

/**
 * A long-lived `python3` that loads YAML text with PyYAML (what the KFP SDK and its tests use)
 * and dumps it back with `yaml.dump_all(docs, sort_keys=True)`, the output Typeflow's writer
 * promises to reproduce byte for byte.
 */
const PYYAML_SCRIPT = `
import json, sys, yaml
for line in sys.stdin:
    request = json.loads(line)
    try:
        out = {"id": request["id"], "dump": yaml.dump_all(list(yaml.safe_load_all(request["text"])), sort_keys=True)}
    except Exception as e:
        out = {"id": request["id"], "error": type(e).__name__ + ": " + str(e)}
    sys.stdout.write(json.dumps(out) + "\\n")
    sys.stdout.flush()
`
const HAS_PYYAML = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0

interface PyYamlAnswer {
  readonly id: number
  readonly dump?: string
  readonly error?: string
}

class PyYaml {
  private readonly child: ChildProcessWithoutNullStreams
  private readonly waiting = new Map<number, { resolve: (a: PyYamlAnswer) => void; reject: (e: Error) => void }>()
  private nextId = 0
  private buffer = ''
  private stderr = ''
  constructor() {
    this.child = spawn('python3', ['-c', PYYAML_SCRIPT])
    this.child.stdout.setEncoding('utf8')
    this.child.stderr.setEncoding('utf8')
    this.child.stderr.on('data', (chunk: string) => (this.stderr += chunk))
    this.child.stdin.on('error', () => {})
    this.child.on('exit', (code, signal) => {
      for (const { reject } of this.waiting.values()) reject(new Error(`python3 exited (${code ?? signal}): ${this.stderr}`))
      this.waiting.clear()
    })
    this.child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk
      for (let i = this.buffer.indexOf('\n'); i >= 0; i = this.buffer.indexOf('\n')) {
        const answer = JSON.parse(this.buffer.slice(0, i)) as PyYamlAnswer
        this.buffer = this.buffer.slice(i + 1)
        this.waiting.get(answer.id)?.resolve(answer)
        this.waiting.delete(answer.id)
      }
    })
  }
  roundTrip(text: string): Promise<PyYamlAnswer> {
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.child.stdin.write(`${JSON.stringify({ id, text })}\n`)
    })
  }
  close(): void {
    this.child.stdin.end()
  }
}

/** The YAML body of a compiled file: everything after the `#` header comment lines. */
function withoutHeader(text: string): string {
  const lines = text.split('\n')
  let k = 0
  while (lines[k]?.startsWith('#')) k++
  return lines.slice(k).join('\n')
}

function describeFailure(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n')
}

/** Compiles and insists on success; returns the single KFP file's text. */
function compileOk(p: PipelineNode): string {
  let result: CompileResult
  try {
    result = compile(p, { policies: 'off' })
  } catch (error) {
    throw new Error(`compile threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
  if (!result.ok) throw new Error(`expected ok:true, got diagnostics:\n${describeFailure(result.diagnostics)}`)
  expect(result.files.map((f) => f.path)).toEqual([`${p.name}.kfp.yaml`])
  return result.files[0]!.content
}

type Json = Record<string, unknown>

/** YAML 1.1 floats come back as YamlFloat; the IR holds plain numbers. */
function plain(value: unknown): unknown {
  if (value instanceof YamlFloat) return value.value
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

function obj(value: unknown, where: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${where}: expected an object, got ${JSON.stringify(value)}`)
  return value as Json
}

function expectedSource(from: ValueSourceNode, artifact: boolean): Json {
  switch (from.kind) {
    case 'constant':
      return { runtimeValue: { constant: from.value } }
    case 'pipelineInput':
      return artifact ? { componentInputArtifact: from.name } : { componentInputParameter: from.name }
    case 'taskOutput':
      return artifact
        ? { taskOutputArtifact: { outputArtifactKey: from.output, producerTask: from.task } }
        : { taskOutputParameter: { outputParameterKey: from.output, producerTask: from.task } }
    default:
      throw new Error(`the generator does not make ${from.kind} sources`)
  }
}

function expectedDefinitions(specs: Readonly<Record<string, IoSpecNode>>, direction: 'input' | 'output'): Json {
  const parameters: Json = {}
  const artifacts: Json = {}
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.kind === 'parameter') {
      parameters[name] = {
        parameterType: spec.type,
        ...(direction === 'input' && spec.default !== undefined && { defaultValue: spec.default }),
        ...(direction === 'input' && spec.optional && { isOptional: true }),
        ...(spec.description !== undefined && { description: spec.description }),
      }
    } else {
      artifacts[name] = {
        artifactType: { schemaTitle: spec.type.schemaTitle, schemaVersion: spec.type.schemaVersion },
        ...(spec.isList && { isArtifactList: true }),
        ...(direction === 'input' && spec.optional && { isOptional: true }),
        ...(spec.description !== undefined && { description: spec.description }),
      }
    }
  }
  return { ...(Object.keys(artifacts).length > 0 && { artifacts }), ...(Object.keys(parameters).length > 0 && { parameters }) }
}

function interfaceOf(c: ComponentNode): { inputs: Readonly<Record<string, IoSpecNode>>; outputs: Readonly<Record<string, IoSpecNode>> } {
  if (c.kind === 'container') return c
  return { inputs: c.inputs, outputs: Object.fromEntries(Object.entries(c.outputs).map(([k, o]) => [k, o.spec])) }
}

interface EdgeCounts {
  tasks: number
  containers: number
  refs: Set<string>
  executorLabels: Set<string>
}

/**
 * Every data and `after` edge of the IR appears in the KFP DAG of its scope, and nothing else:
 * same task keys, same inputs (as the right kind of source), `dependentTasks` = data producers ∪ after,
 * component interfaces and pipeline outputs as declared. Recurses into nested pipelines.
 */
function checkScope(p: PipelineNode, spec: Json, components: Json, executors: Json, counts: EdgeCounts, where: string): void {
  expect(spec['inputDefinitions'] ?? {}, `${where} inputDefinitions`).toEqual(expectedDefinitions(p.inputs, 'input'))
  const dag = obj(spec['dag'], `${where}.dag`)
  const tasks = obj(dag['tasks'] ?? {}, `${where}.dag.tasks`)
  expect(Object.keys(tasks).sort(), `${where} task keys`).toEqual((p.body as readonly TaskNode[]).map((t) => t.name).sort())
  for (const t of (p.body as readonly TaskNode[])) {
    const at = `${where}/${t.name}`
    const k = obj(tasks[t.name], at)
    counts.tasks++
    const parameters: Json = {}
    const artifacts: Json = {}
    for (const [input, from] of Object.entries(t.inputs)) {
      const artifact = t.component.inputs[input]?.kind === 'artifact'
      ;(artifact ? artifacts : parameters)[input] = expectedSource(from, artifact)
    }
    const inputs = obj(k['inputs'] ?? {}, `${at}.inputs`)
    expect(Object.keys(inputs).filter((key) => key !== 'parameters' && key !== 'artifacts'), `${at} input kinds`).toEqual([])
    expect(inputs['parameters'] ?? {}, `${at} parameter edges`).toEqual(parameters)
    expect(inputs['artifacts'] ?? {}, `${at} artifact edges`).toEqual(artifacts)
    const producers = Object.values(t.inputs).flatMap((s) => (s.kind === 'taskOutput' ? [s.task] : []))
    expect(k['dependentTasks'] ?? [], `${at} dependentTasks`).toEqual([...new Set([...producers, ...t.after])].sort())
    expect(k['cachingOptions'], `${at} caching`).toEqual(
      t.caching.enabled ? { enableCache: true, ...(t.caching.key !== undefined && { cacheKey: t.caching.key }) } : {},
    )
    expect(obj(k['taskInfo'], `${at}.taskInfo`)['name'], `${at} display name`).toBe(t.displayName ?? t.name)

    const ref = obj(k['componentRef'], `${at}.componentRef`)['name']
    expect(typeof ref, `${at} componentRef`).toBe('string')
    expect(counts.refs.has(ref as string), `${at} componentRef ${String(ref)} shared with another task`).toBe(false)
    counts.refs.add(ref as string)
    const component = obj(components[ref as string], `${at} component ${String(ref)}`)
    const { inputs: declaredIn, outputs: declaredOut } = interfaceOf(t.component)
    expect(component['inputDefinitions'] ?? {}, `${at} component inputs`).toEqual(expectedDefinitions(declaredIn, 'input'))
    expect(component['outputDefinitions'] ?? {}, `${at} component outputs`).toEqual(expectedDefinitions(declaredOut, 'output'))
    if (t.component.kind === 'pipeline') {
      checkScope(t.component, component, components, executors, counts, at)
    } else {
      counts.containers++
      const label = component['executorLabel'] as string
      expect(counts.executorLabels.has(label), `${at} executor ${label} shared with another task`).toBe(false)
      counts.executorLabels.add(label)
      const executor = obj(executors[label], `${at} executor`)
      const container = obj(executor['container'], `${at} container`)
      expect(container['image'], `${at} image`).toBe((t.component as { image?: string }).image)
      expect(container['env'] ?? [], `${at} env`).toEqual(t.env.map((e) => ({ name: e.name, value: e.value })))
    }
  }
  const outputs = obj(dag['outputs'] ?? {}, `${where}.dag.outputs`)
  const parameters: Json = {}
  const artifacts: Json = {}
  for (const [name, out] of Object.entries(p.outputs)) {
    if (out.from.kind !== 'taskOutput') throw new Error('generator produced a non-task pipeline output')
    if (out.spec.kind === 'artifact') artifacts[name] = { artifactSelectors: [{ outputArtifactKey: out.from.output, producerSubtask: out.from.task }] }
    else parameters[name] = { valueFromParameter: { outputParameterKey: out.from.output, producerSubtask: out.from.task } }
  }
  expect(outputs, `${where} pipeline outputs`).toEqual({
    ...(Object.keys(artifacts).length > 0 && { artifacts }),
    ...(Object.keys(parameters).length > 0 && { parameters }),
  })
}

/** The case must fail (not throw) with exactly its expected code. */
function expectOnlyCode(c: InvalidCase): void {
  let result: CompileResult
  try {
    result = compile(c.pipeline, { policies: 'off' })
  } catch (error) {
    throw new Error(`compile threw on "${c.change}": ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  }
  if (result.ok) throw new Error(`expected ${c.expected}, but it compiled (${c.change})`)
  const codes = [...new Set(result.diagnostics.map((d) => d.code))]
  expect(codes, `${c.change}\n${describeFailure(result.diagnostics)}`).toEqual([c.expected])
}

/** Removes `source` locations (the DSL records them; hand-written IR has none). */
function withoutSources(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSources)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'source').map(([k, v]) => [k, withoutSources(v)]))
  }
  return value
}

describe('KFP target properties', () => {
  let pyyaml: PyYaml | undefined
  afterAll(() => pyyaml?.close())

  it('(a) random acyclic pipelines compile, and the YAML parses and passes the KFP schema', () => {
    check('compiles-and-validates', validPipelineArb(), (p) => {
      const text = compileOk(p)
      // YAML 1.2 (the `yaml` package's default, as parseKfpYaml uses it)
      const { documents, issues } = parseKfpYaml(text)
      expect(issues).toEqual([])
      expect(documents).toHaveLength(1)
      expect(validateKfpDocuments(documents)).toEqual([])
      // YAML 1.1 (PyYAML's reading, which the writer mirrors)
      const yaml11 = parseYamlPreservingFloats(text).map(plain)
      expect(validateKfpDocuments(yaml11)).toEqual([])
      expect(yaml11).toEqual(documents)
    })
  }, TIMEOUT)

  it('(b) every data edge and after edge appears in the KFP IR, and nothing else', () => {
    check('edges-preserved', validPipelineArb(), (p) => {
      const [doc] = parseYamlPreservingFloats(compileOk(p)).map(plain)
      const root = obj(doc, 'document')
      const components = obj(root['components'] ?? {}, 'components')
      const executors = obj(obj(root['deploymentSpec'] ?? { executors: {} }, 'deploymentSpec')['executors'], 'executors')
      const counts: EdgeCounts = { tasks: 0, containers: 0, refs: new Set(), executorLabels: new Set() }
      checkScope(p, obj(root['root'], 'root'), components, executors, counts, p.name)
      // No components or executors beyond one per task.
      expect(Object.keys(components).sort()).toEqual([...counts.refs].sort())
      expect(Object.keys(executors)).toHaveLength(counts.containers)
      expect(obj(root['pipelineInfo'], 'pipelineInfo')['name']).toBe(p.name)
    })
  }, TIMEOUT)

  it('(c) shuffled declaration order gives byte-identical output', () => {
    check(
      'shuffle-invariant',
      fc.tuple(validPipelineArb(), fc.integer()),
      ([p, seed]) => {
        const shuffled = shuffleDeclarations(p, seed)
        expect(compileOk(shuffled)).toBe(compileOk(p))
      },
    )
  }, TIMEOUT)

  it('(d) compiling twice (and compiling a deep copy) gives identical bytes', () => {
    check('deterministic', validPipelineArb(), (p) => {
      const first = compileOk(p)
      expect(compileOk(p)).toBe(first)
      expect(compileOk(structuredClone(p))).toBe(first)
    })
  }, TIMEOUT)

  it('(e) each invalid mutation fails with exactly its expected diagnostic code, without throwing', () => {
    check('invalid-mutations', invalidPipelineArb(), expectOnlyCode)
  }, TIMEOUT)

  // Names of Object.prototype members must not be found on the prototype (analysis uses own properties).
  it('(e) names of Object.prototype members (constructor, toString, __proto__…) are diagnosed like any other name', () => {
    check('prototype-names', prototypeNameCaseArb(), expectOnlyCode)
  }, TIMEOUT)

  it('(e) compile never throws, even on pipelines with several mutations stacked', () => {
    check(
      'never-throws',
      fc.tuple(validPipelineArb(), fc.array(mutationArb, { minLength: 1, maxLength: 4 })),
      ([p, mutations]) => {
        const mutated = mutations.reduce((q, m) => applyMutation(q, m).pipeline, p)
        let result: CompileResult
        try {
          result = compile(mutated, { policies: 'off' })
        } catch (error) {
          throw new Error(`compile threw: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
        }
        if (!result.ok) {
          expect(result.diagnostics.length).toBeGreaterThan(0)
          for (const d of result.diagnostics) {
            expect(KNOWN_CODES.has(d.code), d.code).toBe(true)
            expect(d.code).not.toBe('E_SCHEMA')
            expect(d.message.length).toBeGreaterThan(0)
            expect(Array.isArray(d.path)).toBe(true)
          }
        }
      },
    )
  }, TIMEOUT)

  it('(f) the same pipeline declared through the DSL builder is the same IR and compiles to the same bytes', () => {
    check(
      'dsl-builder-equivalent',
      validPipelineArb(),
      (p) => {
        const built = rebuildWithDsl(p)
        expect(withoutSources(built)).toEqual(withoutSources(p))
        expect(compileOk(built)).toBe(compileOk(p))
      },
      RUNS_HEAVY,
    )
  }, TIMEOUT)

  it.skipIf(!HAS_PYYAML)('(g) PyYAML loads the file, and re-dumping it reproduces the bytes (writer parity)', async () => {
    const py = (pyyaml ??= new PyYaml())
    await checkAsync('pyyaml-parity', validPipelineArb(), async (p) => {
      const text = compileOk(p)
      const { dump, error } = await py.roundTrip(text)
      expect(error, 'PyYAML could not load the compiled file').toBeUndefined()
      expect(dump).toBe(withoutHeader(text))
    })
  }, TIMEOUT)
})
