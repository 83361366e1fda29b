import { describe, expectTypeOf, test } from 'vitest'
import {
  Artifact,
  artifact,
  type ArtifactRef,
  ClassificationMetrics,
  component,
  Dataset,
  Metrics,
  Model,
  param,
  type ParamRef,
  pipeline,
  artifactType,
} from '@typeflow/dsl'
import { type LoadedComponent, loadComponent } from '@typeflow/dsl/kfp'

const prepare = component({
  name: 'prepare',
  image: 'img',
  inputs: { rawUri: param.string() },
  outputs: { dataset: artifact(Dataset), rows: param.int() },
  command: ({ inputs, outputs }) => ['prep', inputs.rawUri.value, outputs.dataset.path, outputs.rows.path],
})

const train = component({
  name: 'train',
  image: 'img',
  inputs: {
    data: artifact(Dataset),
    epochs: param.int({ default: 10 }),
    rate: param.float(),
    verbose: param.bool({ optional: true }),
    columns: param.list<string>({ optional: true }),
    config: param.struct<{ seed: number }>({ optional: true }),
  },
  outputs: { model: artifact(Model), metrics: artifact(Metrics) },
  command: ({ inputs, outputs }) => ['train', inputs.data.path, inputs.epochs.value, outputs.model.uri],
})

const archive = component({
  name: 'archive',
  image: 'img',
  inputs: { thing: artifact(Artifact) },
  command: ({ inputs }) => ['archive', inputs.thing.path],
})

const merge = component({
  name: 'merge',
  image: 'img',
  inputs: { parts: artifact.list(Dataset) },
  outputs: { merged: artifact(Dataset) },
  command: ({ inputs, outputs }) => ['merge', inputs.parts.path, outputs.merged.path],
})

describe('typed wiring', () => {
  test('task outputs carry their artifact type and parameter value type', () => {
    pipeline({ name: 'p', inputs: { uri: param.string() } }, (dag, p) => {
      const prep = dag.task(prepare, { rawUri: p.uri })
      expectTypeOf(prep.outputs.dataset).toEqualTypeOf<ArtifactRef<'system.Dataset', false>>()
      expectTypeOf(prep.outputs.rows).toEqualTypeOf<ParamRef<number>>()
      expectTypeOf(p.uri).toEqualTypeOf<ParamRef<string>>()
    })
  })

  test('the right artifact type, constants and references are accepted', () => {
    pipeline({ name: 'p', inputs: { uri: param.string(), epochs: param.int() } }, (dag, p) => {
      const prep = dag.task(prepare, { rawUri: p.uri })
      dag.task(train, { data: prep.outputs.dataset, rate: 0.1 })
      dag.task(train, { data: prep.outputs.dataset, rate: 0.1, epochs: p.epochs, verbose: true, columns: ['a'], config: { seed: 1 } }, { name: 'train-2' })
    })
  })

  test('a Model output cannot feed a Dataset input', () => {
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(prepare, { rawUri: 'gs://x' })
      const fit = dag.task(train, { data: prep.outputs.dataset, rate: 0.1 })
      // @ts-expect-error Model → Dataset
      dag.task(train, { data: fit.outputs.model, rate: 0.1 }, { name: 'again' })
    })
  })

  test('metrics types are distinct too', () => {
    const report = component({ name: 'report', image: 'img', inputs: { m: artifact(ClassificationMetrics) } })
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(prepare, { rawUri: 'gs://x' })
      const fit = dag.task(train, { data: prep.outputs.dataset, rate: 0.1 })
      // @ts-expect-error Metrics → ClassificationMetrics
      dag.task(report, { m: fit.outputs.metrics })
    })
  })

  test('user-defined artifact types are nominal', () => {
    const FeatureTable = artifactType('acme.FeatureTable', '1.0.0')
    const useFeatures = component({ name: 'use', image: 'img', inputs: { f: artifact(FeatureTable) } })
    const makeFeatures = component({ name: 'make', image: 'img', outputs: { f: artifact(FeatureTable) } })
    pipeline({ name: 'p' }, (dag) => {
      const made = dag.task(makeFeatures)
      dag.task(useFeatures, { f: made.outputs.f })
      const prep = dag.task(prepare, { rawUri: 'gs://x' })
      // @ts-expect-error Dataset → acme.FeatureTable
      dag.task(useFeatures, { f: prep.outputs.dataset }, { name: 'use-2' })
    })
  })

  test('a generic Artifact input accepts any artifact, and a generic output feeds any input', () => {
    const makeAnything = component({ name: 'any', image: 'img', outputs: { out: artifact(Artifact) } })
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(prepare, { rawUri: 'gs://x' })
      const fit = dag.task(train, { data: prep.outputs.dataset, rate: 0.1 })
      dag.task(archive, { thing: fit.outputs.model })
      dag.task(archive, { thing: prep.outputs.dataset }, { name: 'archive-2' })
      const anything = dag.task(makeAnything)
      dag.task(train, { data: anything.outputs.out, rate: 0.1 }, { name: 'train-any' })
    })
  })

  test('an unknown argument name is an error', () => {
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(prepare, { rawUri: 'gs://x' })
      // @ts-expect-error 'epoch' is not an input ('epochs' is)
      dag.task(train, { data: prep.outputs.dataset, rate: 0.1, epoch: 3 })
    })
  })

  test('a missing required input is an error; optional and defaulted ones may be left out', () => {
    pipeline({ name: 'p' }, (dag) => {
      // @ts-expect-error 'rawUri' is required
      dag.task(prepare, {})
      const prep = dag.task(prepare, { rawUri: 'gs://x' }, { name: 'prep-2' })
      // @ts-expect-error 'rate' is required
      dag.task(train, { data: prep.outputs.dataset })
    })
  })

  test('a component without required inputs needs no arguments', () => {
    const hello = component({ name: 'hello', image: 'img', command: ['echo'] })
    pipeline({ name: 'p' }, (dag) => {
      dag.task(hello)
      dag.task(hello, {}, { name: 'hello-again' })
    })
  })

  test('wrong parameter types are errors', () => {
    pipeline({ name: 'p', inputs: { uri: param.string(), flag: param.bool() } }, (dag, p) => {
      const prep = dag.task(prepare, { rawUri: p.uri })
      // @ts-expect-error string constant for a float
      dag.task(train, { data: prep.outputs.dataset, rate: 'fast' }, { name: 'a' })
      // @ts-expect-error string reference for a float
      dag.task(train, { data: prep.outputs.dataset, rate: p.uri }, { name: 'b' })
      // @ts-expect-error boolean reference for an int
      dag.task(train, { data: prep.outputs.dataset, rate: 1, epochs: p.flag }, { name: 'c' })
      // @ts-expect-error list of numbers for a list of strings
      dag.task(train, { data: prep.outputs.dataset, rate: 1, columns: [1, 2] }, { name: 'd' })
      // @ts-expect-error artifact for a parameter
      dag.task(prepare, { rawUri: prep.outputs.dataset }, { name: 'e' })
      // @ts-expect-error parameter for an artifact
      dag.task(train, { data: p.uri, rate: 1 }, { name: 'f' })
    })
  })

  test('lists of artifacts are distinct from single artifacts', () => {
    pipeline({ name: 'p', inputs: { shards: artifact.list(Dataset) } }, (dag, p) => {
      expectTypeOf(p.shards).toEqualTypeOf<ArtifactRef<'system.Dataset', true>>()
      const merged = dag.task(merge, { parts: p.shards })
      // @ts-expect-error a single Dataset where a list is expected
      dag.task(merge, { parts: merged.outputs.merged }, { name: 'merge-2' })
    })
  })

  test('outputs that do not exist are errors', () => {
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(prepare, { rawUri: 'gs://x' })
      // @ts-expect-error no output 'checkpoint'
      dag.task(archive, { thing: prep.outputs.checkpoint })
    })
  })
})

describe('placeholders', () => {
  test('the command builder only offers declared inputs and outputs, with the right fields', () => {
    component({
      name: 'c',
      image: 'img',
      inputs: { data: artifact(Dataset), n: param.int({ optional: true }) },
      outputs: { model: artifact(Model), score: param.float() },
      command: ({ inputs, outputs, ifPresent }) => {
        expectTypeOf(inputs.data.path).toEqualTypeOf<string>()
        expectTypeOf(inputs.n.value).toEqualTypeOf<string>()
        // @ts-expect-error parameters have no path
        void inputs.n.path
        // @ts-expect-error undeclared input
        void inputs.other
        // @ts-expect-error ifPresent only takes optional inputs
        ifPresent('data', ['x'])
        return ['run', inputs.data.path, `--n=${inputs.n.value}`, outputs.model.uri, outputs.score.path, ifPresent('n', ['--n', inputs.n.value])]
      },
    })
  })
})

describe('pipelines as components', () => {
  test('a pipeline exposes typed outputs and takes typed arguments', () => {
    const inner = pipeline({ name: 'inner', inputs: { uri: param.string() } }, (dag, p) => {
      const prep = dag.task(prepare, { rawUri: p.uri })
      return { dataset: prep.outputs.dataset, rows: prep.outputs.rows }
    })
    pipeline({ name: 'outer' }, (dag) => {
      const nested = dag.task(inner, { uri: 'gs://x' })
      expectTypeOf(nested.outputs.dataset).toEqualTypeOf<ArtifactRef<'system.Dataset', false>>()
      expectTypeOf(nested.outputs.rows).toEqualTypeOf<ParamRef<number>>()
      dag.task(train, { data: nested.outputs.dataset, rate: 0.5 })
      // @ts-expect-error number for a string input
      dag.task(inner, { uri: 3 }, { name: 'inner-2' })
    })
  })
})

describe('resources and options', () => {
  test('quantities are typed', () => {
    pipeline({ name: 'p' }, (dag) => {
      const prep = dag.task(prepare, { rawUri: 'x' }, { resources: { cpuLimit: '500m', memoryLimit: '16Gi', accelerator: { type: 'nvidia.com/gpu', count: 1 } } })
      // @ts-expect-error memory needs a unit
      prep.setResources({ memoryLimit: '16' })
      // @ts-expect-error retry count is a number
      prep.setRetry({ count: 'three' })
    })
  })
})

describe('loaded components', () => {
  test('are typed loosely; their wiring is checked when compiling', () => {
    const loaded = loadComponent('name: x\nimplementation:\n  container:\n    image: alpine\n')
    expectTypeOf(loaded).toEqualTypeOf<LoadedComponent>()
    pipeline({ name: 'p' }, (dag) => {
      dag.task(loaded, { anything: 'goes' })
    })
  })
})
