/**
 * THE fast-check generator of typed Typeflow pipelines, used by every property suite (and by
 * test/argo/random.test.ts). It covers, in one generator:
 *
 * - parameters of every type (tricky YAML strings, extreme numbers, nested JSON lists and structs),
 *   defaults, optional inputs, descriptions; artifacts of every system type and of a user type in two
 *   versions, single and lists, as inputs and outputs;
 * - container components with three command-line styles (placeholders, `concat`, `ifPresent` with
 *   `else`, URIs, a runtime placeholder), reused by several tasks; importers; nested pipelines used
 *   as components (reused too, and inside groups);
 * - conditions (`if`, if/elif/else chains) on and/or/not of comparisons over pipeline inputs, task
 *   outputs, loop items and their struct fields, and oneOf values; loops over static lists, list
 *   parameters, task outputs, outer items and fan-in lists, and lists of artifacts; parallelism;
 *   fan-in (`collected`) after one or several loops; `oneOf`; exit handlers whose exit task reads the
 *   final status; `ignoreUpstreamFailure`;
 * - task settings: display names, caching per task (on, off, custom key, inherited) and per pipeline,
 *   env, resources (cpu and memory requests and limits, accelerators), retry policies, `after`.
 *
 * Everything is generated as small "choices" first and then materialised deterministically into a
 * {@link PipelineNode}: shrinking works on the choices (fewer members, shallower groups, constants
 * instead of references) and every materialised value is valid by construction, so a shrunk
 * counterexample is a small valid pipeline. Generated pipelines carry a non-enumerable fast-check
 * `toString` that prints them as DSL-like text ({@link formatPipeline}), which is what a failing
 * property reports as its counterexample.
 *
 * The IR is what the DSL builds: unique task names, group ids following the DSL's (and KFP's)
 * counter, loop item types as `dag.forEach` infers them, pipeline output specs as `pipeline()`
 * derives them. {@link rebuildWithDsl} re-declares a generated pipeline through the DSL.
 *
 * - {@link pipelineArb}: valid pipelines. `{ argo: true }` leaves out what the Argo target reports
 *   it cannot express (ARGO_LIMITS); `{ depth: 0 }` makes flat pipelines (no groups).
 * - {@link validPipelineArb}: flat, Argo-expressible pipelines (what test/argo/random.test.ts uses).
 * - {@link shuffleDeclarations}, {@link renameTasks}, {@link renumberGroups}, {@link stripPresentation}:
 *   the same pipeline written differently. Invalid pipelines are in ./mutations.ts.
 */
import fc from 'fast-check'
import type {
  ArtifactSpecNode,
  ArtifactTypeNode,
  BodyNode,
  BranchesNode,
  CommandArgNode,
  ComparisonOperator,
  ComponentNode,
  ConditionNode,
  ContainerComponentNode,
  EnvVarNode,
  ExitHandlerNode,
  ImporterComponentNode,
  IoSpecNode,
  JsonValue,
  LoopItemsNode,
  LoopNode,
  ParameterType,
  PipelineNode,
  PipelineOutputNode,
  PlaceholderNode,
  PredicateNode,
  ResourcesNode,
  RetryNode,
  TaskNode,
  TaskOutputSourceNode,
  ValueSourceNode,
} from '@typeflow/dsl'
import {
  allTasks,
  and,
  type AnyTask,
  collected,
  componentOutputs,
  deepFreeze,
  eq,
  fmt,
  ge,
  gt,
  type InputSpecs,
  le,
  lt,
  ne,
  not,
  or,
  type ParamRef,
  type ParamSpec,
  pipeline as dslPipeline,
  type Predicate,
  type Runnable,
  type TaskOptions,
} from '@typeflow/dsl'

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

const DATASET: ArtifactTypeNode = { schemaTitle: 'system.Dataset', schemaVersion: '0.0.1' }
const MODEL: ArtifactTypeNode = { schemaTitle: 'system.Model', schemaVersion: '0.0.1' }
const GENERIC: ArtifactTypeNode = { schemaTitle: 'system.Artifact', schemaVersion: '0.0.1' }

/** Artifact types, with the word used in generated names. The last two are a user type in two major versions. */
export const ARTIFACT_TYPES: readonly { readonly type: ArtifactTypeNode; readonly word: string }[] = [
  { type: DATASET, word: 'dataset' },
  { type: MODEL, word: 'model' },
  { type: GENERIC, word: 'artifact' },
  { type: { schemaTitle: 'system.Metrics', schemaVersion: '0.0.1' }, word: 'metrics' },
  { type: { schemaTitle: 'system.ClassificationMetrics', schemaVersion: '0.0.1' }, word: 'cls_metrics' },
  { type: { schemaTitle: 'system.SlicedClassificationMetrics', schemaVersion: '0.0.1' }, word: 'sliced_metrics' },
  { type: { schemaTitle: 'system.HTML', schemaVersion: '0.0.1' }, word: 'html' },
  { type: { schemaTitle: 'system.Markdown', schemaVersion: '0.0.1' }, word: 'markdown' },
  { type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '1.0.0' }, word: 'features' },
  { type: { schemaTitle: 'acme.FeatureSet', schemaVersion: '2.1.0' }, word: 'features_v2' },
]

/** Component names (some need sanitizing) and the task names the DSL derives from them. */
const COMPONENT_NAMES: readonly { readonly name: string; readonly word: string }[] = [
  { name: 'prep', word: 'prep' },
  { name: 'Train Model', word: 'train-model' },
  { name: 'evaluate_v2', word: 'evaluate-v2' },
  { name: 'push', word: 'push' },
  { name: 'score', word: 'score' },
  { name: 'load-data', word: 'load-data' },
]
const EXIT_WORDS = ['notify', 'cleanup', 'report'] as const
const PIPELINE_NAMES = ['flow', 'train-eval', 'p0', 'nightly-retrain-2'] as const
const SUB_NAMES = ['sub', 'inner-flow', 'stage-2'] as const
const IMAGES = [
  'alpine:3.20',
  'python:3.12-slim',
  'ghcr.io/acme/train@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
] as const
const CPU = ['100m', '500m', '1', '2', '0.5', '1500m'] as const
const MEMORY = ['128Mi', '512Mi', '1Gi', '16Gi', '1G', '500M', '1.5Gi'] as const
/** The quantities above as numbers: a request above its limit is a diagnostic (Kubernetes refuses the pod). */
const CPU_AMOUNTS = [0.1, 0.5, 1, 2, 0.5, 1.5] as const
const MEMORY_AMOUNTS = [128 * 2 ** 20, 512 * 2 ** 20, 2 ** 30, 16 * 2 ** 30, 1e9, 5e8, 1.5 * 2 ** 30] as const
const ACCELERATORS = ['nvidia.com/gpu', 'NVIDIA_TESLA_T4', 'tpu-v3'] as const
const URIS = ['s3://bucket/data.csv', 'gs://ml-data/train.csv', 'https://example.com/data.csv'] as const
const URI_DEFAULT = 's3://bucket/path/to/data.csv'
const DESCRIPTIONS = ['Trains and evaluates.', 'Line one.\nLine two: with a colon.', '  padded  ', "it's \"quoted\""] as const
const OPS: readonly ComparisonOperator[] = ['==', '!=', '<', '<=', '>', '>=']
const STRUCT_KEYS = ['a', 'b', 'xs'] as const

/**
 * What the Argo target reports it cannot express (E_SCHEMA, "cannot express"): a fan-in of
 * artifacts (`collected` of an artifact output; Argo does not aggregate artifacts of looped tasks)
 * and loops over lists of artifacts. `{ argo: true }` generators leave these two out.
 */
export const ARGO_LIMITS = ['collected artifacts (fan-in of artifacts)', 'loops over lists of artifacts'] as const

/**
 * Strings that stress YAML quoting (YAML 1.1 booleans/nulls/numbers/timestamps, indicators,
 * line breaks, unicode, long lines). Deliberately excludes scalars that YAML 1.1 (PyYAML, which
 * Typeflow's writer mirrors) reads as strings but YAML 1.2 reads as numbers (`1e3`, `0o17`,
 * `-.5`), since the properties parse the output with both; see the random-string alphabet too.
 */
export const TRICKY_STRINGS: readonly string[] = [
  '', 'hello', 'yes', 'no', 'null', '~', 'true', 'False', '1.5', '42', '2024-01-01', 'a: b', '- item', '# not a comment',
  'multi\nline\n', ' padded ', "it's", '"quoted"', '{braces}', '[brackets]', 'ünïcödé ☃ 日本', 'v1.2.3', `${'x'.repeat(90)} tail`,
  'tab\there', '*star', '&anchor', '!tag', '%percent', '@at', '`tick', '? q', '|', '>', '{{workflow.name}}', '{{inputs.parameters.x}}',
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
const doubleArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(0.5, 0.82, 1e-5, 2.5, 3, 2.5e21) },
  { weight: 2, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
)
const integerArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: -100, max: 1000 }) }, { weight: 1, arbitrary: fc.maxSafeInteger() })

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

/** One constant of every parameter type; the materialiser takes the one a place needs. */
export interface Seed {
  readonly s: string
  readonly i: number
  readonly d: number
  readonly b: boolean
  readonly l: readonly JsonValue[]
  readonly o: { readonly [key: string]: JsonValue }
}

const ZERO_SEED: Seed = { s: '', i: 0, d: 0, b: false, l: [], o: {} }

const seedArb: fc.Arbitrary<Seed> = fc.record({
  s: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('a', 'heads', 'prod', '') }, { weight: 2, arbitrary: stringArb }),
  i: integerArb,
  d: doubleArb,
  b: fc.boolean(),
  l: fc.array(jsonValueArb, { maxLength: 3 }),
  o: fc.dictionary(keyArb, jsonValueArb, { maxKeys: 3, noNullPrototype: true }),
})

const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })

/**
 * An input or output declaration. `type` 0-5: a parameter (PARAMETER_TYPES), 6-8: an artifact of
 * ARTIFACT_TYPES[`artifact`], a list when `list`. `mode` (inputs): 0 required, 1 with a default
 * (parameters), 2 optional without default.
 */
export interface SpecChoice {
  readonly type: number
  readonly artifact: number
  readonly list: boolean
  readonly mode: number
  readonly value: Seed
  readonly described: boolean
}

const specChoiceArb: fc.Arbitrary<SpecChoice> = fc.record({
  type: fc.nat({ max: 8 }),
  artifact: fc.nat({ max: ARTIFACT_TYPES.length - 1 }),
  list: rarely,
  mode: fc.nat({ max: 2 }),
  value: seedArb,
  described: rarely,
})

export interface ContainerChoice {
  readonly name: number
  readonly image: number
  readonly inputs: readonly SpecChoice[]
  readonly outputs: readonly SpecChoice[]
  /** 0: no command (image entrypoint), 1: command with placeholders, 2: command + args with concat, ifPresent/else, URIs. */
  readonly style: number
  readonly described: boolean
}

const containerChoiceArb: fc.Arbitrary<ContainerChoice> = fc.record({
  name: fc.nat({ max: COMPONENT_NAMES.length - 1 }),
  image: fc.nat({ max: IMAGES.length - 1 }),
  inputs: fc.array(specChoiceArb, { maxLength: 4 }),
  outputs: fc.array(specChoiceArb, { maxLength: 3 }),
  style: fc.nat({ max: 2 }),
  described: rarely,
})

/** How one input is fed. `src`: 0 constant, 1 pipeline input first, 2-3 a visible value first. */
export interface ArgChoice {
  readonly src: number
  readonly index: number
  readonly omit: boolean
  readonly value: Seed
}

const argChoiceArb: fc.Arbitrary<ArgChoice> = fc.record({ src: fc.nat({ max: 3 }), index: fc.nat({ max: 31 }), omit: fc.boolean(), value: seedArb })
const DEFAULT_ARG: ArgChoice = { src: 0, index: 0, omit: false, value: ZERO_SEED }

export interface ResourcesChoice {
  readonly cpuRequest: number | null
  readonly cpuLimit: number | null
  readonly memoryRequest: number | null
  readonly memoryLimit: number | null
  readonly accelerator: { readonly type: number; readonly count: number } | null
}

export interface SettingsChoice {
  readonly displayName: string | null
  /** 0 inherit, 1 on, 2 off, 3 on with a custom key. */
  readonly caching: number
  readonly cacheKey: string
  readonly env: readonly string[]
  readonly resources: ResourcesChoice | null
  readonly retry: RetryNode | null
  /** Indices into the tasks declared earlier in the pipeline (any scope). */
  readonly after: readonly number[]
  /** 0 no, 1 ignoreUpstreamFailure, 2 ignoreUpstreamFailure and read the final status of one sibling. */
  readonly ignoreUpstream: number
}

const resourcesChoiceArb: fc.Arbitrary<ResourcesChoice> = fc.record({
  cpuRequest: fc.option(fc.nat({ max: CPU.length - 1 })),
  cpuLimit: fc.option(fc.nat({ max: CPU.length - 1 })),
  memoryRequest: fc.option(fc.nat({ max: MEMORY.length - 1 })),
  memoryLimit: fc.option(fc.nat({ max: MEMORY.length - 1 })),
  accelerator: fc.option(fc.record({ type: fc.nat({ max: ACCELERATORS.length - 1 }), count: fc.integer({ min: 1, max: 8 }) }), { freq: 3 }),
})

const retryArb: fc.Arbitrary<RetryNode> = fc.record({
  maxRetryCount: fc.nat({ max: 10 }),
  backoffSeconds: fc.nat({ max: 600 }),
  backoffFactor: fc.constantFrom(2, 0, 1, 1.5, 3),
  backoffMaxSeconds: fc.nat({ max: 7200 }),
})

const settingsArb: fc.Arbitrary<SettingsChoice> = fc.record({
  displayName: fc.option(fc.oneof(fc.constantFrom('Step', 'Train model'), stringArb), { freq: 4 }),
  caching: fc.nat({ max: 3 }),
  cacheKey: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('k1', 'v2-key', 'shared') }, { weight: 1, arbitrary: stringArb }),
  env: fc.array(fc.oneof(fc.constantFrom('1', 'debug', 'a b'), stringArb), { maxLength: 3 }),
  resources: fc.option(resourcesChoiceArb, { freq: 3 }),
  retry: fc.option(retryArb, { freq: 4 }),
  after: fc.array(fc.nat({ max: 31 }), { maxLength: 2 }),
  ignoreUpstream: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }, { weight: 2, arbitrary: fc.constant(2) }),
})

export interface OperandChoice {
  readonly ref: boolean
  readonly index: number
  readonly value: Seed
}

export type PredicateChoice =
  | { readonly tag: 'compare'; readonly op: number; readonly kind: number; readonly left: OperandChoice; readonly right: OperandChoice }
  | { readonly tag: 'and' | 'or'; readonly items: readonly PredicateChoice[] }
  | { readonly tag: 'not'; readonly item: PredicateChoice }

const operandArb: fc.Arbitrary<OperandChoice> = fc.record({ ref: fc.boolean(), index: fc.nat({ max: 31 }), value: seedArb })
const compareArb: fc.Arbitrary<PredicateChoice> = fc.record({
  tag: fc.constant('compare' as const),
  op: fc.nat({ max: OPS.length - 1 }),
  kind: fc.nat({ max: 2 }),
  left: operandArb.map((o) => ({ ...o, ref: true })),
  right: operandArb,
})
const predicateArb: fc.Arbitrary<PredicateChoice> = fc.letrec<{ p: PredicateChoice }>((tie) => ({
  p: fc.oneof(
    { depthSize: 'small', maxDepth: 2, withCrossShrink: true },
    { weight: 4, arbitrary: compareArb },
    { weight: 1, arbitrary: fc.record({ tag: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('p'), { minLength: 2, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ tag: fc.constant('not' as const), item: tie('p') }) },
  ),
})).p

export interface TaskChoice {
  readonly tag: 'task'
  readonly component: ContainerChoice
  /** Run an earlier container component of this pipeline (same object) instead. */
  readonly reuse: number | null
  readonly args: readonly ArgChoice[]
  readonly settings: SettingsChoice
}
export interface ImporterChoice {
  readonly tag: 'importer'
  /** An index into URIS, or URIS.length for the root pipeline input `uri` (with a default URI). */
  readonly uri: number
  readonly type: number
  readonly reimport: boolean
  readonly metadata: boolean
  readonly settings: SettingsChoice
}
export interface NestedChoice {
  readonly tag: 'nested'
  readonly pipeline: PipelineChoice
  /** Run an earlier nested pipeline of this pipeline (same object) instead. */
  readonly reuse: number | null
  readonly args: readonly ArgChoice[]
  readonly settings: SettingsChoice
}
export interface IfChoice {
  readonly tag: 'if'
  readonly predicate: PredicateChoice
  readonly body: readonly NodeChoice[]
  readonly displayName: boolean
}
export interface BranchesChoice {
  readonly tag: 'branches'
  readonly branches: readonly { readonly predicate: PredicateChoice; readonly body: readonly NodeChoice[] }[]
  readonly otherwise: readonly NodeChoice[] | null
  /** With an else: every branch ends with a `pick` task producing this type, read after the chain with oneOf. */
  readonly yieldType: SpecChoice | null
  /** A `consume` task right after the chain reads that oneOf. */
  readonly consume: boolean
  /** Each `pick` stands under a condition of its own inside its branch (a run may take the branch and skip it). */
  readonly pickUnder: PredicateChoice | null
  /** Each `pick` waits for a task declared earlier in its branch (the `pickAfter`-th, when there is one). */
  readonly pickAfter: number | null
}
export interface RawChoice {
  /** 0 integers, 1 doubles, 2 strings, 3 booleans, 4 structs {a, b, xs}, 5 lists. */
  readonly shape: number
  readonly values: readonly Seed[]
}
export interface LoopChoice {
  readonly tag: 'loop'
  /** 0 a static list, 1 a list parameter visible here, 2 a list of artifacts. */
  readonly from: number
  readonly raw: RawChoice
  readonly index: number
  /** For lists known at run time: the declared item type (`{ item: param.int() }`), else inferred from use. */
  readonly declared: number | null
  readonly parallelism: number | null
  readonly displayName: boolean
  readonly body: readonly NodeChoice[]
  /** A `gather` task right after the loop reads one of its fan-in lists (the `index`-th). */
  readonly gather: boolean
}
export interface ExitChoice {
  readonly tag: 'exit'
  readonly task: TaskChoice
  readonly body: readonly NodeChoice[]
  readonly displayName: boolean
}
export type NodeChoice = TaskChoice | ImporterChoice | NestedChoice | IfChoice | BranchesChoice | LoopChoice | ExitChoice

export interface PipelineChoice {
  readonly name: number
  readonly inputs: readonly SpecChoice[]
  readonly body: readonly NodeChoice[]
  readonly outputs: readonly number[]
  /** 0 unset, 1 on, 2 off. */
  readonly caching: number
  readonly description: string | null
  readonly displayName: string | null
  readonly pipelineRoot: boolean
}

/** Item types a loop over a run-time list may declare (`{ item: param.int() }`); otherwise they are inferred from use. */
const DECLARED_ITEM_TYPES: readonly ParameterType[] = ['NUMBER_INTEGER', 'NUMBER_DOUBLE', 'BOOLEAN']

const taskChoiceArb: fc.Arbitrary<TaskChoice> = fc.record({
  tag: fc.constant('task' as const),
  component: containerChoiceArb,
  reuse: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 7 }) }),
  args: fc.array(argChoiceArb, { maxLength: 5 }),
  settings: settingsArb,
})

const importerChoiceArb: fc.Arbitrary<ImporterChoice> = fc.record({
  tag: fc.constant('importer' as const),
  uri: fc.nat({ max: URIS.length }),
  type: fc.nat({ max: 2 }),
  reimport: fc.boolean(),
  metadata: rarely,
  settings: settingsArb,
})

export interface GeneratorOptions {
  /** Leave out what the Argo target cannot express (see ARGO_LIMITS). @default false */
  readonly argo?: boolean
  /** Group nesting depth; 0 makes flat pipelines (tasks, importers and nested pipelines only). @default 2 */
  readonly depth?: number
  /** Nested pipeline depth. @default 2 */
  readonly nesting?: number
  /** Most members of the root body. @default 6 */
  readonly maxMembers?: number
  /**
   * Also generate what KNOWN_BUGS lists (the properties then fail until those are fixed).
   * @default false, so that the suites pass until they are fixed
   */
  readonly knownBugs?: boolean
}

/**
 * Constructs the generator leaves out by default because the compiler gets them wrong (found by
 * these properties; see the `it.fails` tests in known-bugs.test.ts). `knownBugs: true`
 * (the tests: `TYPEFLOW_KNOWN_BUGS=1`) puts them back.
 */
export const KNOWN_BUGS: readonly string[] = []

const bodyCache = new Map<string, fc.Arbitrary<readonly NodeChoice[]>>()

function bodyArb(depth: number, nesting: number, maxLength: number): fc.Arbitrary<readonly NodeChoice[]> {
  const key = `${depth}/${nesting}/${maxLength}`
  const cached = bodyCache.get(key)
  if (cached) return cached
  const inner = (): fc.Arbitrary<readonly NodeChoice[]> => bodyArb(depth - 1, nesting, 3)
  const options: fc.WeightedArbitrary<NodeChoice>[] = [{ weight: 8, arbitrary: taskChoiceArb }, { weight: 1, arbitrary: importerChoiceArb }]
  if (nesting > 0) {
    options.push({
      weight: 1,
      arbitrary: fc.record({
        tag: fc.constant('nested' as const),
        pipeline: pipelineChoiceArb(Math.min(depth, 1), nesting - 1, 3),
        reuse: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 3 }) }),
        args: fc.array(argChoiceArb, { maxLength: 5 }),
        settings: settingsArb,
      }),
    })
  }
  if (depth > 0) {
    options.push(
      { weight: 2, arbitrary: fc.record({ tag: fc.constant('if' as const), predicate: predicateArb, body: inner(), displayName: rarely }) },
      {
        weight: 2,
        arbitrary: fc.record({
          tag: fc.constant('branches' as const),
          branches: fc.array(fc.record({ predicate: predicateArb, body: inner() }), { minLength: 1, maxLength: 3 }),
          otherwise: fc.option(inner(), { freq: 3, nil: null }),
          yieldType: fc.option(specChoiceArb, { freq: 2, nil: null }),
          consume: fc.boolean(),
          pickUnder: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: predicateArb }),
          pickAfter: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.nat({ max: 31 }) }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          tag: fc.constant('loop' as const),
          from: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }),
          raw: fc.record({ shape: fc.nat({ max: 5 }), values: fc.array(seedArb, { minLength: 1, maxLength: 3 }) }),
          index: fc.nat({ max: 31 }),
          declared: fc.option(fc.nat({ max: DECLARED_ITEM_TYPES.length - 1 }), { freq: 2, nil: null }),
          parallelism: fc.option(fc.integer({ min: 1, max: 4 }), { freq: 2, nil: null }),
          displayName: rarely,
          body: inner(),
          gather: fc.boolean(),
        }),
      },
      { weight: 1, arbitrary: fc.record({ tag: fc.constant('exit' as const), task: taskChoiceArb, body: inner(), displayName: rarely }) },
    )
  }
  const arb = fc.array(fc.oneof(...options), { maxLength })
  bodyCache.set(key, arb)
  return arb
}

function pipelineChoiceArb(depth: number, nesting: number, maxMembers: number): fc.Arbitrary<PipelineChoice> {
  return fc.record({
    name: fc.nat({ max: 7 }),
    inputs: fc.array(specChoiceArb, { maxLength: 4 }),
    body: bodyArb(depth, nesting, maxMembers),
    outputs: fc.array(fc.nat({ max: 31 }), { maxLength: 2 }),
    caching: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(2) }),
    description: fc.option(fc.oneof(fc.constantFrom(...DESCRIPTIONS), stringArb), { freq: 5, nil: null }),
    displayName: fc.option(stringArb, { freq: 5, nil: null }),
    pipelineRoot: rarely,
  })
}

// ---------------------------------------------------------------------------------------------
// Type rules (what the generator wires; the compiler's rules are at least as permissive)

export function pick<T>(items: readonly T[], index: number): T {
  return items[index % items.length]!
}

/** Parameter passing rule: same type, or an integer where a double is expected. */
export function parameterFits(given: ParameterType, expected: ParameterType): boolean {
  return given === expected || (given === 'NUMBER_INTEGER' && expected === 'NUMBER_DOUBLE')
}

/** A conservative subset of KFP's artifact rule: `system.Artifact` on either side, or the same title and version. */
export function artifactFits(given: ArtifactSpecNode, expected: ArtifactSpecNode): boolean {
  if (given.isList !== expected.isList) return false
  if (given.type.schemaTitle === 'system.Artifact' || expected.type.schemaTitle === 'system.Artifact') return true
  return given.type.schemaTitle === expected.type.schemaTitle && given.type.schemaVersion === expected.type.schemaVersion
}

/** Builds a constant of the given parameter type from a seed (always fits the type). */
export function constantFor(type: ParameterType, seed: Seed): JsonValue {
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
    case 'TASK_FINAL_STATUS':
      throw new Error('no constant final status')
  }
}

/** A pipeline output spec as `pipeline()` derives it: no default, never optional, no description. */
export function exposedSpec(spec: IoSpecNode): IoSpecNode {
  return spec.kind === 'artifact' ? { kind: 'artifact', type: spec.type, isList: spec.isList, optional: false } : { kind: 'parameter', type: spec.type, optional: false }
}

/** Same as the DSL's: the item type of a static list. */
function staticItemType(values: readonly JsonValue[]): UsableParameterType {
  if (values.every((v) => typeof v === 'string')) return 'STRING'
  if (values.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'NUMBER_INTEGER'
  if (values.every((v) => typeof v === 'number')) return 'NUMBER_DOUBLE'
  if (values.every((v) => typeof v === 'boolean')) return 'BOOLEAN'
  if (values.every((v) => Array.isArray(v))) return 'LIST'
  return 'STRUCT'
}

// ---------------------------------------------------------------------------------------------
// Materialisation

/** The word and (required, undescribed) spec of a declaration. */
function valueType(c: SpecChoice): { word: string; spec: IoSpecNode } {
  if (c.type < PARAMETER_TYPES.length) {
    const type = PARAMETER_TYPES[c.type]!
    return { word: PARAM_WORDS[type], spec: { kind: 'parameter', type, optional: false } }
  }
  const a = pick(ARTIFACT_TYPES, c.artifact)
  return { word: `${c.list ? 'many_' : ''}${a.word}`, spec: { kind: 'artifact', type: a.type, isList: c.list, optional: false } }
}

/** An input declaration: optional per `mode`, a default for parameters in mode 1, maybe a description. */
function inputSpec(c: SpecChoice, index: number): { name: string; spec: IoSpecNode } {
  const { word, spec } = valueType(c)
  const optional = c.mode !== 0
  const description = c.described ? { description: `the ${word} input` } : {}
  if (spec.kind === 'parameter') {
    return { name: `${word}_${index}`, spec: { ...spec, optional, ...(c.mode === 1 && { default: constantFor(spec.type, c.value) }), ...description } }
  }
  return { name: `${word}_${index}`, spec: { ...spec, optional, ...description } }
}

function outputSpec(c: SpecChoice, index: number): { name: string; spec: IoSpecNode } {
  const { word, spec } = valueType(c)
  return { name: `out_${word}_${index}`, spec: { ...spec, ...(c.described && { description: `the ${word} output` }) } }
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
        spec.kind === 'parameter' ? { kind: 'placeholder', ref: 'outputParameterFile', name } : { kind: 'placeholder', ref: style === 2 ? 'outputUri' : 'outputPath', name },
      ),
    )
  }
  if (style === 1) return { command: [text('python'), text('-m'), text('step'), ...items] }
  return {
    command: [text('sh'), text('-c')],
    args: [text('run "$0" "$@"'), text('--run=', { kind: 'placeholder', ref: 'runtime', name: 'pipeline_job_name' }), ...items],
  }
}

function buildContainer(choice: ContainerChoice, name: string, withStatus: boolean): ContainerComponentNode {
  const inputs: Record<string, IoSpecNode> = {}
  if (withStatus) inputs['status'] = { kind: 'parameter', type: 'TASK_FINAL_STATUS', optional: false }
  choice.inputs.forEach((c, i) => {
    const { name: input, spec } = inputSpec(c, i)
    inputs[input] = spec
  })
  const outputs: Record<string, IoSpecNode> = {}
  choice.outputs.forEach((c, i) => {
    const { name: output, spec } = outputSpec(c, i)
    outputs[output] = spec
  })
  return {
    kind: 'container',
    name,
    ...(choice.described && { description: 'A generated component.' }),
    inputs,
    outputs,
    image: pick(IMAGES, choice.image),
    ...commandLine(choice.style, inputs, outputs),
  }
}

/** A value that can be read at some place: its source, its type, and whether its type is only known at run time. */
interface Avail {
  readonly source: ValueSourceNode
  readonly spec: IoSpecNode
  /** Loop items of lists known at run time and struct fields: fit any parameter (checked when the task runs). */
  readonly untyped: boolean
  /** For struct fields: the type the generator treats them as (the compiler does not know it). */
  readonly hint?: UsableParameterType
  /** For fan-ins of lists or structs (a list of lists across nested loops): what a loop over it gets. */
  readonly itemHint?: 'LIST' | 'STRUCT'
}

/** Fields of struct items, and the types the generator uses them as. */
const FIELD_HINTS = { a: 'NUMBER_INTEGER', b: 'STRING', xs: 'LIST' } as const

function fieldAvails(loop: string): Avail[] {
  return STRUCT_KEYS.map((key) => ({ source: { kind: 'loopItem', loop, path: [key] }, spec: { kind: 'parameter', type: 'STRING', optional: false }, untyped: true, hint: FIELD_HINTS[key] }))
}

interface Collectible {
  readonly task: string
  readonly output: string
  readonly spec: IoSpecNode
  /** Loops it has been collected through so far: past one, its fan-in is a list of lists. */
  readonly loops: number
}

interface Scope {
  /** Values visible here besides the pipeline inputs (task outputs, fan-in, oneOf, loop items). */
  readonly visible: Avail[]
  /** Tasks declared in this very scope so far. */
  readonly siblings: string[]
  /** Task outputs a loop made of this scope could collect (its tasks, and those of loops directly inside). */
  readonly collectible: Collectible[]
}

class Builder {
  readonly inputs: Record<string, IoSpecNode> = {}
  readonly used = new Set<string>()
  /** Every task declared so far, in declaration order (exit tasks after their handler's body). */
  readonly declared: string[] = []
  readonly containers: { component: ContainerComponentNode; word: string }[] = []
  readonly pipelines: PipelineNode[] = []
  /** Tasks inside the body of an exit handler. */
  readonly guarded = new Set<string>()
  private counter = 0
  constructor(
    readonly options: Required<GeneratorOptions>,
    readonly root: boolean,
    readonly nesting: number,
  ) {}

  next(): number {
    return ++this.counter
  }

  /** The DSL's naming: the word itself, then `word-2`, `word-3` … */
  fresh(word: string): string {
    let name = word
    for (let i = 2; this.used.has(name); i++) name = `${word}-${i}`
    this.used.add(name)
    return name
  }

  inputAvails(): Avail[] {
    return Object.entries(this.inputs).map(([name, spec]) => ({ source: { kind: 'pipelineInput', name }, spec, untyped: false }))
  }

  addInput(word: string, spec: IoSpecNode): string {
    let name = `${word}_${Object.keys(this.inputs).length}`
    while (Object.hasOwn(this.inputs, name)) name = `${name}_x`
    this.inputs[name] = spec
    return name
  }
}

function fitsAvail(a: Avail, expected: IoSpecNode): boolean {
  if (expected.kind === 'parameter') {
    if (a.spec.kind !== 'parameter') return false
    if (a.hint !== undefined) return parameterFits(a.hint, expected.type)
    return a.untyped || parameterFits(a.spec.type, expected.type)
  }
  return a.spec.kind === 'artifact' && artifactFits(a.spec, expected)
}

/** Literal text around the values of an f-string: some of it what Argo or the kubelet would read (`{{`, `$(`). */
const FORMAT_TEXTS = ['', 'x', '{', '}', '$', '{{', '-', ' at ', '(', '%d'] as const

/** Parameter values visible here that an f-string, a list or a dict may hold: of any type, fan-ins left out. */
function embeddable(b: Builder, scope: Scope, tasksAllowed: boolean): Avail[] {
  return [...scope.visible.filter((a) => tasksAllowed || a.source.kind === 'loopItem'), ...b.inputAvails()].filter((a) => a.spec.kind === 'parameter' && a.source.kind !== 'collected')
}

/**
 * The values an f-string, a list or a dict holds (inner ones included); the value itself otherwise.
 *
 * @example
 * ```ts
 * valuesIn({ kind: 'template', parts: ['x', { kind: 'pipelineInput', name: 'n' }] }) // [{ kind: 'pipelineInput', name: 'n' }]
 * ```
 */
export function valuesIn(s: ValueSourceNode): ValueSourceNode[] {
  if (s.kind === 'template') return s.parts.flatMap((part) => (typeof part === 'string' ? [] : valuesIn(part)))
  if (s.kind === 'composite') return s.embedded.flatMap((e) => valuesIn(e.source))
  return [s]
}

/**
 * A list or dict's constant with what `at` gives for each value it holds put in its place.
 *
 * @example
 * ```ts
 * withValuesAt({ kind: 'composite', value: [null, 'x'], embedded: [{ path: [0], source: { kind: 'pipelineInput', name: 'n' } }] }, () => 'N') // ['N', 'x']
 * ```
 */
export function withValuesAt(s: Extract<ValueSourceNode, { kind: 'composite' }>, at: (value: ValueSourceNode) => unknown): unknown {
  const value = structuredClone(s.value) as unknown
  for (const { path, source } of s.embedded) {
    let node = value as Record<string | number, unknown>
    for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>
    node[path[path.length - 1]!] = at(source)
  }
  return value
}

/**
 * An f-string (`fmt`) of one or two parameter values visible here, of any type, with text around
 * them; undefined when none is visible. Fan-ins are left out.
 */
function formatSource(b: Builder, scope: Scope, arg: ArgChoice, tasksAllowed: boolean): ValueSourceNode | undefined {
  const candidates = embeddable(b, scope, tasksAllowed)
  if (candidates.length === 0) return undefined
  const text = (k: number) => pick(FORMAT_TEXTS, Math.abs(k))
  const pieces: (string | ValueSourceNode)[] = [text(arg.value.i), pick(candidates, arg.index).source, text(arg.value.i >> 4)]
  if (arg.value.b) pieces.push(pick(candidates, arg.index + 1).source, text(arg.value.i >> 8))
  // As `fmt` writes it: no empty text, neighbouring text joined (values never neighbour text here).
  return { kind: 'template', parts: pieces.filter((piece) => piece !== '') }
}

/**
 * A list or dict holding one or two parameter values visible here, of any type, beside text (KFP:
 * channels inside a list or dict argument); undefined when none is visible. As the DSL writes
 * it: `null` where each value goes, the values in the order the DSL walks the constant.
 */
function compositeSource(b: Builder, scope: Scope, type: 'LIST' | 'STRUCT', arg: ArgChoice, tasksAllowed: boolean): ValueSourceNode | undefined {
  const candidates = embeddable(b, scope, tasksAllowed)
  if (candidates.length === 0) return undefined
  const first = pick(candidates, arg.index).source
  const second = arg.value.b ? pick(candidates, arg.index + 1).source : undefined
  const text = pick(FORMAT_TEXTS, Math.abs(arg.value.i))
  if (type === 'LIST') {
    return {
      kind: 'composite',
      value: second ? [null, text, null] : [null, text],
      embedded: [{ path: [0], source: first }, ...(second ? [{ path: [2], source: second }] : [])],
    }
  }
  return {
    kind: 'composite',
    value: second ? { value: null, note: text, more: [null] } : { value: null, note: text },
    embedded: [{ path: ['value'], source: first }, ...(second ? [{ path: ['more', 0], source: second }] : [])],
  }
}

function chooseSource(b: Builder, scope: Scope, expected: IoSpecNode, arg: ArgChoice, tasksAllowed: boolean): ValueSourceNode {
  if (expected.kind === 'parameter' && arg.src === 3) {
    const built = expected.type === 'STRING' ? formatSource(b, scope, arg, tasksAllowed) : expected.type === 'LIST' || expected.type === 'STRUCT' ? compositeSource(b, scope, expected.type, arg, tasksAllowed) : undefined
    if (built) return built
  }
  const visible = scope.visible.filter((a) => fitsAvail(a, expected) && (tasksAllowed || a.source.kind === 'loopItem'))
  const inputs = b.inputAvails().filter((a) => fitsAvail(a, expected))
  const fromVisible = visible.length > 0 ? pick(visible, arg.index).source : undefined
  const fromInputs = inputs.length > 0 ? pick(inputs, arg.index).source : undefined
  if (expected.kind === 'parameter') {
    const constant: ValueSourceNode = { kind: 'constant', value: constantFor(expected.type, arg.value) }
    if (arg.src === 0) return constant
    if (arg.src === 1) return fromInputs ?? fromVisible ?? constant
    return fromVisible ?? fromInputs ?? constant
  }
  const found = arg.src === 1 ? (fromInputs ?? fromVisible) : (fromVisible ?? fromInputs)
  if (found) return found
  // Nothing of that artifact type visible: the pipeline takes it as an input.
  const a = ARTIFACT_TYPES.find((t) => t.type.schemaTitle === expected.type.schemaTitle && t.type.schemaVersion === expected.type.schemaVersion)
  const word = `${expected.isList ? 'many_' : ''}${a?.word ?? 'artifact'}`
  const name = b.addInput(word, { kind: 'artifact', type: expected.type, isList: expected.isList, optional: false })
  return { kind: 'pipelineInput', name }
}

/** A request and a limit chosen from one list, the smaller as the request. */
function requestAndLimit(amounts: readonly number[], request: number | null, limit: number | null): [number | null, number | null] {
  if (request === null || limit === null) return [request, limit]
  return amounts[request % amounts.length]! > amounts[limit % amounts.length]! ? [limit, request] : [request, limit]
}

function buildResources(r: ResourcesChoice): ResourcesNode | undefined {
  // Platform policy E_GPU_WITHOUT_MEMORY_LIMIT: an accelerator always comes with a memory limit.
  const [cpuRequest, cpuLimit] = requestAndLimit(CPU_AMOUNTS, r.cpuRequest, r.cpuLimit)
  const [memoryRequest, memoryLimit] = requestAndLimit(MEMORY_AMOUNTS, r.memoryRequest, r.memoryLimit ?? (r.accelerator !== null ? 3 : null))
  const out: ResourcesNode = {
    ...(cpuRequest !== null && { cpuRequest: pick(CPU, cpuRequest) }),
    ...(cpuLimit !== null && { cpuLimit: pick(CPU, cpuLimit) }),
    ...(memoryRequest !== null && { memoryRequest: pick(MEMORY, memoryRequest) }),
    ...(memoryLimit !== null && { memoryLimit: pick(MEMORY, memoryLimit) }),
    ...(r.accelerator !== null && { accelerator: { type: pick(ACCELERATORS, r.accelerator.type), count: r.accelerator.count } }),
  }
  return Object.keys(out).length > 0 ? out : undefined
}

function cachingOf(s: SettingsChoice): TaskNode['caching'] {
  switch (s.caching) {
    case 1:
      return { enabled: true }
    case 2:
      return { enabled: false }
    case 3:
      return { enabled: true, key: s.cacheKey }
    default:
      return {}
  }
}

/**
 * The settings part of a task (everything but name, component, inputs): env and resources are pod
 * settings, for containers only (E_INVALID_CONSTANT elsewhere); importers get no retry policy either.
 */
function settingsOf(b: Builder, s: SettingsChoice, kind: ComponentNode['kind']): Omit<TaskNode, 'kind' | 'name' | 'component' | 'inputs' | 'after'> & { after: string[] } {
  const pod = kind === 'container'
  const full = kind !== 'importer'
  const resources = pod && s.resources !== null ? buildResources(s.resources) : undefined
  const env: EnvVarNode[] = pod ? s.env.map((value, i) => ({ name: `VAR_${i}`, value })) : []
  return {
    ...(s.displayName !== null && { displayName: s.displayName }),
    after: b.declared.length === 0 ? [] : [...new Set(s.after.map((k) => pick(b.declared, k)))],
    caching: cachingOf(s),
    env,
    ...(resources !== undefined && { resources }),
    ...(full && s.retry !== null && { retry: s.retry }),
  }
}

function addTaskOutputs(scope: Scope, task: TaskNode): void {
  for (const [output, spec] of Object.entries(componentOutputs(task.component))) {
    scope.visible.push({ source: { kind: 'taskOutput', task: task.name, output }, spec, untyped: false })
    // A list output is not collected (a fan-in of lists of artifacts is not a thing either target has).
    if (!(spec.kind === 'artifact' && spec.isList)) scope.collectible.push({ task: task.name, output, spec, loops: 0 })
  }
  scope.siblings.push(task.name)
}

function childScope(scope: Scope): Scope {
  return { visible: [...scope.visible], siblings: [], collectible: [] }
}

/**
 * Inputs of a task, fed from what is visible; the final status where the component asks for one.
 * A task that runs after a failure (`ignoresFailure`) reads task outputs into optional inputs only:
 * a failed task does not produce them, and a required input would have no value (KFP's rule).
 */
function wire(b: Builder, scope: Scope, component: ComponentNode, args: readonly ArgChoice[], tasksAllowed: boolean, ignoresFailure = false): Record<string, ValueSourceNode> {
  const inputs: Record<string, ValueSourceNode> = {}
  let k = 0
  for (const [input, spec] of Object.entries(component.inputs)) {
    if (spec.kind === 'parameter' && spec.type === 'TASK_FINAL_STATUS') {
      inputs[input] = { kind: 'taskFinalStatus' }
      continue
    }
    const arg = args[k++] ?? DEFAULT_ARG
    if (spec.optional && arg.omit) continue
    inputs[input] = chooseSource(b, scope, spec, arg, tasksAllowed && (spec.optional || !ignoresFailure))
  }
  return inputs
}

function buildTask(b: Builder, scope: Scope, choice: TaskChoice): TaskNode {
  const s = choice.settings
  // A task reading the final status of its single upstream task: ignoreUpstreamFailure, after one sibling.
  const status = s.ignoreUpstream === 2 && scope.siblings.length > 0
  let component: ContainerComponentNode
  let word: string
  if (!status && choice.reuse !== null && b.containers.length > 0) {
    ;({ component, word } = pick(b.containers, choice.reuse))
  } else {
    const names = pick(COMPONENT_NAMES, choice.component.name)
    word = names.word
    component = buildContainer(choice.component, names.name, status)
    if (!status) b.containers.push({ component, word })
  }
  const name = b.fresh(word)
  const inputs = wire(b, scope, component, choice.args, !status, s.ignoreUpstream > 0)
  const settings = settingsOf(b, s, 'container')
  return {
    kind: 'task',
    name,
    component,
    inputs,
    ...settings,
    after: status ? [pick(scope.siblings, s.after[0] ?? 0)] : settings.after,
    ...(s.ignoreUpstream > 0 && { ignoreUpstreamFailure: true }),
  }
}

function buildImporter(b: Builder, choice: ImporterChoice): TaskNode {
  const type = [DATASET, MODEL, GENERIC][choice.type % 3]!
  const component: ImporterComponentNode = {
    kind: 'importer',
    name: 'importer',
    inputs: { uri: { kind: 'parameter', type: 'STRING', optional: false } },
    outputs: { artifact: { kind: 'artifact', type, isList: false, optional: false } },
    artifactType: type,
    reimport: choice.reimport,
    ...(choice.metadata && { metadata: { source: 'generated', version: 1 } }),
  }
  let uri: ValueSourceNode
  if (choice.uri < URIS.length || !b.root) uri = { kind: 'constant', value: pick(URIS, choice.uri) }
  else {
    if (!Object.hasOwn(b.inputs, 'uri')) b.inputs['uri'] = { kind: 'parameter', type: 'STRING', optional: true, default: URI_DEFAULT }
    uri = { kind: 'pipelineInput', name: 'uri' }
  }
  const settings = settingsOf(b, choice.settings, 'importer')
  return { kind: 'task', name: b.fresh('importer'), component, inputs: { uri }, ...settings }
}

type Kind = 'string' | 'number' | 'boolean'
const KINDS: readonly Kind[] = ['number', 'string', 'boolean']

function kindOf(a: Avail): Kind | 'any' | undefined {
  if (a.spec.kind !== 'parameter') return undefined
  if (a.untyped && a.hint === undefined) return 'any'
  switch (a.hint ?? a.spec.type) {
    case 'STRING':
      return 'string'
    case 'NUMBER_INTEGER':
    case 'NUMBER_DOUBLE':
      return 'number'
    case 'BOOLEAN':
      return 'boolean'
    default:
      return undefined
  }
}

function buildPredicate(b: Builder, scope: Scope, choice: PredicateChoice): PredicateNode {
  if (choice.tag === 'not') return { kind: 'not', item: buildPredicate(b, scope, choice.item) }
  if (choice.tag !== 'compare') return { kind: choice.tag, items: choice.items.map((item) => buildPredicate(b, scope, item)) }
  const candidates = [...scope.visible, ...b.inputAvails()].filter((a) => a.source.kind !== 'collected' && kindOf(a) !== undefined)
  const refsOf = (kind: Kind) => candidates.filter((a) => kindOf(a) === kind || kindOf(a) === 'any')
  // The chosen kind, or the first kind that has a reference to compare.
  let kind = pick(KINDS, choice.kind)
  if (refsOf(kind).length === 0) kind = KINDS.find((k) => refsOf(k).length > 0) ?? kind
  const refs = refsOf(kind)
  const constant = (seed: Seed): ValueSourceNode => ({ kind: 'constant', value: kind === 'string' ? seed.s : kind === 'number' ? (seed.i % 3 === 0 ? seed.d : seed.i) : seed.b })
  const left = refs.length > 0 && choice.left.ref ? pick(refs, choice.left.index).source : constant(choice.left.value)
  const right = refs.length > 0 && choice.right.ref ? pick(refs, choice.right.index).source : constant(choice.right.value)
  // Booleans are compared for equality only (what the DSL's users write; Argo's expr has no order on booleans).
  const op = kind === 'boolean' ? pick(['==', '!='] as const, choice.op) : pick(OPS, choice.op)
  return { kind: 'compare', op, left, right }
}

function buildBody(b: Builder, scope: Scope, choices: readonly NodeChoice[]): BodyNode[] {
  const body: BodyNode[] = []
  for (const choice of choices) {
    switch (choice.tag) {
      case 'task': {
        const task = buildTask(b, scope, choice)
        body.push(task)
        b.declared.push(task.name)
        addTaskOutputs(scope, task)
        break
      }
      case 'importer': {
        const task = buildImporter(b, choice)
        body.push(task)
        b.declared.push(task.name)
        addTaskOutputs(scope, task)
        break
      }
      case 'nested': {
        let sub: PipelineNode
        if (choice.reuse !== null && b.pipelines.length > 0) sub = pick(b.pipelines, choice.reuse)
        else {
          sub = buildPipeline(choice.pipeline, b.options, false, b.nesting - 1)
          b.pipelines.push(sub)
        }
        const name = b.fresh(sub.name)
        const inputs = wire(b, scope, sub, choice.args, true)
        const task: TaskNode = { kind: 'task', name, component: sub, inputs, ...settingsOf(b, choice.settings, 'pipeline') }
        body.push(task)
        b.declared.push(name)
        addTaskOutputs(scope, task)
        break
      }
      case 'if': {
        const id = `condition-${b.next()}`
        const predicate = buildPredicate(b, scope, choice.predicate)
        const condition: ConditionNode = {
          kind: 'condition',
          id,
          ...(choice.displayName && { displayName: `when ${id}` }),
          predicate,
          body: buildBody(b, childScope(scope), choice.body),
        }
        body.push(condition)
        break
      }
      case 'branches': {
        const before = scope.visible.length
        body.push(buildBranches(b, scope, choice))
        const made = scope.visible.slice(before)[0]
        if (choice.consume && made) body.push(consumer(b, scope, 'consume', made))
        break
      }
      case 'loop': {
        const before = scope.visible.length
        body.push(buildLoop(b, scope, choice))
        const made = scope.visible.slice(before)
        if (choice.gather && made.length > 0) body.push(consumer(b, scope, 'gather', pick(made, choice.index)))
        break
      }
      case 'exit': {
        const id = `exit-handler-${b.next()}`
        const before = [...scope.visible]
        const declaredBefore = b.declared.slice()
        const handlerBody = buildBody(b, childScope(scope), choice.body)
        for (const n of b.declared.slice(declaredBefore.length)) b.guarded.add(n)
        // The exit task sees what the handler saw (nothing from inside it), and comes after it.
        const s = choice.task.settings
        const word = pick(EXIT_WORDS, choice.task.component.name)
        const component = buildContainer(choice.task.component, word, true)
        const name = b.fresh(word)
        const exitScope: Scope = { ...scope, visible: before }
        // Declared before the body (as with dag.exitHandler): it may only wait for earlier tasks.
        const settings = settingsOf(b, s, 'container')
        const after = declaredBefore.length === 0 ? [] : [...new Set(s.after.map((k) => pick(declaredBefore, k)))]
        const exitTask: TaskNode = { kind: 'task', name, component, inputs: wire(b, exitScope, component, choice.task.args, true), ...settings, after }
        const handler: ExitHandlerNode = { kind: 'exitHandler', id, ...(choice.displayName && { displayName: `guard ${id}` }), exitTask, body: handlerBody }
        body.push(handler)
        b.declared.push(name)
        addTaskOutputs(scope, exitTask)
        break
      }
    }
  }
  return body
}

/** A task reading one value (what a user writes right after a loop or an if/elif/else). */
function consumer(b: Builder, scope: Scope, word: string, value: Avail): TaskNode {
  const spec = exposedSpec(value.spec)
  const component: ContainerComponentNode = {
    kind: 'container',
    name: word,
    inputs: { value: spec },
    outputs: {},
    image: 'alpine:3.20',
    command: [text(word), text({ kind: 'placeholder', ref: spec.kind === 'parameter' ? 'inputValue' : spec.isList ? 'inputArtifactList' : 'inputPath', name: 'value' })],
  }
  const task: TaskNode = { kind: 'task', name: b.fresh(word), component, inputs: { value: value.source }, after: [], caching: {}, env: [] }
  b.declared.push(task.name)
  addTaskOutputs(scope, task)
  return task
}

function buildBranches(b: Builder, scope: Scope, choice: BranchesChoice): ConditionNode | BranchesNode {
  const count = choice.branches.length + (choice.otherwise !== null ? 1 : 0)
  const first = choice.branches[0]!
  if (count === 1) {
    const id = `condition-${b.next()}`
    const predicate = buildPredicate(b, scope, first.predicate)
    return { kind: 'condition', id, predicate, body: buildBody(b, childScope(scope), first.body) }
  }
  // KFP's numbering: the chain takes the first branch's number, the first branch a new one after its body.
  const chainId = `condition-branches-${b.next()}`
  const yieldSpec = choice.otherwise !== null && choice.yieldType !== null ? outputSpec(choice.yieldType, 0).spec : undefined
  const yieldComponent: ContainerComponentNode | undefined = yieldSpec && {
    kind: 'container',
    name: 'pick',
    inputs: {},
    outputs: { out: yieldSpec },
    image: 'alpine:3.20',
    command: [text('pick'), text({ kind: 'placeholder', ref: yieldSpec.kind === 'parameter' ? 'outputParameterFile' : 'outputPath', name: 'out' })],
  }
  const picks: TaskOutputSourceNode[] = []
  const branchScope = childScope(scope)
  const branches: ConditionNode[] = []
  const parts: { predicate: PredicateChoice | null; body: readonly NodeChoice[] }[] = [
    ...choice.branches.map((x) => ({ predicate: x.predicate, body: x.body })),
    ...(choice.otherwise !== null ? [{ predicate: null, body: choice.otherwise }] : []),
  ]
  parts.forEach((part, i) => {
    // Every predicate is evaluated where the chain stands; the first branch's id is given after its body.
    const predicate = part.predicate && buildPredicate(b, scope, part.predicate)
    const early = i === 0 ? undefined : `condition-${b.next()}`
    const inner = childScope(branchScope)
    const declaredBefore = b.declared.length
    const nodes = buildBody(b, inner, part.body)
    if (yieldComponent) {
      const name = b.fresh('pick')
      const inBranch = b.declared.slice(declaredBefore)
      const after = choice.pickAfter !== null && inBranch.length > 0 ? [pick(inBranch, choice.pickAfter)] : []
      const task: TaskNode = { kind: 'task', name, component: yieldComponent, inputs: {}, after, caching: {}, env: [] }
      // Declared inside the branch's callback, so numbered before a first branch's own id.
      if (choice.pickUnder !== null) nodes.push({ kind: 'condition', id: `condition-${b.next()}`, predicate: buildPredicate(b, inner, choice.pickUnder), body: [task] })
      else nodes.push(task)
      b.declared.push(name)
      picks.push({ kind: 'taskOutput', task: name, output: 'out' })
    }
    const id = early ?? `condition-${b.next()}`
    branches.push({ kind: 'condition', id, ...(predicate && { predicate }), body: nodes })
  })
  if (yieldSpec) scope.visible.push({ source: { kind: 'oneOf', branches: chainId, sources: picks }, spec: yieldSpec, untyped: false })
  return { kind: 'branches', id: chainId, branches }
}

function rawValues(raw: RawChoice): JsonValue[] {
  return raw.values.map((seed, k): JsonValue => {
    switch (raw.shape) {
      case 0:
        return seed.i
      case 1:
        return seed.d
      case 2:
        return seed.s
      case 3:
        return seed.b
      case 4:
        return { a: seed.i, b: seed.s, xs: [seed.i, k] }
      default:
        return [seed.i, k]
    }
  })
}

function buildLoop(b: Builder, scope: Scope, choice: LoopChoice): LoopNode {
  // Also over a list an enclosing loop already iterates (FIXED BUG 6: KFP gave both items one channel).
  const lists = [...scope.visible, ...b.inputAvails()].filter((a) => a.spec.kind === 'parameter' && (a.hint !== undefined ? a.hint === 'LIST' : a.untyped || a.spec.type === 'LIST'))
  const artifactLists = [...scope.visible, ...b.inputAvails()].filter((a) => a.spec.kind === 'artifact' && a.spec.isList)
  let from = choice.from
  if (from === 1 && lists.length === 0) from = 0
  // Inside a loop, often iterate what the outer item holds.
  const itemLists = lists.filter((a) => a.source.kind === 'loopItem')
  if (from === 0 && itemLists.length > 0 && choice.index % 2 === 0) from = 1
  const chosenList = itemLists.length > 0 && choice.index % 2 === 0 ? pick(itemLists, choice.index) : lists.length > 0 ? pick(lists, choice.index) : undefined
  if (from === 2 && b.options.argo) from = 0
  let items: LoopItemsNode
  let id: string
  let itemSpec: IoSpecNode
  // An item type left undeclared is inferred from its use, as dag.forEach does.
  let inferItemType = false
  const itemAvails: Avail[] = []
  if (from === 0) {
    const values = rawValues(choice.raw)
    const itemId = `loop-item-param-${b.next()}`
    id = `for-loop-${b.next()}`
    items = { kind: 'raw', values, itemId }
    const type = staticItemType(values)
    itemSpec = { kind: 'parameter', type, optional: false }
    itemAvails.push({ source: { kind: 'loopItem', loop: id }, spec: itemSpec, untyped: false })
    if (type === 'STRUCT') itemAvails.push(...fieldAvails(id))
  } else if (from === 1) {
    id = `for-loop-${b.next()}`
    items = { kind: 'values', from: chosenList!.source }
    const declared = choice.declared === null || chosenList!.itemHint !== undefined ? undefined : pick(DECLARED_ITEM_TYPES, choice.declared)
    itemSpec = { kind: 'parameter', type: declared ?? 'STRING', optional: false }
    inferItemType = declared === undefined
    if (chosenList!.itemHint !== undefined) {
      itemAvails.push({ source: { kind: 'loopItem', loop: id }, spec: itemSpec, untyped: declared === undefined, hint: chosenList!.itemHint })
      if (chosenList!.itemHint === 'STRUCT' && choice.index % 2 === 1) itemAvails.push(...fieldAvails(id))
    } else {
      itemAvails.push({ source: { kind: 'loopItem', loop: id }, spec: itemSpec, untyped: declared === undefined })
      if (declared === undefined && choice.index % 2 === 1) itemAvails.push(...fieldAvails(id))
    }
  } else {
    id = `for-loop-${b.next()}`
    let source: ValueSourceNode
    let type = DATASET
    if (artifactLists.length > 0) {
      const chosen = pick(artifactLists, choice.index)
      source = chosen.source
      if (chosen.spec.kind === 'artifact') type = chosen.spec.type
    } else source = { kind: 'pipelineInput', name: b.addInput('many_dataset', { kind: 'artifact', type: DATASET, isList: true, optional: false }) }
    items = { kind: 'artifacts', from: source }
    // As dag.forEach infers it: the list's title, version 0.0.1.
    itemSpec = { kind: 'artifact', type: { schemaTitle: type.schemaTitle, schemaVersion: '0.0.1' }, isList: false, optional: false }
    itemAvails.push({ source: { kind: 'loopItem', loop: id }, spec: itemSpec, untyped: false })
  }
  const inner = childScope(scope)
  inner.visible.push(...itemAvails)
  const loopBody = buildBody(b, inner, choice.body)
  // Also over a list whose items' kind is known (a fan-in of structs or lists), whatever the choice:
  // with the type inferred from use, not STRING (found with seed 7 in deep mode).
  if (inferItemType) itemSpec = { kind: 'parameter', type: itemTypeFromUse(id, loopBody), optional: false }
  // Fan-in: after the loop, what its tasks (and those of loops directly inside) produced, as lists.
  for (const c of inner.collectible) {
    if (c.spec.kind === 'artifact' && b.options.argo) continue
    const spec: IoSpecNode = c.spec.kind === 'artifact' ? { ...c.spec, isList: true } : { kind: 'parameter', type: 'LIST', optional: false }
    const itemHint = c.spec.kind !== 'parameter' ? undefined : c.loops > 0 ? 'LIST' : c.spec.type === 'LIST' || c.spec.type === 'STRUCT' ? c.spec.type : undefined
    scope.visible.push({ source: { kind: 'collected', task: c.task, output: c.output }, spec, untyped: false, ...(itemHint && { itemHint }) })
    scope.collectible.push({ ...c, loops: c.loops + 1 })
  }
  return {
    kind: 'loop',
    id,
    ...(choice.displayName && { displayName: `each of ${id}` }),
    items,
    itemSpec,
    ...(choice.parallelism !== null && { parallelism: choice.parallelism }),
    body: loopBody,
  }
}

/** The DSL's inference of the item type of a list known only at run time (see pipeline.ts). */
function itemTypeFromUse(loop: string, body: readonly BodyNode[]): 'STRING' | 'STRUCT' | 'LIST' {
  let type: 'STRING' | 'STRUCT' | 'LIST' = 'STRING'
  const visitSource = (source: ValueSourceNode | undefined, consumerSpec?: IoSpecNode) => {
    if (source?.kind !== 'loopItem' || source.loop !== loop) return
    if (source.path && source.path.length > 0) type = 'STRUCT'
    else if (consumerSpec?.kind === 'parameter' && (consumerSpec.type === 'STRUCT' || consumerSpec.type === 'LIST')) type = consumerSpec.type
  }
  const visit = (nodes: readonly BodyNode[]) => {
    for (const node of nodes) {
      if (node.kind === 'task') {
        for (const [input, value] of Object.entries(node.inputs)) visitSource(value, node.component.inputs[input])
      } else if (node.kind === 'branches') visit(node.branches)
      else {
        if (node.kind === 'loop' && node.items.kind !== 'raw') visitSource(node.items.from)
        visit(node.body)
        if (node.kind === 'exitHandler') visit([node.exitTask])
      }
    }
  }
  visit(body)
  return type
}

function buildPipeline(choice: PipelineChoice, options: Required<GeneratorOptions>, root: boolean, nesting: number): PipelineNode {
  const b = new Builder(options, root, nesting)
  choice.inputs.forEach((c, i) => {
    const { name, spec } = inputSpec(c, i)
    b.inputs[name] = spec
  })
  const scope: Scope = { visible: [], siblings: [], collectible: [] }
  const body = buildBody(b, scope, choice.body)
  const outputs: Record<string, PipelineOutputNode> = {}
  const exposable = scope.visible.filter((a) => a.source.kind === 'taskOutput' || a.source.kind === 'collected' || a.source.kind === 'oneOf')
  const seen = new Set<string>()
  if (exposable.length > 0) {
    for (const k of choice.outputs) {
      const a = pick(exposable, k)
      const key = JSON.stringify(a.source)
      if (seen.has(key)) continue
      seen.add(key)
      outputs[`res_${seen.size - 1}`] = { spec: exposedSpec(a.spec), from: a.source }
    }
  }
  return {
    kind: 'pipeline',
    name: root ? pick(PIPELINE_NAMES, choice.name) : pick(SUB_NAMES, choice.name),
    ...(choice.description !== null && { description: choice.description }),
    ...(choice.displayName !== null && { displayName: choice.displayName }),
    inputs: b.inputs,
    outputs,
    body,
    ...(root && choice.pipelineRoot && { defaultPipelineRoot: 's3://bucket/pipelines' }),
    ...(choice.caching !== 0 && { caching: choice.caching === 1 }),
  }
}

/** Attaches a printer as fast-check's `toString` (non-enumerable: invisible to the compiler and to spreads). */
export function printable<T extends object>(value: T, print: () => string): T {
  Object.defineProperty(value, fc.toStringMethod, { value: print, enumerable: false })
  return value
}

/** Freezes a pipeline and gives it its DSL-like printout. */
export function withOutline(p: PipelineNode): PipelineNode {
  return deepFreeze(printable(p, () => formatPipeline(p)))
}

function resolved(options: GeneratorOptions): Required<GeneratorOptions> {
  return { argo: options.argo ?? false, depth: options.depth ?? 2, nesting: options.nesting ?? 2, maxMembers: options.maxMembers ?? 6, knownBugs: options.knownBugs ?? false }
}

/** Materialises choices into a frozen pipeline. */
export function materialise(choice: PipelineChoice, options: GeneratorOptions = {}): PipelineNode {
  const o = resolved(options)
  return withOutline(buildPipeline(choice, o, true, o.nesting))
}

export function pipelineChoiceArbFor(options: GeneratorOptions = {}): fc.Arbitrary<PipelineChoice> {
  const o = resolved(options)
  return pipelineChoiceArb(o.depth, o.nesting, o.maxMembers)
}

/** Random valid, typed pipelines with every feature (see the module comment). */
export function pipelineArb(options: GeneratorOptions = {}): fc.Arbitrary<PipelineNode> {
  return pipelineChoiceArbFor(options).map((c) => materialise(c, options))
}

/** Flat (no groups), Argo-expressible pipelines: tasks, importers, nested pipelines, every value and setting. */
export function validPipelineArb(options: GeneratorOptions = {}): fc.Arbitrary<PipelineNode> {
  return pipelineArb({ argo: true, depth: 0, maxMembers: 8, ...options })
}

// ---------------------------------------------------------------------------------------------
// Walking the IR

/** Every group of a body, depth first, with the ids of the groups around it. */
export function* groupsOf(body: readonly BodyNode[], path: readonly string[] = []): Generator<{ node: Exclude<BodyNode, TaskNode>; path: readonly string[] }> {
  for (const node of body) {
    if (node.kind === 'task') continue
    yield { node, path }
    if (node.kind === 'branches') {
      for (const branch of node.branches) {
        yield { node: branch, path: [...path, node.id] }
        yield* groupsOf(branch.body, [...path, node.id, branch.id])
      }
    } else yield* groupsOf(node.body, [...path, node.id])
  }
}

/** Every pipeline of the tree (root first, then nested ones depth first, wherever they are; a reused one once per use). */
export function pipelinesOf(p: PipelineNode): PipelineNode[] {
  const out = [p]
  for (const t of allTasks(p.body)) if (t.component.kind === 'pipeline') out.push(...pipelinesOf(t.component))
  return out
}

/** Every task of a body with the group ids around it and the groups themselves (exit tasks beside their handler). */
export function tasksWithPaths(body: readonly BodyNode[], path: readonly string[] = []): { task: TaskNode; path: readonly string[]; groups: readonly Exclude<BodyNode, TaskNode>[] }[] {
  const out: { task: TaskNode; path: readonly string[]; groups: readonly Exclude<BodyNode, TaskNode>[] }[] = []
  const visit = (nodes: readonly BodyNode[], at: readonly string[], groups: readonly Exclude<BodyNode, TaskNode>[]) => {
    for (const node of nodes) {
      if (node.kind === 'task') out.push({ task: node, path: at, groups })
      else if (node.kind === 'branches') for (const br of node.branches) visit(br.body, [...at, node.id, br.id], [...groups, node, br])
      else {
        visit(node.body, [...at, node.id], [...groups, node])
        if (node.kind === 'exitHandler') out.push({ task: node.exitTask, path: at, groups })
      }
    }
  }
  visit(body, path, [])
  return out
}

/** Maps every node of a body (bottom-up for groups), keeping the structure. */
export function mapBody(
  body: readonly BodyNode[],
  f: { task?: (t: TaskNode) => TaskNode; group?: (g: Exclude<BodyNode, TaskNode> | ConditionNode) => BodyNode; body?: (b: BodyNode[]) => BodyNode[] },
): BodyNode[] {
  const mapped = body.map((node): BodyNode => {
    switch (node.kind) {
      case 'task':
        return f.task ? f.task(node) : node
      case 'branches': {
        const branches = node.branches.map((br) => {
          const inner: ConditionNode = { ...br, body: mapBody(br.body, f) }
          return (f.group ? f.group(inner) : inner) as ConditionNode
        })
        const out: BranchesNode = { ...node, branches }
        return f.group ? f.group(out) : out
      }
      case 'exitHandler': {
        const out: ExitHandlerNode = { ...node, body: mapBody(node.body, f), exitTask: f.task ? f.task(node.exitTask) : node.exitTask }
        return f.group ? f.group(out) : out
      }
      default: {
        const out = { ...node, body: mapBody(node.body, f) }
        return f.group ? f.group(out) : out
      }
    }
  })
  return f.body ? f.body(mapped) : mapped
}

/** Applies `f` to the pipeline number `index` of {@link pipelinesOf} (same order), rebuilding the path to it. */
export function atPipeline(p: PipelineNode, index: number, f: (q: PipelineNode) => PipelineNode): PipelineNode {
  let k = 0
  const visit = (q: PipelineNode): PipelineNode => {
    if (k++ === index) return f(q)
    // Visit nested pipelines in allTasks order (the order pipelinesOf lists them in).
    const replaced = new Map<TaskNode, TaskNode>()
    for (const t of allTasks(q.body)) {
      if (t.component.kind !== 'pipeline') continue
      const component = visit(t.component)
      if (component !== t.component) replaced.set(t, { ...t, component })
    }
    if (replaced.size === 0) return q
    return { ...q, body: mapBody(q.body, { task: (t) => replaced.get(t) ?? t }) }
  }
  return visit(p)
}

function sourceTasks(s: ValueSourceNode, f: (name: string) => string): ValueSourceNode {
  switch (s.kind) {
    case 'taskOutput':
    case 'collected':
      return { ...s, task: f(s.task) }
    case 'oneOf':
      return { ...s, sources: s.sources.map((o) => ({ ...o, task: f(o.task) })) }
    default:
      return s
  }
}

function predicateSources(p: PredicateNode, f: (s: ValueSourceNode) => ValueSourceNode): PredicateNode {
  if (p.kind === 'compare') return { ...p, left: f(p.left), right: f(p.right) }
  if (p.kind === 'not') return { ...p, item: predicateSources(p.item, f) }
  return { ...p, items: p.items.map((i) => predicateSources(i, f)) }
}

/** Rewrites every value source of one pipeline (not of nested ones) and every task name and group id it mentions. */
export function rewritePipeline(
  p: PipelineNode,
  source: (s: ValueSourceNode) => ValueSourceNode,
  name: (n: string) => string = (n) => n,
  groupId: (id: string) => string = (id) => id,
): PipelineNode {
  const rewrite = source
  // The values inside an f-string, a list or a dict are rewritten as any other.
  source = (s) =>
    s.kind === 'template'
      ? { ...s, parts: s.parts.map((part) => (typeof part === 'string' ? part : rewrite(part))) }
      : s.kind === 'composite'
        ? { ...s, embedded: s.embedded.map((e) => ({ ...e, source: rewrite(e.source) })) }
        : rewrite(s)
  const task = (t: TaskNode): TaskNode => ({
    ...t,
    name: name(t.name),
    inputs: Object.fromEntries(Object.entries(t.inputs).map(([k, s]) => [k, source(s)])),
    after: t.after.map(name),
  })
  const group = (g: Exclude<BodyNode, TaskNode> | ConditionNode): BodyNode => {
    switch (g.kind) {
      case 'condition':
        return { ...g, id: groupId(g.id), ...(g.predicate && { predicate: predicateSources(g.predicate, source) }) }
      case 'loop':
        return {
          ...g,
          id: groupId(g.id),
          items: g.items.kind === 'raw' ? { ...g.items, itemId: groupId(g.items.itemId) } : { ...g.items, from: source(g.items.from) },
        }
      default:
        return { ...g, id: groupId(g.id) }
    }
  }
  return {
    ...p,
    body: mapBody(p.body, { task, group }),
    outputs: Object.fromEntries(Object.entries(p.outputs).map(([k, o]) => [k, { ...o, from: source(o.from) }])),
  }
}

/** Renames task `from` to `to` in one pipeline, references included. */
export function renameTask(p: PipelineNode, from: string, to: string): PipelineNode {
  const f = (n: string) => (n === from ? to : n)
  return rewritePipeline(p, (s) => sourceTasks(s, f), f)
}

/**
 * The same pipeline with every task of the root pipeline (in groups too, exit tasks included)
 * renamed `renamed-<i>` in {@link allTasks} order, references rewritten. Nested pipelines keep theirs.
 */
export function renameTasks(p: PipelineNode): PipelineNode {
  const names = new Map([...allTasks(p.body)].map((t, i) => [t.name, `renamed-${i}`]))
  const f = (n: string) => names.get(n) ?? n
  return withOutline(rewritePipeline(p, (s) => sourceTasks(s, f), f))
}

/** The same pipeline with every group id of the root pipeline renumbered (`condition-3` → `condition-103`). */
export function renumberGroups(p: PipelineNode, by = 100): PipelineNode {
  const id = (g: string) => g.replace(/-(\d+)$/, (_, n: string) => `-${Number(n) + by}`)
  const source = (s: ValueSourceNode): ValueSourceNode => {
    if (s.kind === 'loopItem') return { ...s, loop: id(s.loop) }
    if (s.kind === 'oneOf') return { ...s, branches: id(s.branches) }
    return s
  }
  return withOutline(rewritePipeline(p, source, (n) => n, id))
}

/** Display names, descriptions, resources and retry policies removed everywhere (they never change a cache key). */
export function stripPresentation(p: PipelineNode): PipelineNode {
  const memo = new Map<PipelineNode, PipelineNode>()
  const visit = (q: PipelineNode): PipelineNode => {
    const known = memo.get(q)
    if (known) return known
    const { displayName: _d, description: _e, ...rest } = q
    const out: PipelineNode = {
      ...rest,
      body: mapBody(q.body, {
        task: ({ displayName: _n, resources: _r, retry: _t, ...t }) => ({ ...t, component: t.component.kind === 'pipeline' ? visit(t.component) : t.component }),
        group: (g) => {
          if (g.kind === 'branches') return g
          const { displayName: _g, ...kept } = g
          return kept as BodyNode
        },
      }),
    }
    memo.set(q, out)
    return out
  }
  return withOutline(visit(p))
}

// ---------------------------------------------------------------------------------------------
// Shuffling declaration order

export function mulberry32(seed: number): () => number {
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

export interface ShuffleOptions {
  /** Shuffle nested pipelines too. @default true */
  readonly nested?: boolean
  /** Shuffle the key order of pipeline outputs. @default true */
  readonly outputs?: boolean
}

/**
 * The same pipeline declared in another order: every body (root, groups, branches, nested
 * pipelines) permuted, and the key order of task arguments, of pipeline inputs and outputs and of
 * container inputs and outputs, and `after` lists. A component used by several tasks stays one
 * object (declared once, in another order). Group ids, branch order and env order (meaningful),
 * command lines and constants (user data) stay as they are.
 */
export function shuffleDeclarations(p: PipelineNode, seed: number, options: ShuffleOptions = {}): PipelineNode {
  const random = mulberry32(seed)
  const record = <V>(r: Readonly<Record<string, V>>) => Object.fromEntries(shuffled(Object.entries(r), random))
  const components = new Map<ComponentNode, ComponentNode>()
  const component = (c: ComponentNode): ComponentNode => {
    const known = components.get(c)
    if (known) return known
    let out: ComponentNode
    if (c.kind === 'container') out = { ...c, inputs: record(c.inputs), outputs: record(c.outputs) }
    else if (c.kind === 'pipeline') out = options.nested !== false ? visit(c) : c
    else out = c
    components.set(c, out)
    return out
  }
  const visit = (q: PipelineNode): PipelineNode => ({
    ...q,
    inputs: record(q.inputs),
    outputs: options.outputs === false ? q.outputs : record(q.outputs),
    body: mapBody(q.body, {
      task: (t) => ({ ...t, inputs: record(t.inputs), after: shuffled(t.after, random), component: component(t.component) }),
      body: (b) => shuffled(b, random),
    }),
  })
  return withOutline(visit(p))
}

// ---------------------------------------------------------------------------------------------
// Printing: DSL-like text, for counterexamples

const ident = (name: string): string => name.replace(/[^A-Za-z0-9_$]/g, '_')
const itemVar = (loop: string): string => `item${loop.replace(/^for-loop-/, '')}`
const str = (s: string): string => JSON.stringify(s)

function artifactTypeName(type: ArtifactTypeNode): string {
  return type.schemaTitle.startsWith('system.') && type.schemaVersion === '0.0.1' ? type.schemaTitle.slice(7) : `artifactType(${str(type.schemaTitle)}, ${str(type.schemaVersion)})`
}

function describeType(spec: IoSpecNode): string {
  const optional = spec.optional ? { optional: true } : {}
  if (spec.kind === 'parameter') {
    const fn = { STRING: 'string', NUMBER_INTEGER: 'int', NUMBER_DOUBLE: 'float', BOOLEAN: 'bool', LIST: 'list', STRUCT: 'struct', TASK_FINAL_STATUS: 'finalStatus' }[spec.type]
    const opts = { ...optional, ...(spec.default !== undefined && { default: spec.default }), ...(spec.description !== undefined && { description: spec.description }) }
    return `param.${fn}(${Object.keys(opts).length > 0 ? JSON.stringify(opts) : ''})`
  }
  const extra = { ...optional, ...(spec.description !== undefined && { description: spec.description }) }
  return `artifact${spec.isList ? '.list' : ''}(${artifactTypeName(spec.type)}${Object.keys(extra).length > 0 ? `, ${JSON.stringify(extra)}` : ''})`
}

function describeSpecs(specs: Readonly<Record<string, IoSpecNode>>): string {
  const entries = Object.entries(specs)
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, s]) => `${ident(k) === k ? k : str(k)}: ${describeType(s)}`).join(', ')} }`
}

/** A value source as a DSL expression. */
export function describeSource(s: ValueSourceNode): string {
  switch (s.kind) {
    case 'constant':
      return JSON.stringify(s.value)
    case 'pipelineInput':
      return `p.${s.name}`
    case 'taskOutput':
      return `${ident(s.task)}.outputs.${s.output}`
    case 'collected':
      return `collected(${ident(s.task)}.outputs.${s.output})`
    case 'loopItem':
      return `${itemVar(s.loop)}${(s.path ?? []).map((k) => `.field(${str(String(k))})`).join('')}`
    case 'oneOf':
      return `dag.oneOf(${s.sources.map((o) => `${ident(o.task)}.outputs.${o.output}`).join(', ')}) /* ${s.branches} */`
    case 'taskFinalStatus':
      return 'status'
    case 'template':
      return `fmt\`${s.parts.map((part) => (typeof part === 'string' ? part.replace(/[`\\]|\$(?=\{)/g, (c) => `\\${c}`) : `\${${describeSource(part)}}`)).join('')}\``
    case 'composite': {
      const at = new Map(s.embedded.map((e) => [JSON.stringify(e.path), e.source]))
      const write = (value: JsonValue, path: readonly (string | number)[]): string => {
        const embedded = at.get(JSON.stringify(path))
        if (embedded) return describeSource(embedded)
        if (Array.isArray(value)) return `[${value.map((item, i) => write(item, [...path, i])).join(', ')}]`
        if (value !== null && typeof value === 'object') return `{ ${Object.entries(value).map(([k, item]) => `${k}: ${write(item, [...path, k])}`).join(', ')} }`
        return JSON.stringify(value)
      }
      return write(s.value, [])
    }
    default:
      return `<${(s as { kind: string }).kind}>`
  }
}

const COMPARE_NAMES: Readonly<Record<ComparisonOperator, string>> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }

export function describePredicate(p: PredicateNode): string {
  if (p.kind === 'compare') return `${COMPARE_NAMES[p.op]}(${describeSource(p.left)}, ${describeSource(p.right)})`
  if (p.kind === 'not') return `not(${describePredicate(p.item)})`
  return `${p.kind}(${p.items.map(describePredicate).join(', ')})`
}

function describeCommand(args: readonly CommandArgNode[] | undefined): string {
  const one = (a: CommandArgNode): string => {
    switch (a.kind) {
      case 'text':
        return a.parts.map((part) => (typeof part === 'string' ? part : `{${part.ref}${'name' in part ? `:${part.name}` : ''}}`)).join('')
      case 'concat':
        return `concat(${a.items.map(one).join(', ')})`
      case 'ifPresent':
        return `ifPresent(${a.input}, [${a.then.map(one).join(' ')}]${a.else ? `, [${a.else.map(one).join(' ')}]` : ''})`
    }
  }
  return (args ?? []).map(one).join(' ')
}

/** Names the printer gives components and nested pipelines (a reused one is declared once). */
class PrintNames {
  readonly names = new Map<ComponentNode, string>()
  private readonly taken = new Set<string>()
  nameOf(c: ComponentNode, declare: (name: string) => void): string {
    const known = this.names.get(c)
    if (known) return known
    const base = `${c.kind === 'pipeline' ? 'pipe' : 'comp'}_${ident(c.name)}`
    let name = base
    for (let i = 2; this.taken.has(name); i++) name = `${base}_${i}`
    this.taken.add(name)
    this.names.set(c, name)
    declare(name)
    return name
  }
}

function taskOptions(t: TaskNode): string {
  const parts = [
    t.displayName !== undefined ? `displayName: ${str(t.displayName)}` : '',
    t.after.length > 0 ? `after: [${t.after.map(ident).join(', ')}]` : '',
    t.caching.enabled === false ? 'caching: false' : t.caching.key !== undefined ? `caching: { key: ${str(t.caching.key)} }` : t.caching.enabled === true ? 'caching: true' : '',
    t.env.length > 0 ? `env: { ${t.env.map((e) => `${e.name}: ${str(e.value)}`).join(', ')} }` : '',
    t.resources ? `resources: ${JSON.stringify(t.resources)}` : '',
    t.retry ? `retry: { count: ${t.retry.maxRetryCount}, backoff: ${t.retry.backoffSeconds}, factor: ${t.retry.backoffFactor}, maxBackoff: ${t.retry.backoffMaxSeconds} }` : '',
    t.ignoreUpstreamFailure ? 'ignoreUpstreamFailure: true' : '',
  ].filter(Boolean)
  return parts.length > 0 ? `, { ${parts.join(', ')} }` : ''
}

function printPipeline(p: PipelineNode, indent: string, names: PrintNames, lines: string[], binding: string): void {
  const config = [
    `name: ${str(p.name)}`,
    p.description !== undefined ? `description: ${str(p.description)}` : '',
    p.displayName !== undefined ? `displayName: ${str(p.displayName)}` : '',
    p.defaultPipelineRoot !== undefined ? `pipelineRoot: ${str(p.defaultPipelineRoot)}` : '',
    p.caching !== undefined ? `caching: ${p.caching}` : '',
    Object.keys(p.inputs).length > 0 ? `inputs: ${describeSpecs(p.inputs)}` : '',
  ].filter(Boolean)
  // Declarations go above the opening line, in the order the body first uses them.
  let opening = lines.length
  lines.push(`${indent}${binding}pipeline({ ${config.join(', ')} }, (dag, p) => {`)
  const inner = `${indent}  `
  // Components are declared above the pipeline that first uses them, like a user would.
  const declare = (c: ComponentNode) => (name: string) => {
    const decl: string[] = []
    if (c.kind === 'pipeline') printPipeline(c, indent, names, decl, `const ${name} = `)
    else if (c.kind === 'container') {
      const fields = [
        `name: ${str(c.name)}`,
        `image: ${str(c.image)}`,
        c.description !== undefined ? `description: ${str(c.description)}` : '',
        Object.keys(c.inputs).length > 0 ? `inputs: ${describeSpecs(c.inputs)}` : '',
        Object.keys(c.outputs).length > 0 ? `outputs: ${describeSpecs(c.outputs)}` : '',
        c.command ? `command: ${str(describeCommand(c.command))}` : '',
        c.args ? `args: ${str(describeCommand(c.args))}` : '',
      ].filter(Boolean)
      decl.push(`${indent}const ${name} = component({ ${fields.join(', ')} })`)
    }
    lines.splice(opening, 0, ...decl)
    opening += decl.length
  }
  const task = (t: TaskNode, at: string, prefix = `const ${ident(t.name)} = `): string => {
    const c = t.component
    const args = Object.entries(t.inputs).map(([k, s]) => `${ident(k) === k ? k : str(k)}: ${describeSource(s)}`)
    const note = ident(t.name) === t.name ? '' : ` // ${str(t.name)}`
    if (c.kind === 'importer') {
      const config = [`uri: ${t.inputs['uri'] ? describeSource(t.inputs['uri']) : '?'}`, `type: ${artifactTypeName(c.artifactType)}`, `reimport: ${c.reimport}`, c.metadata ? `metadata: ${JSON.stringify(c.metadata)}` : ''].filter(Boolean)
      return `${at}${prefix}dag.importer({ ${config.join(', ')} }${taskOptions(t)})${note}`
    }
    const runnable = names.nameOf(c, declare(c))
    return `${at}${prefix}dag.task(${runnable}, { ${args.join(', ')} }${taskOptions(t)})${note}`
  }
  const body = (nodes: readonly BodyNode[], at: string) => {
    for (const node of nodes) {
      switch (node.kind) {
        case 'task':
          lines.push(task(node, at))
          break
        case 'condition':
          lines.push(`${at}dag.if(${node.predicate ? describePredicate(node.predicate) : 'true'}, () => { // ${node.id}${node.displayName !== undefined ? ` ${str(node.displayName)}` : ''}`)
          body(node.body, `${at}  `)
          lines.push(`${at}})`)
          break
        case 'branches':
          node.branches.forEach((br, i) => {
            const opener = i === 0 ? `${at}dag.if(${describePredicate(br.predicate!)}, () => {` : br.predicate ? `${at}}).elif(${describePredicate(br.predicate)}, () => {` : `${at}}).else(() => {`
            lines.push(`${opener} // ${i === 0 ? `${node.id}: ` : ''}${br.id}`)
            body(br.body, `${at}  `)
          })
          lines.push(`${at}})`)
          break
        case 'loop': {
          const list = node.items.kind === 'raw' ? JSON.stringify(node.items.values) : describeSource(node.items.from)
          const options = [node.parallelism !== undefined ? `parallelism: ${node.parallelism}` : '', node.displayName !== undefined ? `displayName: ${str(node.displayName)}` : ''].filter(Boolean)
          lines.push(`${at}dag.forEach(${list}, (${itemVar(node.id)}) => { // ${node.id}, item ${describeType(node.itemSpec)}`)
          body(node.body, `${at}  `)
          lines.push(`${at}}${options.length > 0 ? `, { ${options.join(', ')} }` : ''})`)
          break
        }
        case 'exitHandler':
          lines.push(`${at}dag.exitHandler((status) => ${task(node.exitTask, '', '').trimStart()}, () => { // ${node.id}, exit task ${str(node.exitTask.name)}`)
          body(node.body, `${at}  `)
          lines.push(`${at}})`)
          break
      }
    }
  }
  body(p.body, inner)
  const outputs = Object.entries(p.outputs)
  if (outputs.length > 0) lines.push(`${inner}return { ${outputs.map(([k, o]) => `${k}: ${describeSource(o.from)}`).join(', ')} }`)
  lines.push(`${indent}})`)
}

/** A pipeline as DSL-like text (components declared once, then the body): what counterexamples print. */
export function formatPipeline(p: PipelineNode): string {
  const lines: string[] = []
  printPipeline(p, '', new PrintNames(), lines, '')
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------
// Coverage

/** The features a generated pipeline uses (nested pipelines included), for checking what the generator covers. */
export function featuresOf(p: PipelineNode): Set<string> {
  const found = new Set<string>()
  const source = (s: ValueSourceNode, where: string) => {
    found.add(`${where}: ${s.kind}`)
    if (s.kind === 'loopItem' && s.path) found.add(`${where}: struct field of a loop item`)
    if (s.kind === 'constant' && s.value !== null && typeof s.value === 'object') found.add(`${where}: JSON constant`)
  }
  const spec = (s: IoSpecNode, where: string) => {
    found.add(`${where} ${s.kind === 'artifact' ? (s.isList ? 'artifact list' : 'artifact') : s.type}`)
    if (s.kind === 'artifact' && !s.type.schemaTitle.startsWith('system.')) found.add(`${where} of a user artifact type`)
    if (s.description !== undefined) found.add('described input or output')
    if (s.kind === 'parameter' && s.default !== undefined) found.add('parameter default')
  }
  const predicate = (q: PredicateNode) => {
    if (q.kind === 'compare') {
      found.add(`comparison ${q.op}`)
      source(q.left, 'condition operand')
      source(q.right, 'condition operand')
      if (q.left.kind !== 'constant' && q.right.kind !== 'constant') found.add('comparison of two references')
    } else if (q.kind === 'not') {
      found.add('not')
      predicate(q.item)
    } else {
      found.add(q.kind)
      for (const i of q.items) predicate(i)
    }
  }
  const seenComponents = new Set<ComponentNode>()
  for (const q of pipelinesOf(p)) {
    if (q !== p) found.add('nested pipeline')
    if (q.caching !== undefined) found.add(`pipeline caching ${q.caching ? 'on' : 'off'}`)
    if (q.description !== undefined) found.add('pipeline description')
    if (q.displayName !== undefined) found.add('pipeline display name')
    if (q.defaultPipelineRoot !== undefined) found.add('pipeline root')
    for (const o of Object.values(q.outputs)) source(o.from, 'pipeline output')
    for (const s of Object.values(q.inputs)) spec(s, 'pipeline input')
    for (const { node, path } of groupsOf(q.body)) {
      found.add(node.kind === 'loop' ? `loop over ${node.items.kind}` : node.kind)
      if (path.length > 0) found.add(`${node.kind} nested in a group`)
      if (node.kind === 'loop' && path.some((g) => g.startsWith('for-loop-'))) found.add('loop inside a loop')
      if (node.kind === 'loop' && node.parallelism !== undefined) found.add('loop parallelism')
      if (node.kind === 'loop' && node.items.kind !== 'raw') source(node.items.from, 'loop list')
      if (node.kind === 'loop' && node.items.kind === 'raw') found.add(`static list of ${node.itemSpec.kind === 'parameter' ? node.itemSpec.type : 'artifacts'}`)
      if (node.kind === 'branches') {
        found.add(`if/elif/else chain of ${node.branches.length}`)
        if (node.branches.some((br) => br.predicate === undefined)) found.add('else branch')
      }
      if (node.kind === 'condition' && node.predicate) predicate(node.predicate)
      if ('displayName' in node && node.displayName !== undefined) found.add('group display name')
    }
    const users = new Map<ComponentNode, number>()
    for (const { task, groups } of tasksWithPaths(q.body)) {
      const c = task.component
      users.set(c, (users.get(c) ?? 0) + 1)
      found.add(`${c.kind} task`)
      if (groups.length > 0 && c.kind === 'pipeline') found.add('nested pipeline inside a group')
      if (groups.length > 0 && c.kind === 'importer') found.add('importer inside a group')
      if (task.ignoreUpstreamFailure) found.add('ignoreUpstreamFailure')
      if (task.after.length > 0) found.add('after')
      if (task.resources) found.add('resources')
      if (task.resources?.accelerator) found.add('accelerator')
      if (task.resources?.cpuRequest !== undefined && task.resources.memoryRequest !== undefined) found.add('cpu and memory requests')
      if (task.retry) found.add('retry')
      if (task.env.length > 0) found.add('env')
      if (task.displayName !== undefined) found.add('task display name')
      found.add(task.caching.enabled === undefined ? 'task caching inherited' : task.caching.enabled === false ? 'task caching off' : task.caching.key !== undefined ? 'task cache key' : 'task caching on')
      for (const s of Object.values(task.inputs)) source(s, 'task input')
      if (c.kind === 'container' && !seenComponents.has(c)) {
        seenComponents.add(c)
        if (c.description !== undefined) found.add('component description')
        if (c.image.includes('@sha256:')) found.add('image pinned by digest')
        if (c.args !== undefined) found.add('command and args')
        if (JSON.stringify(c.args ?? []).includes('"ifPresent"') && JSON.stringify(c.args ?? []).includes('"else"')) found.add('ifPresent with else')
        for (const s of Object.values(c.outputs)) spec(s, 'component output')
        for (const s of Object.values(c.inputs)) spec(s, 'component input')
      }
    }
    for (const [c, n] of users) if (n > 1) found.add(`${c.kind} component reused`)
    // A oneOf whose task a run may skip although its branch runs: under a condition inside the
    // branch, or waiting there (task inputs and pipeline outputs; predicates are not looked at).
    const oneOfTasks = new Set<string>()
    const readsOneOf = (s: ValueSourceNode) => {
      if (s.kind === 'oneOf') for (const o of s.sources) oneOfTasks.add(o.task)
    }
    for (const o of Object.values(q.outputs)) readsOneOf(o.from)
    for (const { task } of tasksWithPaths(q.body)) for (const s of Object.values(task.inputs)) readsOneOf(s)
    for (const { task, path } of tasksWithPaths(q.body)) {
      if (!oneOfTasks.has(task.name)) continue
      let chain = -1
      path.forEach((g, i) => void (g.startsWith('condition-branches-') && (chain = i)))
      if (path.slice(chain + 2).some((g) => g.startsWith('condition-') && !g.startsWith('condition-branches-'))) found.add('oneOf task under a condition in its branch')
      if (task.after.length > 0) found.add('oneOf task waiting in its branch')
    }
  }
  return found
}

/** Features every sample of a few hundred pipelines contains (what "covers every feature" means). */
export const REQUIRED_FEATURES: readonly string[] = [
  // parameters and artifacts
  'pipeline input STRING', 'pipeline input NUMBER_INTEGER', 'pipeline input NUMBER_DOUBLE', 'pipeline input BOOLEAN', 'pipeline input LIST', 'pipeline input STRUCT',
  'pipeline input artifact', 'pipeline input artifact list', 'pipeline input of a user artifact type', 'parameter default', 'described input or output',
  'component output artifact', 'component output artifact list', 'component output of a user artifact type', 'task input: JSON constant',
  // components
  'container task', 'importer task', 'container component reused', 'pipeline component reused', 'component description', 'image pinned by digest',
  'command and args', 'ifPresent with else',
  // nested pipelines
  'nested pipeline', 'nested pipeline inside a group', 'pipeline description', 'pipeline display name', 'pipeline root',
  // conditions
  'condition', 'branches', 'else branch', 'if/elif/else chain of 3', 'and', 'or', 'not', 'comparison of two references',
  'condition operand: pipelineInput', 'condition operand: taskOutput', 'condition operand: loopItem', 'condition operand: struct field of a loop item', 'condition operand: oneOf',
  // loops and fan-in
  'loop over raw', 'loop over values', 'static list of STRUCT', 'static list of LIST', 'static list of STRING', 'static list of NUMBER_INTEGER', 'static list of NUMBER_DOUBLE', 'static list of BOOLEAN',
  'loop list: pipelineInput', 'loop list: taskOutput', 'loop list: loopItem', 'loop list: collected', 'loop inside a loop', 'loop parallelism',
  'task input: collected', 'task input: oneOf', 'task input: taskFinalStatus', 'task input: loopItem', 'task input: struct field of a loop item', 'pipeline output: collected', 'pipeline output: oneOf',
  'oneOf task under a condition in its branch', 'oneOf task waiting in its branch', 'task input: template', 'task input: composite',
  // exit handlers
  'exitHandler', 'exitHandler nested in a group', 'ignoreUpstreamFailure',
  // settings
  'resources', 'accelerator', 'cpu and memory requests', 'retry', 'env', 'after', 'task display name', 'group display name',
  'task caching inherited', 'task caching off', 'task cache key', 'task caching on', 'pipeline caching off', 'pipeline caching on',
]

// ---------------------------------------------------------------------------------------------
// The same pipeline through the DSL builder

const COMPARE: Readonly<Record<ComparisonOperator, (l: never, r: never) => Predicate>> = { '==': eq, '!=': ne, '<': lt, '<=': le, '>': gt, '>=': ge }

type TaskFn = (runnable: Runnable, args: Readonly<Record<string, unknown>>, options: TaskOptions) => AnyTask

/** The DSL handle of a pipeline being rebuilt, for hooks that change what a user writes. */
export interface DslBody {
  readonly dag: { task: TaskFn; forEach: (list: unknown, body: (item: unknown) => void, options: object) => void }
  /** Handles of the tasks declared so far, by IR name. */
  readonly handles: ReadonlyMap<string, AnyTask>
}

/**
 * Hooks that let a property write what a user would write instead (a wrong argument through
 * `as any`, a bad option, a late `.after()`); they apply to the root pipeline only.
 */
export interface DslHooks {
  /** At the start of the body, with the pipeline's input references. */
  readonly start?: (inputs: Readonly<Record<string, unknown>>) => void
  /** Before `dag.task`: may change the arguments and options (in place). */
  readonly task?: (t: TaskNode, args: Record<string, unknown>, options: Record<string, unknown>) => void
  /** Before `dag.forEach`: may change the loop options (in place). */
  readonly loop?: (node: LoopNode, options: Record<string, unknown>) => void
  /** At the end of the body, before returning the outputs. */
  readonly end?: (body: DslBody) => void
}

/**
 * Re-declares a generated pipeline through the DSL: `dag.task`, `dag.if(…).elif(…).else(…)` with
 * `eq`/`gt`/`and`/`or`/`not`, `dag.forEach` (static lists, list references with `item` declared
 * when the generator declared it, lists of artifacts; struct fields with `item.field(…)`),
 * `collected(…)`, `dag.oneOf(…)`, `dag.exitHandler(…)`, `dag.importer(…)`, task options, nested
 * pipelines (one `pipeline()` per nested pipeline object, reused like the generator reuses it).
 * Container components are passed as they are (they are plain IR already). Group ids come from
 * the DSL's own counter, item types from its inference: equality with the generated IR shows that
 * the generator writes what the DSL writes.
 */
export function rebuildWithDsl(p: PipelineNode, hooks: DslHooks = {}, memo = new Map<PipelineNode, PipelineNode>()): PipelineNode {
  return dslPipeline(
    {
      name: p.name,
      ...(p.description !== undefined && { description: p.description }),
      ...(p.displayName !== undefined && { displayName: p.displayName }),
      inputs: p.inputs as InputSpecs,
      ...(p.defaultPipelineRoot !== undefined && { pipelineRoot: p.defaultPipelineRoot }),
      ...(p.caching !== undefined && { caching: p.caching }),
    },
    (dag, refs) => {
      hooks.start?.(refs as Readonly<Record<string, unknown>>)
      const handles = new Map<string, AnyTask>()
      const items = new Map<string, unknown>()
      const task = dag.task as unknown as TaskFn
      const forEach = dag.forEach as unknown as DslBody['dag']['forEach']
      const outputOf = (name: string, output: string) => (handles.get(name)!.outputs as Readonly<Record<string, unknown>>)[output]
      const valueOf = (s: ValueSourceNode, status?: unknown): unknown => {
        switch (s.kind) {
          case 'constant':
            return s.value
          case 'pipelineInput':
            return (refs as Readonly<Record<string, unknown>>)[s.name]
          case 'taskOutput':
            return outputOf(s.task, s.output)
          case 'collected':
            return collected(outputOf(s.task, s.output) as ParamRef)
          case 'loopItem':
            return (s.path ?? []).reduce((item, key) => (item as { field: (k: string) => unknown }).field(String(key)), items.get(s.loop))
          case 'oneOf':
            return (dag.oneOf as (...r: unknown[]) => unknown)(...s.sources.map((o) => outputOf(o.task, o.output)))
          case 'template': {
            // The text before, between and after the values, as a tagged template hands it over.
            const texts = ['']
            const values: unknown[] = []
            for (const part of s.parts) {
              if (typeof part === 'string') texts[texts.length - 1] += part
              else {
                values.push(valueOf(part))
                texts.push('')
              }
            }
            return fmt(Object.assign(texts, { raw: texts }), ...(values as Parameters<typeof fmt>[1][]))
          }
          case 'composite':
            // The constant with each value's reference where it goes, as a user writes it.
            return withValuesAt(s, (value) => valueOf(value))
          case 'taskFinalStatus':
            return status ?? { kind: 'paramRef', source: { kind: 'taskFinalStatus' } }
          default:
            throw new Error(`the generator does not make ${(s as { kind: string }).kind} sources`)
        }
      }
      const predicateOf = (q: PredicateNode): Predicate => {
        switch (q.kind) {
          case 'compare':
            return COMPARE[q.op](valueOf(q.left) as never, valueOf(q.right) as never)
          case 'not':
            return not(predicateOf(q.item))
          case 'and':
          case 'or': {
            const [first, second, ...rest] = q.items.map(predicateOf)
            return (q.kind === 'and' ? and : or)(first!, second!, ...rest)
          }
        }
      }
      const add = (t: TaskNode, status?: unknown): AnyTask => {
        const options: Record<string, unknown> = {
          name: t.name,
          ...(t.displayName !== undefined && { displayName: t.displayName }),
          ...(t.after.length > 0 && { after: t.after.map((a) => handles.get(a)!) }),
          ...(t.caching.enabled !== undefined && { caching: !t.caching.enabled ? false : t.caching.key !== undefined ? { key: t.caching.key } : true }),
          ...(t.env.length > 0 && { env: Object.fromEntries(t.env.map((e) => [e.name, e.value])) }),
          ...(t.resources !== undefined && { resources: t.resources }),
          ...(t.retry !== undefined && {
            retry: { count: t.retry.maxRetryCount, backoff: t.retry.backoffSeconds, factor: t.retry.backoffFactor, maxBackoff: t.retry.backoffMaxSeconds },
          }),
          ...(t.ignoreUpstreamFailure === true && { ignoreUpstreamFailure: true }),
        }
        const c = t.component
        const args: Record<string, unknown> = {}
        for (const [name, source] of Object.entries(t.inputs)) args[name] = valueOf(source, status)
        hooks.task?.(t, args, options)
        let handle: AnyTask
        if (c.kind === 'importer') {
          handle = dag.importer(
            { uri: args['uri'] as string, type: c.artifactType as never, reimport: c.reimport, ...(c.metadata !== undefined && { metadata: c.metadata }) },
            options as TaskOptions,
          )
        } else {
          let runnable: ComponentNode = c
          if (c.kind === 'pipeline') {
            runnable = memo.get(c) ?? rebuildWithDsl(c, {}, memo)
            memo.set(c, runnable)
          }
          handle = task(runnable as Runnable, args, options as TaskOptions)
        }
        handles.set(t.name, handle)
        return handle
      }
      const emit = (body: readonly BodyNode[]): void => {
        for (const node of body) {
          switch (node.kind) {
            case 'task':
              add(node)
              break
            case 'condition':
              dag.if(predicateOf(node.predicate!), () => emit(node.body), node.displayName !== undefined ? { displayName: node.displayName } : undefined)
              break
            case 'branches': {
              const [first, ...rest] = node.branches
              let chain = dag.if(predicateOf(first!.predicate!), () => emit(first!.body))
              for (const br of rest) {
                if (br.predicate) chain = chain.elif(predicateOf(br.predicate), () => emit(br.body))
                else chain.else(() => emit(br.body))
              }
              break
            }
            case 'loop': {
              const options: Record<string, unknown> = {
                ...(node.parallelism !== undefined && { parallelism: node.parallelism }),
                ...(node.displayName !== undefined && { displayName: node.displayName }),
                ...(node.items.kind === 'values' && node.itemSpec.kind === 'parameter' && DECLARED_ITEM_TYPES.includes(node.itemSpec.type) && {
                  item: { kind: 'parameter', type: node.itemSpec.type, optional: false } as ParamSpec,
                }),
              }
              hooks.loop?.(node, options)
              const list = node.items.kind === 'raw' ? node.items.values : valueOf(node.items.from)
              forEach(list, (item) => {
                items.set(node.id, item)
                emit(node.body)
              }, options)
              break
            }
            case 'exitHandler':
              dag.exitHandler(
                (status) => add(node.exitTask, status),
                () => emit(node.body),
                node.displayName !== undefined ? { displayName: node.displayName } : undefined,
              )
              break
          }
        }
      }
      emit(p.body)
      hooks.end?.({ dag: { task, forEach }, handles })
      const outputs: Record<string, unknown> = {}
      for (const [name, out] of Object.entries(p.outputs)) outputs[name] = valueOf(out.from)
      return outputs as never
    },
  )
}
