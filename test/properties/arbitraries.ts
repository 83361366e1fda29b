/**
 * fast-check generators for Typeflow pipelines, written directly as IR literals.
 *
 * Everything is generated as small integer/boolean "choices" first and then materialised
 * deterministically into a {@link PipelineNode}, so shrinking works on the choices (fewer tasks,
 * fewer inputs, constants instead of references) and counterexamples print as small pipelines.
 * Every generated pipeline carries a non-enumerable fast-check `toString` that prints it as a
 * compact outline (see {@link formatPipeline}).
 *
 * - {@link validPipelineArb}: acyclic, type-correct pipelines (the compiler must accept them).
 * - {@link invalidPipelineArb}: a valid pipeline plus one mutation with a known diagnostic code.
 * - {@link shuffleDeclarations}: the same pipeline with body and key orders permuted.
 * - {@link rebuildWithDsl}: the same pipeline re-declared through the DSL builder.
 */
import fc from 'fast-check'
import type {
  AnyTask,
  ArtifactSpecNode,
  ArtifactTypeNode,
  CommandArgNode,
  ComponentNode,
  ContainerComponentNode,
  DiagnosticCode,
  EnvVarNode,
  InputSpecs,
  IoSpecNode,
  JsonValue,
  ParameterType,
  PipelineNode,
  PipelineOutputNode,
  PlaceholderNode,
  ResourcesNode,
  RetryNode,
  Runnable,
  TaskNode,
  TaskOptions,
  ValueSourceNode,
} from '@typeflow/dsl'
import { componentOutputs, deepFreeze, pipeline as dslPipeline } from '@typeflow/dsl'

/** The generator builds flat pipelines: every body node is a task. */
const tasksOf = (p: PipelineNode): readonly TaskNode[] => p.body as readonly TaskNode[]

// ---------------------------------------------------------------------------------------------
// Vocabulary

export type UsableParameterType = Exclude<ParameterType, 'TASK_FINAL_STATUS'>

export const PARAMETER_TYPES: readonly UsableParameterType[] = ['STRING', 'NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN', 'LIST', 'STRUCT']

const PARAM_WORDS: Readonly<Record<UsableParameterType, string>> = {
  STRING: 'text',
  NUMBER_INTEGER: 'count',
  NUMBER_DOUBLE: 'rate',
  BOOLEAN: 'flag',
  LIST: 'items',
  STRUCT: 'config',
}

/** Artifact types, with the word used in generated input/output names. The last two are a user type in two major versions. */
export const ARTIFACT_TYPES: readonly { readonly type: ArtifactTypeNode; readonly word: string }[] = [
  { type: { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' }, word: 'artifact' },
  { type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, word: 'dataset' },
  { type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, word: 'model' },
  { type: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' }, word: 'metrics' },
  { type: { schemaTitle: 'system.ClassificationMetrics', schemaVersion: '0.0.1' }, word: 'cls_metrics' },
  { type: { schemaTitle: 'system.SlicedClassificationMetrics', schemaVersion: '0.0.1' }, word: 'sliced_metrics' },
  { type: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' }, word: 'html' },
  { type: { schemaTitle: 'system.Markdown', schemaVersion: '0.0.1' }, word: 'markdown' },
  { type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '1.0.0' }, word: 'features' },
  { type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '2.1.0' }, word: 'features_v2' },
]

const COMPONENT_NAMES: readonly { readonly name: string; readonly word: string }[] = [
  { name: 'prep', word: 'prep' },
  { name: 'Train Model', word: 'train-model' },
  { name: 'evaluate_v2', word: 'evaluate-v2' },
  { name: 'push', word: 'push' },
  { name: 'score', word: 'score' },
  { name: 'load-data', word: 'load-data' },
]
const PIPELINE_NAMES = ['pipeline', 'train-eval', 'p0', 'nightly-retrain-2'] as const
const SUB_PIPELINE_NAMES = ['sub', 'inner-flow', 'stage-2'] as const
const IMAGES = [
  'alpine:3.20',
  'python:3.12-slim',
  'ghcr.io/acme/train@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
] as const
const CPU = ['100m', '500m', '1', '2', '0.5', '1500m'] as const
const MEMORY = ['128Mi', '512Mi', '1Gi', '16Gi', '1G', '500M', '1.5Gi'] as const
const ACCELERATORS = ['nvidia.com/gpu', 'NVIDIA_TESLA_T4', 'tpu-v3'] as const
const DESCRIPTIONS = ['Trains and evaluates.', 'Line one.\nLine two: with a colon.', '  padded  ', "it's \"quoted\""] as const

/**
 * Strings that stress YAML quoting (YAML 1.1 booleans/nulls/numbers/timestamps, indicators,
 * line breaks, unicode, long lines). Deliberately excludes scalars that YAML 1.1 (PyYAML, which
 * Typeflow's writer mirrors) reads as strings but YAML 1.2 reads as numbers (`1e3`, `0o17`,
 * `-.5`), since the properties parse the output with both; see the random-string alphabet too.
 */
export const TRICKY_STRINGS: readonly string[] = [
  '',
  'hello',
  'yes',
  'no',
  'null',
  '~',
  'true',
  'False',
  '1.5',
  '42',
  '2024-01-01',
  'a: b',
  '- item',
  '# not a comment',
  'multi\nline\n',
  ' padded ',
  "it's",
  '"quoted"',
  '{braces}',
  '[brackets]',
  'ünïcödé ☃ 日本',
  'v1.2.3',
  `${'x'.repeat(90)} tail`,
  'tab\there',
  '*star',
  '&anchor',
  '!tag',
  '%percent',
  '@at',
  '`tick',
  '? q',
  '|',
  '>',
]

/**
 * Random strings avoid digits, so that YAML 1.1 and 1.2 never disagree about whether they are
 * numbers; they do include YAML indicators, blanks, every kind of line break (`\r`, NEL, LS,
 * PS), control characters, a BOM, non-BMP characters and a lone surrogate.
 */
const STRING_ALPHABET = [
  ...'abcxyzABZ   _-:#\'"{}[],&*!|>%@`?\\/.=<~\n\tüé日😀',
  '\r', '\u0085', '\u2028', '\u2029', '\ufeff', '\u00a0', '\u0000', '\u0007', '\u001b', '\u007f', '\ud800',
]
const unit = fc.constantFrom(...STRING_ALPHABET)

export const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TRICKY_STRINGS) },
  { weight: 4, arbitrary: fc.string({ unit, maxLength: 8 }) },
  // Long enough to be folded at PyYAML's width of 80.
  { weight: 1, arbitrary: fc.string({ unit, minLength: 70, maxLength: 200 }) },
)

const keyArb = fc.constantFrom('a', 'b', 'seed', 'lr', 'nested key', '', 'x.y', 'yes', '10')
const doubleArb = fc.oneof(fc.constantFrom(0.5, 0.1, 1e-5, 2.5e21, 3), fc.double({ noNaN: true, noDefaultInfinity: true }))
const integerArb = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger())

const jsonLeafArb: fc.Arbitrary<JsonValue> = fc.oneof(stringArb, fc.integer({ min: -100, max: 100 }), doubleArb, fc.boolean(), fc.constant(null))
const { json: jsonValueArb } = fc.letrec<{ json: JsonValue }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    jsonLeafArb,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(keyArb, tie('json'), { maxKeys: 3, noNullPrototype: true }),
  ),
}))

// ---------------------------------------------------------------------------------------------
// Choices

/** One constant of every parameter type; the materialiser picks the one the input needs. */
export interface ConstantSeed {
  readonly s: string
  readonly i: number
  readonly d: number
  readonly b: boolean
  readonly l: readonly JsonValue[]
  readonly o: { readonly [key: string]: JsonValue }
}

const ZERO_SEED: ConstantSeed = { s: '', i: 0, d: 0, b: false, l: [], o: {} }

const constantSeedArb: fc.Arbitrary<ConstantSeed> = fc.record({
  s: stringArb,
  i: integerArb,
  d: doubleArb,
  b: fc.boolean(),
  l: fc.array(jsonValueArb, { maxLength: 3 }),
  o: fc.dictionary(keyArb, jsonValueArb, { maxKeys: 3, noNullPrototype: true }),
})

/** An input or output declaration. `mode`: 0 required, 1 with a default, 2 optional without default. */
export interface SpecChoice {
  readonly artifact: boolean
  readonly type: number
  readonly list: boolean
  readonly mode: number
  readonly value: ConstantSeed
  readonly described: boolean
}

const rarely = fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })

const specChoiceArb: fc.Arbitrary<SpecChoice> = fc.record({
  artifact: fc.boolean(),
  type: fc.nat({ max: 63 }),
  list: rarely,
  mode: fc.nat({ max: 2 }),
  value: constantSeedArb,
  described: rarely,
})

/** How one task input is fed. `src`: 0 constant, 1 pipeline input, 2 or 3 upstream task output. */
export interface ArgChoice {
  readonly src: number
  readonly index: number
  readonly omit: boolean
  readonly value: ConstantSeed
}

const DEFAULT_ARG: ArgChoice = { src: 0, index: 0, omit: false, value: ZERO_SEED }

const argChoiceArb: fc.Arbitrary<ArgChoice> = fc.record({
  src: fc.nat({ max: 3 }),
  index: fc.nat({ max: 31 }),
  omit: fc.boolean(),
  value: constantSeedArb,
})

export interface ContainerChoice {
  readonly tag: 'container'
  readonly name: number
  readonly image: number
  readonly inputs: readonly SpecChoice[]
  readonly outputs: readonly SpecChoice[]
  /** 0: no command (image entrypoint), 1: command only, 2: command + args with concat and ifPresent. */
  readonly commandStyle: number
  readonly described: boolean
}

export interface NestedChoice {
  readonly tag: 'nested'
  readonly pipeline: PipelineChoice
}

export interface ResourcesChoice {
  readonly cpuRequest: number | null
  readonly cpuLimit: number | null
  readonly memoryRequest: number | null
  readonly memoryLimit: number | null
  readonly accelerator: { readonly type: number; readonly count: number } | null
}

export interface TaskChoice {
  readonly component: ContainerChoice | NestedChoice
  /** Run an earlier task's component (container or nested pipeline, same object) instead, when there is one. */
  readonly reuse: number | null
  readonly args: readonly ArgChoice[]
  readonly after: readonly number[]
  readonly displayName: string | null
  /** 0: on, 1: off, 2: on with a custom key. */
  readonly caching: number
  readonly cacheKey: string
  readonly env: readonly string[]
  readonly resources: ResourcesChoice | null
  readonly retry: RetryNode | null
}

export interface PipelineChoice {
  readonly name: number
  readonly inputs: readonly SpecChoice[]
  readonly tasks: readonly TaskChoice[]
  readonly outputs: readonly number[]
  readonly description: string | null
  readonly displayName: string | null
  readonly pipelineRoot: boolean
}

const containerChoiceArb: fc.Arbitrary<ContainerChoice> = fc.record({
  tag: fc.constant('container' as const),
  name: fc.nat({ max: COMPONENT_NAMES.length - 1 }),
  image: fc.nat({ max: IMAGES.length - 1 }),
  inputs: fc.array(specChoiceArb, { maxLength: 5 }),
  outputs: fc.array(specChoiceArb, { maxLength: 4 }),
  commandStyle: fc.nat({ max: 2 }),
  described: rarely,
})

const resourcesChoiceArb: fc.Arbitrary<ResourcesChoice> = fc.record({
  cpuRequest: fc.option(fc.nat({ max: CPU.length - 1 })),
  cpuLimit: fc.option(fc.nat({ max: CPU.length - 1 })),
  memoryRequest: fc.option(fc.nat({ max: MEMORY.length - 1 })),
  memoryLimit: fc.option(fc.nat({ max: MEMORY.length - 1 })),
  accelerator: fc.option(fc.record({ type: fc.nat({ max: ACCELERATORS.length - 1 }), count: fc.integer({ min: 1, max: 8 }) })),
})

const retryArb: fc.Arbitrary<RetryNode> = fc.record({
  maxRetryCount: fc.nat({ max: 10 }),
  backoffSeconds: fc.nat({ max: 600 }),
  backoffFactor: fc.constantFrom(2, 0, 1, 1.5, 3),
  backoffMaxSeconds: fc.nat({ max: 7200 }),
})

function taskChoiceArb(depth: number): fc.Arbitrary<TaskChoice> {
  const component: fc.Arbitrary<ContainerChoice | NestedChoice> =
    depth > 0
      ? fc.oneof(
          { weight: 8, arbitrary: containerChoiceArb },
          { weight: 1, arbitrary: pipelineChoiceArb(depth - 1, 4).map((pipeline): NestedChoice => ({ tag: 'nested', pipeline })) },
        )
      : containerChoiceArb
  return fc.record({
    component,
    reuse: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
    args: fc.array(argChoiceArb, { maxLength: 6 }),
    after: fc.array(fc.nat({ max: 15 }), { maxLength: 2 }),
    displayName: fc.option(stringArb, { freq: 2 }),
    caching: fc.nat({ max: 2 }),
    cacheKey: stringArb,
    env: fc.array(stringArb, { maxLength: 3 }),
    resources: fc.option(resourcesChoiceArb, { freq: 2 }),
    retry: fc.option(retryArb, { freq: 2 }),
  })
}

function pipelineChoiceArb(depth: number, maxTasks: number): fc.Arbitrary<PipelineChoice> {
  return fc.record({
    name: fc.nat({ max: 7 }),
    inputs: fc.array(specChoiceArb, { maxLength: 4 }),
    tasks: fc.array(taskChoiceArb(depth), { maxLength: maxTasks }),
    outputs: fc.array(fc.nat({ max: 31 }), { maxLength: 3 }),
    description: fc.option(fc.oneof(fc.constantFrom(...DESCRIPTIONS), stringArb), { freq: 4 }),
    displayName: fc.option(stringArb, { freq: 4 }),
    pipelineRoot: rarely,
  })
}

// ---------------------------------------------------------------------------------------------
// Materialisation: choices -> IR

function pick<T>(items: readonly T[], index: number): T {
  return items[index % items.length]!
}

/** Builds a constant of the given parameter type from a seed (always fits the type). */
export function constantFor(type: UsableParameterType, seed: ConstantSeed): JsonValue {
  switch (type) {
    case 'STRING':
      return seed.s
    case 'NUMBER_INTEGER':
      return seed.i
    case 'NUMBER_DOUBLE':
      return seed.d
    case 'BOOLEAN':
      return seed.b
    case 'LIST':
      return seed.l
    case 'STRUCT':
      return seed.o
  }
}

function parameterTypeOf(choice: SpecChoice): UsableParameterType {
  return pick(PARAMETER_TYPES, choice.type)
}

/** Name and spec of a declared input (`direction: 'input'`) or output. */
function declare(choice: SpecChoice, index: number, direction: 'input' | 'output'): { name: string; spec: IoSpecNode } {
  const prefix = direction === 'output' ? 'out_' : ''
  if (!choice.artifact) {
    const type = parameterTypeOf(choice)
    const optional = direction === 'input' && choice.mode !== 0
    return {
      name: `${prefix}${PARAM_WORDS[type]}_${index}`,
      spec: {
        kind: 'parameter',
        type,
        optional,
        ...(direction === 'input' && choice.mode === 1 && { default: constantFor(type, choice.value) }),
        ...(choice.described && { description: `the ${PARAM_WORDS[type]} parameter` }),
      },
    }
  }
  const artifact = pick(ARTIFACT_TYPES, choice.type)
  return {
    name: `${prefix}${choice.list ? 'many_' : ''}${artifact.word}_${index}`,
    spec: {
      kind: 'artifact',
      type: artifact.type,
      isList: choice.list,
      optional: direction === 'input' && choice.mode !== 0,
      ...(choice.described && { description: `the ${artifact.word} artifact` }),
    },
  }
}

/** A conservative subset of KFP's artifact rule: `system.Artifact` on either side, or the same title and version. */
export function artifactFits(given: ArtifactSpecNode, expected: ArtifactSpecNode): boolean {
  if (given.isList !== expected.isList) return false
  if (given.type.schemaTitle === 'system.Artifact' || expected.type.schemaTitle === 'system.Artifact') return true
  return given.type.schemaTitle === expected.type.schemaTitle && given.type.schemaVersion === expected.type.schemaVersion
}

/** Parameter passing rule: same type, or an integer where a double is expected. */
export function parameterFits(given: ParameterType, expected: ParameterType): boolean {
  return given === expected || (given === 'NUMBER_INTEGER' && expected === 'NUMBER_DOUBLE')
}

function fits(given: IoSpecNode, expected: IoSpecNode): boolean {
  if (given.kind === 'parameter' && expected.kind === 'parameter') return parameterFits(given.type, expected.type)
  if (given.kind === 'artifact' && expected.kind === 'artifact') return artifactFits(given, expected)
  return false
}

function text(...parts: (string | PlaceholderNode)[]): CommandArgNode {
  return { kind: 'text', parts }
}

function commandLine(
  style: number,
  inputs: Readonly<Record<string, IoSpecNode>>,
  outputs: Readonly<Record<string, IoSpecNode>>,
): { command?: readonly CommandArgNode[]; args?: readonly CommandArgNode[] } {
  if (style === 0) return {}
  const items: CommandArgNode[] = []
  for (const [name, spec] of Object.entries(inputs)) {
    let arg: CommandArgNode
    if (spec.kind === 'parameter') {
      const value: PlaceholderNode = { kind: 'placeholder', ref: 'inputValue', name }
      arg = style === 2 ? { kind: 'concat', items: [text(`--${name}=`), text(value)] } : text(`--${name}=`, value)
    } else {
      arg = text({ kind: 'placeholder', ref: spec.isList ? 'inputArtifactList' : style === 2 ? 'inputUri' : 'inputPath', name })
    }
    items.push(spec.optional ? { kind: 'ifPresent', input: name, then: [arg], ...(style === 2 && { else: [text(`--no-${name}`)] }) } : arg)
  }
  for (const [name, spec] of Object.entries(outputs)) {
    items.push(
      text(
        `--${name}=`,
        spec.kind === 'parameter'
          ? { kind: 'placeholder', ref: 'outputParameterFile', name }
          : { kind: 'placeholder', ref: style === 2 ? 'outputUri' : 'outputPath', name },
      ),
    )
  }
  if (style === 1) return { command: [text('python'), text('-m'), text('step'), ...items] }
  return {
    command: [text('sh'), text('-c')],
    args: [text('run "$0" "$@"'), text('--run=', { kind: 'placeholder', ref: 'runtime', name: 'pipeline_job_name' }), ...items],
  }
}

function buildContainer(choice: ContainerChoice): ContainerComponentNode {
  const inputs: Record<string, IoSpecNode> = {}
  choice.inputs.forEach((c, i) => {
    const { name, spec } = declare(c, i, 'input')
    inputs[name] = spec
  })
  const outputs: Record<string, IoSpecNode> = {}
  choice.outputs.forEach((c, i) => {
    const { name, spec } = declare(c, i, 'output')
    outputs[name] = spec
  })
  return {
    kind: 'container',
    name: pick(COMPONENT_NAMES, choice.name).name,
    ...(choice.described && { description: 'A generated component.' }),
    inputs,
    outputs,
    image: pick(IMAGES, choice.image),
    ...commandLine(choice.commandStyle, inputs, outputs),
  }
}

interface Available {
  readonly task: string
  readonly output: string
  readonly spec: IoSpecNode
}

interface BuildState {
  /** Task names taken anywhere in the pipeline (names are unique, except inside a reused nested pipeline). */
  readonly used: Set<string>
}

/** The DSL's naming: the word itself, then `word-2`, `word-3` … (so component keys collide and get suffixed too). */
function freshName(state: BuildState, word: string): string {
  let name = word
  for (let i = 2; state.used.has(name); i++) name = `${word}-${i}`
  state.used.add(name)
  return name
}

function chooseSource(
  expected: IoSpecNode,
  arg: ArgChoice,
  pipelineInputs: Record<string, IoSpecNode>,
  upstream: readonly Available[],
): ValueSourceNode {
  const fromTasks = upstream.filter((o) => fits(o.spec, expected))
  const fromInputs = Object.entries(pipelineInputs).filter(([, spec]) => fits(spec, expected))
  const task = (): ValueSourceNode | undefined => {
    const o = fromTasks.length > 0 ? pick(fromTasks, arg.index) : undefined
    return o && { kind: 'taskOutput', task: o.task, output: o.output }
  }
  const input = (): ValueSourceNode | undefined => {
    const i = fromInputs.length > 0 ? pick(fromInputs, arg.index) : undefined
    return i && { kind: 'pipelineInput', name: i[0] }
  }
  if (expected.kind === 'parameter') {
    const constant: ValueSourceNode = { kind: 'constant', value: constantFor(expected.type as UsableParameterType, arg.value) }
    if (arg.src === 1) return input() ?? task() ?? constant
    if (arg.src >= 2) return task() ?? input() ?? constant
    return constant
  }
  const found = arg.src === 1 ? (input() ?? task()) : (task() ?? input())
  if (found) return found
  // No compatible artifact upstream: the pipeline takes it as an input of exactly that type.
  const word = ARTIFACT_TYPES.find((a) => a.type === expected.type)?.word ?? 'artifact'
  const name = `${expected.isList ? 'many_' : ''}${word}_${Object.keys(pipelineInputs).length}`
  pipelineInputs[name] = { kind: 'artifact', type: expected.type, isList: expected.isList, optional: false }
  return { kind: 'pipelineInput', name }
}

function buildResources(r: ResourcesChoice): ResourcesNode | undefined {
  const out: ResourcesNode = {
    ...(r.cpuRequest !== null && { cpuRequest: pick(CPU, r.cpuRequest) }),
    ...(r.cpuLimit !== null && { cpuLimit: pick(CPU, r.cpuLimit) }),
    ...(r.memoryRequest !== null && { memoryRequest: pick(MEMORY, r.memoryRequest) }),
    ...(r.memoryLimit !== null && { memoryLimit: pick(MEMORY, r.memoryLimit) }),
    ...(r.accelerator !== null && { accelerator: { type: pick(ACCELERATORS, r.accelerator.type), count: r.accelerator.count } }),
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** A pipeline output spec as the DSL derives it: no default, never optional, no description. */
function exposedSpec(spec: IoSpecNode): IoSpecNode {
  return spec.kind === 'artifact'
    ? { kind: 'artifact', type: spec.type, isList: spec.isList, optional: false }
    : { kind: 'parameter', type: spec.type, optional: false }
}

function buildPipeline(choice: PipelineChoice, state: BuildState, root: boolean): PipelineNode {
  const inputs: Record<string, IoSpecNode> = {}
  choice.inputs.forEach((c, i) => {
    const { name, spec } = declare(c, i, 'input')
    inputs[name] = spec
  })
  const body: TaskNode[] = []
  const upstream: Available[] = []
  const earlier: { readonly component: ComponentNode; readonly word: string }[] = []
  for (const t of choice.tasks) {
    let component: ComponentNode
    let word: string
    if (t.reuse !== null && earlier.length > 0) {
      ;({ component, word } = pick(earlier, t.reuse))
    } else {
      if (t.component.tag === 'nested') {
        component = buildPipeline(t.component.pipeline, state, false)
        word = component.name
      } else {
        component = buildContainer(t.component)
        word = pick(COMPONENT_NAMES, t.component.name).word
      }
      earlier.push({ component, word })
    }
    const name = freshName(state, word)
    const taskInputs: Record<string, ValueSourceNode> = {}
    Object.entries(component.inputs).forEach(([input, spec], i) => {
      const arg = t.args[i] ?? DEFAULT_ARG
      if (spec.optional && arg.omit) return
      taskInputs[input] = chooseSource(spec, arg, inputs, upstream)
    })
    const after = body.length === 0 ? [] : [...new Set(t.after.map((k) => pick(body, k).name))]
    const env: EnvVarNode[] = t.env.map((value, i) => ({ name: `VAR_${i}`, value }))
    const resources = t.resources !== null ? buildResources(t.resources) : undefined
    body.push({
      kind: 'task',
      name,
      ...(t.displayName !== null && { displayName: t.displayName }),
      component,
      inputs: taskInputs,
      after,
      caching: t.caching === 1 ? { enabled: false } : t.caching === 2 ? { enabled: true, key: t.cacheKey } : { enabled: true },
      env,
      ...(resources !== undefined && { resources }),
      ...(t.retry !== null && { retry: t.retry }),
    })
    for (const [output, spec] of Object.entries(componentOutputs(component))) upstream.push({ task: name, output, spec })
  }
  const outputs: Record<string, PipelineOutputNode> = {}
  const exposed = new Set<string>()
  if (upstream.length > 0) {
    for (const k of choice.outputs) {
      const o = pick(upstream, k)
      const key = `${o.task}\u0000${o.output}`
      if (exposed.has(key)) continue
      exposed.add(key)
      outputs[`res_${exposed.size - 1}`] = { spec: exposedSpec(o.spec), from: { kind: 'taskOutput', task: o.task, output: o.output } }
    }
  }
  return {
    kind: 'pipeline',
    name: root ? pick(PIPELINE_NAMES, choice.name) : pick(SUB_PIPELINE_NAMES, choice.name),
    ...(choice.description !== null && { description: choice.description }),
    ...(choice.displayName !== null && { displayName: choice.displayName }),
    inputs,
    outputs,
    body,
    ...(root && choice.pipelineRoot && { defaultPipelineRoot: 's3://bucket/pipelines' }),
  }
}

/** Attaches the compact outline as fast-check's `toString` (non-enumerable: invisible to the compiler and to spreads). */
function printable<T extends object>(value: T, print: () => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: print, enumerable: false })
  return value
}

/** Materialises choices into a frozen pipeline. */
export function materialise(choice: PipelineChoice): PipelineNode {
  const p = buildPipeline(choice, { used: new Set() }, true)
  return deepFreeze(printable(p, () => formatPipeline(p)))
}

export interface ValidPipelineOptions {
  /** Most tasks in the root pipeline. @default 8 */
  readonly maxTasks?: number
  /** How deep nested pipelines may go. @default 2 */
  readonly maxDepth?: number
}

/** Random acyclic, type-correct pipelines. */
export function validPipelineArb(options: ValidPipelineOptions = {}): fc.Arbitrary<PipelineNode> {
  return pipelineChoiceArb(options.maxDepth ?? 2, options.maxTasks ?? 8).map(materialise)
}

// ---------------------------------------------------------------------------------------------
// Printing

function describeSpec(spec: IoSpecNode): string {
  const flags = `${spec.optional ? '?' : ''}`
  if (spec.kind === 'parameter') return `${spec.type}${flags}${spec.default !== undefined ? ` = ${JSON.stringify(spec.default)}` : ''}`
  return `${spec.isList ? 'list<' : ''}${spec.type.schemaTitle}@${spec.type.schemaVersion}${spec.isList ? '>' : ''}${flags}`
}

function describeSource(s: ValueSourceNode): string {
  switch (s.kind) {
    case 'constant':
      return JSON.stringify(s.value)
    case 'pipelineInput':
      return `inputs.${s.name}`
    case 'taskOutput':
      return `${s.task}.${s.output}`
    default:
      return s.kind
  }
}

/** A compact, readable outline of a pipeline (used for counterexamples). */
export function formatPipeline(p: PipelineNode, indent = ''): string {
  const lines = [`${indent}pipeline ${JSON.stringify(p.name)}`]
  for (const [name, spec] of Object.entries(p.inputs)) lines.push(`${indent}  input ${name}: ${describeSpec(spec)}`)
  for (const t of tasksOf(p)) {
    const c = t.component
    const extras = [
      t.after.length > 0 ? `after [${t.after.join(', ')}]` : '',
      t.caching.enabled ? (t.caching.key !== undefined ? `cacheKey ${JSON.stringify(t.caching.key)}` : '') : 'no-cache',
      t.displayName !== undefined ? `display ${JSON.stringify(t.displayName)}` : '',
      t.env.length > 0 ? `env ${t.env.map((e) => `${e.name}=${JSON.stringify(e.value)}`).join(' ')}` : '',
      t.resources ? `resources ${JSON.stringify(t.resources)}` : '',
      t.retry ? `retry ${JSON.stringify(t.retry)}` : '',
    ].filter(Boolean)
    lines.push(`${indent}  task ${JSON.stringify(t.name)} runs ${c.kind} ${JSON.stringify(c.name)}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`)
    for (const [name, spec] of Object.entries(c.inputs)) {
      const from = Object.hasOwn(t.inputs, name) ? t.inputs[name] : undefined
      lines.push(`${indent}    ${name}: ${describeSpec(spec)} <- ${from ? describeSource(from) : '(omitted)'}`)
    }
    for (const [name, from] of Object.entries(t.inputs)) {
      if (!Object.hasOwn(c.inputs, name)) lines.push(`${indent}    ${name}: (undeclared) <- ${describeSource(from)}`)
    }
    if (c.kind === 'container') {
      for (const [name, spec] of Object.entries(c.outputs)) lines.push(`${indent}    -> ${name}: ${describeSpec(spec)}`)
    } else if (c.kind === 'pipeline') {
      lines.push(formatPipeline(c, `${indent}    `))
    }
  }
  for (const [name, out] of Object.entries(p.outputs)) lines.push(`${indent}  output ${name}: ${describeSpec(out.spec)} <- ${describeSource(out.from)}`)
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------
// Shuffling declaration order

function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = out[i]!
    out[i] = out[j]!
    out[j] = tmp
  }
  return out
}

function shuffledRecord<V>(record: Readonly<Record<string, V>>, random: () => number): Record<string, V> {
  return Object.fromEntries(shuffled(Object.entries(record), random))
}

/**
 * The same pipeline with the order of declarations permuted: the body (in every nested pipeline),
 * the key order of task arguments, of component and pipeline inputs and outputs, and of `after`
 * lists. Environment variables keep their order (it is meaningful), and so do constant values
 * (user data, printed in insertion order like the KFP SDK does).
 */
export function shuffleDeclarations(p: PipelineNode, seed = 1): PipelineNode {
  const random = mulberry32(seed)
  const component = (c: ComponentNode): ComponentNode =>
    c.kind === 'pipeline' ? pipelineOf(c) : { ...c, inputs: shuffledRecord(c.inputs, random), outputs: shuffledRecord(c.outputs, random) }
  const task = (t: TaskNode): TaskNode => ({
    ...t,
    component: component(t.component),
    inputs: shuffledRecord(t.inputs, random),
    after: shuffled(t.after, random),
  })
  const pipelineOf = (q: PipelineNode): PipelineNode => ({
    ...q,
    inputs: shuffledRecord(q.inputs, random),
    outputs: shuffledRecord(q.outputs, random),
    body: shuffled(tasksOf(q).map(task), random),
  })
  const out = pipelineOf(p)
  return deepFreeze(printable(out, () => formatPipeline(out)))
}

// ---------------------------------------------------------------------------------------------
// The same pipeline through the DSL builder

type TaskFn = (runnable: Runnable, args: Readonly<Record<string, unknown>>, options: TaskOptions) => AnyTask

/**
 * Re-declares a generated pipeline through the DSL (`pipeline`, `dag.task`, task options,
 * pipeline outputs returned from the body). Container components are passed as they are (they
 * are plain IR already); nested pipelines are rebuilt recursively.
 */
export function rebuildWithDsl(p: PipelineNode): PipelineNode {
  return dslPipeline(
    {
      name: p.name,
      ...(p.description !== undefined && { description: p.description }),
      ...(p.displayName !== undefined && { displayName: p.displayName }),
      inputs: p.inputs as InputSpecs,
      ...(p.defaultPipelineRoot !== undefined && { pipelineRoot: p.defaultPipelineRoot }),
    },
    (dag, refs) => {
      const handles = new Map<string, AnyTask>()
      const task = dag.task as unknown as TaskFn
      const valueOf = (source: ValueSourceNode): unknown => {
        switch (source.kind) {
          case 'constant':
            return source.value
          case 'pipelineInput':
            return (refs as Readonly<Record<string, unknown>>)[source.name]
          case 'taskOutput':
            return (handles.get(source.task)!.outputs as Readonly<Record<string, unknown>>)[source.output]
        }
      }
      for (const t of tasksOf(p)) {
        const runnable = (t.component.kind === 'pipeline' ? rebuildWithDsl(t.component) : t.component) as Runnable
        const args: Record<string, unknown> = {}
        for (const [name, source] of Object.entries(t.inputs)) args[name] = valueOf(source)
        const r = t.resources
        const options: TaskOptions = {
          name: t.name,
          ...(t.displayName !== undefined && { displayName: t.displayName }),
          ...(t.after.length > 0 && { after: t.after.map((a) => handles.get(a)!) }),
          caching: !t.caching.enabled ? false : t.caching.key !== undefined ? { key: t.caching.key } : true,
          ...(t.env.length > 0 && { env: Object.fromEntries(t.env.map((e) => [e.name, e.value])) }),
          ...(r !== undefined && { resources: r as NonNullable<TaskOptions['resources']> }),
          ...(t.retry !== undefined && {
            retry: { count: t.retry.maxRetryCount, backoff: t.retry.backoffSeconds, factor: t.retry.backoffFactor, maxBackoff: t.retry.backoffMaxSeconds },
          }),
        }
        handles.set(t.name, task(runnable, args, options))
      }
      const outputs: Record<string, unknown> = {}
      for (const [name, out] of Object.entries(p.outputs)) outputs[name] = valueOf(out.from)
      return outputs as never
    },
  )
}

// ---------------------------------------------------------------------------------------------
// Mutations that make a pipeline invalid, each with the diagnostic code it must produce

export const MUTATION_KINDS = [
  'cycle',
  'modelIntoDataset',
  'artifactMismatch',
  'parameterMismatch',
  'wrongConstant',
  'missingInput',
  'unknownInput',
  'danglingTask',
  'duplicateTask',
  'invalidName',
  'unknownPipelineInput',
  'unknownOutput',
  'badPlaceholder',
] as const
export type MutationKind = (typeof MUTATION_KINDS)[number]

export const EXPECTED_CODE: Readonly<Record<MutationKind, DiagnosticCode>> = {
  cycle: 'E_CYCLE',
  modelIntoDataset: 'E_TYPE_MISMATCH',
  artifactMismatch: 'E_TYPE_MISMATCH',
  parameterMismatch: 'E_TYPE_MISMATCH',
  wrongConstant: 'E_TYPE_MISMATCH',
  missingInput: 'E_MISSING_INPUT',
  unknownInput: 'E_UNKNOWN_INPUT',
  danglingTask: 'E_UNKNOWN_TASK',
  duplicateTask: 'E_DUPLICATE_TASK',
  invalidName: 'E_INVALID_NAME',
  unknownPipelineInput: 'E_UNKNOWN_PIPELINE_INPUT',
  unknownOutput: 'E_UNKNOWN_OUTPUT',
  badPlaceholder: 'E_INVALID_PLACEHOLDER',
}

export interface Mutation {
  readonly kind: MutationKind
  /** Which pipeline to mutate: the root or one of the nested ones. */
  readonly scope: number
  readonly target: number
  readonly variant: number
}

export const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom(...MUTATION_KINDS),
  scope: fc.nat({ max: 7 }),
  target: fc.nat({ max: 63 }),
  variant: fc.nat({ max: 63 }),
})

export interface InvalidCase {
  readonly pipeline: PipelineNode
  readonly expected: DiagnosticCode
  /** What was changed, in words. */
  readonly change: string
}

const NOOP: ContainerComponentNode = { kind: 'container', name: 'noop', inputs: {}, outputs: {}, image: 'alpine:3.20' }

function syntheticTask(name: string, component: ComponentNode, inputs: Record<string, ValueSourceNode> = {}, after: string[] = []): TaskNode {
  return { kind: 'task', name, component, inputs, after, caching: { enabled: true }, env: [] }
}

/** Paths (body indices) to every pipeline in the tree, root first. */
function scopes(p: PipelineNode, path: number[] = []): number[][] {
  const out = [path]
  tasksOf(p).forEach((t, i) => {
    if (t.component.kind === 'pipeline') out.push(...scopes(t.component, [...path, i]))
  })
  return out
}

function atScope(p: PipelineNode, path: readonly number[], f: (q: PipelineNode) => PipelineNode): PipelineNode {
  if (path.length === 0) return f(p)
  const [head, ...rest] = path
  return {
    ...p,
    body: tasksOf(p).map((t, i) => (i === head && t.component.kind === 'pipeline' ? { ...t, component: atScope(t.component, rest, f) } : t)),
  }
}

function allTaskNames(p: PipelineNode, into = new Set<string>()): Set<string> {
  for (const t of tasksOf(p)) {
    into.add(t.name)
    if (t.component.kind === 'pipeline') allTaskNames(t.component, into)
  }
  return into
}

function replaceTask(p: PipelineNode, index: number, task: TaskNode): PipelineNode {
  return { ...p, body: tasksOf(p).map((t, i) => (i === index ? task : t)) }
}

/** The task with argument `input` replaced, added or (source undefined) removed; safe for any name, `__proto__` included. */
function withInput(task: TaskNode, input: string, source: ValueSourceNode | undefined): TaskNode {
  const kept = Object.entries(task.inputs).filter(([name]) => name !== input)
  return { ...task, inputs: Object.fromEntries(source === undefined ? kept : [...kept, [input, source]]) }
}

function renameTask(p: PipelineNode, from: string, to: string): PipelineNode {
  const src = (s: ValueSourceNode): ValueSourceNode => (s.kind === 'taskOutput' && s.task === from ? { ...s, task: to } : s)
  return {
    ...p,
    body: tasksOf(p).map((t) => ({
      ...t,
      name: t.name === from ? to : t.name,
      inputs: Object.fromEntries(Object.entries(t.inputs).map(([k, s]) => [k, src(s)])),
      after: t.after.map((a) => (a === from ? to : a)),
    })),
    outputs: Object.fromEntries(Object.entries(p.outputs).map(([k, o]) => [k, { ...o, from: src(o.from) }])),
  }
}

const WRONG_CONSTANTS: Readonly<Record<UsableParameterType, readonly JsonValue[]>> = {
  STRING: [1, true, null, ['a'], { a: 'b' }],
  NUMBER_INTEGER: ['1', 1.5, true, null, [1]],
  NUMBER_DOUBLE: ['1.5', true, null, {}],
  BOOLEAN: ['true', 0, 1, null],
  LIST: [{}, 'a,b', 1, null],
  STRUCT: [[], 'x', 1, null],
}

const ARTIFACT_CONSTANTS: readonly JsonValue[] = ['s3://bucket/data', 1, null, {}]

const INVALID_NAMES = ['Bad_Name', 'UPPER', 'has space', 'trailing-', '-leading', 'dot.name', '', 'x'.repeat(129), 'ünï'] as const

/** Certainly incompatible under KFP's rule: list vs single, or (neither side `system.Artifact`) another title or major version. */
function artifactsClash(given: ArtifactSpecNode, expected: ArtifactSpecNode): boolean {
  if (given.isList !== expected.isList) return true
  if (given.type.schemaTitle === 'system.Artifact' || expected.type.schemaTitle === 'system.Artifact') return false
  const major = (v: string) => v.split('.')[0]
  return given.type.schemaTitle !== expected.type.schemaTitle || major(given.type.schemaVersion) !== major(expected.type.schemaVersion)
}

interface Rewiring {
  readonly consumer: number
  readonly input: string
  readonly producer: string
  readonly output: string
  readonly given: IoSpecNode
  readonly expected: IoSpecNode
}

/** (consumer input, earlier producer output) pairs whose types clash. */
function mismatches(q: PipelineNode, clash: (given: IoSpecNode, expected: IoSpecNode) => boolean): Rewiring[] {
  const out: Rewiring[] = []
  tasksOf(q).forEach((t, consumer) => {
    for (const [input, expected] of Object.entries(t.component.inputs)) {
      for (const u of tasksOf(q).slice(0, consumer)) {
        for (const [output, given] of Object.entries(componentOutputs(u.component))) {
          if (clash(given, expected)) out.push({ consumer, input, producer: u.name, output, given, expected })
        }
      }
    }
  })
  return out
}

function rewire(q: PipelineNode, r: Rewiring): { pipeline: PipelineNode; change: string } {
  const t = tasksOf(q)[r.consumer]!
  return {
    pipeline: replaceTask(q, r.consumer, withInput(t, r.input, { kind: 'taskOutput', task: r.producer, output: r.output })),
    change: `${t.name}.${r.input} (${describeSpec(r.expected)}) now takes ${r.producer}.${r.output} (${describeSpec(r.given)})`,
  }
}

function appendPair(q: PipelineNode, outputs: Record<string, IoSpecNode>, inputs: Record<string, IoSpecNode>, what: string): { pipeline: PipelineNode; change: string } {
  const producer: ContainerComponentNode = { ...NOOP, name: 'producer', outputs }
  const consumer: ContainerComponentNode = { ...NOOP, name: 'consumer', inputs }
  return {
    pipeline: {
      ...q,
      body: [...tasksOf(q), syntheticTask('mut-producer', producer), syntheticTask('mut-consumer', consumer, { in: { kind: 'taskOutput', task: 'mut-producer', output: 'out' } })],
    },
    change: `added mut-producer feeding mut-consumer: ${what}`,
  }
}

/** (task index, argument name) of every argument of a declared input. */
function wiredInputs(q: PipelineNode): { index: number; input: string }[] {
  const out: { index: number; input: string }[] = []
  tasksOf(q).forEach((t, index) => {
    for (const input of Object.keys(t.inputs)) if (Object.hasOwn(t.component.inputs, input)) out.push({ index, input })
  })
  return out
}

type Mutator = (q: PipelineNode, target: number, variant: number, everyName: ReadonlySet<string>) => { pipeline: PipelineNode; change: string }

const mutators: Readonly<Record<MutationKind, Mutator>> = {
  cycle(q, target, variant) {
    const n = tasksOf(q).length
    if (n === 0) {
      return { pipeline: { ...q, body: [syntheticTask('mut-loop', NOOP, {}, ['mut-loop'])] }, change: 'added task mut-loop after itself' }
    }
    // A data edge closed by an `after` edge, when there is one and the variant asks for it.
    const edges: [number, number][] = []
    tasksOf(q).forEach((t, j) => {
      for (const s of Object.values(t.inputs)) {
        if (s.kind !== 'taskOutput') continue
        const i = tasksOf(q).findIndex((u) => u.name === s.task)
        if (i >= 0 && i !== j) edges.push([i, j])
      }
    })
    if (variant % 3 === 1 && edges.length > 0) {
      const [i, j] = pick(edges, target)
      const producer = tasksOf(q)[i]!
      const consumer = tasksOf(q)[j]!
      return {
        pipeline: replaceTask(q, i, { ...producer, after: [...producer.after, consumer.name] }),
        change: `${producer.name} (which feeds ${consumer.name}) now runs after ${consumer.name}`,
      }
    }
    const a = target % n
    if (variant % 3 === 0 || n === 1) {
      const t = tasksOf(q)[a]!
      return { pipeline: replaceTask(q, a, { ...t, after: [...t.after, t.name] }), change: `${t.name} runs after itself` }
    }
    const b = (a + 1 + (variant % (n - 1))) % n
    const [i, j] = a < b ? [a, b] : [b, a]
    const first = tasksOf(q)[i]!
    const second = tasksOf(q)[j]!
    let out = replaceTask(q, i, { ...first, after: [...first.after, second.name] })
    if (!second.after.includes(first.name)) out = replaceTask(out, j, { ...second, after: [...second.after, first.name] })
    return { pipeline: out, change: `${first.name} and ${second.name} run after each other` }
  },

  modelIntoDataset(q, target) {
    const candidates: { consumer: number; input: string; producer: string; output: string }[] = []
    tasksOf(q).forEach((t, j) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) {
        if (spec.kind !== 'artifact' || spec.isList || spec.type.schemaTitle !== 'system.Dataset') continue
        for (const u of tasksOf(q).slice(0, j)) {
          for (const [output, out] of Object.entries(componentOutputs(u.component))) {
            if (out.kind === 'artifact' && !out.isList && out.type.schemaTitle === 'system.Model') {
              candidates.push({ consumer: j, input, producer: u.name, output })
            }
          }
        }
      }
    })
    if (candidates.length > 0) {
      const c = pick(candidates, target)
      const consumer = tasksOf(q)[c.consumer]!
      return {
        pipeline: replaceTask(q, c.consumer, withInput(consumer, c.input, { kind: 'taskOutput', task: c.producer, output: c.output })),
        change: `${consumer.name}.${c.input} (Dataset) now takes ${c.producer}.${c.output} (Model)`,
      }
    }
    const model: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }, isList: false, optional: false }
    const dataset: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }, isList: false, optional: false }
    const producer: ContainerComponentNode = { ...NOOP, name: 'make-model', outputs: { model } }
    // A Dataset input but no Model upstream: insert a Model producer right before the consumer.
    const consumers: { index: number; input: string }[] = []
    tasksOf(q).forEach((t, index) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) {
        if (spec.kind === 'artifact' && !spec.isList && spec.type.schemaTitle === 'system.Dataset') consumers.push({ index, input })
      }
    })
    if (consumers.length > 0) {
      const c = pick(consumers, target)
      const t = tasksOf(q)[c.index]!
      const body = [...tasksOf(q).slice(0, c.index), syntheticTask('mut-model', producer), withInput(t, c.input, { kind: 'taskOutput', task: 'mut-model', output: 'model' }), ...tasksOf(q).slice(c.index + 1)]
      return { pipeline: { ...q, body }, change: `${t.name}.${c.input} (Dataset) now takes the Model of a new task mut-model` }
    }
    const consumer: ContainerComponentNode = { ...NOOP, name: 'read-data', inputs: { data: dataset } }
    return {
      pipeline: {
        ...q,
        body: [
          ...tasksOf(q),
          syntheticTask('mut-producer', producer),
          syntheticTask('mut-consumer', consumer, { data: { kind: 'taskOutput', task: 'mut-producer', output: 'model' } }),
        ],
      },
      change: 'added mut-producer (Model) feeding mut-consumer (Dataset)',
    }
  },

  artifactMismatch(q, target) {
    const candidates = mismatches(q, (given, expected) => given.kind === 'artifact' && expected.kind === 'artifact' && artifactsClash(given, expected))
    if (candidates.length > 0) return rewire(q, pick(candidates, target))
    const v1: IoSpecNode = { kind: 'artifact', type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '1.0.0' }, isList: false, optional: false }
    const v2: IoSpecNode = { ...v1, type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '2.1.0' } }
    return appendPair(q, { out: v2 }, { in: v1 }, 'FeatureSet@2.1.0 into FeatureSet@1.0.0')
  },

  parameterMismatch(q, target) {
    const candidates = mismatches(q, (given, expected) => given.kind === 'parameter' && expected.kind === 'parameter' && !parameterFits(given.type, expected.type))
    if (candidates.length > 0) return rewire(q, pick(candidates, target))
    const double: IoSpecNode = { kind: 'parameter', type: 'NUMBER_DOUBLE', optional: false }
    return appendPair(q, { out: double }, { in: { ...double, type: 'NUMBER_INTEGER' } }, 'NUMBER_DOUBLE into NUMBER_INTEGER')
  },

  wrongConstant(q, target, variant) {
    const candidates: { index: number; input: string; spec: IoSpecNode }[] = []
    tasksOf(q).forEach((t, index) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) candidates.push({ index, input, spec })
    })
    if (candidates.length > 0) {
      const c = pick(candidates, target)
      const value: JsonValue = c.spec.kind === 'parameter' ? pick(WRONG_CONSTANTS[c.spec.type as UsableParameterType], variant) : pick(ARTIFACT_CONSTANTS, variant)
      const t = tasksOf(q)[c.index]!
      return {
        pipeline: replaceTask(q, c.index, withInput(t, c.input, { kind: 'constant', value })),
        change: `${t.name}.${c.input} (${describeSpec(c.spec)}) given constant ${JSON.stringify(value)}`,
      }
    }
    const counter: ContainerComponentNode = { ...NOOP, name: 'count', inputs: { count_0: { kind: 'parameter', type: 'NUMBER_INTEGER', optional: false } } }
    return {
      pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-count', counter, { count_0: { kind: 'constant', value: 'ten' } })] },
      change: 'added mut-count with count_0 = "ten"',
    }
  },

  missingInput(q, target) {
    const candidates: { index: number; input: string }[] = []
    tasksOf(q).forEach((t, index) => {
      for (const [input, spec] of Object.entries(t.component.inputs)) if (!spec.optional && Object.hasOwn(t.inputs, input)) candidates.push({ index, input })
    })
    if (candidates.length > 0) {
      const c = pick(candidates, target)
      const t = tasksOf(q)[c.index]!
      return { pipeline: replaceTask(q, c.index, withInput(t, c.input, undefined)), change: `removed the argument of ${t.name}.${c.input}` }
    }
    const needy: ContainerComponentNode = { ...NOOP, name: 'needy', inputs: { text_0: { kind: 'parameter', type: 'STRING', optional: false } } }
    return { pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-needy', needy)] }, change: 'added mut-needy without its required text_0' }
  },

  unknownInput(q, target, variant) {
    if (tasksOf(q).length === 0) {
      return {
        pipeline: { ...q, body: [syntheticTask('mut-noop', NOOP, { nope: { kind: 'constant', value: 1 } })] },
        change: 'added mut-noop with an argument "nope"',
      }
    }
    const index = target % tasksOf(q).length
    const t = tasksOf(q)[index]!
    const declared = Object.keys(t.component.inputs)
    const first = declared[0]
    const candidates = ['nope', 'no_such_input', ...(first !== undefined ? [first.toUpperCase(), `${first}_`, ` ${first}`] : [])]
    let name = pick(candidates, variant)
    while (Object.hasOwn(t.component.inputs, name)) name = `${name}_x`
    return {
      pipeline: replaceTask(q, index, withInput(t, name, { kind: 'constant', value: 1 })),
      change: `${t.name} given undeclared argument ${JSON.stringify(name)}`,
    }
  },

  danglingTask(q, target, variant, everyName) {
    const here = new Set(tasksOf(q).map((t) => t.name))
    const elsewhere = [...everyName].filter((n) => !here.has(n))
    const ghosts = ['ghost', 'missing-task', ...elsewhere].filter((n) => !here.has(n))
    const ghost = pick(ghosts, variant >> 2)
    const how = variant % 4
    const wired: { index: number; input: string }[] = []
    tasksOf(q).forEach((t, index) => {
      for (const input of Object.keys(t.inputs)) if (Object.hasOwn(t.component.inputs, input)) wired.push({ index, input })
    })
    const outputNames = Object.keys(q.outputs)
    if (how === 1 && wired.length > 0) {
      const c = pick(wired, target)
      const t = tasksOf(q)[c.index]!
      return {
        pipeline: replaceTask(q, c.index, withInput(t, c.input, { kind: 'taskOutput', task: ghost, output: 'out' })),
        change: `${t.name}.${c.input} now reads ${ghost}.out`,
      }
    }
    if (how === 2 && outputNames.length > 0) {
      const name = pick(outputNames, target)
      const out = q.outputs[name]!
      return {
        pipeline: { ...q, outputs: { ...q.outputs, [name]: { ...out, from: { kind: 'taskOutput', task: ghost, output: 'out' } } } },
        change: `pipeline output ${name} now reads ${ghost}.out`,
      }
    }
    if (tasksOf(q).length === 0) {
      return { pipeline: { ...q, body: [syntheticTask('mut-waiter', NOOP, {}, [ghost])] }, change: `added mut-waiter after ${ghost}` }
    }
    const index = target % tasksOf(q).length
    const t = tasksOf(q)[index]!
    return { pipeline: replaceTask(q, index, { ...t, after: [...t.after, ghost] }), change: `${t.name} now runs after ${ghost}` }
  },

  duplicateTask(q, target, variant) {
    const n = tasksOf(q).length
    if (n === 0) {
      return { pipeline: { ...q, body: [syntheticTask('mut-twin', NOOP), syntheticTask('mut-twin', NOOP)] }, change: 'added two tasks named mut-twin' }
    }
    const original = tasksOf(q)[target % n]!
    if (variant % 2 === 0) {
      const at = (variant >> 1) % (n + 1)
      return { pipeline: { ...q, body: [...tasksOf(q).slice(0, at), original, ...tasksOf(q).slice(at)] }, change: `copy of ${original.name} inserted at ${at}` }
    }
    return { pipeline: { ...q, body: [...tasksOf(q), syntheticTask(original.name, NOOP)] }, change: `another task named ${original.name} appended` }
  },

  invalidName(q, target, variant) {
    const bad = pick(INVALID_NAMES, variant)
    if (tasksOf(q).length === 0 || variant % 5 === 4) return { pipeline: { ...q, name: bad }, change: `pipeline renamed to ${JSON.stringify(bad)}` }
    const t = tasksOf(q)[target % tasksOf(q).length]!
    return { pipeline: renameTask(q, t.name, bad), change: `task ${t.name} renamed to ${JSON.stringify(bad)} (references too)` }
  },

  unknownPipelineInput(q, target) {
    const wired = wiredInputs(q)
    let name = 'no_such_input'
    while (Object.hasOwn(q.inputs, name)) name = `${name}_x`
    if (wired.length > 0) {
      const c = pick(wired, target)
      const t = tasksOf(q)[c.index]!
      return { pipeline: replaceTask(q, c.index, withInput(t, c.input, { kind: 'pipelineInput', name })), change: `${t.name}.${c.input} now reads inputs.${name}` }
    }
    const any: ContainerComponentNode = { ...NOOP, name: 'takes-any', inputs: { in: { kind: 'parameter', type: 'STRING', optional: false } } }
    return { pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-reader', any, { in: { kind: 'pipelineInput', name } })] }, change: `added mut-reader of inputs.${name}` }
  },

  unknownOutput(q, target, variant) {
    const wired = wiredInputs(q).filter((c) => c.index > 0)
    const outputNames = Object.keys(q.outputs)
    if (variant % 3 === 2 && outputNames.length > 0) {
      const name = pick(outputNames, target)
      const out = q.outputs[name]!
      if (out.from.kind === 'taskOutput') {
        return {
          pipeline: { ...q, outputs: { ...q.outputs, [name]: { ...out, from: { ...out.from, output: 'no_such_output' } } } },
          change: `pipeline output ${name} now reads ${out.from.task}.no_such_output`,
        }
      }
    }
    if (wired.length > 0) {
      const c = pick(wired, target)
      const t = tasksOf(q)[c.index]!
      const producer = pick(tasksOf(q).slice(0, c.index), variant)
      return {
        pipeline: replaceTask(q, c.index, withInput(t, c.input, { kind: 'taskOutput', task: producer.name, output: 'no_such_output' })),
        change: `${t.name}.${c.input} now reads ${producer.name}.no_such_output`,
      }
    }
    const any: ContainerComponentNode = { ...NOOP, name: 'takes-any', inputs: { in: { kind: 'parameter', type: 'STRING', optional: false } } }
    return {
      pipeline: {
        ...q,
        body: [...tasksOf(q), syntheticTask('mut-source', NOOP), syntheticTask('mut-reader', any, { in: { kind: 'taskOutput', task: 'mut-source', output: 'nope' } })],
      },
      change: 'added mut-reader of mut-source.nope',
    }
  },

  badPlaceholder(q, target, variant) {
    const containers = tasksOf(q).flatMap((t, index) => (t.component.kind === 'container' ? [{ index, component: t.component }] : []))
    const refs = ['inputValue', 'inputPath', 'outputPath', 'outputParameterFile'] as const
    if (containers.length > 0) {
      const c = pick(containers, target)
      const ref = pick(refs, variant)
      const side = ref.startsWith('input') ? c.component.inputs : c.component.outputs
      // Either a name the component lacks, or an existing one of the wrong kind for this placeholder.
      const wrongKind = Object.entries(side).find(([, spec]) => (spec.kind === 'artifact') === (ref === 'inputValue' || ref === 'outputParameterFile'))
      let name = wrongKind !== undefined && variant % 2 === 1 ? wrongKind[0] : 'ghost'
      if (name === 'ghost') while (Object.hasOwn(side, name)) name = `${name}_x`
      const placeholder: PlaceholderNode = { kind: 'placeholder', ref, name }
      const component: ContainerComponentNode = { ...c.component, args: [...(c.component.args ?? []), text('--bad=', placeholder)] }
      const t = tasksOf(q)[c.index]!
      return { pipeline: replaceTask(q, c.index, { ...t, component }), change: `${t.name}'s command line gained ${ref}:${name}` }
    }
    const broken: ContainerComponentNode = { ...NOOP, name: 'broken', command: [text({ kind: 'placeholder', ref: 'inputValue', name: 'ghost' })] }
    return { pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-broken', broken)] }, change: 'added mut-broken whose command reads inputValue:ghost' }
  },
}

/** Applies a mutation to a valid pipeline; the result must fail with `expected` (and only that code). */
export function applyMutation(p: PipelineNode, m: Mutation): InvalidCase {
  const path = pick(scopes(p), m.scope)
  const everyName = allTaskNames(p)
  let change = ''
  const mutated = atScope(p, path, (q) => {
    const r = mutators[m.kind](q, m.target, m.variant, everyName)
    change = r.change
    return r.pipeline
  })
  const where = path.length === 0 ? 'root' : `nested pipeline at body[${path.join('].body[')}]`
  const result: InvalidCase = { pipeline: deepFreeze(mutated), expected: EXPECTED_CODE[m.kind], change: `${m.kind} in ${where}: ${change}` }
  return printable(result, () => `${result.change}\nexpect ${result.expected}\n${formatPipeline(result.pipeline)}`)
}

/** A valid pipeline made invalid by one mutation, with the code the compiler must report. */
export function invalidPipelineArb(options: ValidPipelineOptions = {}): fc.Arbitrary<InvalidCase> {
  return fc.tuple(pipelineChoiceArb(options.maxDepth ?? 2, options.maxTasks ?? 8), mutationArb).map(([choice, m]) => applyMutation(materialise(choice), m))
}

// ---------------------------------------------------------------------------------------------
// Names that every plain object already "has"

/** Names of `Object.prototype` members: a lookup with `record[name]` or `name in record` finds them on any object. */
export const PROTOTYPE_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__'] as const

export const PROTOTYPE_MUTATION_KINDS = ['unknownInput', 'unknownPipelineInput', 'unknownOutput', 'missingInput'] as const
export type PrototypeMutationKind = (typeof PROTOTYPE_MUTATION_KINDS)[number]

export interface PrototypeMutation {
  readonly kind: PrototypeMutationKind
  readonly name: (typeof PROTOTYPE_NAMES)[number]
  readonly scope: number
  readonly target: number
}

export const prototypeMutationArb: fc.Arbitrary<PrototypeMutation> = fc.record({
  kind: fc.constantFrom(...PROTOTYPE_MUTATION_KINDS),
  name: fc.constantFrom(...PROTOTYPE_NAMES),
  scope: fc.nat({ max: 7 }),
  target: fc.nat({ max: 63 }),
})

const PROTOTYPE_EXPECTED: Readonly<Record<PrototypeMutationKind, DiagnosticCode>> = {
  unknownInput: 'E_UNKNOWN_INPUT',
  unknownPipelineInput: 'E_UNKNOWN_PIPELINE_INPUT',
  unknownOutput: 'E_UNKNOWN_OUTPUT',
  missingInput: 'E_MISSING_INPUT',
}

function prototypeMutator(m: PrototypeMutation): (q: PipelineNode) => { pipeline: PipelineNode; change: string } {
  const name = m.name
  const reader: ContainerComponentNode = { ...NOOP, name: 'reader', inputs: { in: { kind: 'parameter', type: 'STRING', optional: false } } }
  return (q) => {
    switch (m.kind) {
      case 'unknownInput': {
        if (tasksOf(q).length === 0) return { pipeline: { ...q, body: [syntheticTask('mut-noop', NOOP, Object.fromEntries([[name, { kind: 'constant', value: 1 }]]))] }, change: `added mut-noop with an argument ${JSON.stringify(name)}` }
        const index = m.target % tasksOf(q).length
        const t = tasksOf(q)[index]!
        return { pipeline: replaceTask(q, index, withInput(t, name, { kind: 'constant', value: 1 })), change: `${t.name} given undeclared argument ${JSON.stringify(name)}` }
      }
      case 'unknownPipelineInput': {
        const wired = wiredInputs(q)
        if (wired.length === 0) return { pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-reader', reader, { in: { kind: 'pipelineInput', name } })] }, change: `added mut-reader of inputs.${name}` }
        const c = pick(wired, m.target)
        const t = tasksOf(q)[c.index]!
        return { pipeline: replaceTask(q, c.index, withInput(t, c.input, { kind: 'pipelineInput', name })), change: `${t.name}.${c.input} now reads inputs.${name}` }
      }
      case 'unknownOutput': {
        const wired = wiredInputs(q).filter((c) => c.index > 0)
        if (wired.length === 0) {
          return {
            pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-source', NOOP), syntheticTask('mut-reader', reader, { in: { kind: 'taskOutput', task: 'mut-source', output: name } })] },
            change: `added mut-reader of mut-source.${name}`,
          }
        }
        const c = pick(wired, m.target)
        const t = tasksOf(q)[c.index]!
        const producer = pick(tasksOf(q).slice(0, c.index), m.target)
        return { pipeline: replaceTask(q, c.index, withInput(t, c.input, { kind: 'taskOutput', task: producer.name, output: name })), change: `${t.name}.${c.input} now reads ${producer.name}.${name}` }
      }
      case 'missingInput': {
        const needy: ContainerComponentNode = { ...NOOP, name: 'needy', inputs: Object.fromEntries([[name, { kind: 'parameter', type: 'STRING', optional: false }]]) }
        return { pipeline: { ...q, body: [...tasksOf(q), syntheticTask('mut-needy', needy)] }, change: `added mut-needy without its required input ${JSON.stringify(name)}` }
      }
    }
  }
}

/** A valid pipeline with one reference or argument named after an `Object.prototype` member, and the code it must get. */
export function applyPrototypeMutation(p: PipelineNode, m: PrototypeMutation): InvalidCase {
  const path = pick(scopes(p), m.scope)
  let change = ''
  const mutate = prototypeMutator(m)
  const mutated = atScope(p, path, (q) => {
    const r = mutate(q)
    change = r.change
    return r.pipeline
  })
  const where = path.length === 0 ? 'root' : `nested pipeline at body[${path.join('].body[')}]`
  const result: InvalidCase = { pipeline: deepFreeze(mutated), expected: PROTOTYPE_EXPECTED[m.kind], change: `${m.kind} (${m.name}) in ${where}: ${change}` }
  return printable(result, () => `${result.change}\nexpect ${result.expected}\n${formatPipeline(result.pipeline)}`)
}

export function prototypeNameCaseArb(options: ValidPipelineOptions = {}): fc.Arbitrary<InvalidCase> {
  return fc
    .tuple(pipelineChoiceArb(options.maxDepth ?? 2, options.maxTasks ?? 8), prototypeMutationArb)
    .map(([choice, m]) => applyPrototypeMutation(materialise(choice), m))
}
