import { type AnyTask, ge, param, pipeline, type PipelineNode } from '@typeflow/dsl'
import { loadPipelineComponents } from '@typeflow/dsl/kfp'

export const golden = 'legacy/pipelines/parallelfor_fan_in/artifacts_complex.yaml'
export const twins = ['current/valid/artifacts_complex.yaml']

export function build(goldenText: string): PipelineNode {
  const c = loadPipelineComponents(goldenText)
  const addTwoListsOfDatasets = pipeline({
    name: 'add-two-lists-of-datasets',
    inputs: { in_datasets1: c['add']!.inputs.in_datasets!, in_datasets2: c['add']!.inputs.in_datasets! },
  }, (dag, p) => {
    const a = dag.task(c['add']!, { in_datasets: p.in_datasets1 })
    const b = dag.task(c['add']!, { in_datasets: p.in_datasets2 })
    const sum = dag.task(c['add-two-ints']!, { in_dataset1: a.outputs.out_dataset!, in_dataset2: b.outputs.out_dataset! })
    return { Output: sum.outputs.out_dataset! }
  })
  return pipeline({
    name: 'math-pipeline',
    inputs: { threshold: param.int({ default: 2 }) },
  }, (dag, p) => {
    const { first, second } = dag.forEach([1, 2, 3], (x) => {
      const t1 = dag.task(c['double']!, { num: x })
      const inner = dag.forEach([1, 2, 3], (y) => {
        let t2: AnyTask | undefined
        dag.if(ge(y, p.threshold), () => {
          t2 = dag.task(c['double']!, { num: y })
        })
        return t2!.outputs.out_dataset!
      })
      return { first: t1.outputs.out_dataset!, second: inner }
    })
    const sum = dag.task(addTwoListsOfDatasets, { in_datasets1: first, in_datasets2: second })
    return { datasets: first, sum: sum.outputs.Output }
  })
}
