/**
 * Two values side by side in one argument reach the container as their concatenation on Argo,
 * whatever each holds and wherever each comes from. Every template input is kubelet-encoded so
 * that its end cannot combine with what follows: a trailing `$` with a `(` or `$` after it (the
 * kubelet's `$(VAR)` and `$$`), a trailing `{` with a `{` after it (an Argo tag). Loop items are
 * the hard case: they come out of a JSON list Argo parses, which must stay JSON, so each string
 * in it is encoded at both ends (see `kubeletEncodedJson`).
 *
 * Sources: the items of a constant list (`withItems`), of a list pipeline parameter, a field of
 * the items of a list of structs (a parameter), the items of a list a task produced (`withParam`),
 * and a task's output; each pair is joined by an f-string and by two inputs a command line writes
 * next to each other.
 */
import { describe, expect, it } from 'vitest'
import { component, fmt, param, pipeline } from '@typeflow/dsl'
import { compileArgo } from './helpers.ts'
import { runWorkflow } from './run.ts'
import { pair } from './value-components.ts'

/** Ends and starts that combine: `$` + `(`/`$`, `{` + `{`, and text that looks like our escape. */
const EDGES = ['{', 'x{', '{y', '{workflow.name}}', '{{', '}}', '$', 'x$', '$$', '$(', '(HOME)', '(TYPEFLOW_LBRACE)', '%d', 'plain'] as const

const gen = component({ name: 'gen', image: 'alpine:3.20', outputs: { s: param.string(), xs: param.list<string>() } })

type Value = Parameters<typeof fmt>[1]
type Kind = 'static' | 'parameter' | 'field' | 'produced'

/** Both ways of putting `x` before `y`, as tasks named `<name>-fmt` and `<name>-pair`. */
function joined(dag: Parameters<Parameters<typeof pipeline>[1]>[0], name: string, x: Value, y: Value): void {
  dag.task(pair, { a: fmt`${x}${y}`, b: '' }, { name: `${name}-fmt` })
  dag.task(pair, { a: x as never, b: y as never }, { name: `${name}-pair` })
}

const KINDS: readonly Kind[] = ['static', 'parameter', 'field', 'produced']

const RECORDS = EDGES.map((edge) => ({ edge }))

const docs = compileArgo(
  pipeline({ name: 'adjacent', inputs: { edges: param.list<string>({ default: [...EDGES] }), records: param.list<{ edge: string }>({ default: RECORDS }) } }, (dag, q) => {
    const g = dag.task(gen).outputs
    const items = (kind: Kind, body: (item: Value) => void) => {
      if (kind === 'static') dag.forEach([...EDGES], body)
      else if (kind === 'field') dag.forEach(q.records, (record) => body(record.field('edge')))
      else dag.forEach(kind === 'parameter' ? q.edges : g.xs, body)
    }
    for (const outer of KINDS) {
      for (const inner of KINDS) items(outer, (x) => items(inner, (y) => joined(dag, `${outer}-${inner}`, x, y)))
      items(outer, (x) => {
        joined(dag, `${outer}-output`, x, g.s)
        joined(dag, `output-${outer}`, g.s, x)
      })
    }
  }),
)

const pairs = EDGES.flatMap((x) => EDGES.map((y) => x + y)).sort()

describe('two values side by side in one argument on Argo', () => {
  const runs = EDGES.map((s) => runWorkflow(docs, { outputs: (run) => (run.task === 'gen' ? { s, xs: JSON.stringify(EDGES) } : {}) }))
  const seen = (run: (typeof runs)[number], task: string) =>
    run.runs
      .filter((r) => r.task === task)
      .map((r) => r.argv[1])
      .sort()

  it.each(KINDS.flatMap((x) => KINDS.map((y) => [x, y] as const)))('a %s loop item, then a %s one', (x, y) => {
    expect(runs[0]!.phase).toBe('Succeeded')
    expect(seen(runs[0]!, `${x}-${y}-fmt`)).toEqual(pairs)
    expect(seen(runs[0]!, `${x}-${y}-pair`)).toEqual(pairs)
  })

  it.each(KINDS)("a %s loop item and a task's output, either way round", (kind) => {
    EDGES.forEach((s, i) => {
      const run = runs[i]!
      expect(run.phase).toBe('Succeeded')
      for (const form of ['fmt', 'pair']) {
        expect(seen(run, `${kind}-output-${form}`), `${kind} then ${JSON.stringify(s)}`).toEqual(EDGES.map((x) => x + s).sort())
        expect(seen(run, `output-${kind}-${form}`), `${JSON.stringify(s)} then ${kind}`).toEqual(EDGES.map((x) => s + x).sort())
      }
    })
  })
})
