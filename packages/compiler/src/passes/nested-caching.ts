/**
 * `caching` chosen on the task that runs a nested pipeline. The KFP SDK writes it on that DAG task
 * only (its golden `collected_parameters` turns caching off there while the tasks inside keep
 * `enableCache: true`), and a DAG task is never served from a cache: the tasks inside cache as
 * their own settings say. Both targets write what the SDK writes, so the choice is said to have no
 * effect rather than applied: `W_CACHING_NOT_INHERITED`, where it is written.
 *
 * @module
 */

import type { Diagnostic } from '@typeflow/dsl'
import { type AnalysedPipeline, forEachPipeline } from '../analyse/graph.ts'

/** Every nested pipeline's task that turns caching off or names a cache key, as warnings (nested pipelines once each). */
export function nestedCachingIgnored(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  forEachPipeline(root, (pipeline, prefix) => {
    for (const task of pipeline.tasks.values()) {
      const { enabled, key } = task.node.caching
      if (!task.child || (enabled !== false && key === undefined)) continue
      const chosen = enabled === false ? 'caching: false' : 'a cache key'
      found.push({
        code: 'W_CACHING_NOT_INHERITED',
        severity: 'warning',
        path: [...prefix, 'tasks', task.name, 'caching'],
        message: `task "${task.name}" runs the pipeline "${task.child.node.name}" with ${chosen}, which its tasks do not inherit (KFP caches tasks, not the DAG of a nested pipeline; the KFP SDK writes the same): set caching on the tasks inside, or on the nested pipeline (pipeline({ caching: false }))`,
        ...(task.node.source !== undefined && { source: task.node.source }),
      })
    }
  })
  return found
}
