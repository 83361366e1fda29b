/**
 * KFP-specific properties, on pipelines from the one generator (./arbitraries.ts):
 *
 * - (a) every data and `after` edge, input and output definition, caching option, retry and
 *   trigger policy, image, env and resource of a flat pipeline (nested pipelines included) is in
 *   the KFP IR exactly as declared, and nothing else is;
 * - (b) PyYAML (what the KFP SDK and backend read with) loads every compiled file, and dumping it
 *   again with `sort_keys=True` reproduces the file byte for byte (the writer's promise).
 *
 * Properties of both targets are in ./targets.property.test.ts, ./invariants.property.test.ts and
 * ./invalid.property.test.ts. Fixed seed, bounded runs in CI,
 * `pnpm test:deep` for more; each prints `property <name>: <N> pipelines (seed <S>)`.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process'
import { afterAll, describe, expect, it } from 'vitest'
import type { ComponentNode, IoSpecNode, PipelineNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { parseYamlPreservingFloats, toYamlDocuments } from '../../packages/compiler/src/writer/yaml.ts'
import { pipelineArb, validPipelineArb, valuesIn, withValuesAt } from './arbitraries.ts'
import { check, checkAsync, compileOk, documentsOf, type Json, KNOWN, obj, runs, TIMEOUT } from './harness.ts'

/**
 * A long-lived `python3` that loads YAML text with PyYAML and dumps it back with
 * `yaml.dump_all(docs, sort_keys=True)`, the output Typeflow's writer promises to reproduce.
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
if (!HAS_PYYAML) console.warn('[properties] python3 with PyYAML not found: skipping the PyYAML writer-parity property')

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

function expectedSource(from: ValueSourceNode, artifact: boolean, statusProducer: string | undefined): Json {
  switch (from.kind) {
    case 'constant':
      return { runtimeValue: { constant: from.value } }
    case 'pipelineInput':
      return artifact ? { componentInputArtifact: from.name } : { componentInputParameter: from.name }
    case 'taskOutput':
      return artifact
        ? { taskOutputArtifact: { outputArtifactKey: from.output, producerTask: from.task } }
        : { taskOutputParameter: { outputParameterKey: from.output, producerTask: from.task } }
    case 'taskFinalStatus':
      return { taskFinalStatus: { producerTask: statusProducer } }
    default:
      throw new Error(`flat pipelines have no ${from.kind} sources`)
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
        // The SDK declares a final status input optional (the backend fills it in).
        ...(direction === 'input' && (spec.optional || spec.type === 'TASK_FINAL_STATUS') && { isOptional: true }),
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
  if (c.kind !== 'pipeline') return c
  return { inputs: c.inputs, outputs: Object.fromEntries(Object.entries(c.outputs).map(([k, o]) => [k, o.spec])) }
}

/** Kubernetes quantities as the SDK writes the numeric fields: cores, and memory in GB (10^9 bytes). */
const MEMORY_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 }
const cores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q))
const gigabytes = (q: string) => {
  const [, n, unit] = /^([\d.]+)([A-Za-z]*)$/.exec(q)!
  return (Number(n) * MEMORY_UNITS[unit!]!) / 1e9
}

function expectedResources(t: TaskNode): Json | undefined {
  const r = t.resources
  if (!r) return undefined
  const out: Json = {
    ...(r.cpuLimit !== undefined && { cpuLimit: cores(r.cpuLimit), resourceCpuLimit: r.cpuLimit }),
    ...(r.cpuRequest !== undefined && { cpuRequest: cores(r.cpuRequest), resourceCpuRequest: r.cpuRequest }),
    ...(r.memoryLimit !== undefined && { memoryLimit: gigabytes(r.memoryLimit), resourceMemoryLimit: r.memoryLimit }),
    ...(r.memoryRequest !== undefined && { memoryRequest: gigabytes(r.memoryRequest), resourceMemoryRequest: r.memoryRequest }),
    ...(r.accelerator !== undefined && {
      accelerator: { count: String(r.accelerator.count), resourceCount: String(r.accelerator.count), resourceType: r.accelerator.type, type: r.accelerator.type },
    }),
  }
  return Object.keys(out).length > 0 ? out : undefined
}

interface Counts {
  tasks: number
  executors: number
  refs: Set<string>
  executorLabels: Set<string>
}

/**
 * Every edge, definition and setting of one flat pipeline's tasks appears in the KFP DAG of its
 * scope as declared, and nothing else: same task keys, same inputs (as the right kind of source),
 * `dependentTasks` = data producers ∪ after, caching with inheritance resolved, retry and trigger
 * policies, component interfaces, executors (image, env, resources; importers), pipeline outputs.
 * Recurses into nested pipelines.
 */
function checkScope(p: PipelineNode, spec: Json, components: Json, executors: Json, counts: Counts, where: string): void {
  expect(spec['inputDefinitions'] ?? {}, `${where} inputDefinitions`).toEqual(expectedDefinitions(p.inputs, 'input'))
  const dag = obj(spec['dag'], `${where}.dag`)
  const tasks = obj(dag['tasks'] ?? {}, `${where}.dag.tasks`)
  const body = p.body as readonly TaskNode[]
  expect(body.every((n) => n.kind === 'task'), `${where} is flat`).toBe(true)
  expect(Object.keys(tasks).sort(), `${where} task keys`).toEqual(body.map((t) => t.name).sort())
  for (const t of body) {
    const at = `${where}/${t.name}`
    const k = obj(tasks[t.name], at)
    counts.tasks++
    const producers = Object.values(t.inputs).flatMap((s) => valuesIn(s).flatMap((v) => (v.kind === 'taskOutput' ? [v.task] : [])))
    const statusProducer = producers.find((d) => !t.after.includes(d)) ?? [...new Set([...producers, ...t.after])].sort()[0]
    const parameters: Json = {}
    const artifacts: Json = {}
    for (const [input, from] of Object.entries(t.inputs)) {
      const artifact = t.component.inputs[input]?.kind === 'artifact'
      if (from.kind === 'template' || from.kind === 'composite') {
        // As the KFP SDK writes an f-string, a list or a dict: a placeholder where each value
        // goes, each value a `pipelinechannel--` input of its own.
        const channel = (value: ValueSourceNode) => `pipelinechannel--${value.kind === 'pipelineInput' ? value.name : value.kind === 'taskOutput' ? `${value.task}-${value.output}` : value.kind}`
        const placeholder = (value: ValueSourceNode) => `{{$.inputs.parameters['${channel(value)}']}}`
        let constant: Json[string]
        if (from.kind === 'template') constant = from.parts.map((part) => (typeof part === 'string' ? part : placeholder(part))).join('')
        else constant = withValuesAt(from, placeholder) as Json[string]
        parameters[input] = { runtimeValue: { constant } }
        for (const value of valuesIn(from)) parameters[channel(value)] = expectedSource(value, false, statusProducer)
        continue
      }
      ;(artifact ? artifacts : parameters)[input] = expectedSource(from, artifact, statusProducer)
    }
    const inputs = obj(k['inputs'] ?? {}, `${at}.inputs`)
    expect(Object.keys(inputs).filter((key) => key !== 'parameters' && key !== 'artifacts'), `${at} input kinds`).toEqual([])
    expect(inputs['parameters'] ?? {}, `${at} parameter edges`).toEqual(parameters)
    expect(inputs['artifacts'] ?? {}, `${at} artifact edges`).toEqual(artifacts)
    expect(k['dependentTasks'] ?? [], `${at} dependentTasks`).toEqual([...new Set([...producers, ...t.after])].sort())
    const cached = t.caching.enabled ?? p.caching ?? true
    expect(k['cachingOptions'], `${at} caching`).toEqual(cached ? { enableCache: true, ...(t.caching.key !== undefined && { cacheKey: t.caching.key }) } : {})
    expect(k['retryPolicy'], `${at} retryPolicy`).toEqual(
      t.retry && {
        backoffDuration: `${t.retry.backoffSeconds}s`,
        backoffFactor: t.retry.backoffFactor || 2,
        backoffMaxDuration: `${t.retry.backoffMaxSeconds}s`,
        maxRetryCount: t.retry.maxRetryCount,
      },
    )
    expect(k['triggerPolicy'], `${at} triggerPolicy`).toEqual(t.ignoreUpstreamFailure ? { strategy: 'ALL_UPSTREAM_TASKS_COMPLETED' } : undefined)
    expect(obj(k['taskInfo'], `${at}.taskInfo`)['name'], `${at} display name`).toBe(t.displayName ?? t.name)

    const ref = obj(k['componentRef'], `${at}.componentRef`)['name'] as string
    expect(counts.refs.has(ref), `${at} componentRef ${ref} shared with another task`).toBe(false)
    counts.refs.add(ref)
    const component = obj(components[ref], `${at} component ${ref}`)
    const { inputs: declaredIn, outputs: declaredOut } = interfaceOf(t.component)
    expect(component['inputDefinitions'] ?? {}, `${at} component inputs`).toEqual(expectedDefinitions(declaredIn, 'input'))
    expect(component['outputDefinitions'] ?? {}, `${at} component outputs`).toEqual(expectedDefinitions(declaredOut, 'output'))
    const c = t.component
    if (c.kind === 'pipeline') {
      expect(component['executorLabel'], `${at} is a DAG`).toBeUndefined()
      checkScope(c, component, components, executors, counts, at)
      continue
    }
    counts.executors++
    const label = component['executorLabel'] as string
    expect(counts.executorLabels.has(label), `${at} executor ${label} shared with another task`).toBe(false)
    counts.executorLabels.add(label)
    const executor = obj(executors[label], `${at} executor`)
    if (c.kind === 'importer') {
      const uri = t.inputs['uri']!
      expect(executor, `${at} importer`).toEqual({
        importer: {
          artifactUri: uri.kind === 'constant' ? { constant: uri.value } : { runtimeParameter: 'uri' },
          ...(c.metadata !== undefined && { metadata: c.metadata }),
          ...(c.reimport && { reimport: true }),
          typeSchema: c.artifactType,
        },
      })
      continue
    }
    const container = obj(executor['container'], `${at} container`)
    expect(container['image'], `${at} image`).toBe(c.image)
    expect(container['env'], `${at} env`).toEqual(t.env.length > 0 ? t.env.map((e) => ({ name: e.name, value: e.value })) : undefined)
    expect(container['resources'], `${at} resources`).toEqual(expectedResources(t))
  }
  const outputs = obj(dag['outputs'] ?? {}, `${where}.dag.outputs`)
  const parameters: Json = {}
  const artifacts: Json = {}
  for (const [name, out] of Object.entries(p.outputs)) {
    if (out.from.kind !== 'taskOutput') throw new Error('flat pipelines output task outputs only')
    if (out.spec.kind === 'artifact') artifacts[name] = { artifactSelectors: [{ outputArtifactKey: out.from.output, producerSubtask: out.from.task }] }
    else parameters[name] = { valueFromParameter: { outputParameterKey: out.from.output, producerSubtask: out.from.task } }
  }
  expect(outputs, `${where} pipeline outputs`).toEqual({
    ...(Object.keys(artifacts).length > 0 && { artifacts }),
    ...(Object.keys(parameters).length > 0 && { parameters }),
  })
}

describe('KFP target properties', () => {
  let pyyaml: PyYaml | undefined
  afterAll(() => pyyaml?.close())

  it('(a) every edge, definition and setting of a flat pipeline appears in the KFP IR as declared, and nothing else', () => {
    // Flat pipelines of every value, component and setting (KFP can express everything: not only what Argo can).
    check('kfp-ir-as-declared', validPipelineArb({ argo: false, knownBugs: KNOWN }), (p) => {
      const [doc] = documentsOf(compileOk(p, ['kfp']).kfp!)
      const root = obj(doc, 'document')
      const components = obj(root['components'] ?? {}, 'components')
      const executors = obj(obj(root['deploymentSpec'] ?? { executors: {} }, 'deploymentSpec')['executors'], 'executors')
      const counts: Counts = { tasks: 0, executors: 0, refs: new Set(), executorLabels: new Set() }
      checkScope(p, obj(root['root'], 'root'), components, executors, counts, p.name)
      // No components or executors beyond one per task.
      expect(Object.keys(components).sort()).toEqual([...counts.refs].sort())
      expect(Object.keys(executors)).toHaveLength(counts.executors)
      expect(obj(root['pipelineInfo'], 'pipelineInfo')).toEqual({
        name: p.name,
        ...(p.description !== undefined && { description: p.description }),
        ...(p.displayName !== undefined && { displayName: p.displayName }),
      })
      expect(root['defaultPipelineRoot']).toBe(p.defaultPipelineRoot)
    }, runs(200, 2_000))
  }, TIMEOUT)

  it.skipIf(!HAS_PYYAML)('(b) PyYAML loads every compiled file as written, and re-dumping it gives our PyYAML-mode bytes (writer parity)', async () => {
    const py = (pyyaml ??= new PyYaml())
    await checkAsync('kfp-pyyaml-parity', pipelineArb({ knownBugs: KNOWN }), async (p) => {
      const text = compileOk(p, ['kfp']).kfp!
      const { dump, error } = await py.roundTrip(text)
      expect(error, 'PyYAML could not load the compiled file').toBeUndefined()
      // The file quotes a few strings PyYAML would leave plain (`y`, `1e3`: 'portable' quoting, for
      // go-yaml and YAML 1.2 readers); PyYAML must read the same data, and dump it as the writer's
      // PyYAML mode does.
      expect(dump).toBe(toYamlDocuments(parseYamlPreservingFloats(withoutHeader(text)), { quoting: 'pyyaml' }))
    }, runs(100, 1_000))
  }, TIMEOUT)
})
