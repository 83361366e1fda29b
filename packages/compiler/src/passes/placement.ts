/**
 * Accelerator placement: turns each task's accelerator (`resources.accelerator`, with its
 * `model`) into Kubernetes node placement for the cluster the pipeline is compiled for.
 *
 * The cluster profile is chosen at compile time (`CompileOptions.cluster`, `--cluster gke`):
 * - `gke`: the model is the value of `cloud.google.com/gke-accelerator` (`nvidia-tesla-t4`,
 *   `nvidia-l4`, `nvidia-tesla-a100`);
 * - `nvidia-gfd`: NVIDIA GPU feature discovery's `nvidia.com/gpu.product` (`Tesla-T4`,
 *   `NVIDIA-A100-SXM4-40GB`);
 * - `karpenter`: Karpenter's `karpenter.k8s.aws/instance-gpu-name` (`t4`, `a10g`, `a100`);
 * - `custom`: the label given as `modelLabel`.
 * Each task that requests accelerators also gets the toleration of the taint GPU node pools
 * carry, `<resource> Exists NoSchedule` (`nvidia.com/gpu`, `amd.com/gpu`, `google.com/tpu`),
 * unless the profile lists its own `tolerations`.
 *
 * A pure function over the IR, run before analysis, so both targets see the same node selectors
 * and tolerations (KFP in the PlatformSpec, Argo on the template). Nested pipelines are placed too.
 *
 * @module
 */

import type { BodyNode, Diagnostic, KubernetesNode, PipelineNode, TaskNode, TolerationNode } from '@typeflow/dsl'
import { deepFreeze } from '@typeflow/dsl'

/** Which kind of cluster the pipeline runs on. */
export type ClusterKind = 'gke' | 'nvidia-gfd' | 'karpenter' | 'custom'

/** How accelerator requests become node placement on one kind of cluster. */
export interface ClusterProfile {
  readonly kind: ClusterKind
  /**
   * The node label whose value is the accelerator model.
   * @default per kind (`cloud.google.com/gke-accelerator`, `nvidia.com/gpu.product`,
   * `karpenter.k8s.aws/instance-gpu-name`); required for `custom`
   */
  readonly modelLabel?: string
  /** Maps model names as written in pipelines to this cluster's label values (`{ 'nvidia-tesla-t4': 'Tesla-T4' }`). */
  readonly models?: Readonly<Record<string, string>>
  /**
   * Tolerations given to every task that requests accelerators.
   * @default `<accelerator resource> Exists NoSchedule`
   */
  readonly tolerations?: readonly TolerationNode[]
  /** More node labels for accelerated tasks (e.g. `karpenter.sh/capacity-type: on-demand`). */
  readonly nodeSelector?: Readonly<Record<string, string>>
}

/** The model label each built-in kind uses. */
export const MODEL_LABELS: Readonly<Record<Exclude<ClusterKind, 'custom'>, string>> = {
  gke: 'cloud.google.com/gke-accelerator',
  'nvidia-gfd': 'nvidia.com/gpu.product',
  karpenter: 'karpenter.k8s.aws/instance-gpu-name',
}

/**
 * The Kubernetes resource an accelerator type requests: a resource name as given, a KFP/Vertex
 * type mapped to the vendor's device plugin resource.
 *
 * @example
 * ```ts
 * acceleratorResource('nvidia.com/gpu') // 'nvidia.com/gpu'
 * acceleratorResource('NVIDIA_TESLA_T4') // 'nvidia.com/gpu'
 * acceleratorResource('tpu-v3') // 'google.com/tpu'
 * ```
 */
export function acceleratorResource(type: string): string {
  if (type.includes('/')) return type
  const t = type.toLowerCase()
  if (t.includes('tpu')) return 'google.com/tpu'
  if (t.startsWith('amd')) return 'amd.com/gpu'
  return 'nvidia.com/gpu'
}

/**
 * A cluster profile from its command-line spelling: `gke`, `nvidia-gfd`, `karpenter`, or
 * `custom:<label>`. Undefined for anything else.
 *
 * @example
 * ```ts
 * parseClusterProfile('gke') // { kind: 'gke' }
 * parseClusterProfile('custom:example.com/gpu-model') // { kind: 'custom', modelLabel: 'example.com/gpu-model' }
 * ```
 */
export function parseClusterProfile(text: string): ClusterProfile | undefined {
  const value = text.trim()
  if (value === 'gke' || value === 'nvidia-gfd' || value === 'karpenter') return { kind: value }
  const custom = /^custom[:=](.+)$/.exec(value)
  if (custom) return { kind: 'custom', modelLabel: custom[1]!.trim() }
  return undefined
}

const sameToleration = (a: TolerationNode, b: TolerationNode) => JSON.stringify(a) === JSON.stringify(b)

/** What placement adds to one task, or a problem. */
function placeTask(task: TaskNode, profile: ClusterProfile | undefined, path: readonly string[], diagnostics: Diagnostic[]): TaskNode {
  const r = task.resources
  const accelerator = r?.accelerator ?? r?.fromParameters?.accelerator
  if (!accelerator || accelerator.count === 0) return task
  const where = [...path, 'tasks', task.name, 'resources', 'accelerator']
  const report = (message: string) => diagnostics.push({ code: 'E_INVALID_CONSTANT', path: where, message, ...(task.source !== undefined && { source: task.source }) })
  if (!profile) {
    if (accelerator.model !== undefined) report(`accelerator model "${accelerator.model}" needs a cluster profile to become node placement: pass --cluster gke|nvidia-gfd|karpenter|custom:<label> to any typeflow command (or set TYPEFLOW_CLUSTER; CompileOptions.cluster in code)`)
    return task
  }
  const label = profile.modelLabel ?? (profile.kind === 'custom' ? undefined : MODEL_LABELS[profile.kind])
  const selector: Record<string, string> = { ...(profile.nodeSelector ?? {}) }
  if (accelerator.model !== undefined) {
    if (label === undefined) {
      report('the custom cluster profile has no modelLabel (custom:<label>)')
      return task
    }
    selector[label] = profile.models?.[accelerator.model] ?? accelerator.model
  }
  const tolerations: TolerationNode[] = profile.tolerations
    ? [...profile.tolerations]
    : typeof accelerator.type === 'string'
      ? [{ key: acceleratorResource(accelerator.type), operator: 'Exists', effect: 'NoSchedule' }]
      : []
  const k: KubernetesNode = task.kubernetes ?? {}
  const nodeSelector = { ...(k.nodeSelector ?? {}) }
  for (const [key, value] of Object.entries(selector)) {
    const existing = nodeSelector[key]
    if (existing !== undefined && existing !== value) {
      report(`the task's node selector sets "${key}: ${existing}", but the ${profile.kind} profile places accelerator model "${accelerator.model ?? ''}" with "${key}: ${value}"`)
      return task
    }
    nodeSelector[key] = value
  }
  const merged = [...(k.tolerations ?? [])]
  for (const t of tolerations) if (!merged.some((m) => sameToleration(m, t))) merged.push(t)
  const kubernetes: KubernetesNode = {
    ...k,
    ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }),
    ...(merged.length > 0 && { tolerations: merged }),
  }
  return { ...task, kubernetes }
}

/** The body with every task placed; the same array when nothing changed. */
function placeBody(body: readonly BodyNode[], profile: ClusterProfile | undefined, path: readonly string[], diagnostics: Diagnostic[], seen: Map<PipelineNode, PipelineNode>): readonly BodyNode[] {
  let changed = false
  const out = body.map((node): BodyNode => {
    const placed = placeNode(node, profile, path, diagnostics, seen)
    if (placed !== node) changed = true
    return placed
  })
  return changed ? out : body
}

function placeNode(node: BodyNode, profile: ClusterProfile | undefined, path: readonly string[], diagnostics: Diagnostic[], seen: Map<PipelineNode, PipelineNode>): BodyNode {
  switch (node.kind) {
    case 'task': {
      const component = node.component.kind === 'pipeline' ? placePipeline(node.component, profile, [...path, 'tasks', node.name], diagnostics, seen) : node.component
      return placeTask(component === node.component ? node : { ...node, component }, profile, path, diagnostics)
    }
    case 'branches': {
      const branches = node.branches.map((b) => {
        const body = placeBody(b.body, profile, path, diagnostics, seen)
        return body === b.body ? b : { ...b, body }
      })
      return branches.every((b, i) => b === node.branches[i]) ? node : { ...node, branches }
    }
    case 'condition':
    case 'loop': {
      const body = placeBody(node.body, profile, path, diagnostics, seen)
      return body === node.body ? node : { ...node, body }
    }
    case 'exitHandler': {
      const exitTask = placeNode(node.exitTask, profile, path, diagnostics, seen) as TaskNode
      const body = placeBody(node.body, profile, path, diagnostics, seen)
      return exitTask === node.exitTask && body === node.body ? node : { ...node, exitTask, body }
    }
  }
}

function placePipeline(pipeline: PipelineNode, profile: ClusterProfile | undefined, path: readonly string[], diagnostics: Diagnostic[], seen: Map<PipelineNode, PipelineNode>): PipelineNode {
  const done = seen.get(pipeline)
  if (done) return done
  const body = placeBody(pipeline.body, profile, path, diagnostics, seen)
  const placed = body === pipeline.body ? pipeline : deepFreeze({ ...pipeline, body })
  seen.set(pipeline, placed)
  return placed
}

/**
 * Applies a cluster profile to every task requesting accelerators: the model becomes a node
 * selector label, and the accelerator's taint a toleration. Without a profile nothing changes,
 * but an accelerator `model` is reported (it would be silently ignored otherwise). The pipeline
 * is returned unchanged (the same object) when nothing was placed.
 *
 * @example
 * ```ts
 * const { pipeline, diagnostics } = applyPlacement(myPipeline, { kind: 'gke' })
 * // a task with accelerator { type: 'nvidia.com/gpu', count: 1, model: 'nvidia-tesla-t4' } now has
 * // kubernetes.nodeSelector { 'cloud.google.com/gke-accelerator': 'nvidia-tesla-t4' } and
 * // kubernetes.tolerations [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]
 * ```
 */
export function applyPlacement(pipeline: PipelineNode, profile?: ClusterProfile): { readonly pipeline: PipelineNode; readonly diagnostics: readonly Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const placed = placePipeline(pipeline, profile, [], diagnostics, new Map())
  return { pipeline: placed, diagnostics }
}
