import { describe, expectTypeOf, test } from 'vitest'
import { and, artifact, type ArtifactRef, collected, component, Dataset, eq, ge, Model, param, type ParamRef, pipeline, type TaskFinalStatus } from '@typeflow/dsl'

const score = component({ name: 'score', image: 'img', outputs: { auc: param.float(), label: param.string(), model: artifact(Model) } })
const useInt = component({ name: 'use-int', image: 'img', inputs: { n: param.int() }, outputs: { out: param.int(), data: artifact(Dataset) } })
const useList = component({ name: 'use-list', image: 'img', inputs: { ns: param.list<number>(), shards: artifact.list(Dataset, { optional: true }) } })
const useText = component({ name: 'use-text', image: 'img', inputs: { text: param.string() } })
const report = component({ name: 'report', image: 'img', inputs: { status: param.finalStatus() } })

describe('conditions', () => {
  test('comparisons need operands of one type', () => {
    pipeline({ name: 'p', inputs: { threshold: param.float(), mode: param.string() } }, (dag, p) => {
      const s = dag.task(score)
      dag.if(and(ge(s.outputs.auc, p.threshold), eq(s.outputs.label, 'fraud')), () => void dag.task(useText, { text: p.mode }))
      // @ts-expect-error a number compared with a string
      eq(s.outputs.auc, 'high')
      // @ts-expect-error a string reference compared with a number reference
      ge(s.outputs.label, p.threshold)
      // @ts-expect-error artifacts cannot be compared
      eq(s.outputs.model, 'x')
      // @ts-expect-error and() needs at least two predicates
      and(eq(s.outputs.label, 'x'))
    })
  })

  test('oneOf keeps the type of its branches', () => {
    pipeline({ name: 'p' }, (dag) => {
      const s = dag.task(score)
      let a: ParamRef<string> | undefined
      let b: ParamRef<string> | undefined
      dag.if(eq(s.outputs.label, 'x'), () => void (a = s.outputs.label)).else(() => void (b = s.outputs.label))
      expectTypeOf(dag.oneOf(a!, b!)).toEqualTypeOf<ParamRef<string>>()
    })
  })
})

describe('loops', () => {
  test('items of a static list are typed, and struct items expose typed fields', () => {
    pipeline({ name: 'p' }, (dag) => {
      dag.forEach([1, 2, 3], (n) => {
        expectTypeOf(n).toMatchTypeOf<ParamRef<number>>()
        dag.task(useInt, { n })
        // @ts-expect-error a number item into a string input
        dag.task(useText, { text: n })
      })
      dag.forEach([{ name: 'a', size: 1 }], (item) => {
        dag.task(useText, { text: item.field('name') })
        dag.task(useInt, { n: item.field('size') })
        // @ts-expect-error no such field
        item.field('colour')
      })
    })
  })

  test('what the body returns comes back collected into lists', () => {
    pipeline({ name: 'p', inputs: { ns: param.list<number>() } }, (dag, p) => {
      const collectedOut = dag.forEach(p.ns, (n) => dag.task(useInt, { n }).outputs.out)
      expectTypeOf(collectedOut).toEqualTypeOf<ParamRef<readonly number[]>>()
      const both = dag.forEach(p.ns, (n) => {
        const t = dag.task(useInt, { n }, { name: 'again' })
        return { out: t.outputs.out, data: t.outputs.data }
      })
      expectTypeOf(both.data).toEqualTypeOf<ArtifactRef<'system.Dataset', true>>()
      dag.task(useList, { ns: collectedOut, shards: both.data })
      // @ts-expect-error a list where one int is expected
      dag.task(useInt, { n: collectedOut }, { name: 'wrong' })
    })
  })

  test('collected() turns a loop task output into a list', () => {
    const out = {} as ParamRef<number>
    expectTypeOf(collected(out)).toEqualTypeOf<ParamRef<readonly number[]>>()
  })

  test('loops over artifact lists give single artifacts', () => {
    pipeline({ name: 'p', inputs: { shards: artifact.list(Dataset) } }, (dag, p) => {
      dag.forEach(p.shards, (shard) => {
        expectTypeOf(shard).toEqualTypeOf<ArtifactRef<'system.Dataset', false>>()
      })
    })
  })
})

describe('exit handlers and importers', () => {
  test('the exit task receives a typed final status', () => {
    pipeline({ name: 'p' }, (dag) => {
      dag.exitHandler(
        (status) => {
          expectTypeOf(status).toEqualTypeOf<ParamRef<TaskFinalStatus>>()
          return dag.task(report, { status })
        },
        () => void dag.task(score),
      )
      // @ts-expect-error a string is not a final status
      dag.task(report, { status: 'FAILED' }, { name: 'bad' })
    })
  })

  test('an importer yields an artifact of the declared type', () => {
    pipeline({ name: 'p', inputs: { uri: param.string() } }, (dag, p) => {
      const imported = dag.importer({ uri: p.uri, type: Dataset })
      expectTypeOf(imported.outputs.artifact).toEqualTypeOf<ArtifactRef<'system.Dataset', false>>()
      // @ts-expect-error the URI must be a string
      dag.importer({ uri: 3, type: Dataset })
    })
  })
})
