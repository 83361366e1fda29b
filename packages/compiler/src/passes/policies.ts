import type { Diagnostic, TaskNode } from '@typeflow/dsl'
import type { AnalysedPipeline } from '../analyse/graph.ts'
import { compareNames } from '../analyse/graph.ts'

/** The platform rules the compiler enforces, by code. */
export type PolicyCode = 'E_GPU_WITHOUT_MEMORY_LIMIT' | 'W_UNPINNED_IMAGE' | 'E_LITERAL_SECRET' | 'W_GPU_RETRIES'

/** What a policy does when it finds something: fail the compile, warn, or nothing. */
export type PolicySeverity = 'error' | 'warning' | 'off'

/** Per-policy severities; the defaults follow what platform teams enforce. */
export type PolicySettings = Readonly<Partial<Record<PolicyCode, PolicySeverity>>>

/** The defaults: a GPU task needs a memory limit and no literal credentials; the rest warn. */
export const DEFAULT_POLICIES: Readonly<Record<PolicyCode, PolicySeverity>> = {
  E_GPU_WITHOUT_MEMORY_LIMIT: 'error',
  W_UNPINNED_IMAGE: 'warning',
  E_LITERAL_SECRET: 'error',
  W_GPU_RETRIES: 'warning',
}

const credentialName = /(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL)/i
const pinnedImage = /@sha256:[0-9a-f]{64}$/

/** GPU tasks retry at most this often by default: a retried GPU job holds scarce hardware again. */
export const MAX_GPU_RETRIES = 1

function imageOf(task: TaskNode): string | undefined {
  return task.component.kind === 'container' ? task.component.image : undefined
}

function unpinnedMessage(image: string, tasks: number): string {
  return `image "${image}" is not pinned by digest (…@sha256:…)${tasks > 1 ? ` (it runs ${tasks} tasks; this is the first)` : ''}; a re-pushed tag changes what runs and what the cache trusts`
}

/**
 * Checks every task against the platform policies. Each finding is a diagnostic whose code says
 * which policy; its severity comes from `settings` (`--strict` makes warnings errors).
 *
 * @example
 * ```ts
 * import { analysePipeline, checkPolicies } from '@typeflow/compiler'
 * import { component, pipeline } from '@typeflow/dsl'
 * const train = component({ name: 'train', image: 'ghcr.io/acme/train:1' })
 * const p = pipeline({ name: 'p' }, (dag) => { dag.task(train, {}, { resources: { accelerator: { type: 'nvidia.com/gpu' } } }) })
 * const analysis = analysePipeline(p)
 * if (analysis.ok) checkPolicies(analysis.pipeline) // E_GPU_WITHOUT_MEMORY_LIMIT (error), W_UNPINNED_IMAGE (warning)
 * ```
 */
export function checkPolicies(pipeline: AnalysedPipeline, settings: PolicySettings = {}, strict = false): Diagnostic[] {
  const severity = (code: PolicyCode): PolicySeverity => {
    const chosen = settings[code] ?? DEFAULT_POLICIES[code]
    return strict && chosen === 'warning' ? 'error' : chosen
  }
  const out: Diagnostic[] = []
  const report = (code: PolicyCode, task: TaskNode, path: readonly string[], message: string): number | undefined => {
    const level = severity(code)
    if (level === 'off') return undefined
    return out.push({ code, severity: level, path, message, ...(task.source !== undefined && { source: task.source }) }) - 1
  }
  // One finding per unpinned image, at the first task that runs it (a pipeline of thousands of
  // tasks runs a handful of images); how many tasks run it is known at the end.
  const unpinned = new Map<string, { at: number | undefined; tasks: number }>()
  const seen = new Set<AnalysedPipeline>()
  const visit = (scope: AnalysedPipeline, prefix: readonly string[]) => {
    if (seen.has(scope)) return
    seen.add(scope)
    for (const name of [...scope.tasks.keys()].sort(compareNames)) {
      const analysed = scope.tasks.get(name)!
      const task = analysed.node
      const path = [...prefix, 'tasks', name]
      const gpu = task.resources?.accelerator ?? task.resources?.fromParameters?.accelerator
      const memoryLimit = task.resources?.memoryLimit ?? task.resources?.fromParameters?.memoryLimit
      if (gpu && memoryLimit === undefined) {
        const type = typeof gpu.type === 'string' ? gpu.type : 'an accelerator'
        report('E_GPU_WITHOUT_MEMORY_LIMIT', task, [...path, 'resources'], `task "${name}" requests ${type} but sets no memory limit; GPU nodes reject pods without one (set resources.memoryLimit)`)
      }
      if (gpu && task.retry && task.retry.maxRetryCount > MAX_GPU_RETRIES) {
        report('W_GPU_RETRIES', task, [...path, 'retry'], `task "${name}" holds a GPU and retries ${task.retry.maxRetryCount} times; GPU tasks retry at most ${MAX_GPU_RETRIES} time by default`)
      }
      const image = imageOf(task)
      if (image !== undefined && !pinnedImage.test(image) && !(task.component.kind === 'container' && task.component.function)) {
        const first = unpinned.get(image)
        if (first) first.tasks++
        else unpinned.set(image, { at: report('W_UNPINNED_IMAGE', task, [...path, 'image'], unpinnedMessage(image, 1)), tasks: 1 })
      }
      for (const env of task.env) {
        if (credentialName.test(env.name) && env.value !== '') {
          report('E_LITERAL_SECRET', task, [...path, 'env', env.name], `environment variable ${env.name} looks like a credential but holds a literal value; reference a Kubernetes secret instead (kubernetes.secretsAsEnv)`)
        }
      }
      if (analysed.child) visit(analysed.child, [...path, 'pipeline'])
    }
  }
  visit(pipeline, [])
  for (const [image, { at, tasks }] of unpinned) if (at !== undefined && tasks > 1) out[at] = { ...out[at]!, message: unpinnedMessage(image, tasks) }
  return out
}
