/**
 * `oneOf()` that not every case feeds: over an if/elif without an else, or with a branch that
 * gives it no value. When such a case happens, nothing produces the value and the task reading it
 * fails at run time. The KFP SDK refuses an if/elif without an else; Argo's own examples rely on
 * conditions that cover every case (`flip == heads`, `flip == tails`), which the compiler cannot
 * prove. So it is a warning, `W_ONEOF_NOT_EXHAUSTIVE`, where the value is read.
 *
 * @module
 */

import type { BodyNode, Diagnostic, PipelineNode, SourceLocation, ValueSourceNode } from '@typeflow/dsl'
import { allTasks } from '@typeflow/dsl'

/** One if/elif/else chain: per branch, whether it is the else and the tasks inside it. */
interface Chain {
  /** How the message names it: where the user wrote it, when known. */
  readonly name: string
  readonly branches: readonly { readonly isElse: boolean; readonly tasks: ReadonlySet<string> }[]
}

/** The if/elif/else chains of a pipeline body, by id. */
function chains(body: readonly BodyNode[], into: Map<string, Chain>): Map<string, Chain> {
  for (const node of body) {
    switch (node.kind) {
      case 'branches':
        into.set(node.id, {
          name: node.source ? `the if at ${node.source.file}:${node.source.line}:${node.source.column}` : `the if/elif/else ${node.id}`,
          branches: node.branches.map((branch) => ({ isElse: branch.predicate === undefined, tasks: new Set([...allTasks(branch.body)].map((t) => t.name)) })),
        })
        chains(node.branches, into)
        break
      case 'exitHandler':
      case 'condition':
      case 'loop':
        chains(node.body, into)
        break
      case 'task':
        break
    }
  }
  return into
}

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

/** The case a oneOf() leaves without a value, if any: no else, or a branch it takes nothing from. */
function uncovered(value: OneOf, chain: Chain): string | undefined {
  const from = new Set(value.sources.map((s) => s.task))
  const missing = chain.branches.findIndex((branch) => ![...branch.tasks].some((task) => from.has(task)))
  if (missing !== -1) return chain.branches[missing]!.isElse ? 'its else branch gives it no value' : `the ${ORDINALS[missing] ?? `#${missing + 1}`} branch of its if/elif gives it no value`
  if (!chain.branches.some((branch) => branch.isElse)) return 'its if/elif has no else, so when no branch runs, nothing produces it'
  return undefined
}

/** Every read of a `oneOf()` that some case leaves without a value, as warnings (nested pipelines once each). */
export function oneOfNotExhaustive(root: PipelineNode): Diagnostic[] {
  const found: Diagnostic[] = []
  const seen = new WeakSet<PipelineNode>()
  const visit = (p: PipelineNode, prefix: readonly string[]) => {
    if (seen.has(p)) return
    seen.add(p)
    // Found on the first oneOf(): most pipelines have none, and large ones have thousands of branches.
    let byId: Map<string, Chain> | undefined
    const check = (source: ValueSourceNode, path: readonly string[], what: string, location: SourceLocation | undefined) => {
      for (const value of oneOfs(source) ?? []) {
        const chain = (byId ??= chains(p.body, new Map())).get(value.branches)
        const gap = chain === undefined ? undefined : uncovered(value, chain)
        if (chain === undefined || gap === undefined) continue
        found.push({
          code: 'W_ONEOF_NOT_EXHAUSTIVE',
          severity: 'warning',
          path,
          message: `${what} is a oneOf() over ${chain.name}, and ${gap}: the run fails where it is read when that happens. Give every branch, and an else, a task whose output the oneOf() takes (the KFP SDK refuses a oneOf() without an else)`,
          ...(location !== undefined && { source: location }),
        })
        return
      }
    }
    for (const task of allTasks(p.body)) {
      for (const input in task.inputs) {
        const source = task.inputs[input]!
        if (source.kind === 'oneOf' || source.kind === 'template' || source.kind === 'composite') check(source, [...prefix, 'tasks', task.name, 'inputs', input], `the value given to input "${input}" of task "${task.name}"`, task.source)
      }
      if (task.component.kind === 'pipeline') visit(task.component, [...prefix, 'tasks', task.name])
    }
    for (const [name, output] of Object.entries(p.outputs)) check(output.from, [...prefix, 'outputs', name], `pipeline output "${name}"`, p.source)
  }
  visit(root, [])
  return found
}
