/**
 * A fan-in (`collected`) of a task that runs under a condition inside the loop it is collected
 * over, or waits for one there, or sits in a group there that waits for one (and is skipped with
 * it); or of a nested pipeline's `oneOf` output that a run may leave without a value. KFP leaves
 * the iterations without a value out of the list. Argo cannot: a loop iteration's DAG hands the
 * value on whether it was produced or not, and Argo v4 resolves the output of a skipped task to
 * an empty value, or stalls on it (argo-workflows #16793), depending on the release. The Argo
 * target says so instead of guessing: `W_ARGO_SKIPPED_FAN_IN`.
 *
 * @module
 */

import type { Diagnostic, ValueSourceNode } from '@typeflow/dsl'
import { type AnalysedPipeline, forEachPipeline, maySkip, predicateOperands, readSources } from '../analyse/graph.ts'

/**
 * The branches of the nested pipeline output `output` when it is a oneOf that a run may leave
 * without a value (no else branch, the if/elif/else is skipped, or a task it reads is skipped
 * inside the branch that runs); undefined otherwise.
 */
function unfedOneOf(pipeline: AnalysedPipeline, output: string): string | undefined {
  const from = pipeline.node.outputs[output]?.from
  if (from?.kind !== 'oneOf') return undefined
  const group = pipeline.groups.get(from.branches)
  if (group?.node.kind !== 'branches') return undefined
  const exhaustive = group.node.branches.some((branch) => branch.predicate === undefined)
  if (!exhaustive || maySkip(pipeline, from.branches)) return from.branches
  // Whichever branch runs, a condition inside it, or a wait for something skipped, may leave its
  // task without a value.
  const running = new Set([from.branches, ...group.node.branches.map((branch) => branch.id)])
  return from.sources.some((source) => maySkip(pipeline, source.task, running)) ? from.branches : undefined
}

/** Every fan-in of a task skipped in some iterations, once per collected output, as warnings. */
export function skippedFanIns(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  forEachPipeline(root, (pipeline, prefix) => {
    const warned = new Set<string>()
    /**
     * A condition inside a loop that can make some iterations skip this task or group: one on
     * the way to it below a loop, or one it or a group around it below the loop waits for (a
     * sibling condition, or a sibling that is itself skipped that way), since a task waiting on a
     * skipped one is skipped too, and so is everything in a skipped group.
     */
    const skippingCondition = (name: string, seen: Set<string>): { readonly condition: string; readonly waits: boolean } | undefined => {
      const member = pipeline.tasks.get(name) ?? pipeline.groups.get(name)
      if (!member || seen.has(name)) return undefined
      seen.add(name)
      const firstLoop = member.path.findIndex((id) => pipeline.groups.get(id)?.node.kind === 'loop')
      if (firstLoop < 0) return undefined
      const enclosing = member.path.slice(firstLoop + 1).find((id) => pipeline.groups.get(id)?.node.kind === 'condition')
      if (enclosing !== undefined) return { condition: enclosing, waits: seen.size > 1 }
      if (member.kind === 'group' && member.node.kind === 'condition') return { condition: name, waits: true }
      for (const upstream of member.dependsOn) {
        const found = skippingCondition(upstream, seen)
        if (found !== undefined) return found
      }
      // A group around it inside the loop that waits for a skipped one (an `after` of a task in a
      // nested loop makes the nested loop wait; found by the random differential, seed 12).
      for (const around of member.path.slice(firstLoop + 1)) {
        const found = skippingCondition(around, seen)
        if (found !== undefined) return { condition: found.condition, waits: true }
      }
      return undefined
    }
    const consider = (source: ValueSourceNode, where: readonly string[]) => {
      for (const read of readSources(source)) {
        if (read.kind !== 'collected') continue
        const producer = pipeline.tasks.get(read.task)
        if (!producer) continue
        const skipped = skippingCondition(read.task, new Set())
        const unfed = skipped === undefined && producer.child ? unfedOneOf(producer.child, read.output) : undefined
        const key = `${read.task}\u0000${read.output}`
        if ((skipped === undefined && unfed === undefined) || warned.has(key)) continue
        warned.add(key)
        const why =
          skipped !== undefined
            ? `"${read.task}" ${skipped.waits ? 'waits for a task under' : 'runs under'} ${skipped.condition} inside it: KFP leaves out the iterations that skip it`
            : `its pipeline's output "${read.output}" is a oneOf over ${unfed}, which may have no value: KFP leaves out the iterations where it has none`
        found.push({
          code: 'W_ARGO_SKIPPED_FAN_IN',
          severity: 'warning',
          path: [...prefix, ...where],
          message: `collects "${read.task}.${read.output}" over a loop, but ${why}, Argo cannot (the skipped iterations' values are empty, or the run waits on them, depending on the Argo release); collect a value every iteration produces, or compile for KFP only`,
          ...(producer.node.source !== undefined && { source: producer.node.source }),
        })
      }
    }
    for (const task of pipeline.tasks.values()) for (const edge of task.edges) consider(edge.from, ['tasks', task.name, 'inputs', edge.input])
    for (const group of pipeline.groups.values()) {
      const node = group.node
      if (node.kind === 'loop' && node.items.kind !== 'raw') consider(node.items.from, ['groups', group.name])
      if (node.kind === 'condition') for (const operand of predicateOperands(node.predicate)) consider(operand, ['groups', group.name])
    }
    for (const [name, output] of Object.entries(pipeline.node.outputs)) consider(output.from, ['outputs', name])
  })
  return found
}
