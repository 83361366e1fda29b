import type { AnalysedGroup, AnalysedMember, AnalysedPipeline, TaskCacheKey } from '@typeflow/compiler'
import { computeCacheKeys, isStaticKey, runtimeCacheKey } from '@typeflow/compiler'
import type { JsonValue, ResourcesNode } from '@typeflow/dsl'

/** One task in the plan. */
export interface PlannedTask {
  readonly name: string
  /** Enclosing groups, outermost first. */
  readonly groups: readonly string[]
  readonly component: string
  readonly image?: string
  readonly cache: {
    readonly enabled: boolean
    readonly cacheable: boolean
    readonly reason?: string
    readonly digest: string
    /** The full key when every run-time value it needs was given with --param (or has a default). */
    readonly key?: string
    readonly dependsOnInputs: readonly string[]
    readonly dependsOnLoopItems: readonly string[]
    readonly ingredients: JsonValue
  }
  readonly resources?: ResourcesNode
  /** How many copies may run at once (loop iterations), or null when only known at run time. */
  readonly copies: number | null
  /** Wave in an as-soon-as-possible schedule with equal task durations (1 = first). */
  readonly wave: number
}

/** What `typeflow plan` reports. */
export interface Plan {
  readonly pipeline: string
  readonly tasks: readonly PlannedTask[]
  readonly peakAccelerators: { readonly byType: Readonly<Record<string, number>>; readonly wave: number | null; readonly exact: boolean }
  readonly criticalPath: readonly string[]
  readonly assumptions: readonly string[]
}

function copiesOf(pipeline: AnalysedPipeline, groups: readonly string[]): number | null {
  let copies = 1
  for (const id of groups) {
    const node = pipeline.groups.get(id)?.node
    if (node?.kind !== 'loop') continue
    const width = node.items.kind === 'raw' ? node.items.values.length : null
    const limited = node.parallelism !== undefined ? Math.min(node.parallelism, width ?? node.parallelism) : width
    if (limited === null) return null
    copies *= limited
  }
  return copies
}

function tasksInside(member: AnalysedMember): string[] {
  if (member.kind === 'task') return [member.name]
  return [...member.scope.members.values()].flatMap(tasksInside)
}

/**
 * Builds the plan: cache keys with their ingredients, resources, the peak accelerator demand
 * and the critical path of an as-soon-as-possible schedule (equal durations, every branch of a
 * condition counted, loops as wide as their items or parallelism limit).
 */
export function planPipeline(pipeline: AnalysedPipeline, params: Readonly<Record<string, unknown>>): Plan {
  const keys = computeCacheKeys(pipeline)
  const defaults: Record<string, unknown> = {}
  for (const [name, spec] of Object.entries(pipeline.node.inputs)) if (spec.kind === 'parameter' && spec.default !== undefined) defaults[name] = spec.default
  const values = { ...defaults, ...params }

  // Every task's effective predecessors: its own, and those of each enclosing group.
  const predecessors = new Map<string, Set<string>>()
  const expand = (scopeMembers: ReadonlyMap<string, AnalysedMember>, names: readonly string[]) =>
    names.flatMap((n) => {
      const member = scopeMembers.get(n)
      return member ? tasksInside(member) : []
    })
  const visit = (members: ReadonlyMap<string, AnalysedMember>, inherited: readonly string[]) => {
    for (const member of members.values()) {
      const own = [...inherited, ...expand(members, member.dependsOn)]
      if (member.kind === 'task') predecessors.set(member.name, new Set(own))
      else visit((member as AnalysedGroup).scope.members, own)
    }
  }
  visit(pipeline.root.members, [])

  const wave = new Map<string, number>()
  const from = new Map<string, string | undefined>()
  const waveOf = (name: string): number => {
    const known = wave.get(name)
    if (known !== undefined) return known
    let best = 0
    let via: string | undefined
    for (const p of predecessors.get(name) ?? []) {
      const w = waveOf(p)
      if (w > best || (w === best && via !== undefined && p < via)) {
        best = w
        via = p
      }
    }
    wave.set(name, best + 1)
    from.set(name, via)
    return best + 1
  }

  const tasks: PlannedTask[] = []
  for (const name of [...pipeline.tasks.keys()].sort()) {
    const task = pipeline.tasks.get(name)!
    const key: TaskCacheKey = keys.get(name)!
    const known = key.pipelineInputs.every((i) => i in values) && key.loopItems.length === 0
    const component = task.node.component
    tasks.push({
      name,
      groups: task.path,
      component: component.name,
      ...(component.kind === 'container' && { image: component.image }),
      cache: {
        enabled: task.caching,
        cacheable: key.cacheable,
        ...(key.reason !== undefined && { reason: key.reason }),
        digest: key.digest,
        ...(key.cacheable && (isStaticKey(key) || known) && { key: runtimeCacheKey(key, values, {}) }),
        dependsOnInputs: key.pipelineInputs,
        dependsOnLoopItems: key.loopItems,
        ingredients: key.ingredients,
      },
      ...(task.node.resources !== undefined && { resources: task.node.resources }),
      copies: copiesOf(pipeline, task.path),
      wave: waveOf(name),
    })
  }

  const demand = new Map<number, Map<string, number>>()
  let exact = true
  for (const task of tasks) {
    const accelerator = task.resources?.accelerator
    if (!accelerator) continue
    if (task.copies === null) exact = false
    const perWave = demand.get(task.wave) ?? new Map<string, number>()
    perWave.set(accelerator.type, (perWave.get(accelerator.type) ?? 0) + accelerator.count * (task.copies ?? 1))
    demand.set(task.wave, perWave)
  }
  let peakWave: number | null = null
  let peak = new Map<string, number>()
  for (const [w, byType] of [...demand].sort((a, b) => a[0] - b[0])) {
    const total = [...byType.values()].reduce((a, b) => a + b, 0)
    const best = [...peak.values()].reduce((a, b) => a + b, 0)
    if (total > best) {
      peak = byType
      peakWave = w
    }
  }

  let last: string | undefined
  for (const task of tasks) if (last === undefined || task.wave > wave.get(last)! || (task.wave === wave.get(last) && task.name < last)) last = task.name
  const criticalPath: string[] = []
  for (let at = last; at !== undefined; at = from.get(at)) criticalPath.unshift(at)

  return {
    pipeline: pipeline.node.name,
    tasks,
    peakAccelerators: { byType: Object.fromEntries([...peak].sort()), wave: peakWave, exact },
    criticalPath,
    assumptions: [
      'tasks take equal time and start as soon as their inputs are ready',
      'every branch of a condition is counted',
      'a loop runs as many copies at once as it has items, or its parallelism limit if lower',
    ],
  }
}

/** The plan as a table for a terminal. */
export function renderPlan(plan: Plan, colour: boolean): string {
  const dim = (s: string) => (colour ? `\u001b[2m${s}\u001b[0m` : s)
  const bold = (s: string) => (colour ? `\u001b[1m${s}\u001b[0m` : s)
  const lines = [bold(`Plan for ${plan.pipeline}: ${plan.tasks.length} tasks`), '']
  for (const task of [...plan.tasks].sort((a, b) => a.wave - b.wave || (a.name < b.name ? -1 : 1))) {
    const where = task.groups.length ? dim(` in ${task.groups.join(' > ')}`) : ''
    lines.push(`${bold(task.name)}${where}  wave ${task.wave}${task.copies !== 1 ? `, ×${task.copies ?? '?'}` : ''}`)
    const cache = !task.cache.enabled
      ? 'caching off'
      : !task.cache.cacheable
        ? `never reused: ${task.cache.reason}`
        : task.cache.key
          ? `key ${task.cache.key.slice(0, 16)}`
          : `digest ${task.cache.digest.slice(0, 16)} + run-time values of ${[...task.cache.dependsOnInputs, ...task.cache.dependsOnLoopItems.map((l) => `${l} item`)].join(', ')}`
    lines.push(`  cache     ${cache}`)
    if (task.image) lines.push(`  image     ${task.image}`)
    const r = task.resources
    if (r) {
      const parts = [
        r.cpuRequest && `cpu ${r.cpuRequest}`,
        r.cpuLimit && `cpu limit ${r.cpuLimit}`,
        r.memoryRequest && `memory ${r.memoryRequest}`,
        r.memoryLimit && `memory limit ${r.memoryLimit}`,
        r.accelerator && `${r.accelerator.count} × ${r.accelerator.type}`,
      ].filter(Boolean)
      lines.push(`  resources ${parts.join(', ')}`)
    }
  }
  const peak = Object.entries(plan.peakAccelerators.byType)
  lines.push('')
  lines.push(
    peak.length === 0
      ? 'Peak accelerators: none requested'
      : `Peak accelerators: ${peak.map(([t, n]) => `${n} × ${t}`).join(', ')} in wave ${plan.peakAccelerators.wave}${plan.peakAccelerators.exact ? '' : ' (at least: some loops are only sized at run time)'}`,
  )
  lines.push(`Critical path: ${plan.criticalPath.join(' → ')} (${plan.criticalPath.length} tasks)`)
  lines.push(dim(`Assuming ${plan.assumptions.join('; ')}.`))
  return `${lines.join('\n')}\n`
}
