/**
 * `oneOf()` that not every case feeds: over an if/elif without an else, or with a branch that
 * gives it no value. When such a case happens, nothing produces the value and the task reading it
 * fails at run time. The KFP SDK refuses an if/elif without an else; Argo's own examples rely on
 * conditions that cover every case (`flip == heads`, `flip == tails`), which the compiler cannot
 * prove. So it is a warning, `W_ONEOF_NOT_EXHAUSTIVE`, where the value is read.
 *
 * @module
 */

import type { Diagnostic, SourceLocation, ValueSourceNode } from '@typeflow/dsl'
import { type AnalysedPipeline, forEachPipeline } from '../analyse/graph.ts'

type OneOf = Extract<ValueSourceNode, { kind: 'oneOf' }>

/** The `oneOf` values a value reads, also inside f-strings and lists or dicts with values (most values read none: no list then). */
function oneOfs(source: ValueSourceNode, into?: OneOf[]): OneOf[] | undefined {
  if (source.kind === 'oneOf') (into ??= []).push(source)
  else if (source.kind === 'template') {
    for (const part of source.parts) if (typeof part !== 'string') into = oneOfs(part, into)
  } else if (source.kind === 'composite') {
    for (const { source: embedded } of source.embedded) into = oneOfs(embedded, into)
  }
  return into
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth']

/**
 * The case a oneOf() leaves without a value, if any: no else, or a branch it takes nothing from.
 * A source's branch is the group just inside the if/elif/else on its task's path, as the analysis
 * placed it.
 */
function uncovered(pipeline: AnalysedPipeline, value: OneOf): string | undefined {
  const chain = pipeline.groups.get(value.branches)
  if (chain?.node.kind !== 'branches') return undefined
  const depth = chain.path.length + 1
  const fed = new Set(value.sources.map((s) => pipeline.tasks.get(s.task)?.path[depth]))
  const branches = chain.node.branches
  const missing = branches.findIndex((branch) => !fed.has(branch.id))
  if (missing !== -1) return branches[missing]!.predicate === undefined ? 'its else branch gives it no value' : `the ${ORDINALS[missing] ?? `#${missing + 1}`} branch of its if/elif gives it no value`
  if (branches.every((branch) => branch.predicate !== undefined)) return 'its if/elif has no else, so when no branch runs, nothing produces it'
  return undefined
}

/** Every read of a `oneOf()` that some case leaves without a value, as warnings (nested pipelines once each). */
export function oneOfNotExhaustive(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  forEachPipeline(root, (pipeline, prefix) => {
    const check = (source: ValueSourceNode, path: readonly string[], what: string, location: SourceLocation | undefined) => {
      for (const value of oneOfs(source) ?? []) {
        const gap = uncovered(pipeline, value)
        if (gap === undefined) continue
        const written = pipeline.groups.get(value.branches)!.node.source
        const chain = written ? `the if at ${written.file}:${written.line}:${written.column}` : `the if/elif/else ${value.branches}`
        found.push({
          code: 'W_ONEOF_NOT_EXHAUSTIVE',
          severity: 'warning',
          path,
          message: `${what} is a oneOf() over ${chain}, and ${gap}: the run fails where it is read when that happens. Give every branch, and an else, a task whose output the oneOf() takes (the KFP SDK refuses a oneOf() without an else)`,
          ...(location !== undefined && { source: location }),
        })
        return
      }
    }
    for (const task of pipeline.tasks.values()) {
      for (const { input, from } of task.edges) {
        if (from.kind === 'oneOf' || from.kind === 'template' || from.kind === 'composite') check(from, [...prefix, 'tasks', task.name, 'inputs', input], `the value given to input "${input}" of task "${task.name}"`, task.node.source)
      }
    }
    for (const [name, output] of Object.entries(pipeline.node.outputs)) check(output.from, [...prefix, 'outputs', name], `pipeline output "${name}"`, pipeline.node.source)
  })
  return found
}
