/**
 * The Argo Workflows target: translates the analysed graph (the same one the KFP target reads)
 * into native Argo manifests — a Workflow, WorkflowTemplate or CronWorkflow, plus WorkflowTemplates
 * holding overflow templates when one object would exceed the v4 CRD caps or 1 MiB.
 *
 * Layout: one container template per distinct component-with-settings (env values that differ
 * between a component's tasks are its inputs, see `varyingEnv`), one DAG template per
 * (distinct) pipeline and per control-flow group (condition, if/elif/else, loop, exit handler; see
 * scope.ts), tasks in the analysed topological order. Every task passes the reserved
 * `typeflow-task` parameter (its Typeflow name), which the pod carries as the `typeflow.dev/task`
 * annotation and tools use to map Argo nodes back to pipeline tasks; group templates carry the
 * `typeflow.dev/group` annotation. Cacheable tasks are memoized (see `ArgoOptions.memoize`).
 *
 * Not expressible, reported as diagnostics: fan-in of artifacts and loops over artifacts (Argo
 * aggregates and iterates parameters only), importer URIs without an Argo artifact driver, and
 * (not yet) Kubernetes pod settings and resources read from parameters.
 *
 * @module
 */

import { createHash } from 'node:crypto'
import type { AnalysedPipeline } from '../../analyse/graph.ts'
import type { Diagnostic, IoSpecNode, JsonValue, PipelineNode, ValueSourceNode } from '@typeflow/dsl'
import { joinParts, renderSequenceItem, replaceItemEntry, reserveItemBytes, replaceTrailingItems, toYaml, toYamlDocumentsPartsWithEnds, YAML_DOCUMENT_SEPARATOR, type YamlSequenceItem } from '../../writer/yaml.ts'
import { TYPEFLOW_VERSION } from '../../version.ts'
import { varyingEnv } from './container.ts'
import { argumentsOf } from './dag.ts'
import { argoIoName, kubeName, labelValue, truncateName } from './names.ts'
import { ARGO_CAPS, argoOptionProblems, type ArgoOptions, resolveArgoOptions } from './options.ts'
import { ANNOTATIONS, EmitContext, type TemplateEntry } from './registry.ts'
import { buildPipelineTemplate } from './scope.ts'
import { breakBraces, encodeValue } from './text.ts'
import { driverText } from '@typeflow/dsl/kfp'

type Json = Record<string, unknown>

/** Argo objects keep the key order they are built in. */
const OPTIONS = { sortKeys: false } as const

/** The result of {@link emitArgo}: documents in apply order, or why the pipeline cannot be expressed. */
export interface ArgoEmitResult {
  /**
   * Plain JSON objects; write them with `argoYaml(documents)`. Templates of one component share
   * objects (its command line, inputs and outputs): copy a template before changing it.
   */
  readonly documents: Json[]
  /** `argoYaml(documents)`, already written while measuring the objects (empty on diagnostics); decoded from `parts` when first read. */
  readonly yaml: string
  /** `yaml` as UTF-8: what a file holds, without a string of the whole output ever being made; joined from `parts` when first read. */
  readonly bytes: Uint8Array
  /**
   * `bytes` in consecutive parts, as they were written: each template's YAML is a part of its
   * own, the one made when the templates were measured, never copied into one buffer.
   */
  readonly parts: readonly Uint8Array[]
  /** Non-empty when the pipeline uses something Argo cannot express; `documents` is then empty. */
  readonly diagnostics: readonly Diagnostic[]
}

/**
 * Whether some parameter value may need the brace escape: a compile-time value written with it, or
 * a value known only at run time, which is encoded with it (a task's output, an item of a list
 * read at run time).
 */
function valuesNeedBraceEnv(pipeline: AnalysedPipeline, seen = new Set<AnalysedPipeline>()): boolean {
  if (seen.has(pipeline)) return false
  seen.add(pipeline)
  const escapes = (v: JsonValue) => encodeValue(driverText(v)).usesBraceEnv
  const defaults = (specs: Readonly<Record<string, IoSpecNode>>) =>
    Object.values(specs).some((s) => s.kind === 'parameter' && s.default !== undefined && escapes(s.default))
  const sourceEscapes = (source: ValueSourceNode): boolean => {
    switch (source.kind) {
      case 'constant':
        return escapes(source.value)
      case 'template':
        // Literal text next to a value may need the escape (a `{` before a value that starts with `{`).
        return source.parts.some((p) => (typeof p === 'string' ? p.includes('{') || p.includes('$') || escapes(p) : sourceEscapes(p)))
      case 'composite':
        return escapes(source.value) || JSON.stringify(source.value).includes('{') || source.embedded.some((e) => sourceEscapes(e.source))
      case 'taskOutput':
      case 'collected':
      case 'oneOf':
        return true
      case 'loopItem': {
        const items = pipeline.groups.get(source.loop)?.node
        return items?.kind === 'loop' && items.items.kind === 'values'
      }
      default:
        return false
    }
  }
  if (defaults(pipeline.node.inputs)) return true
  for (const task of pipeline.tasks.values()) {
    if (task.edges.some((e) => task.node.component.inputs[e.input]?.kind !== 'artifact' && sourceEscapes(e.from))) return true
    if (task.node.component.kind === 'container' && defaults(task.node.component.inputs)) return true
    if (task.child && valuesNeedBraceEnv(task.child, seen)) return true
  }
  for (const group of pipeline.groups.values()) {
    if (group.node.kind === 'loop' && group.node.items.kind === 'raw' && group.node.items.values.some(escapes)) return true
  }
  return false
}

// ---------------------------------------------------------------------------------------------
// Documents

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value))
}

/** Indent of the `templates` sequence: under `spec`, or under `spec.workflowSpec` in a CronWorkflow. */
function templatesIndent(doc: Json): number {
  return doc['kind'] === 'CronWorkflow' ? 4 : 2
}

function templatesOf(doc: Json): Json[] {
  const spec = doc['spec'] as Json
  return ((doc['kind'] === 'CronWorkflow' ? (spec['workflowSpec'] as Json) : spec)['templates']) as Json[]
}

function withTemplates(doc: Json, templates: readonly unknown[]): Json {
  const spec = doc['spec'] as Json
  if (doc['kind'] !== 'CronWorkflow') return { ...doc, spec: { ...spec, templates } }
  return { ...doc, spec: { ...spec, workflowSpec: { ...(spec['workflowSpec'] as Json), templates } } }
}

/**
 * A copy of a DAG template with other tasks. Not `{ ...template, dag: { ...dag, tasks } }`: V8
 * gives each object made by a spread followed by more entries a hidden class of its own, and
 * thousands of them make every later reader of the templates (JSON, YAML, the schema) slower.
 */
function withTasks(template: Json, dag: Json, tasks: readonly unknown[]): Json {
  return Object.assign({}, template, { dag: Object.assign({}, dag, { tasks }) })
}

/** A task's `template` entry and the `templateRef` entry that replaces it, as items. */
interface Swap {
  readonly entry: YamlSequenceItem
  readonly replacement: YamlSequenceItem
}

/**
 * Template objects as placed in documents. Each is written as YAML once per place it takes (the
 * packing measures the bytes the final write copies), and its JSON size comes from the
 * deduplication's JSON, so no template is serialised twice. DAG tasks are written once each too:
 * a template whose tasks are rewritten to `templateRef` (when objects are split) copies the rest
 * of its plain item and writes only the rewritten tasks.
 */
class PlacedTemplates {
  private readonly plain = new Map<TemplateEntry, Json>()
  private readonly jsonSizes = new Map<Json, number>()
  private readonly items = new Map<number, Map<Json, YamlSequenceItem>>()
  /** DAG tasks as items, copied into their templates' items (kept apart: see write). */
  private readonly taskItems = new Map<number, Map<Json, YamlSequenceItem>>()
  /** The plain task each rewritten one was made from. */
  private readonly origins = new Map<Json, Json>()
  /** The plain template each placed one with rewritten tasks was made from. */
  private readonly placedFrom = new Map<Json, Json>()
  private readonly swaps = new Map<string, Map<string, Swap>>()

  /** `{ name, ...body }`: the template where none of its tasks need a `templateRef`. */
  template(entry: TemplateEntry): Json {
    let template = this.plain.get(entry)
    if (!template) {
      template = { name: entry.name, ...entry.body }
      this.plain.set(entry, template)
      // `{"name":<name>` then `,` and the body's JSON without its opening brace, or just `}`.
      this.jsonSizes.set(template, 8 + jsonBytes(entry.name) + (entry.bodyJsonBytes > 2 ? entry.bodyJsonBytes : 1))
    }
    return template
  }

  /**
   * The template placed in object `own`: DAG tasks whose target lives elsewhere call it through
   * `templateRef` (the same object when nothing changes).
   */
  place(entry: TemplateEntry, home: ReadonlyMap<string, string>, own: string): Json {
    const template = this.template(entry)
    const dag = entry.body['dag'] as { tasks: Json[] } | undefined
    if (!dag || entry.calls.every((target) => home.get(target) === own)) return template
    let json = this.jsonSizes.get(template)!
    // `"templateRef":{"name":<where>,` is what the JSON gains; `"template":<target>}` stays. Measured
    // once per run of tasks calling one object: measuring each task was most of the placing.
    let measured = ''
    let measuredBytes = 0
    const tasks = dag.tasks.map((task) => {
      const target = task['template'] as string
      const where = home.get(target)!
      if (where === own) return task
      if (where !== measured) {
        measured = where
        measuredBytes = 24 + jsonBytes(where)
      }
      json += measuredBytes
      // `templateRef` takes the place of `template`, so its item is the plain one with one entry
      // swapped (see taskItem).
      const ref: Json = {}
      for (const key of Object.keys(task)) {
        if (key === 'template') ref['templateRef'] = { name: where, template: target }
        else ref[key] = task[key]
      }
      this.origins.set(ref, task)
      return ref
    })
    const placed = withTasks(template, dag, tasks)
    this.jsonSizes.set(placed, json)
    this.placedFrom.set(placed, template)
    return placed
  }

  /** The template written as an item of the `templates` list at `indent`. */
  item(template: Json, indent: number): YamlSequenceItem {
    const cache = this.cache(indent)
    let item = cache.get(template)
    if (!item) {
      const dag = template['dag'] as { tasks?: Json[] } | undefined
      // Under `- name:` at `indent`, `dag:` and then `tasks:` sit at indent + 2 and + 4; the task
      // list is indentless under its key.
      const tasks = dag?.tasks?.map((task) => this.taskItem(task, indent + 4))
      const value = tasks ? withTasks(template, dag!, tasks) : template
      // A template whose tasks were rewritten to `templateRef`: the plain one's item (written when
      // the templates were measured) with its tasks, which end it, swapped for the rewritten ones.
      // Its inputs and outputs (thousands of values in a large partition) are not written again.
      const plain = this.placedFrom.get(template)
      if (plain !== undefined && tasks !== undefined) {
        const plainTasks = (plain['dag'] as { tasks: Json[] }).tasks.map((task) => this.taskItem(task, indent + 4))
        item = replaceTrailingItems(this.item(plain, indent), plainTasks, tasks, value)
      }
      item ??= renderSequenceItem(value, indent, OPTIONS)
      cache.set(template, item)
    }
    return item
  }

  private taskItem(task: Json, indent: number): YamlSequenceItem {
    const cache = this.cache(indent, this.taskItems)
    let item = cache.get(task)
    if (!item) {
      const origin = this.origins.get(task)
      // A task rewritten to call through `templateRef`: its plain item (written when the
      // templates were measured) with the `template` entry swapped, instead of a second rendering.
      if (origin) {
        const ref = task['templateRef'] as { name: string; template: string }
        const swap = this.swap(ref.name, ref.template, indent)
        item = replaceItemEntry(this.taskItem(origin, indent), swap.entry, swap.replacement, task)
      }
      item ??= renderSequenceItem(task, indent, OPTIONS)
      cache.set(task, item)
    }
    return item
  }

  /** The entries taskItem swaps, written once per object, template and indent. */
  private swap(where: string, target: string, indent: number): Swap {
    const key = `${indent}\u0000${where}`
    let byTarget = this.swaps.get(key)
    if (!byTarget) this.swaps.set(key, (byTarget = new Map()))
    let swap = byTarget.get(target)
    if (!swap) {
      swap = {
        entry: renderSequenceItem({ template: target }, indent, OPTIONS),
        replacement: renderSequenceItem({ templateRef: { name: where, template: target } }, indent, OPTIONS),
      }
      byTarget.set(target, swap)
    }
    return swap
  }

  private cache(indent: number, caches = this.items): Map<Json, YamlSequenceItem> {
    let cache = caches.get(indent)
    if (!cache) caches.set(indent, (cache = new Map()))
    return cache
  }

  jsonBytes(template: Json): number {
    let size = this.jsonSizes.get(template)
    if (size === undefined) {
      size = jsonBytes(template)
      this.jsonSizes.set(template, size)
    }
    return size
  }

  /** Bytes a template adds to a document as YAML and as JSON (with its comma), whichever is larger. */
  bytes(template: Json, indent: number): number {
    return Math.max(this.item(template, indent).byteLength, this.jsonBytes(template) + 1)
  }

  /**
   * The documents' YAML, one after another in parts: each template's item is a part of its own,
   * between the documents' other lines. Each document's size is the larger of its YAML (the file
   * applied) and its JSON (what the API stores).
   */
  write(docs: readonly Json[]): { parts: Uint8Array[]; sizes: number[] } {
    let capacity = 0
    const jsonSizes: number[] = []
    const values = docs.map((doc) => {
      const templates = templatesOf(doc)
      const indent = templatesIndent(doc)
      const items = templates.map((t) => this.item(t, indent))
      const skeleton = jsonBytes(withTemplates(doc, []))
      let json = skeleton + Math.max(0, templates.length - 1)
      for (const t of templates) json += this.jsonBytes(t)
      jsonSizes.push(json)
      // An estimate of the YAML around the templates (a line break before each); a short one only
      // makes the writer take another buffer.
      capacity += 2 * skeleton + YAML_DOCUMENT_SEPARATOR.length + templates.length
      return withTemplates(doc, items)
    })
    // Every template is written as an item now, its tasks copied in: the tasks' own items are no
    // longer needed.
    this.taskItems.clear()
    const { parts, ends } = toYamlDocumentsPartsWithEnds(values, OPTIONS, capacity)
    const sizes = ends.map((end, i) => Math.max(end - (i === 0 ? 0 : ends[i - 1]! + YAML_DOCUMENT_SEPARATOR.length), jsonSizes[i]!))
    return { parts, sizes }
  }
}

function dagTaskCount(entry: TemplateEntry): number {
  return ((entry.body['dag'] as { tasks?: unknown[] } | undefined)?.tasks ?? []).length
}

function objectMetadata(ctx: EmitContext, nameField: Json, extraAnnotations: Record<string, string>): Json {
  const pipeline = ctx.pipelineName
  return {
    ...nameField,
    ...(ctx.options.namespace !== undefined && { namespace: ctx.options.namespace }),
    labels: { [ANNOTATIONS.pipeline]: labelValue(pipeline) || 'pipeline' },
    annotations: { [ANNOTATIONS.compiler]: `typeflow-${TYPEFLOW_VERSION}`, ...(labelValue(pipeline) !== pipeline && { [ANNOTATIONS.pipeline]: pipeline }), ...extraAnnotations },
  }
}

function rootArguments(pipeline: PipelineNode): Json | undefined {
  const parameters: Json[] = []
  const artifacts: Json[] = []
  for (const name of Object.keys(pipeline.inputs).sort()) {
    const spec = pipeline.inputs[name]!
    const argo = argoIoName(name)
    if (spec.kind === 'artifact') {
      artifacts.push({ name: argo })
      continue
    }
    // Argo needs a value for every workflow parameter; an optional one without default is given as
    // empty (KFP would leave it out), a required one is left for `argo submit -p` to supply.
    const value = spec.default !== undefined ? encodeValue(driverText(spec.default)).text : spec.optional ? '' : undefined
    parameters.push({
      name: argo,
      ...(value !== undefined && { value }),
      ...(spec.description !== undefined && { description: breakBraces(spec.description) }),
    })
  }
  return argumentsOf(parameters, artifacts)
}

function workflowSpec(ctx: EmitContext, pipeline: PipelineNode, entrypoint: string, templates: readonly Json[]): Json {
  const o = ctx.options
  const args = rootArguments(pipeline)
  const pipelineLabel = labelValue(ctx.pipelineName) || 'pipeline'
  return {
    entrypoint,
    ...(args !== undefined && { arguments: args }),
    ...(o.serviceAccountName !== undefined && { serviceAccountName: o.serviceAccountName }),
    ...(o.artifactRepositoryRef !== undefined && { artifactRepositoryRef: { ...o.artifactRepositoryRef } }),
    ...(o.imagePullSecrets.length > 0 && { imagePullSecrets: o.imagePullSecrets.map((name) => ({ name })) }),
    ...(o.securityContext !== undefined && { securityContext: structuredClone(o.securityContext) }),
    ...(o.parallelism !== undefined && { parallelism: o.parallelism }),
    ...(o.activeDeadlineSeconds !== undefined && { activeDeadlineSeconds: o.activeDeadlineSeconds }),
    ...(o.podGC !== undefined && { podGC: { ...o.podGC } }),
    ...(o.ttlStrategy !== undefined && { ttlStrategy: { ...o.ttlStrategy } }),
    podMetadata: { labels: { [ANNOTATIONS.pipeline]: pipelineLabel } },
    templates,
  }
}

function mainDocument(ctx: EmitContext, pipeline: PipelineNode, entrypoint: string, templates: readonly Json[]): Json {
  const o = ctx.options
  const annotations: Record<string, string> = {}
  if (pipeline.description !== undefined) annotations[ANNOTATIONS.description] = breakBraces(pipeline.description)
  if (pipeline.displayName !== undefined) annotations[ANNOTATIONS.title] = breakBraces(pipeline.displayName)
  const spec = workflowSpec(ctx, pipeline, entrypoint, templates)
  const header = { apiVersion: 'argoproj.io/v1alpha1', kind: o.kind }
  switch (o.kind) {
    case 'Workflow':
      // Workflow names become label values (≤63) after Argo appends 5 characters.
      return { ...header, metadata: objectMetadata(ctx, { generateName: `${truncateName(kubeName(ctx.pipelineName, 'pipeline'), 57)}-` }, annotations), spec }
    case 'WorkflowTemplate':
      return { ...header, metadata: objectMetadata(ctx, { name: kubeName(ctx.pipelineName, 'pipeline', 63) }, annotations), spec }
    case 'CronWorkflow':
      // Argo appends `-<unix time>` to a CronWorkflow's name for each run: 52 characters at most.
      return {
        ...header,
        metadata: objectMetadata(ctx, { name: kubeName(ctx.pipelineName, 'pipeline', 52) }, annotations),
        spec: {
          schedules: [...o.schedules],
          ...(o.timezone !== undefined && { timezone: o.timezone }),
          ...(o.concurrencyPolicy !== undefined && { concurrencyPolicy: o.concurrencyPolicy }),
          workflowSpec: spec,
        },
      }
  }
}

/** A WorkflowTemplate holding templates that the main object (or a later library) calls by `templateRef`. */
function libraryDocument(ctx: EmitContext, name: string, templates: readonly Json[]): Json {
  return { apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTemplate', metadata: objectMetadata(ctx, { name }, {}), spec: { templates } }
}

/** Splits templates over the main object and as few WorkflowTemplates as the caps allow. */
function assemble(ctx: EmitContext, placed: PlacedTemplates, pipeline: PipelineNode, root: TemplateEntry): Json[] {
  const o = ctx.options
  const budget = o.maxDocumentBytes
  const entries = ctx.templates
  const emptyMain = mainDocument(ctx, pipeline, root.name, [])
  const indent = templatesIndent(emptyMain)
  // Libraries are named `<pipeline>-<hash of their templates>-<n>`.
  const libraryPrefix = truncateName(kubeName(ctx.pipelineName, 'pipeline'), 40)
  // Any DAG task may end up calling its template through a `templateRef` to a library: its
  // `template: <t>` line becomes `templateRef:`, `name: <library>` and `template: <t>` (see
  // PlacedTemplates.taskItem). In a task item at indent I that adds 2·I + 28 bytes plus the
  // library's name; I is indent + 4 (libraries hold templates at indent 2, the main object at
  // `indent`, which is not less), and 2 bytes of slack are kept.
  const libraryNameBytes = libraryPrefix.length + 10 + String(entries.length).length
  const refBytes = 2 * (indent + 4) + 30 + libraryNameBytes
  const sizes = new Map(entries.map((e) => [e, placed.bytes(placed.template(e), indent) + dagTaskCount(e) * refBytes]))
  // An object without templates, as YAML or JSON whichever is larger, and some slack.
  const baseBytes = (doc: Json): number => Math.max(Buffer.byteLength(toYaml(doc, OPTIONS)), jsonBytes(doc)) + 64
  const mainBase = baseBytes(emptyMain)
  // Measured with a name as long as any library's: its metadata carries the pipeline's name (up to
  // 128 characters) and the namespace, several hundred bytes in all.
  const libraryBaseBytes = baseBytes(libraryDocument(ctx, 'x'.repeat(libraryNameBytes), []))
  const total = entries.reduce((sum, e) => sum + sizes.get(e)!, 0)

  const home = new Map<string, string>()
  let mainEntries: TemplateEntry[]
  const libraries: { name: string; entries: TemplateEntry[] }[] = []
  if (entries.length <= o.maxTemplates && mainBase + total <= budget) {
    mainEntries = [...entries]
  } else {
    // The main object keeps the last-made templates (the root and what it calls); earlier ones,
    // which only call even earlier ones, go to libraries, so each library only refers back.
    let bytes = mainBase
    let split = entries.length
    while (split > 0 && entries.length - split < o.maxTemplates && bytes + sizes.get(entries[split - 1]!)! <= budget) {
      bytes += sizes.get(entries[split - 1]!)!
      split--
    }
    if (split === entries.length) split--
    mainEntries = entries.slice(split)
    const rest = entries.slice(0, split)
    // Named by content, from the YAML already written for sizing (it holds each name and body).
    const digest = createHash('sha256')
    for (const e of rest) digest.update(placed.item(placed.template(e), indent).bytes)
    const hash = digest.digest('hex').slice(0, 8)
    const libraryBase = `${libraryPrefix}-${hash}`
    let current: TemplateEntry[] = []
    let currentBytes = libraryBaseBytes
    for (const entry of rest) {
      if (current.length > 0 && (current.length >= o.maxTemplates || currentBytes + sizes.get(entry)! > budget)) {
        libraries.push({ name: '', entries: current })
        current = []
        currentBytes = libraryBaseBytes
      }
      current.push(entry)
      currentBytes += sizes.get(entry)!
    }
    if (current.length > 0) libraries.push({ name: '', entries: current })
    libraries.forEach((lib, i) => {
      lib.name = `${libraryBase}-${i + 1}`
    })
  }
  const mainName = o.kind === 'Workflow' ? '#main' : kubeName(ctx.pipelineName, 'pipeline', o.kind === 'CronWorkflow' ? 52 : 63)
  for (const lib of libraries) for (const e of lib.entries) home.set(e.name, lib.name)
  for (const e of mainEntries) home.set(e.name, mainName)

  const documents: Json[] = libraries.map((lib) => libraryDocument(ctx, lib.name, lib.entries.map((e) => placed.place(e, home, lib.name))))
  // The entrypoint first reads best; the rest in the order they were made (callees before callers).
  const ordered = [root, ...mainEntries.filter((e) => e !== root)]
  documents.push(mainDocument(ctx, pipeline, root.name, ordered.map((e) => placed.place(e, home, mainName))))
  return documents
}

/**
 * A template whose JSON alone is over the object limit fits no object, however the templates are
 * packed: say so before packing and writing (at 100,000 tasks that is most of the time).
 */
function checkTemplateSizes(ctx: EmitContext): void {
  const limit = ctx.options.maxDocumentBytes
  for (const entry of ctx.templates) {
    if (entry.bodyJsonBytes <= limit) continue
    const outputs = entry.body['outputs'] as { parameters?: unknown[]; artifacts?: unknown[] } | undefined
    const handed = (outputs?.parameters?.length ?? 0) + (outputs?.artifacts?.length ?? 0)
    const advice =
      entry.kind === 'container'
        ? 'its own fields are too large; move large constants (a script, a long command line, a manifest) into the image or pass them as artifacts'
        : `${handed > 0 ? `it hands ${handed} value${handed === 1 ? '' : 's'} to other parts of the pipeline; ` : ''}split the pipeline into nested pipelines that pass fewer values between them, or compile it for KFP only`
    ctx.report('E_SCHEMA', ['argo', entry.name], `template "${entry.name}" is ${entry.bodyJsonBytes} bytes as JSON, over the object limit of ${limit}, so it fits no object: ${advice}`)
  }
}

/** Checks what schema.json cannot: the v4 CRD caps, names, and the object size limit. */
function checkLimits(ctx: EmitContext, documents: readonly Json[], sizes: readonly number[]): void {
  const o = ctx.options
  documents.forEach((doc, i) => {
    const where = [`argo`, `document ${i + 1}`]
    const size = sizes[i]!
    if (size > o.maxDocumentBytes) {
      const templates = templatesOf(doc)
      const alone = templates.length === 1 ? `: its one template "${String(templates[0]!['name'])}" is too large for any object (a DAG part taking or handing out thousands of values); split the pipeline into nested pipelines that pass fewer values between them, or compile it for KFP only` : ''
      ctx.report('E_SCHEMA', where, `object is ${size} bytes, over the limit of ${o.maxDocumentBytes}${alone}`)
    }
    const spec = (doc['kind'] === 'CronWorkflow' ? (doc['spec'] as Json)['workflowSpec'] : doc['spec']) as { templates: Json[] }
    if (spec.templates.length > ARGO_CAPS.templates) ctx.report('E_SCHEMA', where, `${spec.templates.length} templates, over the v4 limit of ${ARGO_CAPS.templates}`)
    for (const template of spec.templates) {
      const name = template['name'] as string
      if (name.length > 128 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) ctx.report('E_SCHEMA', [...where, name], `template name "${name}" is not a valid name of at most 128 characters`)
      const tasks = ((template['dag'] as Json | undefined)?.['tasks'] ?? []) as Json[]
      if (tasks.length > ARGO_CAPS.dagTasks) ctx.report('E_SCHEMA', [...where, name], `${tasks.length} DAG tasks, over the v4 limit of ${ARGO_CAPS.dagTasks}`)
      const inputs = (((template['inputs'] as Json | undefined)?.['parameters'] ?? []) as Json[]).length
      if (inputs > ARGO_CAPS.inputParameters) ctx.report('E_SCHEMA', [...where, name], `${inputs} input parameters, over the v4 limit of ${ARGO_CAPS.inputParameters}`)
    }
  })
}

const utf8 = new TextDecoder()

function argoResult(documents: Json[], parts: readonly Uint8Array[], diagnostics: readonly Diagnostic[]): ArgoEmitResult {
  let yaml: string | undefined
  let bytes: Uint8Array | undefined
  const joined = (): Uint8Array => (bytes ??= joinParts(parts))
  return {
    documents,
    parts,
    get bytes() {
      return joined()
    },
    get yaml() {
      return (yaml ??= utf8.decode(joined()))
    },
    diagnostics,
  }
}

/**
 * Translates an analysed pipeline into Argo Workflows manifests, in apply order: library
 * WorkflowTemplates first (only when the pipeline needs more than one object), then the Workflow,
 * WorkflowTemplate or CronWorkflow. Deterministic: the same graph and options give the same objects.
 *
 * @example
 * ```ts
 * const analysis = analysePipeline(myPipeline)
 * if (analysis.ok) {
 *   const { documents, diagnostics } = emitArgo(analysis.pipeline, { kind: 'WorkflowTemplate' })
 *   if (diagnostics.length === 0) writeFileSync('p.argo.yaml', toYamlDocuments(documents, { sortKeys: false }))
 * }
 * ```
 */
export function emitArgo(analysed: AnalysedPipeline, options: ArgoOptions = {}): ArgoEmitResult {
  const problems = argoOptionProblems(options)
  if (problems.length > 0) return argoResult([], [], problems.map((p) => ({ code: 'E_INVALID_CONSTANT', path: ['argo', ...p.path], message: p.message })))
  const resolved = resolveArgoOptions(options)
  const ctx = new EmitContext(resolved, analysed.node.name, valuesNeedBraceEnv(analysed), varyingEnv(analysed))
  if (resolved.kind === 'CronWorkflow' && resolved.schedules.length === 0) {
    ctx.report('E_INVALID_CONSTANT', ['argo', 'schedules'], 'a CronWorkflow needs at least one schedule (options.schedules)')
  }
  if (resolved.memoize) {
    if (!/^[0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h)$/.test(resolved.memoize.maxAge)) {
      ctx.report('E_INVALID_CONSTANT', ['argo', 'memoize', 'maxAge'], `memoize maxAge "${resolved.memoize.maxAge}" is not a duration such as 24h or 90m`)
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(resolved.memoize.configMap) || resolved.memoize.configMap.length > 253) {
      ctx.report('E_INVALID_CONSTANT', ['argo', 'memoize', 'configMap'], `memoize configMap "${resolved.memoize.configMap}" is not a valid ConfigMap name`)
    }
  }
  const present = new Set(Object.keys(analysed.node.inputs))
  const root = buildPipelineTemplate(ctx, analysed, present, true, false, '', [])
  ctx.sealTemplates()
  // After other diagnostics (a scope that could not be partitioned, a bad option), nothing is
  // packed, and an oversized template would only repeat what they say.
  if (ctx.diagnostics.length === 0) checkTemplateSizes(ctx)
  if (ctx.diagnostics.length > 0) return argoResult([], [], ctx.diagnostics)
  // Packing counts each template at no less than the bytes it adds to an object, so the objects
  // fit; their sizes are measured when written all the same, and checked.
  const placed = new PlacedTemplates()
  // Items are the templates' YAML, each DAG task's once more on its own (see PlacedTemplates),
  // and rewritten copies: about twice the templates' JSON.
  let templateJsonBytes = 0
  for (const entry of ctx.templates) templateJsonBytes += entry.bodyJsonBytes
  reserveItemBytes(Math.ceil(templateJsonBytes * 2.25))
  const documents = assemble(ctx, placed, analysed.node, root.entry)
  const { parts, sizes } = placed.write(documents)
  checkLimits(ctx, documents, sizes)
  if (ctx.diagnostics.length > 0) return argoResult([], [], ctx.diagnostics)
  return argoResult(documents, parts, [])
}
