/**
 * `oneOf()` that not every case feeds: over an if/elif without an else, with a branch that gives
 * it no value, or with a branch whose task may not run when the branch does (a condition inside the
 * branch, or a wait). When such a case happens, nothing produces the value and the task reading it
 * fails at run time. The KFP SDK refuses an if/elif without an else; Argo's own examples rely on
 * conditions that cover every case (`flip == heads`, `flip == tails`), which the compiler cannot
 * prove. So it is a warning, `W_ONEOF_NOT_EXHAUSTIVE`, where the value is read.
 *
 * @module
 */

import type { Diagnostic, SourceLocation, ValueSourceNode } from '@typeflow/dsl'
import { type AnalysedPipeline, forEachPipeline, maySkip } from '../analyse/graph.ts'

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

/** How a case leaves a oneOf() without a value, and what makes every case give one. */
interface Gap {
  readonly gap: string
  readonly fix: string
}

const GIVE_EVERY_BRANCH = 'Give every branch, and an else, a task whose output the oneOf() takes (the KFP SDK refuses a oneOf() without an else)'

/**
 * The case a oneOf() leaves without a value, if any: no else, a branch it takes nothing from, or a
 * branch whose tasks it takes from may not run when the branch does. A source's branch is the group
 * just inside the if/elif/else on its task's path, as the analysis placed it.
 */
function uncovered(pipeline: AnalysedPipeline, value: OneOf): Gap | undefined {
  const chain = pipeline.groups.get(value.branches)
  if (chain?.node.kind !== 'branches') return undefined
  const depth = chain.path.length + 1
  const branchOf = (task: string) => pipeline.tasks.get(task)?.path[depth]
  const fed = new Set(value.sources.map((s) => branchOf(s.task)))
  const branches = chain.node.branches
  const ordinal = (i: number) => ORDINALS[i] ?? `#${i + 1}`
  const missing = branches.findIndex((branch) => !fed.has(branch.id))
  if (missing !== -1) return { gap: branches[missing]!.predicate === undefined ? 'its else branch gives it no value' : `the ${ordinal(missing)} branch of its if/elif gives it no value`, fix: GIVE_EVERY_BRANCH }
  if (branches.every((branch) => branch.predicate !== undefined)) return { gap: 'its if/elif has no else, so when no branch runs, nothing produces it', fix: GIVE_EVERY_BRANCH }
  // The branch runs, and so does what is around the chain; a condition inside the branch, or a
  // wait for something a run may skip, may still leave its tasks out (found by the random differential, seed 33).
  const running = new Set([...chain.path, chain.name, ...branches.map((branch) => branch.id)])
  for (let i = 0; i < branches.length; i++) {
    const sources = value.sources.filter((s) => branchOf(s.task) === branches[i]!.id)
    if (!sources.every((s) => maySkip(pipeline, s.task, running))) continue
    return {
      gap: `"${sources[0]!.task}", which gives it its value in the ${ordinal(i)} branch, may not run when that branch does (it sits under a condition inside the branch, or waits for a task that may not run)`,
      fix: 'Take the value from a task that runs whenever its branch does',
    }
  }
  return undefined
}

/** Every read of a `oneOf()` that some case leaves without a value, as warnings (nested pipelines once each). */
export function oneOfNotExhaustive(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  forEachPipeline(root, (pipeline, prefix) => {
    const check = (source: ValueSourceNode, path: readonly string[], what: string, location: SourceLocation | undefined) => {
      for (const value of oneOfs(source) ?? []) {
        const uncoveredCase = uncovered(pipeline, value)
        if (uncoveredCase === undefined) continue
        const written = pipeline.groups.get(value.branches)!.node.source
        const chain = written ? `the if at ${written.file}:${written.line}:${written.column}` : `the if/elif/else ${value.branches}`
        found.push({
          code: 'W_ONEOF_NOT_EXHAUSTIVE',
          severity: 'warning',
          path,
          message: `${what} is a oneOf() over ${chain}, and ${uncoveredCase.gap}: the run fails where it is read when that happens. ${uncoveredCase.fix}`,
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
