/**
 * User text that KFP will read as its own placeholders.
 *
 * KFP's launcher substitutes `{{$}}` and `{{$.…}}` in command lines, and its driver does the same in
 * string constants and defaults (that is how the SDK's f-strings work). KFP has no escape for
 * them: text that contains `{{$` is replaced at run time by whatever it names. KFP users rely on
 * that on purpose (`dsl.PIPELINE_JOB_NAME_PLACEHOLDER` is such a constant, and the SDK's goldens
 * use it), so it cannot be refused; it is a warning, `W_KFP_PLACEHOLDER`, that says the KFP target
 * will substitute the text while Argo passes it literally.
 *
 * The other way round, values inside a list or dict argument: the SDK writes a placeholder for
 * each, but the KFP driver resolves placeholders in string constants only
 * (kubeflow/pipelines#12204, whose fix #12811 the issue search shows closed, not merged), so the
 * task receives the placeholders as text. The Argo target passes the values. That is
 * `W_KFP_VALUE_IN_LIST`.
 *
 * @module
 */

import type { CommandArgNode, ComponentNode, Diagnostic, JsonValue, PipelineNode, TaskNode, ValueSourceNode } from '@typeflow/dsl'
import { allTasks } from '@typeflow/dsl'

const KFP_PLACEHOLDER = '{{$'

function holdsPlaceholder(value: JsonValue | undefined): boolean {
  if (typeof value === 'string') return value.includes(KFP_PLACEHOLDER)
  if (Array.isArray(value)) return value.some(holdsPlaceholder)
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k.includes(KFP_PLACEHOLDER) || holdsPlaceholder(v))
  return false
}

function commandHolds(args: readonly CommandArgNode[] | undefined): boolean {
  for (const arg of args ?? []) {
    if (arg.kind === 'text' ? arg.parts.some((p) => typeof p === 'string' && p.includes(KFP_PLACEHOLDER)) : arg.kind === 'concat' ? commandHolds(arg.items) : commandHolds(arg.then) || commandHolds(arg.else)) return true
  }
  return false
}

function sourceHolds(source: ValueSourceNode): boolean {
  switch (source.kind) {
    case 'constant':
      return holdsPlaceholder(source.value)
    case 'template':
      return source.parts.some((p) => (typeof p === 'string' ? p.includes(KFP_PLACEHOLDER) : sourceHolds(p)))
    case 'composite':
      return holdsPlaceholder(source.value) || source.embedded.some((e) => sourceHolds(e.source))
    default:
      return false
  }
}

/**
 * Every place where user text holds a KFP placeholder, as `W_KFP_PLACEHOLDER` warnings, and every
 * list or dict argument holding values, as `W_KFP_VALUE_IN_LIST` (each component and nested
 * pipeline reported once).
 *
 * @example
 * ```ts
 * kfpPlaceholderHazards(pipeline) // [] unless some text contains "{{$" or a list argument holds a value
 * ```
 */
export function kfpPlaceholderHazards(root: PipelineNode): Diagnostic[] {
  const found: Diagnostic[] = []
  const seen = new WeakSet<object>()
  const report = (path: readonly string[], what: string, source: TaskNode['source']) =>
    found.push({
      code: 'W_KFP_PLACEHOLDER',
      severity: 'warning',
      path,
      message: `${what} contains "{{$", which KFP substitutes as one of its placeholders at run time (it has no escape); the Argo target passes it literally`,
      ...(source !== undefined && { source }),
    })

  const component = (c: ComponentNode, path: readonly string[]) => {
    if (seen.has(c)) return
    seen.add(c)
    if (c.kind === 'pipeline') return pipeline(c, path)
    for (const [name, spec] of Object.entries(c.inputs)) {
      if (spec.kind === 'parameter' && holdsPlaceholder(spec.default)) report([...path, 'inputs', name, 'default'], `the default of input "${name}" of component "${c.name}"`, c.kind === 'container' ? c.source : undefined)
    }
    // A function component's command line is our executor and the user's bundled code, not text
    // meant for KFP.
    if (c.kind === 'container' && c.function === undefined && (commandHolds(c.command) || commandHolds(c.args))) report([...path, 'command'], `the command line of component "${c.name}"`, c.source)
  }
  const task = (t: TaskNode, prefix: readonly string[]) => {
    const path = [...prefix, 'tasks', t.name]
    // An importer's URI is an artifact location, not text the launcher or driver scans.
    if (t.component.kind !== 'importer') for (const [input, source] of Object.entries(t.inputs)) {
      if (sourceHolds(source)) report([...path, 'inputs', input], `the value given to input "${input}" of task "${t.name}"`, t.source)
      if (source.kind === 'composite') {
        found.push({
          code: 'W_KFP_VALUE_IN_LIST',
          severity: 'warning',
          path: [...path, 'inputs', input],
          message: `the value given to input "${input}" of task "${t.name}" is a list or dict holding values known at run time: the KFP backend resolves them in string arguments only (kubeflow/pipelines#12204), so the task receives their placeholders (so does a local run), while the Argo target passes the values; pass each value as an input of its own`,
          ...(t.source !== undefined && { source: t.source }),
        })
      }
    }
    component(t.component, path)
  }
  const pipeline = (p: PipelineNode, prefix: readonly string[]) => {
    for (const [name, spec] of Object.entries(p.inputs)) {
      if (spec.kind === 'parameter' && holdsPlaceholder(spec.default)) report([...prefix, 'inputs', name, 'default'], `the default of pipeline input "${name}"`, p.source)
    }
    for (const t of allTasks(p.body)) task(t, prefix)
  }
  pipeline(root, [])
  return found
}
