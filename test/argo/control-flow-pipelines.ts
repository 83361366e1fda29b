/**
 * Pipelines with control flow used by the Argo target's tests: conditions (if/elif/else, and/or/not,
 * hostile string operands), loops (static lists, struct items, lists from inputs and outputs,
 * nested, parallelism), fan-in, oneOf, exit handlers (several, failing bodies), ignoreUpstreamFailure,
 * importers, f-strings and JSON with values embedded.
 */
import { and, artifact, collected, component, Dataset, eq, fmt, ge, gt, lt, ne, not, or, param, pipeline, type PipelineNode } from '@typeflow/dsl'

/** Strings that would be Argo syntax if written as they are. */
export const HOSTILE = ["it's {{workflow.name}}", '}} a?b:c {{=1+1}}', '$(HOME) $$ {"a":{"b":1}}', 'tab\there\nnewline', '\\ \' "', 'ünï €'] as const

export const produce = component({
  name: 'produce',
  image: 'alpine:3.20',
  outputs: { n: param.int(), x: param.float(), text: param.string(), flag: param.bool(), items: param.list<string>(), rows: param.list<{ a: number; b: string }>() },
  command: ({ outputs }) => ['produce', outputs.n.path, outputs.x.path, outputs.text.path, outputs.flag.path, outputs.items.path, outputs.rows.path],
})

export const echo = component({
  name: 'echo',
  image: 'alpine:3.20',
  inputs: { x: param.string() },
  outputs: { y: param.string() },
  command: ({ inputs, outputs }) => ['echo', inputs.x.value, outputs.y.path],
})

export const count = component({
  name: 'count',
  image: 'alpine:3.20',
  inputs: { n: param.int() },
  outputs: { m: param.int() },
  command: ({ inputs, outputs }) => ['count', inputs.n.value, outputs.m.path],
})

export const gather = component({
  name: 'gather',
  image: 'alpine:3.20',
  inputs: { ys: param.list<string>() },
  command: ({ inputs }) => ['gather', inputs.ys.value],
})

export const structs = component({
  name: 'structs',
  image: 'alpine:3.20',
  inputs: { cfg: param.struct(), list: param.list() },
  command: ({ inputs }) => ['structs', inputs.cfg.value, inputs.list.value],
})

export const report = component({
  name: 'report',
  image: 'alpine:3.20',
  inputs: { status: param.finalStatus(), owner: param.string({ default: 'ml@acme.dev' }) },
  command: ({ inputs }) => ['report', inputs.status.value, inputs.owner.value],
})

export const fail = component({ name: 'fail', image: 'alpine:3.20', command: ['sh', '-c', 'exit 1'] })

export const make = component({
  name: 'make',
  image: 'alpine:3.20',
  outputs: { data: artifact(Dataset) },
  command: ({ outputs }) => ['make', outputs.data.path],
})

export const read = component({
  name: 'read',
  image: 'alpine:3.20',
  inputs: { data: artifact(Dataset) },
  command: ({ inputs }) => ['read', inputs.data.path],
})

/** if / elif / else on an integer output, with a oneOf after it. */
export const branches: PipelineNode = pipeline({ name: 'cf-branches' }, (dag) => {
  const a = dag.task(produce)
  let big, medium, small
  dag
    .if(gt(a.outputs.n, 10), () => void (big = dag.task(echo, { x: 'big' }, { name: 'big' })))
    .elif(gt(a.outputs.n, 5), () => void (medium = dag.task(echo, { x: 'medium' }, { name: 'medium' })))
    .else(() => void (small = dag.task(echo, { x: 'small' }, { name: 'small' })))
  const chosen = dag.oneOf(big!.outputs.y, medium!.outputs.y, small!.outputs.y)
  dag.task(echo, { x: chosen }, { name: 'after' })
  return { chosen }
})

/** and / or / not over every operand type, with hostile string constants. */
export const logic: PipelineNode = pipeline({ name: 'cf-logic', inputs: { mode: param.string({ default: HOSTILE[0] }), limit: param.float({ default: 0.5 }) } }, (dag, p) => {
  const a = dag.task(produce)
  dag.if(and(eq(a.outputs.text, HOSTILE[1]), not(eq(a.outputs.text, HOSTILE[2]))), () => void dag.task(echo, { x: 'text' }, { name: 'on-text' }))
  dag.if(or(ge(a.outputs.x, p.limit), eq(a.outputs.flag, true)), () => void dag.task(echo, { x: 'number-or-flag' }, { name: 'on-number' }))
  dag.if(eq(p.mode, HOSTILE[0]), () => void dag.task(echo, { x: 'mode' }, { name: 'on-mode' }))
  dag.if(and(ne(a.outputs.n, 3), lt(a.outputs.n, 100)), () => void dag.task(echo, { x: 'n' }, { name: 'on-n' }))
  for (const [i, text] of HOSTILE.entries()) dag.if(eq(a.outputs.text, text), () => void dag.task(echo, { x: text }, { name: `hostile-${i}` }))
})

/** Loops of every source, struct items, nested loops, parallelism and fan-in. */
export const loops: PipelineNode = pipeline({ name: 'cf-loops', inputs: { names: param.list<string>({ default: ['ann', 'bob'] }) } }, (dag, p) => {
  const a = dag.task(produce)
  // Static strings (hostile ones too) with a parallelism limit among other members: a wrapper.
  const echoed = dag.forEach([...HOSTILE], (x) => dag.task(echo, { x }, { name: 'each-static' }).outputs.y, { parallelism: 2 })
  dag.task(gather, { ys: echoed }, { name: 'gather-static' })
  // Static struct items: {{item.<field>}}.
  dag.forEach([{ a: 1, b: 'x{{y' }, { a: 2, b: 'z' }], (row) => {
    dag.task(echo, { x: row.field('b') }, { name: 'each-row' })
    dag.task(count, { n: row.field('a') }, { name: 'count-row' })
  })
  // A list parameter, and a list output.
  dag.forEach(p.names, (name) => void dag.task(echo, { x: name }, { name: 'each-name' }))
  const counted = dag.forEach(a.outputs.items, (item) => dag.task(echo, { x: item }, { name: 'each-item' }).outputs.y)
  dag.task(gather, { ys: counted }, { name: 'gather-items' })
  // Struct items from an output.
  dag.forEach(a.outputs.rows, (row) => void dag.task(echo, { x: row.field('b') }, { name: 'each-output-row' }), { item: param.struct() })
  // Nested loops; the inner one is its body's only member, so its limit goes on the body template.
  const nested = dag.forEach([1, 2], (i) =>
    dag.forEach(['p', 'q'], (j) => dag.task(echo, { x: fmt`${i}-${j}` }, { name: 'each-pair' }).outputs.y, { parallelism: 1 }),
  )
  dag.task(gather, { ys: nested as never }, { name: 'gather-pairs' })
})

/** Two exit handlers (one guarding a failing task), a task ignoring upstream failures. */
export const exits: PipelineNode = pipeline({ name: 'cf-exits' }, (dag) => {
  dag.exitHandler(
    (status) => dag.task(report, { status }, { name: 'report-ok' }),
    () => void dag.task(echo, { x: 'fine' }, { name: 'works' }),
  )
  dag.exitHandler(
    (status) => dag.task(report, { status, owner: 'oncall@acme.dev' }, { name: 'report-failed' }),
    () => {
      const broken = dag.task(fail, {}, { name: 'breaks' })
      dag.task(echo, { x: 'never' }, { name: 'never' }).after(broken)
    },
    { displayName: 'guarded' },
  )
  const flaky = dag.task(fail, {}, { name: 'flaky' })
  dag.task(report, { status: { kind: 'paramRef', source: { kind: 'taskFinalStatus' } } as never }, { name: 'cleanup', ignoreUpstreamFailure: true }).after(flaky)
})

/** Importers from a constant URI and from a pipeline input; artifacts through conditions. */
export const importers: PipelineNode = pipeline({ name: 'cf-importers', inputs: { uri: param.string({ default: 's3://bucket/path/to/data.csv' }) } }, (dag, p) => {
  const fixed = dag.importer({ uri: 'gs://ml-data/train.csv', type: Dataset })
  const given = dag.importer({ uri: p.uri, type: Dataset }, { name: 'importer-2' })
  const web = dag.importer({ uri: 'https://example.com/data.csv', type: Dataset }, { name: 'importer-3' })
  dag.task(read, { data: fixed.outputs.artifact })
  const a = dag.task(produce)
  dag.if(gt(a.outputs.n, 1), () => {
    dag.task(read, { data: given.outputs.artifact }, { name: 'read-given' })
    dag.task(read, { data: web.outputs.artifact }, { name: 'read-web' })
  })
})

/** f-strings and JSON values with values inside, with hostile literal text. */
export const formats: PipelineNode = pipeline({ name: 'cf-formats', inputs: { who: param.string({ default: 'ann {{x}}' }) } }, (dag, p) => {
  const a = dag.task(produce)
  dag.task(echo, { x: fmt`${HOSTILE[0]}|${p.who}|{${a.outputs.n}}|${HOSTILE[2]}` }, { name: 'formatted' })
  dag.forEach(['i{{1', 'j'], (item) => void dag.task(echo, { x: fmt`{{${item}}} of ${p.who}` }, { name: 'formatted-item' }))
  dag.task(structs, { cfg: { who: p.who, n: a.outputs.n, text: fmt`{${a.outputs.text}}`, fixed: HOSTILE[1] }, list: [p.who, 1, a.outputs.flag] } as never, { name: 'embedded' })
})

/** Groups inside groups: empty branches, exit handlers in loops, oneOf in loops, fan-in through a condition, nested pipelines. */
export const combos: PipelineNode = pipeline({ name: 'cf-combos', inputs: { n: param.int({ default: 3 }) } }, (dag, p) => {
  const inner = pipeline({ name: 'inner', inputs: { x: param.string() } }, (d, q) => {
    const e = d.task(echo, { x: q.x }, { name: 'inner-echo' })
    d.if(eq(e.outputs.y, 'stop'), () => void d.task(echo, { x: 'stopped' }, { name: 'inner-stop' }))
    return { y: e.outputs.y }
  })
  dag.if(gt(p.n, 100), () => {})
  const a = dag.task(produce)
  dag.if(gt(a.outputs.n, 0), () => {
    const fanned = dag.forEach(a.outputs.items, (item) => {
      let picked
      dag.exitHandler(
        (status) => dag.task(report, { status }, { name: 'each-report' }),
        () => {
          let yes, no
          dag
            .if(eq(item, 'x'), () => void (yes = dag.task(echo, { x: item }, { name: 'each-yes' })))
            .else(() => void (no = dag.task(inner, { x: item }, { name: 'each-no' })))
          picked = dag.task(echo, { x: dag.oneOf(yes!.outputs.y, no!.outputs.y) }, { name: 'each-picked' })
        },
      )
      return picked!.outputs.y
    }, { parallelism: 3 })
    dag.task(gather, { ys: fanned as never }, { name: 'gather-all' })
  })
})

/** Everything control flow, for the strict schema, argo-validate and the cross-target check. */
export const controlFlowPipelines: readonly { readonly name: string; readonly pipeline: PipelineNode }[] = [
  { name: 'argo-cf/branches', pipeline: branches },
  { name: 'argo-cf/logic', pipeline: logic },
  { name: 'argo-cf/loops', pipeline: loops },
  { name: 'argo-cf/exits', pipeline: exits },
  { name: 'argo-cf/importers', pipeline: importers },
  { name: 'argo-cf/formats', pipeline: formats },
  { name: 'argo-cf/combos', pipeline: combos },
]

export { collected }
