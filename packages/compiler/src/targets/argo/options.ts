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

/**
 * Options of the Argo target. Everything is optional: by default the pipeline becomes a `Workflow`
 * (with `generateName`) that uses the cluster's default artifact repository and service account.
 */
export interface ArgoOptions {
  /** @default 'Workflow' */
  readonly kind?: ArgoKind
  /** Cron schedules (`CronWorkflow.spec.schedules`); required for `CronWorkflow`. */
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
   * Hook for cache keys (computed elsewhere): task path (`train`, `sub/train` inside a nested
   * pipeline) → key. Each listed task's pod gets the `typeflow.dev/cache-key` annotation.
   */
  readonly cacheKeys?: ReadonlyMap<string, string>
  /**
   * Largest object written, in bytes of YAML or JSON, whichever is larger. Lower it (e.g. to
   * 250_000) when applying with client-side `kubectl apply`, whose last-applied annotation is capped
   * at 256 KiB. @default 1_000_000 (the etcd limit is 1 MiB)
   */
  readonly maxDocumentBytes?: number
  /** Most tasks in one DAG template. @default 200 (the v4 CRD cap) */
  readonly maxDagTasks?: number
  /** Most templates in one object. @default 200 (the v4 CRD cap) */
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
  readonly maxDocumentBytes: number
  readonly maxDagTasks: number
  readonly maxTemplates: number
}

/** The v4 CRD caps (`manifests/base/crds/full`). */
export const ARGO_CAPS = { templates: 200, dagTasks: 200, inputParameters: 500 } as const

/** Fills in the defaults and clamps the caps to what the v4 CRDs allow. */
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
    maxDocumentBytes: Math.max(50_000, Math.min(1_000_000, Math.floor(options.maxDocumentBytes ?? 1_000_000))),
    maxDagTasks: clamp(options.maxDagTasks, ARGO_CAPS.dagTasks, ARGO_CAPS.dagTasks),
    maxTemplates: clamp(options.maxTemplates, ARGO_CAPS.templates, ARGO_CAPS.templates),
  }
}
