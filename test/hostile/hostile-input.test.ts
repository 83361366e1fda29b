/**
 * The hostile-input table: every string of the corpus, in every place user text can go, compiled
 * for each target. A row passes when the compile either gives diagnostics with stable codes (and
 * the place allows that) or writes YAML that
 * - parses back (YAML 1.2 and 1.1 alike) into the same number of documents and the same structure
 *   as the benign baseline of that place (an Argo workflow over 1 MiB may split into WorkflowTemplates);
 * - passes the target's strict schema (and, when ../shared is there, argo-validate against the
 *   official schema and the v4 CRDs, for the files with names and with every value place at once);
 * - holds the text byte for byte where it belongs (KFP);
 * - contains no template syntax of user origin: no `{{` in Argo output except tags we write, no KFP
 *   placeholder in text the KFP backend scans for them, except that text holding one is passed on
 *   as written with a `W_KFP_PLACEHOLDER` warning naming the place (by design: KFP has no escape
 *   and KFP pipelines rely on such placeholders; see kfpPassesThrough);
 * - delivers it exactly: a simulated Argo run (substitution passes, then the kubelet) gives every
 *   container the argv, env and URI the KFP target gives it, with no shell in between.
 *
 * Rows that fail because of a bug outside the writer are `it.fails` rows naming the bug (see
 * KNOWN_BUGS); when the bug is fixed the row fails and must be flipped back.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseAllDocuments, visit } from 'yaml'
import type { CommandArgNode, ContainerComponentNode, Diagnostic, PipelineNode, TaskNode } from '@typeflow/dsl'
import { KUBERNETES_NAME, sanitizeName, TypeflowError } from '@typeflow/dsl'
import { parseKfpArg, parseKfpText, renderKfpArg } from '@typeflow/dsl/kfp'
import { compile, type Target, validateKfpDocuments } from '@typeflow/compiler'
import { validateArgoDocuments } from '../../packages/compiler/src/targets/argo/schema.ts'
import { encodeValue } from '../../packages/compiler/src/targets/argo/text.ts'
import { parseYamlPreservingFloats, YamlFloat } from '../../packages/compiler/src/writer/yaml.ts'
import { failures, runArgoValidate, sharedAvailable } from '../argo/helpers.ts'
import { runWorkflow } from '../argo/run.ts'
import { argoSubstitute, containerEnv } from '../argo/simulate.ts'
import { BENIGN, CORPUS, type HostileString } from './corpus.ts'
import { ALL_VALUES, argoRuns, buildPipeline, type Hostile, KFP_SCANNED, kfpDelivered, kfpExpectations, NAME_PLACES, type Place, PLACES, textOf, URI_PREFIX } from './places.ts'

type Json = Record<string, any>
const TARGETS: readonly Target[] = ['kfp', 'argo']

/** A stable diagnostic code: `E_…`/`W_…` in capitals, as the DSL declares them. */
const STABLE_CODE = /^[EW]_[A-Z][A-Z_]*[A-Z]$/

// ---------------------------------------------------------------------------------------------
// Compiling one row

type Outcome =
  | { readonly kind: 'compiled'; readonly text: string; readonly pipeline: PipelineNode; readonly warnings: readonly Diagnostic[] }
  | { readonly kind: 'diagnostics'; readonly diagnostics: readonly Diagnostic[] }
  | { readonly kind: 'threw'; readonly error: unknown }

/** Where a row puts the string: one place, or every value place at once. */
interface Placement {
  readonly label: string
  readonly places: Hostile
}

const some = (placement: Placement, set: ReadonlySet<Place>) => [...placement.places].some((p) => set.has(p))

function compileOne(placement: Placement, s: string, target: Target): Outcome {
  let pipeline: PipelineNode
  try {
    pipeline = buildPipeline(placement.places, s, BENIGN)
  } catch (error) {
    // The DSL reports what it rejects while the pipeline is built as a TypeflowError.
    return error instanceof TypeflowError ? { kind: 'diagnostics', diagnostics: error.diagnostics } : { kind: 'threw', error }
  }
  try {
    // Platform policies (credential-like env names …) are not what this table is about.
    const result = compile(pipeline, { targets: [target], policies: 'off' })
    if (!result.ok) return { kind: 'diagnostics', diagnostics: result.diagnostics }
    expect(result.files).toHaveLength(1)
    return { kind: 'compiled', text: result.files[0]!.content, pipeline, warnings: result.warnings }
  } catch (error) {
    return { kind: 'threw', error }
  }
}

const baselines = new Map<string, Outcome & { kind: 'compiled' }>()
function baseline(placement: Placement, target: Target): Outcome & { kind: 'compiled' } {
  const key = `${target}/${placement.label}`
  let found = baselines.get(key)
  if (!found) {
    const outcome = compileOne(placement, BENIGN, target)
    if (outcome.kind !== 'compiled') throw new Error(`the benign baseline of ${key} does not compile: ${JSON.stringify(outcome)}`)
    found = outcome
    baselines.set(key, found)
  }
  return found
}

// ---------------------------------------------------------------------------------------------
// What a row may and must do

/** Whether the place must accept the string, must reject it, or may do either. */
function expectedOutcome(placement: Placement, s: string, target: Target): { readonly compiles: 'must' | 'never' | 'may'; readonly codes?: readonly string[] } {
  const place = placement.places.size === 1 ? [...placement.places][0]! : undefined
  // KFP placeholders in text KFP scans are passed on with a warning, by design (kfpPassesThrough).
  if (kfpPassesThrough(target, placement, s)) return { compiles: 'must' }
  switch (place) {
    case 'taskName':
    case 'pipelineName':
      return KUBERNETES_NAME.test(s) && s.length <= 128 ? { compiles: 'must' } : { compiles: 'never', codes: ['E_INVALID_NAME'] }
    case 'componentName':
      return sanitizeName(s) === '' ? { compiles: 'never', codes: ['E_INVALID_NAME'] } : { compiles: 'may' }
    case 'inputName':
    case 'envName':
      return { compiles: 'may' }
    case 'importerUri':
      // Argo substitutes artifact locations more than once and has no escape for `{{`: no location
      // names such an object, so the Argo target refuses the URI (targets/argo/importer.ts).
      return target === 'argo' && (URI_PREFIX + s).includes('{{') ? { compiles: 'never', codes: ['E_INVALID_CONSTANT'] } : { compiles: 'must' }
    default:
      return { compiles: 'must' }
  }
}

/**
 * An env var name every Kubernetes accepts with relaxed validation (1.30+): printable ASCII but `=`.
 * (Older clusters want a C identifier; this is the lenient check.)
 */
function isKubernetesEnvName(name: string): boolean {
  return /^[ -<>-~]+$/.test(name)
}

/** KFP placeholders (`{{$}}`, `{{$.inputs.parameters['x']}}`, `{{$.pipeline_job_name}}` …) in text. */
function kfpPlaceholdersIn(text: string): string[] {
  return parseKfpText(text).parts.filter((p) => typeof p !== 'string').map((p) => JSON.stringify(p))
}

/**
 * KFP placeholders in text KFP scans (command lines, constants, defaults) are passed on as they
 * are, with a `W_KFP_PLACEHOLDER` warning, by design: KFP has no escape for them and KFP users rely
 * on them (`dsl.PIPELINE_JOB_NAME_PLACEHOLDER`; the SDK goldens pipeline_with_placeholders and the
 * custom-training-job pipelines), so refusing them would break SDK parity. The Argo target
 * delivers the text literally. See `W_KFP_PLACEHOLDER` in docs/api/dsl.md and targets/kfp/hazards.ts.
 */
function kfpPassesThrough(target: Target, placement: Placement, s: string): boolean {
  return target === 'kfp' && some(placement, KFP_SCANNED) && kfpPlaceholdersIn(s).length > 0
}

/** Where each scanned place is reported by `W_KFP_PLACEHOLDER`, for the echo task `task`. */
function placeholderWarningPath(place: Place, task: string): readonly string[] | undefined {
  switch (place) {
    case 'pipelineInputDefault':
      return ['inputs', 'pin', 'default']
    case 'componentInputDefault':
      return ['tasks', task, 'inputs', 'd', 'default']
    case 'constantArg':
      return ['tasks', task, 'inputs', 'v']
    case 'commandLiteral':
    case 'commandTemplate':
      return ['tasks', task, 'command']
    case 'fmtPart':
      return ['tasks', task, 'inputs', 'f']
    default:
      return undefined
  }
}

/** A pass-through row warns about every scanned place holding the text, and about nothing else. */
function checkPlaceholderWarnings(warnings: readonly Diagnostic[], placement: Placement, pipeline: PipelineNode): void {
  const task = echoTask(pipeline).name
  const paths = (ds: readonly Diagnostic[]) => [...new Set(ds.map((d) => d.path.join('/')))].sort()
  const expected = [...placement.places].flatMap((place) => (KFP_SCANNED.has(place) ? [placeholderWarningPath(place, task)!.join('/')] : []))
  const found = warnings.filter((w) => w.code === 'W_KFP_PLACEHOLDER')
  // Other places may also hold the text (the importer URI's default is a pipeline input default).
  expect(paths(found), 'W_KFP_PLACEHOLDER warnings').toEqual(expect.arrayContaining([...new Set(expected)].sort()))
  for (const w of found) {
    expect(w.severity, w.message).toBe('warning')
    expect(w.message).toContain('{{$')
  }
}

// ---------------------------------------------------------------------------------------------
// Structure

const LBRACE_ENV = 'TYPEFLOW_LBRACE'
const NAME_ANNOTATIONS = ['typeflow.dev/io-names', 'typeflow.dev/component']

/**
 * The shape of a document: objects by their keys, arrays by their length, scalars by type. With
 * `anyKeys`, keys are left out (names may legitimately change them) and children are sorted.
 */
function shape(value: unknown, anyKeys: boolean): unknown {
  // Items named after user names may sort differently: with `anyKeys` a list is a multiset.
  if (Array.isArray(value)) return anyKeys ? value.map((v) => JSON.stringify(shape(v, true))).sort() : value.map((v) => shape(v, false))
  if (value instanceof YamlFloat) return 'number'
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => [k, shape(v, anyKeys)] as const)
    if (!anyKeys) return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    return { '#': entries.map(([, v]) => JSON.stringify(v)).sort() }
  }
  return value === null ? 'null' : typeof value
}

/** Argo documents without what Typeflow adds for some text: the brace env var, name annotations. */
function argoComparable(docs: readonly unknown[], placement: Placement): unknown[] {
  const names = some(placement, NAME_PLACES)
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.filter((v) => !(v !== null && typeof v === 'object' && (v as Json)['name'] === LBRACE_ENV && 'value' in (v as Json))).map(strip)
    if (value !== null && typeof value === 'object') {
      const out: Json = {}
      for (const [k, v] of Object.entries(value)) {
        if (names && NAME_ANNOTATIONS.includes(k)) continue
        const stripped = strip(v)
        // An annotations map emptied by the line above is the baseline's missing one.
        if (k === 'annotations' && stripped !== null && typeof stripped === 'object' && Object.keys(stripped).length === 0) continue
        out[k] = stripped
      }
      return out
    }
    return value
  }
  return docs.map(strip)
}

function plain(value: unknown): unknown {
  if (value instanceof YamlFloat) return value.value
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  return value
}

/** Parses a file as YAML 1.2 and as YAML 1.1 (how PyYAML, go-yaml, kubectl and Argo read it); both must agree. */
function parseBothWays(text: string, target: Target): { docs: unknown[]; docs11: unknown[] } {
  const parsed = parseAllDocuments(text)
  const streams = Array.isArray(parsed) ? parsed : []
  expect(streams.flatMap((d) => d.errors.map((e) => e.message))).toEqual([])
  const docs = streams.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
  let docs11: unknown[]
  if (target === 'kfp') {
    docs11 = parseYamlPreservingFloats(text)
  } else {
    const streams11 = parseAllDocuments(text, { version: '1.1' })
    const list = Array.isArray(streams11) ? streams11 : []
    expect(list.flatMap((d) => d.errors.map((e) => e.message))).toEqual([])
    docs11 = list.map((d) => d.toJS({ maxAliasCount: -1 }) as unknown)
  }
  expect(docs11.map(plain)).toEqual(docs)
  return { docs, docs11 }
}

/** The `#` lines the KFP file starts with (the SDK's comment header), and the first line after them. */
function header(text: string): { lines: string[]; next: string } {
  const lines = text.split('\n')
  const end = lines.findIndex((l) => !l.startsWith('#'))
  return { lines: lines.slice(0, end), next: lines[end] ?? '' }
}

/**
 * The header stays comments: every line starts with `# `, none holds a character a YAML reader
 * breaks lines at (YAML 1.1 also breaks at NEL, LS, PS), and the document starts where the
 * baseline's does. A multi-line description is one comment line per line, as the SDK writes it.
 */
function checkHeader(text: string, baseText: string, placement: Placement): void {
  const got = header(text)
  const base = header(baseText)
  expect(got.lines.filter((l) => !/^#(?: |$)/.test(l) || /[\r\x85\u2028\u2029]/.test(l)), 'header lines that are not plain comments').toEqual([])
  expect(got.next, 'first line after the header').toBe(base.next)
  if (!placement.places.has('pipelineDescription')) expect(got.lines.length, 'header lines').toBe(base.lines.length)
}

// go-yaml v2 (sigs.k8s.io/yaml: kubectl, Argo, Go services reading KFP IR) resolves more plain
// scalars than PyYAML does; written from the resolver's rules, not from our writers.
const GO_NON_STRING = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<)$/,
]
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[0-9]+)$/

/** Plain (unquoted) scalars that go-yaml reads as something other than the string written. */
function goYamlMisreads(text: string): string[] {
  const found: string[] = []
  const docs = parseAllDocuments(text, { schema: 'failsafe' })
  for (const doc of Array.isArray(docs) ? docs : []) {
    visit(doc, {
      Scalar(_, node) {
        if (node.type !== 'PLAIN') return
        const value = String(node.value)
        if (GO_NON_STRING.some((re) => re.test(value)) || GO_INT.test(value.replace(/_/g, ''))) found.push(value)
      },
    })
  }
  return found
}

// ---------------------------------------------------------------------------------------------
// Argo: template tags and what is delivered

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) strings(v, out)
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, strings(k, out))
  return out
}

const IO = '[-a-zA-Z0-9_]+'
/** The tags the Argo target writes: parameter and output references, and `=` expressions whose string literals are escaped. */
const OUR_REFERENCE = new RegExp(`^(?:workflow\\.parameters\\.${IO}|inputs\\.(?:parameters|artifacts)\\.${IO}|tasks\\.${IO}\\.outputs\\.(?:parameters|artifacts)\\.${IO}|workflow\\.name|pod\\.name|item(?:\\.${IO})?)$`)
const EXPR_LITERAL = /'(?:[A-Za-z0-9_.,/@+\-=%~^*]|\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\U[0-9a-f]{8})*'/g
const EXPR_REST = /^[A-Za-z0-9_.,()[\]+:<>=!&|?-]*$/

function isOurTag(tag: string): boolean {
  if (!tag.startsWith('=')) return OUR_REFERENCE.test(tag)
  return EXPR_REST.test(tag.slice(1).replace(EXPR_LITERAL, 'L'))
}

/** Every `{{…}}` tag, the way fasttemplate finds them, and the text left around them. */
function tagsIn(text: string): { tags: string[]; rest: string } {
  const tags: string[] = []
  let rest = ''
  let i = 0
  for (;;) {
    const start = text.indexOf('{{', i)
    const end = start < 0 ? -1 : text.indexOf('}}', start + 2)
    if (end < 0) return { tags, rest: rest + text.slice(i) }
    rest += text.slice(i, start)
    tags.push(text.slice(start + 2, end))
    i = end + 2
  }
}

/** Tags with hashes and literal contents abstracted: the same in a hostile file and its baseline. */
function normalizedTags(docs: readonly unknown[]): string[] {
  return strings(docs)
    .flatMap((s) => tagsIn(s).tags)
    .map((t) => t.replace(EXPR_LITERAL, "'L'").replace(/[0-9a-f]{16,}/g, 'H').replace(/-[0-9a-f]{8}\b/g, '-H'))
    .sort()
}

function spec(docs: readonly unknown[]): Json {
  const main = (docs as Json[]).find((d) => (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])?.['entrypoint'])!
  return main['kind'] === 'CronWorkflow' ? main['spec']['workflowSpec'] : main['spec']
}

function templates(docs: readonly unknown[]): Map<string, Json> {
  const map = new Map<string, Json>()
  for (const d of docs as Json[]) for (const t of (d['kind'] === 'CronWorkflow' ? d['spec']['workflowSpec'] : d['spec'])['templates'] as Json[]) map.set(t['name'], t)
  return map
}

/** `{{` broken apart for people (`{ {`): the shown text equals the original once that is undone. */
const collapse = (text: string) => text.replace(/\{ (?=\{)/g, '{')

/** What a person sees in the Argo UI: no tags, and the text itself but for broken-up `{{`. */
function expectShown(shown: unknown, s: string, what: string): void {
  expect(typeof shown, what).toBe('string')
  expect(shown as string, what).not.toContain('{{')
  expect(collapse(shown as string), what).toBe(collapse(s))
}

function checkArgoDelivery(docs: readonly unknown[], placement: Placement, s: string): void {
  const hostile = placement.places
  const expected = kfpDelivered(hostile, s, BENIGN)
  const wf = spec(docs)
  const globals = new Map<string, string>([['workflow.name', 'wf-run']])
  for (const p of (wf['arguments']?.['parameters'] ?? []) as Json[]) globals.set(`workflow.parameters.${p['name']}`, p['value'])
  // Argo substitutes a template more than once: the value must survive any number of passes.
  for (const passes of [1, 3]) {
    const run = runWorkflow(docs as Json[], { passes })
    expect(run.phase, `run phase after ${passes} passes`).toBe('Succeeded')
    const { echo, importer } = argoRuns(run.runs)
    expect(echo, 'the echo container ran').toBeDefined()
    expect(echo!.argv.slice(0, expected.argv.length), `echo argv after ${passes} passes`).toEqual(expected.argv)
    // Env: the template's env, substituted with the run's inputs, then expanded by the kubelet.
    const template = templates(docs).get(echo!.template)!
    const vars = new Map(globals)
    for (const [k, v] of Object.entries(echo!.inputs)) vars.set(`inputs.parameters.${k}`, v)
    const env = containerEnv(argoSubstitute((template['container']['env'] ?? []) as { name: string; value: string }[], vars, passes))
    for (const [name, value] of expected.env) expect(env.get(name), `env ${JSON.stringify(name)} after ${passes} passes`).toBe(value)
    // The importer: the URI reaches the shell check as one word ($0), and the artifact location.
    expect(importer, 'the importer ran').toBeDefined()
    expect(importer!.argv.slice(0, 2)).toEqual(['sh', '-c'])
    expect(importer!.argv[3], 'importer URI argument').toBe(expected.uri)
    const importerTemplate = templates(docs).get(importer!.template)!
    const importerVars = new Map(globals)
    for (const [k, v] of Object.entries(importer!.inputs)) importerVars.set(`inputs.parameters.${k}`, v)
    const gcs = argoSubstitute(importerTemplate['inputs']['artifacts'][0]['gcs'] as Json, importerVars, passes)
    expect({ bucket: gcs['bucket'], key: gcs['key'] }, 'imported object').toEqual({ bucket: 'bucket', key: expected.uri.slice(URI_PREFIX.length) })
  }
  // The one DAG task passing a display name (in the entrypoint, or a WorkflowTemplate after a split).
  const shown = [...templates(docs).values()]
    .flatMap((t) => (t['dag']?.['tasks'] ?? []) as Json[])
    .flatMap((t) => (t['arguments']?.['parameters'] ?? []) as Json[])
    .filter((p) => p['name'] === 'typeflow-display-name')
  expect(shown, 'display name arguments').toHaveLength(1)
  const shownDisplayName = shown[0]!['value']
  expectShown(shownDisplayName, textOf('taskDisplayName', hostile, s, BENIGN), 'task display name')
  const workflow = (docs as Json[]).find((d) => d['kind'] === 'Workflow')!
  const annotations = (workflow['metadata']['annotations'] ?? {}) as Json
  expectShown(annotations['workflows.argoproj.io/description'], textOf('pipelineDescription', hostile, s, BENIGN), 'workflow description')
  expectShown(annotations['workflows.argoproj.io/title'], textOf('pipelineDisplayName', hostile, s, BENIGN), 'workflow title')
  const pin = (wf['arguments']['parameters'] as Json[]).find((p) => p['name'] === 'pin')!
  expectShown(pin['description'], textOf('paramDescription', hostile, s, BENIGN), 'parameter description')
}

// ---------------------------------------------------------------------------------------------
// KFP: commands parse back to what the component declares

function echoTask(pipeline: PipelineNode): TaskNode {
  return pipeline.body.find((n): n is TaskNode => n.kind === 'task' && n.component.kind === 'container' && !n.name.startsWith('importer'))!
}

function echoComponent(pipeline: PipelineNode): ContainerComponentNode {
  return echoTask(pipeline).component as ContainerComponentNode
}

function checkKfp(docs: readonly unknown[], docs11: readonly unknown[], placement: Placement, s: string, pipeline: PipelineNode, passedThrough: boolean): void {
  expect(validateKfpDocuments(docs11, { floatValue: (v) => (v instanceof YamlFloat ? v.value : undefined) })).toEqual([])
  expect(validateKfpDocuments(docs)).toEqual([])
  const doc = docs[0] as Json
  for (const e of kfpExpectations(placement.places, s, BENIGN, doc)) expect(e.actual, e.what).toEqual(e.expected)
  const declared = echoComponent(pipeline).command ?? []
  const executors = Object.values(doc['deploymentSpec']['executors'] as Json).filter((e) => e['container']?.['command']?.[0] === 'echo')
  expect(executors).toHaveLength(1)
  const command = executors[0]!['container']['command'] as string[]
  // Text holding KFP placeholders is passed on as written (KFP will substitute them, as warned).
  if (passedThrough) expect(command, 'the command as written').toEqual(declared.map(renderKfpArg))
  // Otherwise every command argument reads back as the component wrote it: no literal became a placeholder.
  else expect(command.map(parseKfpArg)).toEqual(JSON.parse(JSON.stringify(declared)) as CommandArgNode[])
}

// ---------------------------------------------------------------------------------------------
// Known bugs outside test/hostile and the writer (reported; each row flips back when fixed)

interface KnownBug {
  readonly id: string
  readonly description: string
  readonly matches: (target: Target, place: Place, entry: HostileString) => boolean
}


const KNOWN_BUGS: readonly KnownBug[] = [
]

/** The first known bug a row runs into; a row with several places runs into those of each. */
function knownBug(target: Target, placement: Placement, entry: HostileString): KnownBug | undefined {
  return KNOWN_BUGS.find((b) => [...placement.places].some((place) => b.matches(target, place, entry)))
}

// ---------------------------------------------------------------------------------------------
// The table

interface Row {
  readonly name: string
  readonly target: Target
  readonly placement: Placement
  readonly entry: HostileString
  readonly bug?: KnownBug
}

const rows: Row[] = []
// Each place alone, then every value place at once except the importer URI (the Argo target refuses
// URIs holding `{{`, which would hide the rest); the importer URI has its own rows.
const PLACEMENTS: readonly Placement[] = [
  ...PLACES.map((place) => ({ label: place, places: new Set([place]) })),
  { label: 'allValues', places: new Set([...ALL_VALUES].filter((p) => p !== 'importerUri')) },
]
for (const entry of CORPUS) {
  for (const placement of PLACEMENTS) {
    for (const target of TARGETS) {
      const bug = knownBug(target, placement, entry)
      rows.push({ name: `${target} ${placement.label} ${entry.id}${bug ? ` [known bug ${bug.id}]` : ''}`, target, placement, entry, ...(bug && { bug }) })
    }
  }
}

const tally = { rows: rows.length, compiled: 0, passedThrough: 0, diagnostics: 0, knownBugs: rows.filter((r) => r.bug).length }
const argoFiles = new Map<string, string>()

function runRow(row: Row): void {
  const { target, placement, entry } = row
  const s = entry.value
  const outcome = compileOne(placement, s, target)
  if (outcome.kind === 'threw') throw new Error(`compile threw instead of reporting diagnostics: ${(outcome.error as Error)?.stack ?? String(outcome.error)}`)
  const expectation = expectedOutcome(placement, s, target)
  if (outcome.kind === 'diagnostics') {
    tally.diagnostics++
    expect(outcome.diagnostics.length).toBeGreaterThan(0)
    for (const d of outcome.diagnostics) expect(d.code, d.message).toMatch(STABLE_CODE)
    // E_SCHEMA means an invalid document was produced (and caught): the input should have been refused earlier.
    expect(outcome.diagnostics.filter((d) => d.code === 'E_SCHEMA').map((d) => d.message), 'schema failures of emitted documents').toEqual([])
    expect(expectation.compiles, `rejected: ${outcome.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ').slice(0, 500)}`).not.toBe('must')
    if (expectation.codes) expect(outcome.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining([...expectation.codes]))
    return
  }
  tally.compiled++
  const passedThrough = kfpPassesThrough(target, placement, s)
  if (passedThrough) {
    tally.passedThrough++
    checkPlaceholderWarnings(outcome.warnings, placement, outcome.pipeline)
  } else {
    if (target === 'kfp' && (some(placement, KFP_SCANNED) || placement.places.has('inputName'))) expect(kfpPlaceholdersIn(s), 'KFP would substitute these placeholders of user text').toEqual([])
    if (!s.includes('{{$')) expect(outcome.warnings.filter((w) => w.code === 'W_KFP_PLACEHOLDER'), 'W_KFP_PLACEHOLDER for text without "{{$"').toEqual([])
  }
  if (placement.places.has('envName')) expect(isKubernetesEnvName(s), 'an env var name Kubernetes rejects').toBe(true)
  expect(expectation.compiles, 'compiled although it must be rejected').not.toBe('never')
  const base = baseline(placement, target)
  const { docs, docs11 } = parseBothWays(outcome.text, target)
  const baseDocs = parseBothWays(base.text, target).docs
  // Argo objects are capped at 1 MiB: a workflow that outgrows it is split into WorkflowTemplates
  // (by design, and only then); its structure is then checked by the run below.
  const split = target === 'argo' && docs.length !== baseDocs.length
  if (split) {
    expect(JSON.stringify(docs).length, 'split although it fits one object').toBeGreaterThan(1024 * 1024)
    expect((docs as Json[]).map((d) => d['kind']).sort(), 'the documents').toEqual([...docs.slice(1).map(() => 'WorkflowTemplate'), 'Workflow'].sort())
  } else expect(docs.length, 'document count').toBe(baseDocs.length)
  expect(goYamlMisreads(outcome.text), 'plain scalars go-yaml reads as non-strings').toEqual(goYamlMisreads(base.text))
  const anyKeys = some(placement, NAME_PLACES)
  if (target === 'kfp') {
    expect(shape(docs, anyKeys), 'structure').toEqual(shape(baseDocs, anyKeys))
    checkHeader(outcome.text, base.text, placement)
    checkKfp(docs, docs11, placement, s, outcome.pipeline, passedThrough)
    return
  }
  if (!split) expect(shape(argoComparable(docs, placement), anyKeys), 'structure').toEqual(shape(argoComparable(baseDocs, placement), anyKeys))
  expect(validateArgoDocuments(docs)).toEqual([])
  const found = strings(docs).map((text) => tagsIn(text))
  expect(found.flatMap((f) => f.tags).filter((t) => !isOurTag(t)), 'tags of user origin').toEqual([])
  expect(found.filter((f) => f.rest.includes('{{')).map((f) => f.rest.slice(0, 200)), 'unclosed `{{`').toEqual([])
  // Renamed inputs change the names inside tags, never how many there are.
  if (split) expect(normalizedTags(docs).length, 'at least the tags of the baseline').toBeGreaterThanOrEqual(normalizedTags(baseDocs).length)
  else if (anyKeys) expect(normalizedTags(docs).length, 'as many tags as the baseline').toBe(normalizedTags(baseDocs).length)
  else expect(normalizedTags(docs), 'the same tags as the baseline').toEqual(normalizedTags(baseDocs))
  checkArgoDelivery(docs, placement, s)
  // Value places leave the structure as it was (checked above) and add no text the schemas constrain,
  // so the files with every value place at once stand for them; names can change what is validated.
  if (placement.label === 'allValues' || anyKeys) argoFiles.set(`${placement.label}-${entry.id}`, outcome.text)
}

describe('hostile strings in every place, both targets', () => {
  afterAll(() => {
    console.log(
      `[hostile] ${tally.rows} rows (${CORPUS.length} strings x ${PLACEMENTS.length} placements x ${TARGETS.length} targets): ` +
        `${tally.compiled} compiled and checked (${tally.passedThrough} of them KFP placeholders passed on with W_KFP_PLACEHOLDER), ${tally.diagnostics} rejected with diagnostics, ${tally.knownBugs} marked as known bugs (${KNOWN_BUGS.length} bugs)`,
    )
  })

  for (const row of rows) {
    if (row.bug) it.fails(row.name, () => runRow(row))
    else it(row.name, () => runRow(row))
  }

  it.skipIf(!sharedAvailable)('the Argo files (names, every value place at once) pass argo-validate: the official schema and the v4 CRDs', () => {
    expect(argoFiles.size).toBeGreaterThan(0)
    const dir = mkdtempSync(join(tmpdir(), 'typeflow-hostile-'))
    try {
      const files = [...argoFiles].map(([name, text], i) => {
        const file = join(dir, `${String(i).padStart(4, '0')}-${name.replace(/[^-\w]+/g, '_')}.argo.yaml`)
        writeFileSync(file, text)
        return file
      })
      for (const mode of ['schema', 'crd'] as const) {
        const run = runArgoValidate(files, mode)
        expect(failures(run), mode).toEqual([])
        expect(run.summary.pass, mode).toBe(run.summary.documents)
        expect(run.summary.documents, mode).toBeGreaterThanOrEqual(files.length)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
