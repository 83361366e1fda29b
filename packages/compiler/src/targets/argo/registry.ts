/**
 * State shared while one pipeline is translated: the templates made so far (deduplicated by
 * content), their names, options and diagnostics.
 *
 * @module
 */

import type { ContainerComponentNode, Diagnostic, DiagnosticCode, SourceLocation } from '@typeflow/dsl'
import type { ResolvedArgoOptions } from './options.ts'
import { kubeName, NameAllocator } from './names.ts'

/** A template Argo runs; `body` is the template object without its `name`. */
export interface TemplateEntry {
  readonly name: string
  readonly kind: 'container' | 'dag'
  readonly body: Readonly<Record<string, unknown>>
  /** Templates this one's DAG tasks call, by name (for `templateRef` rewriting when split). */
  readonly calls: readonly string[]
  /** UTF-8 bytes of `JSON.stringify(body)`, known from deduplication (for object size limits). */
  readonly bodyJsonBytes: number
}

/** Pod annotations and labels Typeflow writes (stable keys other tools can select on). */
export const ANNOTATIONS = {
  pipeline: 'typeflow.dev/pipeline',
  component: 'typeflow.dev/component',
  task: 'typeflow.dev/task',
  cacheKey: 'typeflow.dev/cache-key',
  ioNames: 'typeflow.dev/io-names',
  externalDepends: 'typeflow.dev/external-depends',
  /** On a control-flow group's DAG template: `{"id": "for-loop-2", "kind": "loop"}`. */
  group: 'typeflow.dev/group',
  compiler: 'typeflow.dev/compiler',
  displayName: 'workflows.argoproj.io/display-name',
  description: 'workflows.argoproj.io/description',
  title: 'workflows.argoproj.io/title',
} as const

/** Inputs and outputs Typeflow adds to templates; user names never take this form (see `argoIoName`). */
export const RESERVED = {
  task: 'typeflow-task',
  displayName: 'typeflow-display-name',
  cacheKey: 'typeflow-cache-key',
  memoizeKey: 'typeflow-memoize-key',
  executorOutput: 'typeflow-executor-output',
  /** Prefix of the inputs carrying Kubernetes pod settings read at run time (`typeflow-pod-0`, …). */
  podValue: 'typeflow-pod',
  /** Prefix of the inputs carrying env values that differ between tasks of one component (`typeflow-env-SHARD`). */
  env: 'typeflow-env',
} as const

/** Collects templates (one per distinct content) and diagnostics for one compile. */
export class EmitContext {
  readonly diagnostics: Diagnostic[] = []
  readonly templates: TemplateEntry[] = []
  /**
   * Templates by kind, then by a short signature of their content ({@link contentSignature}); the
   * JSON is compared only among templates whose signatures meet. Keying by the JSON itself hashed
   * and kept every template's JSON (14 MB for 9,000 templates at nested 10,000 tasks): with the
   * stringify, about 14 % of the target's own time.
   */
  private readonly bySignature = { container: new Map<string, TemplateEntry[]>(), dag: new Map<string, TemplateEntry[]>() }
  /** The JSON of templates another one's signature met, kept for the next comparison. */
  private readonly jsonOf = new Map<TemplateEntry, string>()
  private readonly names = new NameAllocator()
  private readonly reported = new Set<string>()

  constructor(
    readonly options: ResolvedArgoOptions,
    readonly pipelineName: string,
    /** Whether some constant or default written as a parameter value needs `TYPEFLOW_LBRACE`. */
    readonly valuesUseBraceEnv: boolean,
    /** Per component, the env vars its tasks pass as template inputs (see `varyingEnv`). */
    readonly varyingEnv: ReadonlyMap<ContainerComponentNode, ReadonlySet<string>> = new Map(),
  ) {
    // The entrypoint is named after the pipeline, even when a component has the same name.
    this.names.reserve(this.rootName)
  }

  /** The name of the root pipeline's DAG template (the entrypoint). */
  get rootName(): string {
    return kubeName(this.pipelineName, 'dag')
  }

  /**
   * Container templates already built, by what shapes them (see `containerTemplate`): most tasks
   * of a large pipeline share their template, and building one to find that out costs more than
   * the lookup.
   */
  readonly builtContainers = new Map<string, unknown>()

  /** Records a problem that keeps the pipeline from being expressed in Argo. */
  report(code: DiagnosticCode, path: readonly string[], message: string, source?: SourceLocation): void {
    // The same value may be resolved at several levels of groups: say it once.
    const key = `${code}\u0000${path.join('\u0000')}\u0000${message}`
    if (this.reported.has(key)) return
    this.reported.add(key)
    this.diagnostics.push({ code, path, message, ...(source !== undefined && { source }) })
  }

  private sealed = false

  /**
   * Says that every template is made: the lookups that find identical ones are dropped, so they
   * do not live on while the objects are packed and written, when memory peaks.
   */
  sealTemplates(): void {
    this.sealed = true
    this.bySignature.container.clear()
    this.bySignature.dag.clear()
    this.jsonOf.clear()
    this.builtContainers.clear()
  }

  /**
   * Returns the template with this content, making it on first sight. Identical content (the same
   * component with the same settings, the same nested pipeline) is one template.
   */
  intern(kind: TemplateEntry['kind'], baseName: string, body: Record<string, unknown>, calls: readonly string[] = [], root = false): TemplateEntry {
    if (this.sealed) throw new Error(`internal: template "${baseName}" made after the templates were sealed`)
    const json = JSON.stringify(body)
    const bodyJsonBytes = Buffer.byteLength(json)
    const signature = `${bodyJsonBytes}\u0000${contentSignature(body)}`
    const bySignature = this.bySignature[kind]
    const met = bySignature.get(signature)
    if (met) {
      for (const other of met) {
        let otherJson = this.jsonOf.get(other)
        if (otherJson === undefined) this.jsonOf.set(other, (otherJson = JSON.stringify(other.body)))
        if (otherJson === json) return other
      }
    }
    const name = root ? this.rootName : this.names.allocate(kubeName(baseName, kind === 'dag' ? 'dag' : 'step'))
    const entry: TemplateEntry = { name, kind, body, calls, bodyJsonBytes }
    if (met) {
      met.push(entry)
      this.jsonOf.set(entry, json)
    } else bySignature.set(signature, [entry])
    this.templates.push(entry)
    return entry
  }
}

/**
 * A few fields of a template body that tell most templates apart, the same for identical bodies:
 * for a DAG, its first and last tasks (task names are unique within a pipeline, so only the
 * templates of one nested pipeline used several times meet); for a container, its image and
 * command line.
 */
function contentSignature(body: Readonly<Record<string, unknown>>): string {
  const tasks = (body['dag'] as { tasks?: readonly { name?: unknown; template?: unknown }[] } | undefined)?.tasks
  if (tasks !== undefined && tasks.length > 0) {
    const first = tasks[0]!
    const last = tasks[tasks.length - 1]!
    return `${tasks.length}\u0000${String(first.name)}\u0000${String(first.template)}\u0000${String(last.name)}\u0000${String(last.template)}`
  }
  const container = body['container'] as { image?: unknown; command?: unknown; args?: unknown } | undefined
  if (container !== undefined) return `${String(container.image)}\u0000${String(container.command)}\u0000${String(container.args)}`
  return ''
}
