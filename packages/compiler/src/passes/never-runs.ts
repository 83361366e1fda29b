/**
 * A task that waits for a task in another branch of the same if/elif/else: at most one branch
 * runs, so the two never both run and the waiting task never does (nor does anything waiting for
 * it). Both targets compile it, skip it at run time, and report nothing; a `oneOf` fed by its
 * branch then has no value. The compile says so where the wait is written: `W_NEVER_RUNS`.
 *
 * @module
 */

import type { Diagnostic } from '@typeflow/dsl'
import { type AnalysedPipeline, type AnalysedTask, forEachPipeline, readSources } from '../analyse/graph.ts'

/** Every task waiting (by `after` or by a value it reads) for a task in a sibling branch, as warnings. */
export function tasksThatNeverRun(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  forEachPipeline(root, (pipeline, prefix) => {
    /** The branch of an if/elif/else holding `upstream` that excludes `path`'s own branch, if any. */
    const exclusiveBranch = (path: readonly string[], upstream: string): string | undefined => {
      const other = pipeline.tasks.get(upstream)?.path
      // Siblings (the usual case) share their whole path.
      if (other === undefined || (other.length === path.length && other[other.length - 1] === path[path.length - 1])) return undefined
      let shared = 0
      while (shared < path.length && shared < other.length && path[shared] === other[shared]) shared++
      const mine = path[shared]
      const theirs = other[shared]
      if (mine === undefined || theirs === undefined || shared === 0) return undefined
      return pipeline.groups.get(path[shared - 1]!)?.node.kind === 'branches' ? theirs : undefined
    }
    // Most pipelines have no if/elif/else chain, and most tasks are outside one: nothing to check.
    if (![...pipeline.groups.values()].some((group) => group.node.kind === 'branches')) return
    const consider = (task: AnalysedTask, seen: string[], upstream: string, field: 'after' | 'inputs') => {
      if (seen.includes(upstream)) return
      seen.push(upstream)
      const branch = exclusiveBranch(task.path, upstream)
      if (branch === undefined) return
      found.push({
        code: 'W_NEVER_RUNS',
        severity: 'warning',
        path: [...prefix, 'tasks', task.name, field],
        message: `"${task.name}" waits for "${upstream}", which runs in ${branch}, another branch of the same if/elif/else: the two never both run, so "${task.name}" never runs (nor what waits for it)`,
        ...(task.node.source !== undefined && { source: task.node.source }),
      })
    }
    for (const task of pipeline.tasks.values()) {
      if (!task.path.some((id) => pipeline.groups.get(id)?.node.kind === 'branches')) continue
      const seen: string[] = []
      for (const upstream of task.node.after) consider(task, seen, upstream, 'after')
      for (const edge of task.edges) for (const read of readSources(edge.from)) if (read.kind === 'taskOutput') consider(task, seen, read.task, 'inputs')
    }
  })
  return found
}
