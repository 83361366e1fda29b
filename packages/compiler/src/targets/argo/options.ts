/**
 * Options of the Argo Workflows target.
 *
 * @module
 */

/** Which object the pipeline becomes. */
export type ArgoKind = 'Workflow' | 'WorkflowTemplate' | 'CronWorkflow'

/** `spec.podGC`: when Argo deletes finished pods. */
export interface ArgoPodGC {
  readonly strategy: 'OnPodCompletion' | 'OnPodSuccess' | 'OnWorkflowCompletion' | 'OnWorkflowSuccess'
  /** Wait before deleting, e.g. `30s`. */
  readonly deleteDelayDuration?: string
}

/** `spec.ttlStrategy`: when Argo deletes the finished Workflow object itself. */
export interface ArgoTtlStrategy {
  readonly secondsAfterCompletion?: number
  readonly secondsAfterSuccess?: number
  readonly secondsAfterFailure?: number
}

/** The pod security context fields Typeflow passes through (`spec.securityContext`). */
export interface ArgoPodSecurityContext {
  readonly runAsUser?: number
  readonly runAsGroup?: number
  readonly runAsNonRoot?: boolean
  readonly fsGroup?: number
  readonly fsGroupChangePolicy?: 'OnRootMismatch' | 'Always'
  readonly supplementalGroups?: readonly number[]
  readonly seccompProfile?: { readonly type: 'RuntimeDefault' | 'Unconfined' | 'Localhost'; readonly localhostProfile?: string }
}

/** `spec.artifactRepositoryRef`: a key of a ConfigMap holding an artifact repository configuration. */
export interface ArgoArtifactRepositoryRef {
  /** @default 'artifact-repositories' (Argo's default) */
  readonly configMap?: string
  readonly key?: string
}

/** `memoize` on cacheable tasks: where Argo keeps the cache, and how long an entry counts. */
export interface ArgoMemoizeOptions {
  /**
   * The ConfigMap holding the cache (Argo creates it; give it the label
   * `workflows.argoproj.io/configmap-type: Cache` if you create it yourself). @default 'typeflow-cache'
   */
  readonly configMap?: string
  /** Oldest entry still reused, as an Argo duration (`24h`, `90m`). @default '720h' (30 days) */
  readonly maxAge?: string
}

/**
 * Options of the Argo target. Everything is optional: by default the pipeline becomes a `Workflow`
 * (with `generateName`) that uses the cluster's default artifact repository and service account.
 *
 * @example
 * ```ts
 * import type { ArgoOptions } from '@typeflow/compiler'
 * const nightly: ArgoOptions = { kind: 'CronWorkflow', schedules: ['0 2 * * *'], serviceAccountName: 'pipelines' }
 * ```
 */
export interface ArgoOptions {
  /** @default 'Workflow' */
  readonly kind?: ArgoKind
  /** Cron schedules (`CronWorkflow.spec.schedules`); required for `CronWorkflow`, refused on the other kinds. */
  readonly schedules?: readonly string[]
  /** IANA time zone of the schedules, e.g. `Europe/Berlin` (CronWorkflow only). */
  readonly timezone?: string
  /** What happens when a scheduled run is still going (CronWorkflow only). */
  readonly concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace'
  /** Namespace written on every object; left out, `kubectl -n` or Argo CD decides. */
  readonly namespace?: string
  readonly serviceAccountName?: string
  /** Left out, the namespace's (or controller's) default artifact repository is used. */
  readonly artifactRepositoryRef?: ArgoArtifactRepositoryRef
  /** `null` turns the default off. @default { strategy: 'OnPodSuccess' } (failed pods stay for debugging) */
  readonly podGC?: ArgoPodGC | null
  /** `null` turns the default off. @default { secondsAfterCompletion: 604800 } (one week) */
  readonly ttlStrategy?: ArgoTtlStrategy | null
  /** Deadline for the whole run, in seconds. */
  readonly activeDeadlineSeconds?: number
  /** Most pods running at once in one run. */
  readonly parallelism?: number
  /** Secret names for pulling images. */
  readonly imagePullSecrets?: readonly string[]
  readonly securityContext?: ArgoPodSecurityContext
  /**
   * Cache keys computed elsewhere, replacing the compile-time digest of the listed tasks: task path
   * (`train`, `sub/train` inside a nested pipeline) → key. Every cacheable task's pod carries its
   * key (this one, or its digest) as the `typeflow.dev/cache-key` annotation, and its memoize key
   * starts from it.
   */
  readonly cacheKeys?: ReadonlyMap<string, string>
  /**
   * Argo memoization for tasks whose results may be reused (caching on, and every input traceable
   * to its producers' keys): the template's `memoize.key` is the task's content digest combined
   * with the run-time values of the pipeline inputs and loop items it depends on. `false` turns it
   * off (pods still carry the `typeflow.dev/cache-key` annotation). @default true
   */
  readonly memoize?: boolean | ArgoMemoizeOptions
  /** Image of the pod an importer task runs to bring its URI in as an artifact. @default 'alpine:3.20' */
  readonly importerImage?: string
  /**
   * Largest object written, in bytes of YAML or JSON, whichever is larger. Lower it (e.g. to
   * 250_000) when applying with client-side `kubectl apply`, whose last-applied annotation is capped
   * at 256 KiB. From 50_000. @default 1_000_000 (the etcd limit is 1 MiB)
   */
  readonly maxDocumentBytes?: number
  /** Most tasks in one DAG template, from 2. @default 200 (the v4 CRD cap) */
  readonly maxDagTasks?: number
  /** Most templates in one object, from 2. @default 200 (the v4 CRD cap) */
  readonly maxTemplates?: number
}

/** Options with every default applied. */
export interface ResolvedArgoOptions {
  readonly kind: ArgoKind
  readonly schedules: readonly string[]
  readonly timezone: string | undefined
  readonly concurrencyPolicy: 'Allow' | 'Forbid' | 'Replace' | undefined
  readonly namespace: string | undefined
  readonly serviceAccountName: string | undefined
  readonly artifactRepositoryRef: ArgoArtifactRepositoryRef | undefined
  readonly podGC: ArgoPodGC | undefined
  readonly ttlStrategy: ArgoTtlStrategy | undefined
  readonly activeDeadlineSeconds: number | undefined
  readonly parallelism: number | undefined
  readonly imagePullSecrets: readonly string[]
  readonly securityContext: ArgoPodSecurityContext | undefined
  readonly cacheKeys: ReadonlyMap<string, string>
  readonly memoize: { readonly configMap: string; readonly maxAge: string } | undefined
  readonly importerImage: string
  readonly maxDocumentBytes: number
  readonly maxDagTasks: number
  readonly maxTemplates: number
}

/** The v4 CRD caps (`manifests/base/crds/full`). */
export const ARGO_CAPS = { templates: 200, dagTasks: 200, inputParameters: 500 } as const

/** The object size budget's bounds: under etcd's 1 MiB, and room for one large template. */
const MIN_DOCUMENT_BYTES = 50_000
const MAX_DOCUMENT_BYTES = 1_000_000

/** Fills in the defaults and clamps the caps to what the v4 CRDs allow (`argoOptionProblems` refuses values outside them first). */
export function resolveArgoOptions(options: ArgoOptions = {}): ResolvedArgoOptions {
  const clamp = (value: number | undefined, fallback: number, max: number) => Math.max(2, Math.min(max, Math.floor(value ?? fallback)))
  return {
    kind: options.kind ?? 'Workflow',
    schedules: options.schedules ?? [],
    timezone: options.timezone,
    concurrencyPolicy: options.concurrencyPolicy,
    namespace: options.namespace,
    serviceAccountName: options.serviceAccountName,
    artifactRepositoryRef: options.artifactRepositoryRef,
    podGC: options.podGC === null ? undefined : (options.podGC ?? { strategy: 'OnPodSuccess' }),
    ttlStrategy: options.ttlStrategy === null ? undefined : (options.ttlStrategy ?? { secondsAfterCompletion: 604800 }),
    activeDeadlineSeconds: options.activeDeadlineSeconds,
    parallelism: options.parallelism,
    imagePullSecrets: options.imagePullSecrets ?? [],
    securityContext: options.securityContext,
    cacheKeys: options.cacheKeys ?? new Map(),
    memoize:
      options.memoize === false
        ? undefined
        : {
            configMap: (typeof options.memoize === 'object' ? options.memoize.configMap : undefined) ?? 'typeflow-cache',
            maxAge: (typeof options.memoize === 'object' ? options.memoize.maxAge : undefined) ?? '720h',
          },
    importerImage: options.importerImage ?? 'alpine:3.20',
    maxDocumentBytes: Math.max(MIN_DOCUMENT_BYTES, Math.min(MAX_DOCUMENT_BYTES, Math.floor(options.maxDocumentBytes ?? MAX_DOCUMENT_BYTES))),
    maxDagTasks: clamp(options.maxDagTasks, ARGO_CAPS.dagTasks, ARGO_CAPS.dagTasks),
    maxTemplates: clamp(options.maxTemplates, ARGO_CAPS.templates, ARGO_CAPS.templates),
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** Five cron fields (Argo also takes a sixth, seconds, and the `@…` shorthands). */
const CRON = /^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every\s+\S+|(\S+\s+){4,5}\S+)$/

function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone })
    return true
  } catch {
    return false
  }
}

/**
 * What is wrong with options given as plain JavaScript (or read from a config file): the values
 * the API server or the workflow controller would refuse, found before anything is emitted.
 * Each comes back as the option's path and the problem.
 *
 * @example
 * ```ts
 * argoOptionProblems({ namespace: 'Team A' }) // [{ path: ['namespace'], message: 'namespace "Team A" is not …' }]
 * ```
 */
export function argoOptionProblems(options: ArgoOptions): { readonly path: readonly string[]; readonly message: string }[] {
  const problems: { path: string[]; message: string }[] = []
  const problem = (path: string[], message: string) => problems.push({ path, message })
  const o = options as Record<string, unknown>
  if (o['kind'] !== undefined && !['Workflow', 'WorkflowTemplate', 'CronWorkflow'].includes(o['kind'] as string)) problem(['kind'], `kind is Workflow, WorkflowTemplate or CronWorkflow, got ${JSON.stringify(o['kind'])}`)
  if (o['concurrencyPolicy'] !== undefined && !['Allow', 'Forbid', 'Replace'].includes(o['concurrencyPolicy'] as string)) problem(['concurrencyPolicy'], `concurrencyPolicy is Allow, Forbid or Replace, got ${JSON.stringify(o['concurrencyPolicy'])}`)
  const name = (field: string, pattern: RegExp, max: number, what: string) => {
    const value = o[field]
    if (value !== undefined && (typeof value !== 'string' || value.length > max || !pattern.test(value))) problem([field], `${field} ${JSON.stringify(value)} is not ${what}`)
  }
  name('namespace', DNS_LABEL, 63, 'a Kubernetes namespace name (lowercase letters, digits and -, at most 63)')
  name('serviceAccountName', DNS_SUBDOMAIN, 253, 'a Kubernetes service account name (lowercase letters, digits, - and ., at most 253)')
  for (const field of ['activeDeadlineSeconds', 'parallelism']) {
    const value = o[field]
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)) problem([field], `${field} is a whole number of at least 1, got ${JSON.stringify(value) ?? String(value)}`)
  }
  if (o['cacheKeys'] !== undefined && !(o['cacheKeys'] instanceof Map)) problem(['cacheKeys'], 'cacheKeys is a Map from task name to cache key')
  const secrets = o['imagePullSecrets']
  if (secrets !== undefined && (!Array.isArray(secrets) || secrets.some((s) => typeof s !== 'string' || !DNS_SUBDOMAIN.test(s)))) problem(['imagePullSecrets'], 'imagePullSecrets is a list of Kubernetes secret names')
  const schedules = o['schedules']
  if (schedules !== undefined) {
    if (!Array.isArray(schedules)) problem(['schedules'], 'schedules is a list of cron expressions')
    else schedules.forEach((schedule, i) => {
      if (typeof schedule !== 'string' || !CRON.test(schedule.trim())) problem(['schedules', String(i)], `schedule ${JSON.stringify(schedule)} is not a cron expression (five fields such as "0 3 * * *", or @daily, @every 2h)`)
    })
  }
  const timezone = o['timezone']
  if (timezone !== undefined && (typeof timezone !== 'string' || !validTimezone(timezone))) problem(['timezone'], `timezone ${JSON.stringify(timezone)} is not an IANA time zone such as "Europe/Berlin"`)
  // A schedule on a Workflow or a WorkflowTemplate would be dropped: nothing would ever run it.
  const kind = o['kind'] ?? 'Workflow'
  if (kind === 'Workflow' || kind === 'WorkflowTemplate') {
    for (const field of ['schedules', 'timezone', 'concurrencyPolicy']) {
      const value = o[field]
      if (value !== undefined && !(Array.isArray(value) && value.length === 0)) problem([field], `${field} applies to a CronWorkflow only, and kind is ${JSON.stringify(kind)}: set kind: 'CronWorkflow', or leave ${field} out`)
    }
  }
  const range = (field: string, min: number, max: number, why: string) => {
    const value = o[field]
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max)) {
      problem([field], `${field} is a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (${why}), got ${JSON.stringify(value) ?? String(value)}`)
    }
  }
  range('maxDocumentBytes', MIN_DOCUMENT_BYTES, MAX_DOCUMENT_BYTES, 'the etcd limit is 1 MiB; below, a single template may not fit')
  range('maxDagTasks', 2, ARGO_CAPS.dagTasks, 'the v4 CRD cap')
  range('maxTemplates', 2, ARGO_CAPS.templates, 'the v4 CRD cap')
  return problems
}
