/**
 * A pipeline input declared `optional: true` without a default (or an optional artifact) has no
 * value when a run leaves it out. KFP then has nothing for a required component input, a loop's
 * list or a condition that reads it, and fails the task there (the driver resolves it to null).
 * Argo has no "no value": a workflow or template parameter always holds text, so the Argo target
 * passes `''` and the task runs. Neither is what the author meant, and the two targets differ, so
 * the compile says so: `W_OPTIONAL_WITHOUT_VALUE`, where the input is read. Read inside an
 * f-string, a list or a dict, it leaves KFP no value to put in its placeholder's place, whichever
 * input the text goes to.
 *
 * A nested pipeline's input counts as possibly absent when its caller does not pass it (or passes
 * one that may be absent) and it has no default; a default fills it in, as the KFP DAG driver does.
 *
 * @module
 */

import type { Diagnostic, IoSpecNode, ValueSourceNode } from '@typeflow/dsl'
import { type AnalysedPipeline, predicateOperands, readSources } from '../analyse/graph.ts'

/** Where a possibly absent input is read in a way that needs a value, as warnings. */
export function optionalInputsWithoutValue(root: AnalysedPipeline): Diagnostic[] {
  const found: Diagnostic[] = []
  const walk = (pipeline: AnalysedPipeline, prefix: readonly string[], absent: ReadonlySet<string>) => {
    const absentInput = (source: ValueSourceNode) => (source.kind === 'pipelineInput' && absent.has(source.name) ? source.name : undefined)
    const warn = (input: string, where: readonly string[], needs: string, source: Diagnostic['source'], embedded = false) =>
      found.push({
        code: 'W_OPTIONAL_WITHOUT_VALUE',
        severity: 'warning',
        path: [...prefix, ...where],
        message: embedded
          ? `the input "${input}" is optional without a default, and ${needs}: when a run leaves it out, KFP has no value to put in its place (Argo puts '' there); give "${input}" a default`
          : `the input "${input}" is optional without a default, and ${needs}: when a run leaves it out, KFP fails there (Argo hands a parameter '' instead); give "${input}" a default, or make what reads it optional`,
        ...(source !== undefined && { source }),
      })
    for (const task of pipeline.tasks.values()) {
      const component = task.node.component
      // With no input possibly absent here, only nested pipelines can have one of their own.
      if (component.kind === 'importer' || (absent.size === 0 && !task.child)) continue
      const wired = new Map(task.edges.map((edge) => [edge.input, edge.from]))
      // Inside an f-string, a list or a dict, whether or not the input it is given to is optional
      // (found by the random differential, seed 38).
      for (const [name, from] of wired) {
        if (from.kind !== 'template' && from.kind !== 'composite') continue
        const inside = from.kind === 'template' ? 'an f-string' : 'a list or dict'
        for (const read of readSources(from)) {
          const input = absentInput(read)
          if (input !== undefined) warn(input, ['tasks', task.name, 'inputs', name], `"${task.name}" reads it inside ${inside}`, task.node.source, true)
        }
      }
      if (task.child) {
        const childAbsent = new Set<string>()
        for (const [name, spec] of Object.entries(component.inputs)) {
          const from = wired.get(name)
          const mayBeAbsent = from === undefined || absentInput(from) !== undefined
          if (!mayBeAbsent) continue
          if (mayHaveNoValue(spec)) childAbsent.add(name)
          else if (from !== undefined && !spec.optional) warn(absentInput(from)!, ['tasks', task.name, 'inputs', name], `the nested pipeline "${component.name}" requires it`, task.node.source)
        }
        walk(task.child, [...prefix, 'tasks', task.name], childAbsent)
        continue
      }
      for (const [name, from] of wired) {
        const input = absentInput(from)
        const spec = component.inputs[name]
        if (input !== undefined && spec !== undefined && !spec.optional) warn(input, ['tasks', task.name, 'inputs', name], `"${task.name}" requires it`, task.node.source)
      }
    }
    if (absent.size === 0) return
    for (const group of pipeline.groups.values()) {
      const node = group.node
      if (node.kind === 'loop' && node.items.kind !== 'raw') {
        const input = absentInput(node.items.from)
        if (input !== undefined) warn(input, ['groups', group.name], `the loop ${group.name} iterates it`, node.source)
      }
      if (node.kind === 'condition') {
        for (const operand of predicateOperands(node.predicate)) {
          const input = absentInput(operand)
          if (input !== undefined) warn(input, ['groups', group.name], `the condition of ${group.name} reads it`, node.source)
        }
      }
    }
  }
  const rootAbsent = new Set(Object.entries(root.node.inputs).filter(([, spec]) => mayHaveNoValue(spec)).map(([name]) => name))
  walk(root, [], rootAbsent)
  return found
}

function mayHaveNoValue(spec: IoSpecNode): boolean {
  return spec.optional && (spec.kind === 'artifact' || spec.default === undefined)
}
