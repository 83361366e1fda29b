/**
 * A task that waits for a task in another branch of the same if/elif/else: at most one branch
 * runs, so the two never both run and the waiting task never does (nor does anything waiting for
 * it). Both targets compile it, skip it at run time, and report nothing; a `oneOf` fed by its
 * branch then has no value. The compile says so where the wait is written: `W_NEVER_RUNS`.
 *
 * @module
 */

import type { Diagnostic } from '@typeflow/dsl'
import { type AnalysedPipeline, forEachPipeline, readSources } from '../analyse/graph.ts'

/** Every task waiting (by `after` or by a value it reads) for a task in a sibling branch, as warnings. */
export function tasksThatNeverRun(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  forEachPipeline(root, (pipeline, prefix) => {
    /** The branch of an if/elif/else holding `upstream` that excludes `path`'s own branch, if any. */
    const exclusiveBranch = (path: readonly string[], upstream: string): string | undefined => {
      const other = pipeline.tasks.get(upstream)?.path
      if (other === undefined) return undefined
      let shared = 0
      while (shared < path.length && shared < other.length && path[shared] === other[shared]) shared++
      const mine = path[shared]
      const theirs = other[shared]
      if (mine === undefined || theirs === undefined || shared === 0) return undefined
      return pipeline.groups.get(path[shared - 1]!)?.node.kind === 'branches' ? theirs : undefined
    }
    for (const task of pipeline.tasks.values()) {
      const upstream = new Set([...task.node.after, ...task.edges.flatMap((edge) => readSources(edge.from).flatMap((read) => (read.kind === 'taskOutput' ? [read.task] : [])))])
      for (const name of [...upstream].sort()) {
        const branch = exclusiveBranch(task.path, name)
        if (branch === undefined) continue
        found.push({
          code: 'W_NEVER_RUNS',
          severity: 'warning',
          path: [...prefix, 'tasks', task.name, task.node.after.includes(name) ? 'after' : 'inputs'],
          message: `"${task.name}" waits for "${name}", which runs in ${branch}, another branch of the same if/elif/else: the two never both run, so "${task.name}" never runs (nor what waits for it)`,
          ...(task.node.source !== undefined && { source: task.node.source }),
        })
      }
    }
  })
  return found
}
